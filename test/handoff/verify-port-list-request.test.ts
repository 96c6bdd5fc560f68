import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, generateKeyPair } from 'jose';
import { createPortListVerifier } from '../../controller/handoff/verify-port-list-request.ts';
import { createPortListHandler } from '../../controller/handoff/create-port-list-handler.ts';
import { GITHUB_ACTIONS_ISSUER, handoffSettings } from '../../controller/handoff/handoff-settings.ts';
import type { PortList } from '../../controller/model/port-list.ts';
import { recordHandoffReporting } from './handoff-reporting.ts';
import { REPOSITORY_ID, startTokenIssuer } from './issue-tokens.ts';

const issuer = await startTokenIssuer();
const settings = handoffSettings({ issuer: issuer.issuer, jwksUrl: issuer.jwksUrl, repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID });
const verify = createPortListVerifier(settings);
const list = {
  buildId: 'w-101',
  platform: '15_arm64',
  portsRevision: '70b44a41bbbb627007b18ae0551cddb24c009bf2',
  ports: ['zlib', 'minizip', 'jq'],
  excluded: [{ port: 'xz', reason: 'it has already been built and uploaded to the public server' }],
};

test.after(issuer.close);

test('defaults point at GitHub: issuer token.actions.githubusercontent.com, JWKS at /.well-known/jwks, audience portfarm, branch master', () => {
  assert.deepEqual(handoffSettings({ repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID }), {
    issuer: GITHUB_ACTIONS_ISSUER,
    jwksUrl: 'https://token.actions.githubusercontent.com/.well-known/jwks',
    audience: 'portfarm',
    repository: 'macports/macports-ports',
    repositoryId: REPOSITORY_ID,
    workflowFile: 'ports.yml',
    branch: 'master',
    clockToleranceSeconds: 30,
  });
});

test('a good token from the ports workflow with a valid list is accepted, with who sent it', async () => {
  const result = await verify(`Bearer ${await issuer.issue()}`, list);
  assert.deepEqual(result, {
    ok: true,
    portList: list,
    watcher: {
      repository: 'macports/macports-ports',
      repositoryId: String(REPOSITORY_ID),
      runId: '9100200300',
      runAttempt: '1',
      sha: '70b44a41bbbb627007b18ae0551cddb24c009bf2',
      ref: 'refs/heads/master',
      workflowRef: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master',
      jobWorkflowRef: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master',
      eventName: 'workflow_dispatch',
    },
  });
  assert.ok(issuer.jwksRequests() >= 1);
});

test('wrong audience → 401 naming the claim and the expected value', async () => {
  const result = await verify(`Bearer ${await issuer.issue({ audience: 'https://github.com/macports' })}`, list);
  assert.deepEqual(result, {
    ok: false,
    status: 401,
    reason: 'the OIDC token\'s "aud" claim is "https://github.com/macports"; expected "portfarm" (check_failed)',
    rejection: 'handoff-bad-token',
    claim: 'aud',
    expected: 'portfarm',
    retryable: false,
  });
});

test('wrong repository → 403; wrong workflow → 403; a pull_request run → 403', async () => {
  const fork = await verify(`Bearer ${await issuer.issue({ claims: { repository: 'someone/macports-ports' } })}`, list);
  assert.deepEqual(fork, {
    ok: false,
    status: 403,
    reason: 'the token\'s "repository" claim is "someone/macports-ports"; expected "macports/macports-ports" (config github.repo)',
    rejection: 'handoff-foreign-repository',
    claim: 'repository',
    expected: 'macports/macports-ports',
    retryable: false,
    runId: '9100200300',
  });
  const other = await verify(`Bearer ${await issuer.issue({ claims: { workflow_ref: 'macports/macports-ports/.github/workflows/main.yml@refs/heads/master' } })}`, list);
  assert.equal(other.ok ? 0 : other.status, 403);
  assert.equal(other.ok ? '' : other.reason, 'the token\'s "workflow_ref" claim is "macports/macports-ports/.github/workflows/main.yml@refs/heads/master"; expected "macports/macports-ports/.github/workflows/ports.yml@refs/heads/master" (config github.workflow)');
  const pr = await verify(`Bearer ${await issuer.issue({ claims: { event_name: 'pull_request' } })}`, list);
  assert.deepEqual(pr.ok ? undefined : pr.reason, 'the token\'s "event_name" claim is "pull_request"; expected "workflow_dispatch" (only runs the controller dispatched hand off port lists)');
});

test('expired token → 401 saying when it expired', async () => {
  const result = await verify(`Bearer ${await issuer.issue({ expiresInSeconds: -120 })}`, list);
  assert.equal(result.ok ? 0 : result.status, 401);
  assert.match(result.ok ? '' : result.reason, /^the OIDC token expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
});

test('wrong issuer, a key not in the JWKS, no token → 401', async () => {
  const foreign = await verify(`Bearer ${await issuer.issue({ issuer: 'https://token.actions.githubusercontent.com' })}`, list);
  assert.match(foreign.ok ? '' : foreign.reason, /^the OIDC token's "iss" claim is "https:\/\/token\.actions\.githubusercontent\.com"; expected "http:\/\/127\.0\.0\.1:\d+"/);
  const { privateKey } = await generateKeyPair('RS256');
  const forged = await verify(`Bearer ${await issuer.issue({ key: privateKey })}`, list);
  assert.deepEqual(forged.ok ? undefined : [forged.status, forged.reason], [401, `the OIDC token does not verify against ${issuer.jwksUrl}: signature verification failed`]);
  const none = await verify(undefined, list);
  assert.deepEqual(none.ok ? undefined : none.reason, "no bearer token: the watcher must send its job's OIDC token (Authorization: Bearer <token>)");
});

test('JWKS unreachable → 503, retryable', async () => {
  const down = createPortListVerifier(handoffSettings({ issuer: issuer.issuer, jwksUrl: 'http://127.0.0.1:9/.well-known/jwks', repository: 'macports/macports-ports', repositoryId: REPOSITORY_ID }));
  const result = await down(`Bearer ${await issuer.issue()}`, list);
  assert.equal(result.ok ? 0 : result.status, 503);
  assert.equal(result.ok ? undefined : result.retryable, true);
});

test('only a failure to get the issuer\'s keys is a 503: a JWKS 5xx, garbage or network failure; a token whose key is not published stays a 401', async () => {
  const token = `Bearer ${await issuer.issue()}`;
  const withKeys = (fail: () => never) => createPortListVerifier(settings, { keys: () => fail() });
  const outcomes = await Promise.all([
    withKeys(() => { throw new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response'); })(token, list),
    withKeys(() => { throw new errors.JWKSInvalid('JSON Web Key Set malformed'); })(token, list),
    withKeys(() => { throw new errors.JWKSTimeout(); })(token, list),
    withKeys(() => { throw new TypeError('fetch failed'); })(token, list),
    withKeys(() => { throw new errors.JWKSNoMatchingKey(); })(token, list),
    withKeys(() => { throw new errors.JWKSMultipleMatchingKeys(); })(token, list),
  ]);
  assert.deepEqual(outcomes.map((o) => (o.ok ? 202 : [o.status, o.retryable, o.rejection])), [
    [503, true, 'handoff-keys-unavailable'],
    [503, true, 'handoff-keys-unavailable'],
    [503, true, 'handoff-keys-unavailable'],
    [503, true, 'handoff-keys-unavailable'],
    [401, false, 'handoff-bad-token'],
    [401, false, 'handoff-bad-token'],
  ]);
  const down = outcomes[3];
  assert.ok(!down.ok);
  assert.equal(down.reason, `could not fetch the issuer's keys from ${issuer.jwksUrl}: fetch failed; the watcher retries`);
});

test('a good token with a bad list → 400 naming the field (portListSchema, shared with the action) and the run that sent it', async () => {
  const result = await verify(`Bearer ${await issuer.issue({ claims: { run_id: '777' } })}`, { ...list, ports: ['zlib', 'net/curl'] });
  assert.deepEqual(result, {
    ok: false,
    status: 400,
    reason: 'the port list is not valid: ports.1: port name "net/curl" contains "/"; give the port\'s name (e.g. curl), not its path',
    rejection: 'handoff-bad-list',
    retryable: false,
    // The token verified: the refusal is the run's, for the log (not one unverified caller's).
    runId: '777',
  });
});

test('the handler answers 202 with the number of builders queued, and the reason on refusal', async () => {
  const accepted: PortList[] = [];
  const handle = createPortListHandler(verify, (portList) => {
    accepted.push(portList);
    return Promise.resolve({ builders: portList.ports.length });
  }, recordHandoffReporting());
  const good = await handle({ headers: { authorization: `Bearer ${await issuer.issue()}` }, body: JSON.stringify(list) });
  assert.deepEqual(good, { status: 202, headers: { 'content-type': 'application/json' }, body: '{"builders":3,"ports":3,"excluded":1}' });
  assert.deepEqual(accepted, [list]);
  const bad = await handle({ headers: { authorization: `Bearer ${await issuer.issue({ audience: 'other' })}` }, body: JSON.stringify(list) });
  assert.equal(bad.status, 401);
  assert.equal(bad.body, '{"error":"the OIDC token\'s \\"aud\\" claim is \\"other\\"; expected \\"portfarm\\" (check_failed)","retryable":false,"claim":"aud","expected":"portfarm"}');
  const notJson = await handle({ headers: { authorization: `Bearer ${await issuer.issue()}` }, body: '{' });
  assert.equal(notJson.status, 400);
  assert.match(notJson.body, /the body is not JSON/);
  assert.equal((await handle({ headers: {}, body: '{' })).status, 401, 'no token: the body is not looked at');
  assert.equal(accepted.length, 1);
});

test('a token from any run but workflow_dispatch is refused 403 naming its event: push, schedule, workflow_run, none', async () => {
  for (const event of ['push', 'schedule', 'workflow_run', 'pull_request_target', '']) {
    const result = await verify(`Bearer ${await issuer.issue({ claims: { event_name: event } })}`, list);
    assert.ok(!result.ok, `event_name ${JSON.stringify(event)} must be refused`);
    assert.equal(result.status, 403, event);
    assert.ok(result.reason.includes(JSON.stringify(event)), `the reason names ${JSON.stringify(event)}: ${result.reason}`);
  }
  const unset = await verify(`Bearer ${await issuer.issue({ claims: { event_name: undefined } })}`, list);
  assert.equal(unset.ok ? 0 : unset.status, 403, 'a token without event_name');
});

test('claims that are not strings count as missing: a numeric workflow_ref or repository is refused 403, never a crash', async () => {
  for (const claims of [{ workflow_ref: 42, job_workflow_ref: 42 }, { repository: 7 }, { event_name: 1 }]) {
    const result = await verify(`Bearer ${await issuer.issue({ claims })}`, list);
    assert.ok(!result.ok, JSON.stringify(claims));
    assert.equal(result.status, 403, JSON.stringify(claims));
  }
});

test('the handler takes the first of repeated Authorization headers; a body that is not JSON is not worth retrying', async () => {
  const handle = createPortListHandler(verify, (portList) => Promise.resolve({ builders: portList.ports.length }), recordHandoffReporting());
  const repeated = await handle({ headers: { authorization: [`Bearer ${await issuer.issue()}`, 'Bearer junk'] }, body: JSON.stringify(list) });
  assert.equal(repeated.status, 202, repeated.body);
  const notJson = await handle({ headers: { authorization: `Bearer ${await issuer.issue()}` }, body: '{' });
  assert.equal(notJson.status, 400);
  assert.equal((JSON.parse(notJson.body) as { retryable: boolean }).retryable, false);
});

test('the verifier judges expiry by its injected clock: an hour on, a 5-minute token is refused 401 as expired', async () => {
  const later = createPortListVerifier(settings, { now: () => new Date(Date.now() + 3_600_000) });
  const result = await later(`Bearer ${await issuer.issue()}`, list);
  assert.ok(!result.ok);
  assert.equal(result.status, 401);
  assert.match(result.reason, /^the OIDC token expired at /);
});

test('each binding claim that is wrong is refused 403 under its own reason, naming the claim, the value expected and the fix', async () => {
  const wrong: [Record<string, string>, string, string, string, string][] = [
    [{ repository: 'someone/macports-ports' }, 'handoff-foreign-repository', 'repository', 'macports/macports-ports', 'config github.repo'],
    [{ repository_id: '7' }, 'handoff-foreign-repository-id', 'repository_id', String(REPOSITORY_ID), 'config github.repositoryId'],
    [{ event_name: 'push' }, 'handoff-not-dispatched', 'event_name', 'workflow_dispatch', 'only runs the controller dispatched hand off port lists'],
    [{ ref: 'refs/heads/evil' }, 'handoff-foreign-ref', 'ref', 'refs/heads/master', 'the controller dispatches watchers on this branch only'],
    [{ workflow_ref: 'macports/macports-ports/.github/workflows/x.yml@refs/heads/master' }, 'handoff-foreign-workflow', 'workflow_ref', 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master', 'config github.workflow'],
    [{ job_workflow_ref: 'someone/tools/.github/workflows/call.yml@refs/heads/main' }, 'handoff-reusable-workflow', 'job_workflow_ref', 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master', 'the watcher job must be in ports.yml itself, not in a workflow it calls'],
  ];
  for (const [claims, rejection, claim, expected, fix] of wrong) {
    const result = await verify(`Bearer ${await issuer.issue({ claims: { ...claims, run_id: '77' } })}`, list);
    assert.ok(!result.ok, JSON.stringify(claims));
    assert.deepEqual(
      { status: result.status, rejection: result.rejection, claim: result.claim, expected: result.expected, runId: result.runId },
      { status: 403, rejection, claim, expected, runId: '77' },
    );
    assert.equal(result.reason, `the token's "${claim}" claim is ${JSON.stringify(Object.values(claims)[0])}; expected ${JSON.stringify(expected)} (${fix})`);
  }
});

test('a token not valid yet is refused 401 as a bad token, with no claim or expected value to name', async () => {
  const early = await verify(`Bearer ${await issuer.issue({ notBeforeInSeconds: 3600 })}`, list);
  assert.ok(!early.ok);
  assert.equal(early.status, 401);
  assert.equal(early.rejection, 'handoff-bad-token');
  assert.match(early.reason, /^the OIDC token's "nbf" claim is \d+; expected a valid value \(check_failed\)$/);
  assert.equal(early.claim, undefined);
  assert.equal(early.expected, undefined);
});

test('no token, an expired one, a bad list: each refused under the reason an operator counts', async () => {
  const none = await verify(undefined, list);
  const expired = await verify(`Bearer ${await issuer.issue({ expiresInSeconds: -120 })}`, list);
  const bad = await verify(`Bearer ${await issuer.issue()}`, { ...list, ports: ['ok', 'a b', 'c/d'] });
  assert.deepEqual([none, expired, bad].map((r) => (r.ok ? 'accepted' : `${String(r.status)} ${r.rejection}`)), ['401 handoff-no-token', '401 handoff-bad-token', '400 handoff-bad-list']);
  // Every problem of the list is named, one after another.
  assert.match(bad.ok ? '' : bad.reason, /^the port list is not valid: ports\.1: port name "a b" contains white space; give one port per entry; ports\.2: port name "c\/d" contains "\/"/);
});
