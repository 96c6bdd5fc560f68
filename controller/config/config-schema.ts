import { z } from 'zod';
import { runnerRegistrationSchema } from './runner-registration-schema.ts';
import { GITHUB_ACTIONS_ISSUER } from '../handoff/handoff-settings.ts';
import { PLATFORM_NAME } from '../model/platform-name.ts';

const SLUG = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const REPO = /^[A-Za-z0-9-]{1,39}\/[A-Za-z0-9._-]{1,100}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

const hostSchema = z.strictObject({
  name: z.string().regex(SLUG, { error: 'must be a short name of letters, digits, ".", "_" or "-", e.g. mac-mini-1' }),
  address: z.string().min(1, { error: 'must be the host name or IP the controller reaches it at, e.g. 10.0.0.21' }),
  maxVms: z
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(2, { error: "must be at most 2: Apple's licence allows 2 macOS VMs per Mac host" })
    .default(2),
  diskGiB: z.number().positive({ error: 'must be a positive number of GiB' }).optional(),
});

export const BACKENDS = ['tart', 'orchard', 'libvirt', 'fake'] as const;

const platformSchema = z.strictObject({
  name: z.string().regex(PLATFORM_NAME, {
    error: 'is not a platform name; use <macOS major>[.<minor>]_<arch>, e.g. 15_arm64 or 10.15_x86_64',
  }),
  labels: z
    .array(z.string().regex(SLUG, { error: 'must be a runner label of letters, digits, ".", "_" or "-"' }))
    .default([]),
  image: z.string().regex(SLUG, { error: 'must name the base VM image, e.g. macos-15-base' }),
  backend: z.enum(BACKENDS, { error: `must be one of ${BACKENDS.join(', ')}` }).default('fake'),
  hosts: z.array(hostSchema).min(1, { error: 'must list at least one host for this platform' }),
  /**
   * Runs of this platform in flight at once (watchers and builders), each in its own lane and
   * concurrency group; a builder still waits for every port of its dependency closure. 1 is
   * one run per platform, as buildbot. At most the VM slots of the platform's hosts.
   */
  parallelBuilds: z.int({ error: 'must be a whole number of builds' }).min(1, { error: 'must be at least 1' }).default(1),
});

const githubSchema = z.strictObject({
  appId: z.int({ error: 'must be the numeric GitHub App id (App settings → About)' }).positive({ error: 'must be positive' }),
  privateKeyPath: z.string().min(1, { error: "must be the path of the App's private key (.pem)" }),
  webhookSecretEnv: z
    .string()
    .regex(ENV_NAME, { error: 'must name an environment variable, e.g. PORTFARM_WEBHOOK_SECRET' })
    .default('PORTFARM_WEBHOOK_SECRET'),
  repo: z.string().regex(REPO, { error: 'must be owner/name of the ports repository, e.g. macports/macports-ports' }),
  /**
   * GitHub's numeric id of `repo` (`gh api repos/OWNER/NAME --jq .id`): a watcher's OIDC token
   * must carry it, since a name can change hands and an id cannot. Required by `serve`.
   */
  repositoryId: z.int({ error: 'must be the numeric id of the ports repository (gh api repos/OWNER/NAME --jq .id)' }).positive({ error: 'must be positive' }).optional(),
  apiUrl: z.url({ error: 'must be a URL, e.g. https://api.github.com' }).default('https://api.github.com'),
  workflow: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, { error: 'must be a workflow file name, e.g. ports.yml' }).default('ports.yml'),
  /** The workflow GitHub runs on pull requests (its jobs' `portfarm-build-pr-…` labels get VMs). */
  pullRequestWorkflow: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, { error: 'must be a workflow file name, e.g. ports-pr.yml' }).default('ports-pr.yml'),
  /** Logins that may ask for a full rebuild from the Actions form without GitHub being asked for their permission (others need write, maintain or admin). */
  rebuildActors: z.array(z.string().regex(/^[A-Za-z0-9-]+(\[bot\])?$/, { error: 'must be GitHub logins, e.g. [jmroot]' })).default([]),
  /** Repository runners (default), or organisation runners in runner groups restricted to ports.yml (runner-registration-schema.ts). */
  runnerRegistration: runnerRegistrationSchema.default({ scope: 'repository' }),
});

const controllerSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int({ error: 'must be a TCP port number' }).min(0).max(65535, { error: 'must be at most 65535' }).default(8080),
  publicUrl: z.url({ error: 'must be the URL GitHub reaches the controller at, e.g. https://farm.example.org' }).optional(),
  /** The environment variable holding the token `/api/status`, `/api/events` and `/metrics` require (they show host addresses). */
  statusTokenEnv: z
    .string()
    .regex(ENV_NAME, { error: 'must name an environment variable, e.g. PORTFARM_STATUS_TOKEN' })
    .default('PORTFARM_STATUS_TOKEN'),
  /** Open `/api/events` streams at most; past it a new one is answered 503. */
  maxEventStreams: z.int({ error: 'must be a whole number of event streams' }).min(1, { error: 'must be at least 1' }).max(10_000, { error: 'must be at most 10,000' }).default(100),
});

/**
 * GitHub handle → e-mail address, for Portfile maintainers known only as `@handle` (GitHub
 * never tells an App a user's address). Keys are written with or without the @, in any case.
 */
const githubAddressesSchema = z
  .record(
    z.string().regex(/^@?[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: 'must be a GitHub handle (letters, digits, -; the @ optional), e.g. jmroot' }),
    z.email({ error: 'must be the e-mail address of that GitHub handle' }),
  )
  .transform((map) => Object.fromEntries(Object.entries(map).map(([handle, address]) => [handle.replace(/^@/, '').toLowerCase(), address])));

const mailSchema = z.strictObject({
  smtpUrl: z.string().regex(/^smtps?:\/\//, { error: 'must be an smtp:// or smtps:// URL' }).optional(),
  from: z.string().min(3).default('portfarm <noreply@macports.org>'),
  buildsList: z.array(z.email({ error: 'must be an e-mail address' })).default([]),
  githubAddresses: githubAddressesSchema.default({}),
});

const seconds = (what: string) => z.number({ error: `must be a number of seconds ${what}` }).positive({ error: `must be a positive number of seconds ${what}` });

/** The watchdog and retry rules of the runner manager (runner-manager.ts); seconds, as an operator thinks of them. */
const runnersSchema = z.strictObject({
  cloneSeconds: seconds('a copy-on-write clone may take, e.g. 120').default(120),
  bootSeconds: seconds('from VM start to reachable, e.g. 300').default(300),
  runnerOnlineSeconds: seconds('from run.sh to the runner being online (actions/runner#3621), e.g. 180').default(180),
  jobTakenSeconds: seconds('an online runner may wait for its job, e.g. 600').default(600),
  warmIdleSeconds: seconds('a warm VM may wait to be claimed, e.g. 1800').default(1800),
  maxAttempts: z.int({ error: 'must be a whole number of attempts' }).min(1, { error: 'must be at least 1' }).max(10, { error: 'must be at most 10' }).default(3),
  retryBaseSeconds: seconds('before the second attempt (doubled each time), e.g. 5').default(5),
  retryMaxSeconds: seconds('at most between attempts, e.g. 60').default(60),
  watchdogIntervalSeconds: seconds('between watchdog passes, e.g. 5').default(5),
  reconcileIntervalSeconds: z.number({ error: 'must be a number of seconds' }).min(0, { error: 'must be 0 (only at start) or more seconds' }).default(300),
  warmStart: z.boolean({ error: 'must be true or false' }).default(true),
  /** One pull request's run holds at most this many VMs across the farm (its 256-job matrix cannot take every PR slot). */
  prVmsPerRun: z.int({ error: 'must be a whole number of VMs' }).min(1, { error: 'must be at least 1' }).default(2),
  /** A pull request's job is stopped (VM destroyed, build failed) after this; ports-pr.yml's build job allows 24 h. */
  prJobMaxSeconds: seconds('a pull request\'s job may run on a farm VM, e.g. 86400').default(86_400),
});

const imagePinSchema = z.strictObject({
  version: z.int({ error: 'must be an image version number, e.g. 3 (see portfarm image list)' }).positive({ error: 'must be positive' }),
  canary: z
    .strictObject({
      version: z.int({ error: 'must be an image version number (see portfarm image list)' }).positive({ error: 'must be positive' }),
      sharePercent: z.int({ error: 'must be a whole percent' }).min(1, { error: 'must be at least 1' }).max(99, { error: 'must be at most 99 (100 is pinning: set version instead)' }),
    })
    .optional(),
});

/** Base VM image versions: where the registry lives, optional pins that override it, GC and runner-age checks. */
const imagesSchema = z.strictObject({
  /** Default: images.sqlite beside state.path (what portfarm image prepare/rollout write). */
  registryPath: z.string().min(1, { error: 'must be the path of the image registry (SQLite)' }).optional(),
  /** Per platform: the version new VMs use and an optional canary, instead of the registry's rollout state. */
  pins: z.record(z.string(), imagePinSchema).default({}),
  gcGraceMinutes: z.number({ error: 'must be a number of minutes' }).min(0, { error: 'must be 0 or more minutes' }).default(60),
  gcIntervalMinutes: z.number({ error: 'must be a number of minutes' }).positive({ error: 'must be a positive number of minutes' }).default(15),
  runnerSupportDays: z.int({ error: 'must be a whole number of days' }).positive({ error: 'must be positive' }).default(30),
  runnerWarnDays: z.int({ error: 'must be a whole number of days' }).min(0, { error: 'must be 0 or more' }).default(7),
  runnerReleasesUrl: z.url({ error: 'must be the URL of the actions/runner release list' }).default('https://api.github.com/repos/actions/runner/releases'),
  runnerCheckHours: z.number({ error: 'must be a number of hours' }).positive({ error: 'must be a positive number of hours' }).default(6),
});

const ORCHARD_DEFAULTS = { tokenEnv: 'PORTFARM_ORCHARD_TOKEN', hostLabel: 'portfarm-host' } as const;

/** Orchard (cirruslabs/orchard): the controller's URL and the service account portfarm uses (token from the environment). */
const orchardSchema = z.strictObject({
  url: z.url({ error: 'must be the Orchard controller URL, e.g. https://orchard.example.org:6120' }),
  serviceAccount: z
    .string({ error: 'must be the service account name (orchard create service-account NAME --roles compute:read --roles compute:write)' })
    .regex(SLUG, { error: 'must be the service account name (orchard create service-account NAME --roles compute:read --roles compute:write)' }),
  tokenEnv: z.string().regex(ENV_NAME, { error: 'must name an environment variable, e.g. PORTFARM_ORCHARD_TOKEN' }).default(ORCHARD_DEFAULTS.tokenEnv),
  hostLabel: z.string().regex(SLUG, { error: 'must be the worker label that names a portfarm host, e.g. portfarm-host' }).default(ORCHARD_DEFAULTS.hostLabel),
});

/** Build caches: the mirror builds read, where PR builds' distfiles go, and disk admission per host. */
const cachesSchema = z.strictObject({
  /** Builds read archives and distfiles from here over HTTP, read-only (image prepare bakes it into the image). */
  mirrorUrl: z.url({ error: 'must be the mirror URL builds read from, e.g. http://mirror.farm:8081/' }).optional(),
  /** The mirror's folder on the controller's machine (`packages/`, `distfiles/`); with `server`, serve runs the cache server on it. */
  mirrorDir: z.string().min(1, { error: 'must be the folder holding the mirror (packages/ and distfiles/)' }).optional(),
  /**
   * Where serve's cache server listens (an address the build VMs reach): GET of the mirror,
   * read-only, and PUT of collected distfiles under one-collection grants. Needs mirrorDir.
   */
  server: z
    .strictObject({
      host: z.string().min(1, { error: 'must be an address the build VMs reach, e.g. 10.0.0.5' }),
      port: z.int({ error: 'must be a TCP port number' }).min(1, { error: 'must be at least 1' }).max(65535, { error: 'must be at most 65535' }).default(8081),
    })
    .optional(),
  /** Distfiles a PR build fetched, one folder per build, kept quarantineDays; never the mirror. */
  quarantineDir: z.string().min(1, { error: 'must be a folder for PR builds\' distfiles' }).default('state/quarantine'),
  quarantineDays: z.number({ error: 'must be a number of days' }).positive({ error: 'must be a positive number of days' }).default(14),
  /** What one PR build may put into its quarantine folder (its code runs as root and names what it "fetched"). */
  quarantineMaxGiB: z.number({ error: 'must be a number of GiB' }).positive({ error: 'must be a positive number of GiB' }).default(20),
  quarantineMaxFiles: z.int({ error: 'must be a whole number of files' }).min(1, { error: 'must be at least 1 file' }).default(1000),
  disk: z
    .strictObject({
      /** How much one build VM may write (clone/overlay growth). */
      vmBudgetGiB: z.number({ error: 'must be a number of GiB' }).positive({ error: 'must be a positive number of GiB' }).default(60),
      /** Kept free for the host itself. */
      reserveGiB: z.number({ error: 'must be a number of GiB' }).min(0, { error: 'must be 0 or more GiB' }).default(20),
      checkSeconds: seconds('between disk checks of each host, e.g. 60').default(60),
    })
    .default({ vmBudgetGiB: 60, reserveGiB: 20, checkSeconds: 60 }),
});

/** What a watcher's OIDC token must say (controller/handoff/); GitHub's issuer unless GHES or a test says otherwise. */
const handoffSchema = z.strictObject({
  issuer: z.url({ error: `must be the OIDC issuer URL, e.g. ${GITHUB_ACTIONS_ISSUER}` }).default(GITHUB_ACTIONS_ISSUER),
  /** Default `<issuer>/.well-known/jwks`. */
  jwksUrl: z.url({ error: 'must be the URL of the issuer\'s keys (JWKS)' }).optional(),
  audience: z.string().min(1, { error: 'must be the audience the action asks for (its audience input), e.g. portfarm' }).default('portfarm'),
  clockToleranceSeconds: z.number({ error: 'must be a number of seconds' }).min(0, { error: 'must be 0 or more seconds' }).max(300, { error: 'must be at most 300' }).default(30),
});

export const DEFAULT_RUNNERS: z.infer<typeof runnersSchema> = runnersSchema.parse({});
export const DEFAULT_IMAGES: z.infer<typeof imagesSchema> = imagesSchema.parse({});
export const DEFAULT_CACHES: z.infer<typeof cachesSchema> = cachesSchema.parse({});

/**
 * How often a queued check's estimate is brought up to date: each refresh is one API call, so
 * a check is refreshed at most every `checkRefreshMinutes`, and at most `checkRefreshPerRound`
 * checks per scheduling round (oldest estimate first) — at a 40,000-port rebuild a refresh of
 * every check would eat the whole API budget.
 */
const etaSchema = z.strictObject({
  checkRefreshMinutes: z.number({ error: 'must be a number of minutes' }).min(1, { error: 'must be at least 1 minute (each refresh is an API call)' }).default(10),
  checkRefreshPerRound: z.int({ error: 'must be a whole number of checks' }).min(0, { error: 'must be 0 (never refresh) or more' }).max(1000, { error: 'must be at most 1000' }).default(20),
  /** `GET /api/eta/public` answers without the status token (the site's port pages link to it); false: 404. */
  public: z.boolean({ error: 'must be true or false' }).default(true),
  /** Requests one address (an IPv6 /64) may make to it per minute… */
  publicPerClientPerMinute: z.int({ error: 'must be a whole number of requests' }).min(1, { error: 'must be at least 1' }).max(600, { error: 'must be at most 600' }).default(30),
  /** …and all addresses together. */
  publicTotalPerMinute: z.int({ error: 'must be a whole number of requests' }).min(1, { error: 'must be at least 1' }).max(60_000, { error: 'must be at most 60000' }).default(1200),
});
export const DEFAULT_ETA: z.infer<typeof etaSchema> = etaSchema.parse({});
export const DEFAULT_HANDOFF: z.infer<typeof handoffSchema> = handoffSchema.parse({});

/** Which checks a commit gets (docs/limits.md, "Checks at MacPorts' scale"). */
const checksSchema = z.strictObject({
  portChecksPerList: z
    .int({ error: 'must be a whole number of ports' })
    .min(1, { error: 'must be at least 1' })
    .max(1000, { error: 'must be at most 1,000: with 20 platforms a commit would hold 20,000 port checks of GitHub\'s 50,000' })
    .default(50),
  summaryIntervalSeconds: seconds('between updates of a summary check, e.g. 180').default(180),
  failureChecksPerCommit: z
    .int({ error: 'must be a whole number of checks' })
    .min(0, { error: 'must be 0 or more' })
    .max(45_000, { error: 'must be at most 45,000: GitHub keeps 50,000 check runs per commit, and port and summary checks need room' })
    .default(40_000),
});

export const DEFAULT_CHECKS = { portChecksPerList: 50, summaryIntervalSeconds: 180, failureChecksPerCommit: 40_000 } as const;

export const configSchema = z.strictObject({
  github: githubSchema,
  controller: controllerSchema.default({ host: '127.0.0.1', port: 8080, statusTokenEnv: 'PORTFARM_STATUS_TOKEN', maxEventStreams: 100 }),
  platforms: z.array(platformSchema).min(1, { error: 'must list at least one platform' }),
  state: z.strictObject({ path: z.string().min(1).default('state/portfarm.sqlite') }).default({ path: 'state/portfarm.sqlite' }),
  site: z
    .strictObject({
      out: z.string().min(1).default('site-out'),
      baseUrl: z.url({ error: 'must be the URL the site is served at' }).default('https://build.macports.org'),
      logArchiveUrl: z.url({ error: 'must be the URL of the log archive' }).optional(),
      logArchiveDir: z
        .string({ error: 'must be the folder the controller copies job logs into (e.g. state/logs)' })
        .min(1, { error: 'must be the folder the controller copies job logs into (e.g. state/logs)' })
        .optional(),
      /** Days of newest builds per builder served as real JSON files to programs (ports.macports.org imports from them). */
      jsonWindowDays: z.number({ error: 'must be a number of days, e.g. 14' }).min(0, { error: 'must be 0 or more days' }).max(3650, { error: 'must be at most 3650 days (ten years)' }).optional(),
    })
    .default({ out: 'site-out', baseUrl: 'https://build.macports.org' }),
  mail: mailSchema.default({ from: 'portfarm <noreply@macports.org>', buildsList: [], githubAddresses: {} }),
  runners: runnersSchema.default(DEFAULT_RUNNERS),
  images: imagesSchema.default(DEFAULT_IMAGES),
  orchard: orchardSchema.optional(),
  caches: cachesSchema.default(DEFAULT_CACHES),
  handoff: handoffSchema.default(DEFAULT_HANDOFF),
  checks: checksSchema.default(DEFAULT_CHECKS),
  eta: etaSchema.default(DEFAULT_ETA),
});

export type ConfigFile = z.infer<typeof configSchema>;
export type PlatformConfig = ConfigFile['platforms'][number];
export type HostConfig = PlatformConfig['hosts'][number];
export type BackendName = (typeof BACKENDS)[number];
export type RunnersConfig = ConfigFile['runners'];
export type ImagesConfig = ConfigFile['images'];
export type CachesConfig = ConfigFile['caches'];
export type OrchardConfig = NonNullable<ConfigFile['orchard']>;

/** The validated config plus what comes from the environment (secrets are never in the file). */
export interface Config extends ConfigFile {
  readonly github: ConfigFile['github'] & { readonly webhookSecret: string | undefined };
  /** The status token comes from the environment variable `controller.statusTokenEnv`. */
  readonly controller: ConfigFile['controller'] & { readonly statusToken: string | undefined };
  /** The service account token comes from the environment variable `orchard.tokenEnv`. */
  readonly orchard?: (OrchardConfig & { readonly token?: string | undefined }) | undefined;
  /** Where the config came from, for messages: a path or "embedded defaults". */
  readonly source: string;
}
