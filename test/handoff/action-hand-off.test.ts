import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createPortListVerifier } from '../../controller/handoff/verify-port-list-request.ts';
import { createPortListHandler } from '../../controller/handoff/create-port-list-handler.ts';
import { handoffSettings } from '../../controller/handoff/handoff-settings.ts';
import type { PortList } from '../../controller/model/port-list.ts';
import type { WatcherIdentity } from '../../controller/handoff/verify-port-list-request.ts';
import { ACTION_DEFAULTS, runAction } from '../action/run-action.ts';
import { tempDir } from '../action/fixtures.ts';
import { recordHandoffReporting } from './handoff-reporting.ts';
import { REPOSITORY_ID, startTokenIssuer } from './issue-tokens.ts';

/**
 * The whole hand-off: the bundled action (a watcher's list-subports step over the mpbb double)
 * asks the runner's token endpoint for its OIDC token with @actions/core, posts the list, and
 * the controller's handler verifies the token against the issuer's JWKS and accepts the list.
 */
test('a watcher hands its list to the controller with a verified OIDC token; a wrong audience is refused and fails the step', async (t) => {
  const issuer = await startTokenIssuer();
  t.after(issuer.close);
  const accepted: { list: PortList; watcher: WatcherIdentity }[] = [];
  const handle = createPortListHandler(createPortListVerifier(handoffSettings({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID })), (list, watcher) => {
    accepted.push({ list, watcher });
    return Promise.resolve({ builders: list.ports.length });
  }, recordHandoffReporting());
  const tokenRequests: string[] = [];
  // One loopback server plays the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL) and the controller.
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        if (url.pathname === '/token') {
          tokenRequests.push(`${request.headers.authorization ?? ''} audience=${url.searchParams.get('audience') ?? ''}`);
          const value = await issuer.issue({ audience: url.searchParams.get('audience') ?? '' });
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value }));
          return;
        }
        const answer = await handle({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        response.writeHead(answer.status, answer.headers).end(answer.body);
      })();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const runnerEnv = { ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'runner-request-token', MPBB_DOUBLE_UPLOADED: 'xz,oniguruma6' };

  const workDir = tempDir('watcher');
  const sha = '70b44a41bbbb627007b18ae0551cddb24c009bf2';
  const checkout = await runAction({ ...ACTION_DEFAULTS, step: 'checkout', platform: '15_arm64', 'build-id': 'w-300', 'work-dir': workDir, 'ports-sha': sha });
  assert.equal(checkout.exitCode, 0, checkout.stdout);
  const watcher = { ...ACTION_DEFAULTS, step: 'list-subports', platform: '15_arm64', 'build-id': 'w-300', 'work-dir': workDir, 'ports-sha': sha, portlist: 'zlib jq', 'controller-url': base };
  const run = await runAction(watcher, runnerEnv);
  assert.equal(run.exitCode, 0, run.stdout);
  assert.deepEqual(tokenRequests, ['Bearer runner-request-token audience=portfarm']);
  assert.deepEqual(accepted.map((entry) => entry.list), [
    {
      buildId: 'w-300',
      platform: '15_arm64',
      portsRevision: sha,
      ports: ['zlib', 'minizip', 'jq'],
      excluded: [
        { port: 'xz', reason: 'it has already been built and uploaded to the public server' },
        { port: 'oniguruma6', reason: 'it has already been built and uploaded to the public server' },
      ],
    },
  ]);
  assert.equal(accepted[0]?.watcher.runId, '9100200300');
  assert.ok(run.stdout.split('\n').includes('Port list handed to the controller (HTTP 202: {"builders":3,"ports":3,"excluded":2})'));
  assert.equal(run.outputs.count, '3');

  const refused = await runAction({ ...watcher, audience: 'not-portfarm' }, runnerEnv);
  assert.equal(refused.exitCode, 1);
  assert.equal(accepted.length, 1);
  assert.equal(
    refused.stdout.split('\n').at(-1),
    `::error title=port list refused by the controller (HTTP 401)::the controller at ${base}/api/port-list refused the port list: HTTP 401 {"error":"the OIDC token's \\"aud\\" claim is \\"not-portfarm\\"; expected \\"portfarm\\" (check_failed)","retryable":false,"claim":"aud","expected":"portfarm"} (the OIDC token was rejected: check the audience input and the controller's repository/workflow settings) (permanent)`,
  );
});
