import type { HostRef, VmBackend } from '../runners/backends/vm-backend.ts';
import type { BackendName } from '../config/config-schema.ts';
import { coerceError } from '../errors/coerce-error.ts';
import { createImageRecipe, RUNNER_VERSION_FILE } from './create-image-recipe.ts';
import type { HostShell } from './host-shell.ts';
import type { ImageRegistryStore } from './image-registry-store.ts';
import { imageName, type ImageVersion } from './image-registry.ts';
import { ImageStepError } from './image-step-error.ts';
import { libvirtBasePath, planSeal } from './plan-seal.ts';
import { clearPrepareProgress, readPrepareProgress, writePrepareProgress, type PrepareProgress } from './prepare-progress.ts';
import { preparationVmId, type PrepareSource } from './prepare-source.ts';
import type { RecipeSettings } from './recipe-settings.ts';
import { runHostSteps } from './run-host-steps.ts';
import { runImageRecipe, type RecipeProgress } from './run-image-recipe.ts';

export interface PrepareImageRequest {
  readonly settings: RecipeSettings;
  readonly backendName: BackendName;
  readonly host: HostRef;
  readonly from: PrepareSource;
  /** libvirt: where sealed bases go on the host. */
  readonly imagesDir: string;
  readonly libvirtUri: string;
}

export interface PrepareImageDeps {
  readonly backend: VmBackend;
  readonly hostShell: HostShell;
  readonly store: ImageRegistryStore;
  readonly progressPath: string;
  readonly now: () => Date;
  /** How long a VM may take to boot and answer (ms). */
  readonly bootTimeoutMs: number;
  /** One line per event, for the CLI (progress) and logs. */
  readonly onEvent: (line: string) => void;
}

/**
 * `portfarm image prepare`: clone (or take) a booted macOS VM, run the recipe in it, seal it
 * as the next image version and register it. Progress is persisted after every step, so a
 * rerun after a failure or a kill resumes with the same VM and version; finished steps are
 * skipped by their checks. The new version is registered but not rolled out (unless it is the
 * platform's first image): `portfarm image rollout` canaries it.
 */
export async function prepareImage(request: PrepareImageRequest, deps: PrepareImageDeps, signal: AbortSignal): Promise<ImageVersion> {
  const platform = request.settings.platform;
  const fromText = `${request.from.kind}:${request.from.name}`;
  let progress = resume(request, deps, fromText);
  const save = (change: Partial<PrepareProgress>): void => {
    progress = { ...progress, ...change, updatedAt: deps.now().toISOString() };
    writePrepareProgress(deps.progressPath, progress);
  };
  save({});
  const name = imageName(platform, progress.version);
  deps.onEvent(`preparing ${name} in VM ${progress.vmId} on ${request.host.name} (from ${fromText})`);

  if (progress.phase === 'recipe') {
    let fresh = false;
    if (progress.ownsVm && !progress.cloned) {
      deps.onEvent(`cloning ${request.from.name} → ${progress.vmId}`);
      await deps.backend.clone({ vmId: progress.vmId, image: request.from.name, host: request.host }, signal);
      save({ cloned: true });
      fresh = true;
    }
    await ensureReachable(deps, progress.vmId, fresh, signal);
    const steps = createImageRecipe(request.settings);
    await runImageRecipe({
      backend: deps.backend,
      vmId: progress.vmId,
      steps,
      signal,
      onProgress: (p: RecipeProgress) => {
        if (p.phase === 'checking') return;
        deps.onEvent(`[${String(p.index + 1).padStart(2)}/${p.total}] ${p.step.id.padEnd(16)} ${p.phase === 'skipped' ? 'done already' : p.phase}  ${p.step.title}`);
        if (p.phase === 'skipped' || p.phase === 'applied') save({ steps: { ...progress.steps, [p.step.id]: p.phase } });
      },
    }).catch((caught: unknown) => {
      if (caught instanceof ImageStepError) save({ steps: { ...progress.steps, [caught.stepId]: 'failed' } });
      throw caught;
    });
    await verifyRunnerVersion(deps, progress.vmId, request.settings, signal);
    // Flush the guest's page cache before the host stops it and copies its disk.
    await deps.backend.exec(progress.vmId, ['sudo', '-n', '/bin/sync'], { signal });
    save({ phase: 'sealing' });
  }

  if (progress.phase === 'sealing') {
    deps.onEvent(`sealing ${progress.vmId} as ${name}`);
    const seal = planSeal({ backend: request.backendName, vmId: progress.vmId, imageName: name, imagesDir: request.imagesDir, libvirtUri: request.libvirtUri });
    await runHostSteps(deps.hostShell, request.host, seal, signal, (step, outcome) => {
      deps.onEvent(`seal ${step.id} ${outcome === 'skipped' ? 'done already' : outcome}`);
    });
    save({ phase: 'sealed' });
  }

  const image: ImageVersion = {
    platform,
    version: progress.version,
    image: request.backendName === 'libvirt' ? libvirtBasePath(request.imagesDir, name) : name,
    backend: request.backendName,
    runnerVersion: request.settings.runnerVersion,
    macportsVersion: request.settings.macportsVersion,
    createdAt: deps.now().toISOString(),
    preparedFrom: fromText,
  };
  const already = deps.store.get(platform).versions.find((v) => v.version === image.version);
  const state = already === undefined ? deps.store.apply(platform, { kind: 'register', image }) : deps.store.get(platform);
  if (progress.ownsVm) await deps.backend.destroy(progress.vmId, signal);
  clearPrepareProgress(deps.progressPath);
  const role = state.current === image.version ? 'current (first image of the platform)' : `registered; current stays v${state.current ?? '?'}`;
  deps.onEvent(`${name} sealed: ${role}; runner ${image.runnerVersion}, MacPorts ${image.macportsVersion}`);
  return already ?? image;
}

function resume(request: PrepareImageRequest, deps: PrepareImageDeps, fromText: string): PrepareProgress {
  const platform = request.settings.platform;
  const previous = readPrepareProgress(deps.progressPath);
  if (previous !== null) {
    if (previous.from !== fromText) {
      throw new ImageStepError(
        `an unfinished preparation of ${platform} v${previous.version} from ${previous.from} exists (${deps.progressPath}); ` +
          `rerun with --from ${previous.from} to finish it, or delete that file (and VM ${previous.vmId}) to start over`,
        { stepId: 'resume', retryable: false },
      );
    }
    deps.onEvent(`resuming ${platform} v${previous.version} (phase ${previous.phase}, ${Object.keys(previous.steps).length} steps recorded)`);
    return previous;
  }
  const version = deps.store.get(platform).nextVersion;
  const ownsVm = request.from.kind === 'image';
  const now = deps.now().toISOString();
  return {
    platform,
    version,
    from: fromText,
    vmId: ownsVm ? preparationVmId(platform, version) : request.from.name,
    ownsVm,
    cloned: false,
    phase: 'recipe',
    steps: {},
    startedAt: now,
    updatedAt: now,
  };
}

/** A resumed or given VM may be running already; only one that does not answer is started. */
async function ensureReachable(deps: PrepareImageDeps, vmId: string, fresh: boolean, signal: AbortSignal): Promise<void> {
  if (!fresh) {
    try {
      await deps.backend.waitReachable(vmId, Math.min(10_000, deps.bootTimeoutMs), signal);
      return;
    } catch (caught) {
      if (signal.aborted) throw coerceError(caught);
    }
  }
  deps.onEvent(`starting ${vmId}`);
  await deps.backend.start(vmId, signal);
  const { address } = await deps.backend.waitReachable(vmId, deps.bootTimeoutMs, signal);
  deps.onEvent(`${vmId} answers at ${address}`);
}

/** The metadata must describe the image, not the flags: read the runner version back from the VM. */
async function verifyRunnerVersion(deps: PrepareImageDeps, vmId: string, settings: RecipeSettings, signal: AbortSignal): Promise<void> {
  const file = `/Users/${settings.runnerUser}/actions-runner/${RUNNER_VERSION_FILE}`;
  const result = await deps.backend.exec(vmId, ['cat', file], { signal });
  const found = result.stdout.trim();
  if (result.exitCode !== 0 || found !== settings.runnerVersion) {
    throw new ImageStepError(`VM ${vmId} has actions runner ${found === '' ? '(none)' : found} in ${file}, expected ${settings.runnerVersion}; rerun prepare`, {
      stepId: 'actions-runner',
      retryable: true,
    });
  }
}
