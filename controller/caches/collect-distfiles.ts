import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';
import { VmBackendError } from '../runners/backends/vm-backend.ts';
import { mirrorDistfilesDir, type CacheLayout } from './cache-layout.ts';
import type { CacheServer } from './cache-server.ts';
import { listFetchedDistfilesArgv, parseFetchedDistfiles, uploadDistfilesArgv } from './distfile-collection-commands.ts';
import { planDistfileCollection, type DistfileCollectionPlan } from './plan-distfile-collection.ts';

export interface CollectDistfilesRequest {
  readonly vmId: string;
  readonly buildId: string;
  readonly kind: BuildKind;
  readonly result: BuildResult;
}

export interface CollectDistfilesDeps {
  readonly backend: Pick<VmBackend, 'exec'>;
  readonly server: CacheServer;
  readonly layout: CacheLayout;
  readonly now: () => Date;
  readonly quarantineDays: number;
}

/**
 * After a build's job, before its VM is destroyed: list the distfiles the build fetched (the
 * VM's copy-on-write disk is its overlay), decide where they go, and have the VM upload them
 * under a grant bound to that destination. Failures are retryable (the VM still exists).
 */
export async function collectDistfiles(request: CollectDistfilesRequest, deps: CollectDistfilesDeps, signal: AbortSignal): Promise<DistfileCollectionPlan> {
  const listed = await deps.backend.exec(request.vmId, listFetchedDistfilesArgv(), { signal });
  if (listed.exitCode !== 0) {
    throw new VmBackendError(`listing the distfiles of ${request.vmId} failed (exit ${listed.exitCode}): ${listed.stderr.trim()}`, { retryable: true, vmId: request.vmId });
  }
  const fetched = parseFetchedDistfiles(listed.stdout);
  const mirror = mirrorDistfilesDir(deps.layout);
  const plan = planDistfileCollection({
    buildId: request.buildId,
    kind: request.kind,
    result: request.result,
    fetched,
    inMirror: new Set(fetched.filter((f) => existsSync(join(mirror, f)))),
    now: deps.now(),
    quarantineDays: deps.quarantineDays,
  });
  if (plan.destination === 'none') return plan;
  const grant = deps.server.grant(plan.destination === 'mirror' ? { kind: 'mirror' } : { kind: 'quarantine', buildId: plan.buildId, expiresAt: plan.expiresAt });
  try {
    const uploaded = await deps.backend.exec(request.vmId, uploadDistfilesArgv(plan.files, grant.uploadUrl), { signal });
    if (uploaded.exitCode !== 0) {
      throw new VmBackendError(`uploading ${plan.files.length} distfile(s) from ${request.vmId} failed (exit ${uploaded.exitCode}): ${uploaded.stderr.trim()}`, {
        retryable: true,
        vmId: request.vmId,
      });
    }
  } finally {
    deps.server.revoke(grant.token);
  }
  return plan;
}
