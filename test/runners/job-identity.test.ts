import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeJobClaim, recordedRunOf, runOfPullRequestBuild } from '../../controller/runners/job-identity.ts';

test('a PR build id names its run and attempt (ports-pr.yml: pr-<run id>-<attempt>-<job>); anything else names none', () => {
  assert.deepEqual(runOfPullRequestBuild('pr-123456789-2-list'), { runId: 123456789, runAttempt: 2 });
  assert.deepEqual(runOfPullRequestBuild('pr-7-1-0'), { runId: 7, runAttempt: 1 });
  for (const id of ['pr-7-0', 'pr-7-0-1', 'pr-07-1-0', 'pr--1-0', 'pr-7-1-', 'b1', 'x-pr-7-1-0']) assert.equal(runOfPullRequestBuild(id), null, id);
});

test('a master build\'s run is the one recorded for it (any attempt); none while unrecorded', () => {
  const recorded = new Map([['b1', 42]]);
  const lookup = (id: string): number | null => recorded.get(id) ?? null;
  assert.deepEqual(recordedRunOf('b1', lookup), { runId: 42, runAttempt: null });
  assert.equal(recordedRunOf('b2', lookup), null);
  assert.deepEqual(recordedRunOf('pr-9-3-1', lookup), { runId: 9, runAttempt: 3 }, 'a PR id is never looked up in the queue');
});

test('a job claim is the build\'s own only from its recorded run, attempt, and (once known) job', () => {
  const claim = { runId: 9, runAttempt: 3, jobId: 100 };
  assert.equal(judgeJobClaim(claim, null, null), 'run-not-recorded');
  assert.equal(judgeJobClaim(claim, { runId: 8, runAttempt: 3 }, null), 'foreign-run');
  assert.equal(judgeJobClaim(claim, { runId: 9, runAttempt: 2 }, null), 'foreign-attempt');
  assert.equal(judgeJobClaim({ ...claim, runAttempt: null }, { runId: 9, runAttempt: 3 }, null), 'foreign-attempt', 'an event that does not say its attempt is not trusted with one');
  assert.equal(judgeJobClaim(claim, { runId: 9, runAttempt: 3 }, 101), 'foreign-job');
  assert.equal(judgeJobClaim(claim, { runId: 9, runAttempt: 3 }, 100), null);
  assert.equal(judgeJobClaim(claim, { runId: 9, runAttempt: null }, null), null, 'a master build accepts any attempt of its run');
});
