import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRejections } from '../github/event-rejections.ts';
import type { BuildKind, BuildResult } from '../model/build-kind.ts';
import type { VmBackend } from '../runners/backends/vm-backend.ts';
import { VmBackendError } from '../runners/backends/vm-backend.ts';
import { isSafeRelativePath, mirrorDistfilesDir, type CacheLayout } from './cache-layout.ts';
import type { CacheServer } from './cache-server.ts';
import { listFetchedDistfilesArgv, parseFetchedDistfiles, uploadDistfilesArgv } from './distfile-collection-commands.ts';
import type { PortDistfiles } from './expected-distfile.ts';
import { DEFAULT_QUARANTINE_BUDGET, type QuarantineBudget } from './quarantine-budget.ts';
import { planDistfileCollection, type DistfileCollectionPlan } from './plan-distfile-collection.ts';

export interface CollectDistfilesRequest {
  readonly vmId: string;
  readonly buildId: string;
  readonly kind: BuildKind;
  readonly result: BuildResult;
  /** The built port's distfiles per its checksums at the build's ports revision (master builders); undefined = unknown. */
  readonly expected: PortDistfiles | undefined;
}

export interface CollectDistfilesDeps {
  readonly backend: Pick<VmBackend, 'exec'>;
  readonly server: CacheServer;
  readonly layout: CacheLayout;
  readonly now: () => Date;
  readonly quarantineDays: number;
  /** What one PR build may put into quarantine (default `DEFAULT_QUARANTINE_BUDGET`). */
  readonly quarantineBudget?: QuarantineBudget;
  readonly rejections: EventRejections;
}

/**
 * After a build's job, before its VM is destroyed: list the distfiles the build fetched (the
 * VM's copy-on-write disk is its overlay), decide where they go, and have the VM upload them
 * under a grant bound to that destination (for the mirror: exactly the planned files, sizes and
 * digests). Every file the VM reported and the plan refused is counted and logged once
 * (`mirror-unplanned-file`, …) so the operator sees why it is not in the mirror. Failures are
 * retryable (the VM still exists).
 */
export async function collectDistfiles(request: CollectDistfilesRequest, deps: CollectDistfilesDeps, signal: AbortSignal): Promise<DistfileCollectionPlan> {
  const listed = await deps.backend.exec(request.vmId, listFetchedDistfilesArgv(), { signal });
  if (listed.exitCode !== 0) {
    throw new VmBackendError(`listing the distfiles of ${request.vmId} failed (exit ${listed.exitCode}): ${listed.stderr.trim()}`, { retryable: true, vmId: request.vmId });
  }
  const fetched = parseFetchedDistfiles(listed.stdout);
  const mirror = mirrorDistfilesDir(deps.layout);
  const quarantineBudget = deps.quarantineBudget ?? DEFAULT_QUARANTINE_BUDGET;
  const plan = planDistfileCollection({
    buildId: request.buildId,
    kind: request.kind,
    result: request.result,
    fetched,
    inMirror: new Set(fetched.filter((f) => isSafeRelativePath(f) && existsSync(join(mirror, f)))),
    expected: request.expected,
    now: deps.now(),
    quarantineDays: deps.quarantineDays,
    quarantineBudget,
  });
  const area = request.kind === 'pr-builder' || request.kind === 'pr-watcher' ? 'quarantine' : 'mirror';
  const over = plan.rejected.filter((file) => file.reason === 'over-budget');
  if (over.length > 0) {
    // One line for the build, not one per file: the files are the attacker's to multiply.
    const why = `${over.length} of ${fetched.length} distfiles not collected: a PR build's quarantine takes at most ${quarantineBudget.maxFiles} files (caches.quarantineMaxFiles)`;
    deps.rejections.reject('quarantine-over-budget', request.buildId, { buildId: request.buildId, vmId: request.vmId, file: over[0]?.path, why });
  }
  for (const file of plan.rejected) {
    if (file.reason === 'over-budget') continue;
    const reason = file.reason === 'unsafe-path' ? `${area}-unsafe-path` : file.reason === 'foreign-subdir' ? 'mirror-foreign-subdir' : 'mirror-unplanned-file';
    deps.rejections.reject(reason, `${request.buildId} ${JSON.stringify(file.path)}`, { buildId: request.buildId, vmId: request.vmId, file: file.path, port: request.expected?.port });
  }
  if (plan.destination === 'none') return plan;
  const grant = deps.server.grant(
    plan.destination === 'mirror' ? { kind: 'mirror', buildId: request.buildId, files: plan.files } : { kind: 'quarantine', buildId: plan.buildId, expiresAt: plan.expiresAt, budget: quarantineBudget },
  );
  const paths = plan.destination === 'mirror' ? plan.files.map((file) => file.path) : plan.files;
  try {
    const uploaded = await deps.backend.exec(request.vmId, uploadDistfilesArgv(paths, grant.uploadUrl), { signal });
    if (uploaded.exitCode !== 0) {
      throw new VmBackendError(`uploading ${paths.length} distfile(s) from ${request.vmId} failed (exit ${uploaded.exitCode}): ${uploaded.stderr.trim()}`, {
        retryable: true,
        vmId: request.vmId,
      });
    }
  } finally {
    deps.server.revoke(grant.token);
  }
  return plan;
}
