import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Octokit } from 'octokit';
import { pino } from 'pino';
import { ENVIRONMENT_TROUBLE_EXIT_CODE, isEnvironmentTrouble } from '../../controller/errors/environment-trouble.ts';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { GitHubError, GitHubUnreachableError } from '../../controller/github/github-error.ts';
import { freePort } from '../../controller/net/free-port.ts';
import { GithubRunnerRegistry } from '../../controller/runners/github-runner-registry.ts';
import { RunnerRegistryError } from '../../controller/runners/runner-registry.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const log = pino({ level: 'silent' });

/** The installation look-up `serve` does first, against `apiUrl`, without octokit's retries (so the test does not wait 14 s). */
async function lookUpInstallation(apiUrl: string): Promise<unknown> {
  try {
    await createGitHubClients({ appId: 1, privateKey, apiUrl, owner: 'macports', repo: 'macports-ports', retries: 0, log }, AbortSignal.timeout(30_000));
  } catch (caught) {
    return caught;
  }
  assert.fail(`the look-up at ${apiUrl} succeeded`);
}

test('a closed loopback port: "cannot reach GitHub … connection refused", status 0, retryable environment trouble — not a 500', async () => {
  const port = await freePort();
  const error = await lookUpInstallation(`http://127.0.0.1:${String(port)}`);
  assert.ok(error instanceof GitHubUnreachableError, String(error));
  assert.equal(error.status, 0);
  assert.equal(error.retryable, true);
  assert.ok(isEnvironmentTrouble(error));
  assert.equal(error.message, `looking up the App's installation on macports/macports-ports: cannot reach GitHub at http://127.0.0.1:${String(port)}: connection refused (ECONNREFUSED); check the network and github.apiUrl`);
  assert.doesNotMatch(error.message, /500/);
});

test('an unresolvable host (.invalid): "DNS lookup failed"', async () => {
  const error = await lookUpInstallation('https://api.portfarm-test.invalid');
  assert.ok(error instanceof GitHubUnreachableError, String(error));
  // ENOTFOUND with a resolver, EAI_AGAIN on a machine without one: both are the DNS.
  assert.match(error.message, /: cannot reach GitHub at https:\/\/api\.portfarm-test\.invalid: DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\); check the network and github\.apiUrl$/);
});

test('a real 500 answer stays a GitHub 500: retryable, but not the network', async () => {
  const server = createServer((_req, res) => { res.writeHead(500, { 'content-type': 'application/json' }).end('{"message":"Server Error"}'); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const error = await lookUpInstallation(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`);
    assert.ok(error instanceof GitHubError && !(error instanceof GitHubUnreachableError), String(error));
    assert.equal(error.status, 500);
    assert.equal(error.retryable, true);
    assert.equal(isEnvironmentTrouble(error), false);
    assert.match(error.message, /GitHub answered 500 to GET .*\/installation: Server Error/);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  }
});

test('portfarm serve with no route to GitHub says what to check and exits 75 (try again), not "internal error"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-unreachable-'));
  try {
    const port = await freePort();
    writeFileSync(join(dir, 'app.pem'), privateKey);
    writeFileSync(join(dir, 'portfarm.config.yaml'), [
      'github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports, repositoryId: 1, apiUrl: "http://127.0.0.1:' + String(port) + '" }',
      'controller: { host: 127.0.0.1, port: 0 }',
      'platforms:',
      '  - { name: 15_arm64, image: base, backend: fake, hosts: [{ name: h, address: 127.0.0.1 }] }',
      'state: { path: state/portfarm.sqlite }',
      '',
    ].join('\n'));
    const result = await captureCli(['serve'], { cwd: dir, env: { PORTFARM_WEBHOOK_SECRET: 's', PORTFARM_STATUS_TOKEN: 't' } });
    assert.equal(result.code, ENVIRONMENT_TROUBLE_EXIT_CODE, result.stderr);
    assert.equal(result.stderr, `portfarm: looking up the App's installation on macports/macports-ports: cannot reach GitHub at http://127.0.0.1:${String(port)}: connection refused (ECONNREFUSED); check the network and github.apiUrl\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner registry reports no route to GitHub as such (status 0, retryable), not as "GitHub answered 500"', async () => {
  const port = await freePort();
  const octokit = new Octokit({ baseUrl: `http://127.0.0.1:${String(port)}`, auth: 'token', request: { retries: 0 } });
  const registry = new GithubRunnerRegistry({ octokit, repo: 'macports/macports-ports' });
  const error = await registry.listRunners(AbortSignal.timeout(30_000)).then(() => null, (caught: unknown) => caught);
  assert.ok(error instanceof RunnerRegistryError, String(error));
  assert.equal(error.status, 0);
  assert.equal(error.retryable, true);
  assert.equal(error.message, `list runners failed: cannot reach GitHub at http://127.0.0.1:${String(port)}: connection refused (ECONNREFUSED); check the network and github.apiUrl`);
});
