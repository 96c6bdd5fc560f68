import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../controller/config/config-error.ts';
import { parseConfig } from '../../controller/config/load-config.ts';
import { DEFAULT_CONFIG } from '../../controller/config/default-config.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { GITHUB_ACTIONS_ISSUER } from '../../controller/handoff/handoff-settings.ts';
import { handoffSettingsFromConfig } from '../../controller/handoff/handoff-settings-from-config.ts';
import { OrchardVmBackend } from '../../controller/runners/backends/orchard-vm-backend.ts';
import { DEFAULT_DEADLINES, DEFAULT_RETRY } from '../../controller/runners/watchdog-deadlines.ts';
import { createBackends } from '../../controller/serve/create-backends.ts';
import { runnerOptionsFromConfig } from '../../controller/serve/runner-options-from-config.ts';
import { startOrchardDouble } from '../runners/orchard-double/orchard-double.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = readFileSync(join(root, 'controller', 'config', 'portfarm.config.example.yaml'), 'utf8');

const MINIMAL = `github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports, repositoryId: 42420001 }
platforms:
  - name: 15_arm64
    image: macos-15-base
    hosts: [{ name: mini-1, address: 10.0.0.21 }]
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.problems.map((p) => `${p.key}: ${p.value === undefined ? '(missing)' : JSON.stringify(p.value)}: ${p.message}`).sort();
  }
  assert.fail('expected the config to be rejected');
}

test('without the new sections the defaults are what the runner manager and hand-off used before', () => {
  const config = parseConfig(MINIMAL, 'minimal', {});
  const runners = runnerOptionsFromConfig(config.runners);
  assert.deepEqual(runners.deadlines, DEFAULT_DEADLINES);
  assert.deepEqual(runners.retry, DEFAULT_RETRY);
  assert.equal(runners.watchdogIntervalMs, 5_000);
  assert.equal(runners.reconcileIntervalMs, 300_000);
  assert.equal(config.runners.warmStart, true);
  const handoff = handoffSettingsFromConfig(config);
  assert.equal(handoff.issuer, GITHUB_ACTIONS_ISSUER);
  assert.equal(handoff.jwksUrl, `${GITHUB_ACTIONS_ISSUER}/.well-known/jwks`);
  assert.equal(handoff.audience, 'portfarm');
  assert.deepEqual(config.images.pins, {});
  assert.equal(config.caches.quarantineDays, 14);
  assert.deepEqual([config.caches.quarantineMaxGiB, config.caches.quarantineMaxFiles], [20, 1000]);
  assert.equal(config.orchard, undefined);
  // The embedded demo defaults carry the same sections.
  assert.deepEqual(DEFAULT_CONFIG.runners, config.runners);
  assert.deepEqual(DEFAULT_CONFIG.handoff, config.handoff);
});

test('without github.repositoryId the hand-off cannot check a token: serve stops naming the key and how to find it', () => {
  const config = parseConfig(MINIMAL.replace(', repositoryId: 42420001', ''), 'no-id.yaml', {});
  assert.equal(config.github.repositoryId, undefined, 'optional in the file: offline commands do not need it');
  assert.throws(() => handoffSettingsFromConfig(config), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^no-id\.yaml: 1 problem in the config:\n {2}- github\.repositoryId: \(missing\) is required to accept watchers' port lists: .*gh api repos\/macports\/macports-ports --jq \.id/);
    return true;
  });
  assert.equal(handoffSettingsFromConfig(parseConfig(MINIMAL, 'minimal', {})).repositoryId, 42420001);
  assert.deepEqual(problemsOf(MINIMAL.replace('repositoryId: 42420001', 'repositoryId: macports')), ['github.repositoryId: "macports": must be the numeric id of the ports repository (gh api repos/OWNER/NAME --jq .id)']);
});

test('the sample sets every new section and it is valid', () => {
  const config = parseConfig(example, 'example', {});
  assert.deepEqual(config.images.pins, {});
  const pinned = parseConfig(`${MINIMAL}images: { pins: { 15_arm64: { version: 3, canary: { version: 4, sharePercent: 10 } } } }\n`, 'pinned', {});
  assert.deepEqual(pinned.images.pins['15_arm64'], { version: 3, canary: { version: 4, sharePercent: 10 } });
  assert.equal(config.caches.mirrorUrl, 'http://mirror.farm:8081/');
  assert.equal(config.caches.disk.vmBudgetGiB, 60);
  assert.deepEqual(config.caches.server, { host: '10.0.0.5', port: 8081 });
  const custom = handoffSettingsFromConfig(
    parseConfig(`${MINIMAL}handoff: { issuer: 'https://ghes.example.org/_services/token', audience: farm }\n`, 'ghes', {}),
  );
  assert.equal(custom.jwksUrl, 'https://ghes.example.org/_services/token/.well-known/jwks');
  assert.equal(custom.audience, 'farm');
  const keysElsewhere = handoffSettingsFromConfig(parseConfig(`${MINIMAL}handoff: { jwksUrl: 'https://keys.example.org/jwks' }\n`, 'jwks', {}));
  assert.equal(keysElsewhere.jwksUrl, 'https://keys.example.org/jwks', 'a configured jwksUrl wins over the one derived from the issuer');
});

test('bad values in the new sections are reported one line each, naming key, value and fix', () => {
  const bad = `${MINIMAL}runners: { bootSeconds: -1, maxAttempts: 2.5, retryBaseSeconds: 90, warmstart: true }
images:
  pins:
    14_x86_64: { version: 2 }
    15_arm64: { version: 3, canary: { version: 3, sharePercent: 100 } }
  runnerWarnDays: 30
caches: { quarantineDays: 0, quarantineMaxFiles: 0, mirrorUrl: mirror.farm }
handoff: { issuer: token.actions.githubusercontent.com }
orchard: { url: https://orchard.example.org:6120 }
`;
  assert.deepEqual(problemsOf(bad), [
    'caches.mirrorUrl: "mirror.farm": must be the mirror URL builds read from, e.g. http://mirror.farm:8081/',
    'caches.quarantineDays: 0: must be a positive number of days',
    'caches.quarantineMaxFiles: 0: must be at least 1 file',
    'handoff.issuer: "token.actions.githubusercontent.com": must be the OIDC issuer URL, e.g. https://token.actions.githubusercontent.com',
    'images.pins.15_arm64.canary.sharePercent: 100: must be at most 99 (100 is pinning: set version instead)',
    'orchard.serviceAccount: (missing): is required: must be the service account name (orchard create service-account NAME --roles compute:read --roles compute:write)',
    'runners.bootSeconds: -1: must be a positive number of seconds from VM start to reachable, e.g. 300',
    'runners.maxAttempts: 2.5: must be a whole number of attempts',
    'runners.warmstart: true: is not a known key; remove it or check its spelling',
  ]);
  // Cross-checks run once the sections parse.
  const crossed = `${MINIMAL}runners: { retryBaseSeconds: 90 }
caches: { server: { host: 10.0.0.5 } }
images:
  pins:
    14_x86_64: { version: 2 }
    15_arm64: { version: 3, canary: { version: 3, sharePercent: 10 } }
  runnerWarnDays: 30
`;
  assert.deepEqual(problemsOf(crossed), [
    'caches.server: {"host":"10.0.0.5","port":8081}: needs caches.mirrorDir: the folder the cache server serves and collects distfiles into',
    'images.pins.14_x86_64: "14_x86_64": is not a configured platform; known: 15_arm64',
    'images.pins.15_arm64.canary.version: 3: is the pinned version itself; a canary must be another version (or remove canary:)',
    'images.runnerWarnDays: 30: must be less than images.runnerSupportDays (30); otherwise every image warns',
    'runners.retryBaseSeconds: 90: is more than runners.retryMaxSeconds (60); raise retryMaxSeconds or lower retryBaseSeconds',
  ]);
});

test('backend: orchard needs the orchard: section, and its token from the environment', () => {
  const orchardPlatform = MINIMAL.replace('image: macos-15-base', 'image: macos-15-base\n    backend: orchard');
  assert.deepEqual(problemsOf(orchardPlatform), [
    'platforms[0].backend: "orchard": needs an orchard: section with url and serviceAccount (the token comes from the environment variable orchard.tokenEnv)',
  ]);
  const withSection = `${orchardPlatform}orchard: { url: 'http://127.0.0.1:1', serviceAccount: portfarm }\n`;
  const noToken = parseConfig(withSection, 'orchard.yaml', {});
  assert.throws(() => createBackends(noToken), (e: unknown) => e instanceof UserError && /set the environment variable PORTFARM_ORCHARD_TOKEN to the token of the service account "portfarm"/.test(e.message));
  const config = parseConfig(withSection, 'orchard.yaml', { PORTFARM_ORCHARD_TOKEN: 't0ken' });
  assert.equal(config.orchard?.token, 't0ken');
  assert.ok(createBackends(config).orchard instanceof OrchardVmBackend);
});

test('serve\'s orchard backend reaches the Orchard API with the configured service account', async () => {
  const double = await startOrchardDouble({
    images: ['macos-15-base'],
    workers: [{ name: 'mini-1', labels: { 'farm-host': 'mini-1' } }],
    serviceAccount: { name: 'portfarm', token: 't0ken' },
  });
  try {
    const text = `${MINIMAL.replace('image: macos-15-base', 'image: macos-15-base\n    backend: orchard')}orchard: { url: '${double.url}', serviceAccount: portfarm, hostLabel: farm-host }\n`;
    const backend = createBackends(parseConfig(text, 'orchard.yaml', { PORTFARM_ORCHARD_TOKEN: 't0ken' })).orchard;
    assert.ok(backend !== undefined);
    assert.deepEqual(await backend.list({ name: 'mini-1', address: '10.0.0.21' }, AbortSignal.timeout(10_000)), []);
    const wrong = createBackends(parseConfig(text, 'orchard.yaml', { PORTFARM_ORCHARD_TOKEN: 'wrong' })).orchard;
    await assert.rejects(wrong?.list({ name: 'mini-1', address: '10.0.0.21' }, AbortSignal.timeout(10_000)) ?? Promise.resolve(), /401|token|service account/i);
  } finally {
    await double.close();
  }
});
