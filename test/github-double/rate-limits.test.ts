import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { startGitHubDouble, type GitHubDouble } from './github-double.ts';
import { GITHUB_LIMITS, RateLimits, type RateLimitOptions } from './rate-limits.ts';
import { createSchemaValidator } from './schema-validator.ts';

const schema = createSchemaValidator();
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const owner = 'macports';
const repo = 'macports-ports';
const read = { budget: 'installation:77', method: 'GET', endpoint: 'actions/get-workflow-run', contentCreating: false };
const create = { budget: 'installation:77', method: 'POST', endpoint: 'checks/create', contentCreating: true };

/** Limits on a clock the test moves. */
function limitsAt(options: RateLimitOptions): { limits: RateLimits; advance: (wallMs: number) => void } {
  let wall = 1_000_000_000_000;
  return { limits: new RateLimits({ ...options, clock: () => wall }), advance: (ms) => { wall += ms; } };
}

describe('the double\'s rate limits (unit)', () => {
  test('the primary limit refuses the request after the last, with remaining 0 and a reset in GitHub time', () => {
    const { limits, advance } = limitsAt({ primaryPerHour: 3, timeScale: 3600, refusalStatus: 403 });
    for (let i = 0; i < 3; i += 1) assert.equal(limits.admit(read), undefined);
    const refused = limits.admit(read);
    assert.equal(refused?.status, 403);
    assert.equal(refused.kind, 'primary');
    assert.match(refused.message, /API rate limit exceeded for installation ID 77/);
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');
    assert.equal(refused.headers['retry-after'], undefined);
    // The window's reset is an hour of GitHub time after its first request (one wall second at this scale).
    assert.equal(refused.headers['x-ratelimit-reset'], String(1_000_000_000 + 3600));
    // The App's own budget is separate.
    assert.equal(limits.admit({ ...read, budget: 'app:4242' }), undefined);
    advance(1000);
    assert.equal(limits.admit(read), undefined);
    assert.equal(limits.headers('installation:77')['x-ratelimit-used'], '1');
    assert.equal(limits.refused.primary, 1);
  });

  test('points per endpoint: writes cost 5 of 900 a minute, reads 1; a refusal names retry-after', () => {
    const { limits, advance } = limitsAt({ contentPerMinute: 10_000, contentPerHour: 10_000 });
    const update = { ...create, endpoint: 'checks/update', contentCreating: false };
    for (let i = 0; i < GITHUB_LIMITS.pointsPerMinutePerEndpoint / 5; i += 1) assert.equal(limits.admit(update), undefined, `write ${i}`);
    const refused = limits.admit(update);
    assert.equal(refused?.kind, 'secondary');
    assert.match(refused.message, /secondary rate limit/);
    assert.equal(refused.headers['retry-after'], '60');
    // Another endpoint has its own points.
    assert.equal(limits.admit(read), undefined);
    advance(30_000);
    assert.equal(limits.admit(update)?.headers['retry-after'], '30');
    advance(30_000);
    assert.equal(limits.admit(update), undefined);
  });

  test('content creation: 80 a minute, then 500 an hour', () => {
    const { limits, advance } = limitsAt({ timeScale: 60 });
    let admitted = 0;
    for (let i = 0; i < 100; i += 1) if (limits.admit(create) === undefined) admitted += 1;
    assert.equal(admitted, GITHUB_LIMITS.contentPerMinute);
    // retry-after is in GitHub seconds: the minute's window frees up in 60.
    assert.equal(limits.admit(create)?.headers['retry-after'], '60');
    for (let minute = 0; minute < 10; minute += 1) {
      advance(1000);
      for (let i = 0; i < 80; i += 1) if (limits.admit(create) === undefined) admitted += 1;
    }
    assert.equal(admitted, GITHUB_LIMITS.contentPerHour);
    const refused = limits.admit(create);
    // The hour's first 80 creates leave the window 50 GitHub minutes later (10 have passed).
    assert.equal(refused?.kind, 'secondary');
    assert.equal(refused.headers['retry-after'], String(50 * 60));
  });

  test('more concurrent requests than allowed are refused while they are in flight', () => {
    const { limits } = limitsAt({ concurrent: 2 });
    limits.enter();
    limits.enter();
    assert.equal(limits.admit(read), undefined);
    limits.enter();
    assert.equal(limits.admit(read)?.kind, 'secondary');
    limits.release();
    assert.equal(limits.admit(read), undefined);
  });

  test('refusals alternate between 403 and 429 by default, so a client meets both', () => {
    const { limits } = limitsAt({ primaryPerHour: 1 });
    limits.admit(read);
    assert.deepEqual([limits.admit(read)?.status, limits.admit(read)?.status], [403, 429]);
  });

  test('a time scale that is not positive is refused with its value', () => {
    assert.throws(() => new RateLimits({ timeScale: 0 }), /timeScale 0 must be a positive/);
  });
});

describe('the double\'s rate limits (HTTP)', () => {
  const opened = new AsyncDisposableStack();
  after(() => opened.disposeAsync());
  const start = async (rateLimits: RateLimitOptions): Promise<{ double: GitHubDouble; octokit: Octokit }> => {
    const double = opened.adopt(await startGitHubDouble({ schema, rateLimits }), (d) => d.close());
    const octokit = new Octokit({ baseUrl: double.url, log: quiet, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId } });
    return { double, octokit };
  };

  test('every answer carries x-ratelimit-*; the spent budget answers 403/429 with remaining 0', async () => {
    const { double, octokit } = await start({ primaryPerHour: 2, refusalStatus: 429 });
    const first = await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    assert.deepEqual([first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining'], first.headers['x-ratelimit-used'], first.headers['x-ratelimit-resource']], ['2', '1', '1', 'core']);
    assert.ok(Number(first.headers['x-ratelimit-reset']) > Date.now() / 1000);
    await octokit.rest.actions.listSelfHostedRunnersForRepo({ owner, repo });
    await assert.rejects(octokit.rest.actions.listSelfHostedRunnersForRepo({ owner, repo }), (err: { status: number; response: { headers: Record<string, string> }; message: string }) => {
      assert.equal(err.status, 429);
      assert.equal(err.response.headers['x-ratelimit-remaining'], '0');
      assert.match(err.message, /API rate limit exceeded for installation ID 77/);
      return true;
    });
    assert.equal(double.rateLimits?.refused.primary, 1);
    double.assertNoViolations();
  });

  test('content creation over the minute\'s limit: 403 secondary with retry-after', async () => {
    const { double, octokit } = await start({ contentPerMinute: 2, refusalStatus: 403 });
    const check = { owner, repo, name: 'curl (15_arm64)', head_sha: double.defaultBranchCommits()[0] ?? '' };
    await octokit.rest.checks.create(check);
    await octokit.rest.checks.create(check);
    await assert.rejects(octokit.rest.checks.create(check), (err: { status: number; response: { headers: Record<string, string> }; message: string }) => {
      assert.equal(err.status, 403);
      assert.equal(err.response.headers['retry-after'], '60');
      assert.match(err.message, /secondary rate limit/);
      return true;
    });
    assert.equal(double.checkRuns().filter((c) => c.name === 'curl (15_arm64)').length, 2);
  });

  const dispatcher = (octokit: Octokit) => (buildId: string): Promise<unknown> =>
    octokit.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', { owner, repo, workflow_id: 'ports.yml', ref: 'master', inputs: { platform: '15_arm64', portname: 'curl', build_id: buildId, ports_sha: 'abc1234' } });

  test('a run over the queue limit of 10 s is created and fails', async () => {
    const { double, octokit } = await start({ runsPer10Seconds: 1 });
    await dispatcher(octokit)('b1');
    await dispatcher(octokit)('b2');
    assert.deepEqual(double.runs().map((r) => [r.name, r.status, r.conclusion]), [['[b1] curl on 15_arm64', 'queued', null], ['[b2] curl on 15_arm64', 'completed', 'failure']]);
    assert.equal(double.rateLimits?.refused.runsFailed, 1);
  });

  test('a self-hosted job queued past its queue time is cancelled, and its run with it', async () => {
    const { double, octokit } = await start({ jobQueueSeconds: 3600, timeScale: 7200 });
    await dispatcher(octokit)('b1');
    const [queued] = double.runs();
    // No runner comes: an hour of GitHub time (half a wall second) later the job is cancelled.
    const cancelled = await double.waitForRun((r) => r.id === queued?.id && r.status === 'completed', AbortSignal.timeout(5000));
    assert.equal(cancelled.conclusion, 'cancelled');
    assert.equal(double.jobs().find((j) => j.runId === queued?.id)?.conclusion, 'cancelled');
    assert.equal(double.rateLimits?.refused.jobsCancelled, 1);
  });
});
