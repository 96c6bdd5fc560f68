import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors/user-error.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { configSchema, type Config, type ConfigFile } from './config-schema.ts';
import { DEFAULT_CONFIG } from './default-config.ts';
import { resolveConfigPaths } from './resolve-config-paths.ts';

export const DEFAULT_CONFIG_FILE = 'portfarm.config.yaml';

export interface LoadConfigOptions {
  /** `--config FILE`; when absent, `portfarm.config.yaml` in `cwd` if it exists. */
  readonly path?: string | undefined;
  readonly cwd?: string;
  /** When no file is given or found: use the embedded demo defaults (true) or fail (false). */
  readonly allowDefaults?: boolean;
}

/**
 * The one place the environment is read for configuration: the file is validated, secrets
 * come from `env`, and the result is a typed object the caller passes down. Relative paths in
 * a file are resolved against the file's folder (`resolveConfigPaths`); the embedded defaults'
 * stay relative to the working folder.
 */
export function loadConfig(options: LoadConfigOptions = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const cwd = options.cwd ?? process.cwd();
  if (options.path !== undefined) {
    const path = resolve(cwd, options.path);
    if (!existsSync(path)) {
      throw new UserError(`config file ${options.path} not found (looked at ${path}); pass an existing file to --config`);
    }
    return resolveConfigPaths(parseConfig(readFileSync(path, 'utf8'), options.path, env), dirname(path));
  }
  const implicit = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(implicit)) return resolveConfigPaths(parseConfig(readFileSync(implicit, 'utf8'), DEFAULT_CONFIG_FILE, env), cwd);
  if (options.allowDefaults === true) return withEnv(DEFAULT_CONFIG, 'embedded defaults', env);
  throw new UserError(
    `no config: ${DEFAULT_CONFIG_FILE} is not in ${cwd} and --config was not given; ` +
      'copy controller/config/portfarm.config.example.yaml to portfarm.config.yaml and edit it',
  );
}

/** Validates config text; every problem is reported at once, each naming key, value and fix. */
export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv): Config {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({ key: '(YAML)', value: undefined, message: `is not valid YAML: ${e.message.split('\n')[0] ?? e.message}` })),
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [{ key: '(top level)', value: raw, message: 'must be a mapping with github: and platforms:' }]);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, parsed.error.issues.flatMap((issue) => toProblems(issue, raw)));
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return withEnv(parsed.data, source, env);
}

function withEnv(file: ConfigFile, source: string, env: NodeJS.ProcessEnv): Config {
  const secret = env[file.github.webhookSecretEnv];
  const { orchard, ...rest } = file;
  const orchardToken = orchard === undefined ? undefined : env[orchard.tokenEnv];
  const statusToken = env[file.controller.statusTokenEnv];
  return {
    ...rest,
    github: { ...file.github, webhookSecret: secret === '' ? undefined : secret },
    controller: { ...file.controller, statusToken: statusToken === '' ? undefined : statusToken },
    ...(orchard === undefined ? {} : { orchard: { ...orchard, token: orchardToken === '' ? undefined : orchardToken } }),
    source,
  };
}

function crossCheck(config: ConfigFile): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const seen = new Map<string, number>();
  config.platforms.forEach((p, i) => {
    const first = seen.get(p.name);
    if (first !== undefined) {
      problems.push({ key: `platforms[${i}].name`, value: p.name, message: `is already used by platforms[${first}]; give each platform one entry` });
    } else seen.set(p.name, i);
  });
  // A host may serve several platforms (tart runs many macOS versions), but it is one machine:
  // the same name must mean the same address and the same VM cap everywhere.
  const hosts = new Map<string, { address: string; maxVms: number; at: string }>();
  config.platforms.forEach((p, i) => {
    p.hosts.forEach((h, j) => {
      const at = `platforms[${i}].hosts[${j}]`;
      const other = hosts.get(h.name);
      if (other === undefined) hosts.set(h.name, { address: h.address, maxVms: h.maxVms, at });
      else if (other.address !== h.address || other.maxVms !== h.maxVms) {
        problems.push({
          key: `${at}.name`,
          value: h.name,
          message: `names the same host as ${other.at} with a different address or maxVms; one host has one address and one VM cap`,
        });
      }
    });
  });
  config.platforms.forEach((p, i) => {
    // More lanes than VM slots would dispatch runs no VM can take: they wait for a runner, holding a lane.
    const slots = p.hosts.reduce((sum, h) => sum + h.maxVms, 0);
    if (p.parallelBuilds > slots) {
      problems.push({
        key: `platforms[${i}].parallelBuilds`,
        value: p.parallelBuilds,
        message: `is more than the ${String(slots)} VM slots its hosts offer (the sum of their maxVms); lower it to ${String(slots)} or add hosts`,
      });
    }
  });
  config.platforms.forEach((p, i) => {
    if (p.backend === 'orchard' && config.orchard === undefined) {
      problems.push({
        key: `platforms[${i}].backend`,
        value: p.backend,
        message: 'needs an orchard: section with url and serviceAccount (the token comes from the environment variable orchard.tokenEnv)',
      });
    }
  });
  const names = [...new Set(config.platforms.map((p) => p.name))];
  for (const [platform, pin] of Object.entries(config.images.pins)) {
    if (!names.includes(platform)) {
      problems.push({ key: `images.pins.${platform}`, value: platform, message: `is not a configured platform; known: ${names.join(', ')}` });
    }
    if (pin.canary !== undefined && pin.canary.version === pin.version) {
      problems.push({
        key: `images.pins.${platform}.canary.version`,
        value: pin.canary.version,
        message: 'is the pinned version itself; a canary must be another version (or remove canary:)',
      });
    }
  }
  if (config.images.runnerWarnDays >= config.images.runnerSupportDays) {
    problems.push({
      key: 'images.runnerWarnDays',
      value: config.images.runnerWarnDays,
      message: `must be less than images.runnerSupportDays (${config.images.runnerSupportDays}); otherwise every image warns`,
    });
  }
  if (config.caches.server !== undefined && config.caches.mirrorDir === undefined) {
    problems.push({ key: 'caches.server', value: config.caches.server, message: 'needs caches.mirrorDir: the folder the cache server serves and collects distfiles into' });
  }
  if (config.runners.retryBaseSeconds > config.runners.retryMaxSeconds) {
    problems.push({
      key: 'runners.retryBaseSeconds',
      value: config.runners.retryBaseSeconds,
      message: `is more than runners.retryMaxSeconds (${config.runners.retryMaxSeconds}); raise retryMaxSeconds or lower retryBaseSeconds`,
    });
  }
  return problems;
}

function toProblems(issue: z.core.$ZodIssue, raw: object): ConfigProblem[] {
  const key = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((k) => ({
      key: key === '' ? k : `${key}.${k}`,
      value: valueAt(raw, [...issue.path, k]),
      message: `is not a known key; remove it or check its spelling`,
    }));
  }
  const value = valueAt(raw, issue.path);
  // A record's bad key: zod says only "Invalid key in record"; the key schema's own message says what a key must be.
  if (issue.code === 'invalid_key') return [{ key, value: issue.path.at(-1), message: `is not a valid key: it ${issue.issues[0]?.message ?? issue.message}` }];
  const message = value === undefined && issue.code === 'invalid_type' ? `is required: ${issue.message}` : issue.message;
  return [{ key: key === '' ? '(top level)' : key, value, message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc === '' ? String(part) : `${acc}.${String(part)}`), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}
