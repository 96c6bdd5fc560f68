import { z } from 'zod';

/** `15_arm64`, `10.15_x86_64`, `10.6_i386`, `10.8_x86_64_legacy`: the names MacPorts' builders carry. */
export const PLATFORM_NAME = /^\d{1,2}(\.\d{1,2})?_(arm64|x86_64|i386|ppc)(_legacy)?$/;
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
});

const githubSchema = z.strictObject({
  appId: z.int({ error: 'must be the numeric GitHub App id (App settings → About)' }).positive({ error: 'must be positive' }),
  privateKeyPath: z.string().min(1, { error: "must be the path of the App's private key (.pem)" }),
  webhookSecretEnv: z
    .string()
    .regex(ENV_NAME, { error: 'must name an environment variable, e.g. PORTFARM_WEBHOOK_SECRET' })
    .default('PORTFARM_WEBHOOK_SECRET'),
  repo: z.string().regex(REPO, { error: 'must be owner/name of the ports repository, e.g. macports/macports-ports' }),
  apiUrl: z.url({ error: 'must be a URL, e.g. https://api.github.com' }).default('https://api.github.com'),
  workflow: z.string().regex(/^[A-Za-z0-9._-]+\.ya?ml$/, { error: 'must be a workflow file name, e.g. ports.yml' }).default('ports.yml'),
});

const controllerSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int({ error: 'must be a TCP port number' }).min(0).max(65535, { error: 'must be at most 65535' }).default(8080),
  publicUrl: z.url({ error: 'must be the URL GitHub reaches the controller at, e.g. https://farm.example.org' }).optional(),
});

const mailSchema = z.strictObject({
  smtpUrl: z.string().regex(/^smtps?:\/\//, { error: 'must be an smtp:// or smtps:// URL' }).optional(),
  from: z.string().min(3).default('portfarm <noreply@macports.org>'),
  buildsList: z.array(z.email({ error: 'must be an e-mail address' })).default([]),
});

export const configSchema = z.strictObject({
  github: githubSchema,
  controller: controllerSchema.default({ host: '127.0.0.1', port: 8080 }),
  platforms: z.array(platformSchema).min(1, { error: 'must list at least one platform' }),
  state: z.strictObject({ path: z.string().min(1).default('state/portfarm.sqlite') }).default({ path: 'state/portfarm.sqlite' }),
  site: z
    .strictObject({
      out: z.string().min(1).default('site-out'),
      baseUrl: z.url({ error: 'must be the URL the site is served at' }).default('https://build.macports.org'),
      logArchiveUrl: z.url({ error: 'must be the URL of the log archive' }).optional(),
    })
    .default({ out: 'site-out', baseUrl: 'https://build.macports.org' }),
  mail: mailSchema.default({ from: 'portfarm <noreply@macports.org>', buildsList: [] }),
});

export type ConfigFile = z.infer<typeof configSchema>;
export type PlatformConfig = ConfigFile['platforms'][number];
export type HostConfig = PlatformConfig['hosts'][number];
export type BackendName = (typeof BACKENDS)[number];

/** The validated config plus what comes from the environment (secrets are never in the file). */
export interface Config extends ConfigFile {
  readonly github: ConfigFile['github'] & { readonly webhookSecret: string | undefined };
  /** Where the config came from, for messages: a path or "embedded defaults". */
  readonly source: string;
}
