import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createAppAuth } from '@octokit/auth-app';
import { Octokit, type RestEndpointMethodTypes } from '@octokit/rest';
import { CheckSuiteLimits } from './check-suite-limits.ts';
import { startGitHubDouble, type GitHubDouble } from './github-double.ts';

const SHA = 'c'.repeat(40);
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

test('at GitHub\'s values: a suite takes 50,000 check runs and refuses the 50,001st; another commit or App has its own suite', () => {
  const limits = new CheckSuiteLimits();
  for (let id = 1; id <= 50_000; id += 1) {
    assert.equal(limits.refusal({ app: 'portfarm', headSha: SHA }), null, `run ${id}`);
    limits.created({ id, app: 'portfarm', headSha: SHA, name: `port${id} (15_arm64)` });
  }
  assert.match(limits.refusal({ app: 'portfarm', headSha: SHA }) ?? '', /already has 50,000 check runs/);
  assert.equal(limits.refusal({ app: 'portfarm', headSha: 'd'.repeat(40) }), null);
  assert.equal(limits.refusal({ app: 'github-actions', headSha: SHA }), null);
});

test('at GitHub\'s values: the 1,001st run of one name deletes the oldest, and frees its place in the suite', () => {
  const limits = new CheckSuiteLimits({ runsPerSuite: 1_001, runsPerName: 1_000 });
  const deleted = Array.from({ length: 1_001 }, (_, i) => limits.created({ id: i + 1, app: 'portfarm', headSha: SHA, name: 'curl (15_arm64)' }));
  assert.deepEqual(deleted.slice(0, 1_000).flat(), []);
  assert.deepEqual(deleted[1_000], [1]);
  assert.equal(limits.refusal({ app: 'portfarm', headSha: SHA }), null, '1,000 runs are left of 1,001');
});

describe('the double answers the check-suite limits as GitHub does', () => {
  let double: GitHubDouble;
  let octokit: Octokit;
  const create = (name: string, summary = 'ok'): Promise<RestEndpointMethodTypes['checks']['create']['response']> =>
    octokit.rest.checks.create({ owner: 'macports', repo: 'macports-ports', name, head_sha: SHA, status: 'queued', output: { title: name, summary } });

  before(async () => {
    double = await startGitHubDouble({ checkSuiteLimits: { runsPerSuite: 4, runsPerName: 2 } });
    octokit = new Octokit({ baseUrl: double.url, log: quiet, authStrategy: createAppAuth, auth: { appId: double.appId, privateKey: double.appPrivateKey ?? '', installationId: double.installationId } });
  });
  after(async () => {
    await double.close();
  });

  test('runs of one name past the cap delete the oldest; a create past the suite\'s cap is 422; a summary over 65,535 characters is 422 (the OpenAPI check)', async () => {
    const first = await create('curl (15_arm64)');
    await create('curl (15_arm64)');
    await create('curl (15_arm64)');
    const { data } = await octokit.rest.checks.listForRef({ owner: 'macports', repo: 'macports-ports', ref: SHA, check_name: 'curl (15_arm64)' });
    assert.equal(data.total_count, 2);
    assert.ok(!data.check_runs.some((c) => c.id === first.data.id), 'the oldest was deleted');
    await assert.rejects(octokit.rest.checks.get({ owner: 'macports', repo: 'macports-ports', check_run_id: first.data.id }), (e: { status?: number }) => e.status === 404);

    await create('zlib (15_arm64)');
    await create('jq (15_arm64)');
    await assert.rejects(create('wget (15_arm64)'), (e: { status?: number; message?: string }) => e.status === 422 && /already has 4 check runs/.test(e.message ?? ''));
    assert.equal(double.checkRuns().length, 4);

    const long = 'x'.repeat(65_536);
    await assert.rejects(create('long (15_arm64)', long), (e: { status?: number; message?: string }) => e.status === 422 && /65535 characters/.test(e.message ?? ''));
    const before = double.checkRuns().find((c) => c.name === 'zlib (15_arm64)');
    assert.ok(before !== undefined);
    await assert.rejects(
      octokit.rest.checks.update({ owner: 'macports', repo: 'macports-ports', check_run_id: before.id, status: 'completed', conclusion: 'success', output: { title: 't', summary: long } }),
      (e: { status?: number }) => e.status === 422,
    );
    assert.equal(double.checkRuns().find((c) => c.id === before.id)?.status, 'queued', 'a refused update changes nothing');
  });
});
