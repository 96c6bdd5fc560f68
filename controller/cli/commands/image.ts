import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/load-config.ts';
import type { Config, PlatformConfig } from '../../config/config-schema.ts';
import { UserError } from '../../errors/user-error.ts';
import { applyImageCommand } from '../../images/apply-image-command.ts';
import { createImageRecipe } from '../../images/create-image-recipe.ts';
import { formatPreparePlan } from '../../images/format-prepare-plan.ts';
import { createLocalHostShell, createSshHostShell } from '../../images/host-shell.ts';
import { imageStatePaths } from '../../images/image-paths.ts';
import { openImageRegistryStore, type ImageRegistryStore } from '../../images/image-registry-store.ts';
import { emptyPlatformImages, imageName, type PlatformImages } from '../../images/image-registry.ts';
import { ImageStepError } from '../../images/image-step-error.ts';
import { planImageGc } from '../../images/plan-image-gc.ts';
import { planSeal } from '../../images/plan-seal.ts';
import { prepareImage } from '../../images/prepare-image.ts';
import { prepareProgressPath, readPrepareProgress } from '../../images/prepare-progress.ts';
import { parsePrepareSource, preparationVmId } from '../../images/prepare-source.ts';
import { recipeSettingsSchema, type RecipeSettings } from '../../images/recipe-settings.ts';
import type { HostRef } from '../../runners/backends/vm-backend.ts';
import { TartVmBackend } from '../../runners/backends/tart-vm-backend.ts';
import type { CliContext } from '../cli-context.ts';

interface CommonOptions {
  readonly config?: string;
}
interface PrepareOptions extends CommonOptions {
  readonly platform: string;
  readonly from: string;
  readonly dryRun?: boolean;
  readonly host?: string;
  readonly runnerVersion?: string;
  readonly runnerSha256?: string;
  readonly macportsVersion?: string;
  readonly mirrorUrl?: string;
  readonly imagesDir: string;
  readonly libvirtUri: string;
}

const FLAG_OF: Record<string, readonly [flag: string, example: string]> = {
  platform: ['--platform', '15_arm64'],
  runnerVersion: ['--runner-version', '2.330.0 (an actions/runner release less than 30 days old)'],
  runnerSha256: ['--runner-sha256', "<64 hex digits from the release's notes>"],
  macportsVersion: ['--macports-version', '2.11.5'],
  mirrorUrl: ['--mirror-url', 'http://mirror.local:8081/'],
};

/** `portfarm image …`: prepare, list and roll out base VM images (issue 11). */
export function registerImage(program: Command, ctx: CliContext): void {
  const image = program.command('image').description('base VM images: prepare, list, roll out, roll back');

  image
    .command('prepare')
    .description('run the image recipe in a macOS VM, seal it as the next image version and register it')
    .requiredOption('--platform <name>', 'platform to prepare for, e.g. 15_arm64')
    .requiredOption('--from <vm-or-image>', 'image to clone (image:NAME or NAME) or a VM to prepare in place (vm:NAME)')
    .option('--dry-run', 'print every step (check and apply scripts) and change nothing')
    .option('--host <name>', "host to prepare on (default: the platform's first host)")
    .option('--runner-version <x.y.z>', 'actions/runner release to unpack, e.g. 2.330.0')
    .option('--runner-sha256 <hex>', "SHA-256 of that release's osx tarball (from its release notes)")
    .option('--macports-version <x.y.z>', 'MacPorts release for both prefixes, e.g. 2.11.5')
    .option('--mirror-url <url>', 'the farm mirror that serves packages/ and distfiles/ read-only (default: caches.mirrorUrl of the config)')
    .option('--images-dir <dir>', 'libvirt: folder for sealed base images on the host', '/var/lib/portfarm/images')
    .option('--libvirt-uri <uri>', 'libvirt: connection URI on the host', 'qemu:///system')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action(async (options: PrepareOptions) => {
      await runPrepare(options, ctx);
    });

  image
    .command('list')
    .description('image versions per platform: current, canary, rollback target, runner version')
    .option('--platform <name>', 'only this platform')
    .option('--json', 'print the registry as JSON')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action((options: CommonOptions & { platform?: string; json?: boolean }) => {
      const config = load(options, ctx);
      const platforms = (options.platform === undefined ? config.platforms : [platformOf(config, options.platform)]).map((p) => p.name);
      const states = withStore(config, ctx, false, (store) => platforms.map((p) => store?.get(p) ?? emptyPlatformImages(p)));
      if (options.json === true) ctx.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
      else ctx.stdout.write(states.map((s) => formatPlatform(s, config)).join('\n'));
    });

  image
    .command('rollout')
    .description('canary an image version on a share of new VMs, or roll it out fully with --share 100')
    .requiredOption('--platform <name>', 'platform, e.g. 15_arm64')
    .requiredOption('--image-version <n>', 'image version, e.g. 3 or v3 (see portfarm image list)')
    .requiredOption('--share <percent>', 'percent of new VMs (1-99: canary, 100: all)')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action((options: CommonOptions & { platform: string; imageVersion: string; share: string }) => {
      const version = wholeNumber(options.imageVersion.replace(/^v/, ''), '--image-version');
      const sharePercent = wholeNumber(options.share, '--share');
      change(options, ctx, { kind: 'rollout', version, sharePercent });
    });

  image
    .command('promote')
    .description('make the canary the current image of a platform')
    .requiredOption('--platform <name>', 'platform, e.g. 15_arm64')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action((options: CommonOptions & { platform: string }) => {
      change(options, ctx, { kind: 'promote' });
    });

  image
    .command('rollback')
    .description('drop the canary, or without one return to the previous current image; VMs in flight keep theirs')
    .requiredOption('--platform <name>', 'platform, e.g. 15_arm64')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .action((options: CommonOptions & { platform: string }) => {
      change(options, ctx, { kind: 'rollback' });
    });
}

async function runPrepare(options: PrepareOptions, ctx: CliContext): Promise<void> {
  const config = load(options, ctx);
  const platform = platformOf(config, options.platform);
  const host = hostOf(platform, options.host);
  const from = parsePrepareSource(options.from);
  // --mirror-url, else the config's caches.mirrorUrl: the image reads from the mirror the farm serves.
  const settings = parseSettings(options.mirrorUrl === undefined && config.caches.mirrorUrl !== undefined ? { ...options, mirrorUrl: config.caches.mirrorUrl } : options);
  const recipe = createImageRecipe(settings);
  const paths = imageStatePaths(ctx.cwd, config.state.path, config.images.registryPath);
  const progressPath = prepareProgressPath(paths.stateDir, platform.name);

  if (options.dryRun === true) {
    const resumed = readPrepareProgress(progressPath);
    const state = withStore(config, ctx, false, (store) => store?.get(platform.name) ?? emptyPlatformImages(platform.name));
    const version = resumed?.version ?? state.nextVersion;
    const name = imageName(platform.name, version);
    const vmId = resumed?.vmId ?? (from.kind === 'image' ? preparationVmId(platform.name, version) : from.name);
    let seal: ReturnType<typeof planSeal> | string;
    try {
      seal = planSeal({ backend: platform.backend, vmId, imageName: name, imagesDir: options.imagesDir, libvirtUri: options.libvirtUri });
    } catch (caught) {
      if (!(caught instanceof UserError)) throw caught;
      seal = caught.message;
    }
    ctx.stdout.write(
      formatPreparePlan({
        platform: platform.name,
        imageName: name,
        backend: platform.backend,
        host: host.name,
        from: `${from.kind}:${from.name}`,
        vmId,
        ownsVm: from.kind === 'image',
        recipe,
        seal,
        runnerVersion: settings.runnerVersion,
        macportsVersion: settings.macportsVersion,
        becomesCurrent: state.current === null,
      }),
    );
    return;
  }

  if (platform.backend !== 'tart') {
    throw new UserError(
      `image prepare runs on tart hosts so far; platform ${platform.name} uses backend ${platform.backend} ` +
        '(libvirt: the VM backend of the runner manager is not wired in yet; use --dry-run for the plan)',
    );
  }
  const local = ['127.0.0.1', 'localhost', '::1'].includes(host.address);
  await withStore(config, ctx, true, async (store) => {
    if (store === null) throw new Error('image registry did not open');
    try {
      await prepareImage(
        { settings, backendName: platform.backend, host, from, imagesDir: options.imagesDir, libvirtUri: options.libvirtUri },
        {
          backend: new TartVmBackend(),
          hostShell: local ? createLocalHostShell() : createSshHostShell(),
          store,
          progressPath,
          now: () => new Date(),
          bootTimeoutMs: 600_000,
          onEvent: (line) => ctx.stdout.write(`${line}\n`),
        },
        ctx.signal,
      );
    } catch (caught) {
      if (caught instanceof ImageStepError) {
        const advice = caught.retryable ? 'rerun the same command to resume' : 'act on the message, then rerun the same command to resume';
        throw new UserError(`${caught.message} (${advice}; progress: ${progressPath})`, { exitCode: 1, cause: caught });
      }
      throw caught;
    }
  });
}

function change(options: CommonOptions & { platform: string }, ctx: CliContext, command: Parameters<typeof applyImageCommand>[1]): void {
  const config = load(options, ctx);
  const platform = platformOf(config, options.platform);
  // Without a registry every transition fails (there is no version yet): say why, create nothing.
  const state = withStore(config, ctx, false, (store) =>
    store === null ? applyImageCommand(emptyPlatformImages(platform.name), command) : store.apply(platform.name, command),
  );
  ctx.stdout.write(formatPlatform(state, config));
}

function formatPlatform(state: PlatformImages, config: Config): string {
  const configured = config.platforms.find((p) => p.name === state.platform)?.image ?? '?';
  if (state.versions.length === 0) return `${state.platform}: no prepared images; new VMs use the configured image ${configured}\n`;
  const gc = planImageGc(state, new Set());
  const roles = new Map(gc.keep.map((k) => [k.version, k.reason]));
  const head =
    `${state.platform}: current v${state.current ?? '?'}` +
    (state.canary === null ? '' : `, canary v${state.canary.version} on ${state.canary.sharePercent}% of new VMs`) +
    (state.history.length === 0 ? '' : `, rollback to v${state.history.at(-1) ?? '?'}`);
  const rows = state.versions.map(
    (v) => `  v${v.version}  ${v.image}  runner ${v.runnerVersion}  MacPorts ${v.macportsVersion}  sealed ${v.createdAt.slice(0, 16).replace('T', ' ')}  ${roles.get(v.version) ?? 'unused (GC deletes it once no VM uses it)'}`,
  );
  return `${[head, ...rows].join('\n')}\n`;
}

function load(options: CommonOptions, ctx: CliContext): Config {
  return loadConfig({ path: options.config, cwd: ctx.cwd, allowDefaults: true }, ctx.env);
}

function platformOf(config: Config, name: string): PlatformConfig {
  const platform = config.platforms.find((p) => p.name === name);
  if (platform === undefined) {
    throw new UserError(`platform "${name}" is not configured; known: ${config.platforms.map((p) => p.name).join(', ')} (see ${config.source})`);
  }
  return platform;
}

function hostOf(platform: PlatformConfig, name: string | undefined): HostRef {
  const host = name === undefined ? platform.hosts[0] : platform.hosts.find((h) => h.name === name);
  if (host === undefined) {
    throw new UserError(`host "${name ?? ''}" does not serve ${platform.name}; its hosts: ${platform.hosts.map((h) => h.name).join(', ')}`);
  }
  return { name: host.name, address: host.address };
}

function parseSettings(options: PrepareOptions): RecipeSettings {
  const parsed = recipeSettingsSchema.safeParse({
    platform: options.platform,
    runnerVersion: options.runnerVersion,
    runnerSha256: options.runnerSha256,
    macportsVersion: options.macportsVersion,
    mirrorUrl: options.mirrorUrl,
  });
  if (parsed.success) return parsed.data;
  const given: Record<string, unknown> = { ...options };
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const [flag, example] = FLAG_OF[key] ?? [key, ''];
    return given[key] === undefined ? `  - ${flag} is required, e.g. ${flag} ${example}` : `  - ${flag} ${JSON.stringify(given[key])}: ${issue.message}`;
  });
  throw new UserError(`image prepare needs valid recipe settings:\n${problems.join('\n')}`);
}

function wholeNumber(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UserError(`${flag} ${JSON.stringify(text)} is not a whole number`);
  return Number(text);
}

/** Opens the registry for the call; a read that finds no registry yet sees null and creates nothing. */
function withStore<T>(config: Config, ctx: CliContext, create: boolean, fn: (store: ImageRegistryStore | null) => T): T {
  const { registry } = imageStatePaths(ctx.cwd, config.state.path, config.images.registryPath);
  if (!create && !existsSync(registry)) return fn(null);
  const store = openImageRegistryStore(registry);
  let closeNow = true;
  try {
    const result = fn(store);
    if (result instanceof Promise) {
      closeNow = false;
      return result.finally(() => {
        store.close();
      }) as T;
    }
    return result;
  } finally {
    if (closeNow) store.close();
  }
}
