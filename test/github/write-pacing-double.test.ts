import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { pino } from 'pino';
import { createGitHubClients, type GitHubClients } from '../../controller/github/create-github-clients.ts';
import { startGitHubDouble, type GitHubDouble } from '../github-double/github-double.ts';
import { manualClock, type ManualClock } from './manual-clock.ts';

// The controller's write pacing against the double enforcing GitHub's documented limits at
// their real values (80 content-creating requests a minute, 500 an hour, 900 points a minute
// per endpoint), both on one GitHub clock that moves only when the pacer waits: what is
// asserted is what the double saw and refused, not how long anything took on the wall clock.
const owner = 'macports';
const repo = 'macports-ports';
const START = 1_800_000_000_000;
const log = pino({ level: 'silent' });
const stop = new AbortController();
const opened: GitHubDouble[] = [];
after(async () => { stop.abort(); for (const d of opened) await d.close(); });

async function start(writeSpacingMs?: number): Promise<{ double: GitHubDouble; clients: GitHubClients; clock: ManualClock }> {
  const clock = manualClock(START);
  const double = await startGitHubDouble({ rateLimits: { clock: () => clock.now() } });
  opened.push(double);
  const clients = await createGitHubClients({ appId: double.appId, privateKey: double.appPrivateKey ?? '', apiUrl: double.url, owner, repo, installationId: double.installationId, clock, log, ...(writeSpacingMs === undefined ? {} : { writeSpacingMs }) }, stop.signal);
  return { double, clients, clock };
}

/** Settles `work`, moving the GitHub clock on whenever everything waits on it (the pacer, a retry-after). */
async function drive<T>(clock: ManualClock, work: Promise<T>): Promise<T> {
  const progress = { done: false };
  const settled = work.finally(() => { progress.done = true; });
  while (!progress.done) {
    if (clock.sleepers() > 0) await clock.advanceToNext();
    else await new Promise<void>((resolve) => { setImmediate(resolve); });
  }
  return settled;
}

const dispatch = (clients: GitHubClients, n: number): Promise<unknown> => clients.installation.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
  owner, repo, workflow_id: 'ports.yml', ref: 'master', return_run_details: true,
  inputs: { platform: `${String(26 - Math.floor((n % 20) / 2))}_${n % 2 === 0 ? 'arm64' : 'x86_64'}`, portname: '', ports_sha: 'abc1234', build_id: `w${String(n)}`, force: 'false', portlist: '' },
});

test('a burst of 20 dispatches on 20 platforms goes out at once and GitHub refuses none', async () => {
  const { double, clients, clock } = await start();
  await Promise.all(Array.from({ length: 20 }, (_, n) => dispatch(clients, n)));
  assert.equal(clock.now(), START, 'no dispatch waited for the pacer');
  assert.equal(double.requests.filter((r) => r.operation === 'actions/create-workflow-dispatch' && r.status === 200).length, 20);
  assert.deepEqual(double.rateLimits?.refused, { primary: 0, secondary: 0, runsFailed: 0, jobsCancelled: 0 });
});

test('a sustained stream of dispatches and check creates is paced under 80 a minute and 500 an hour, and never refused', async () => {
  const { double, clients, clock } = await start();
  const sha = double.defaultBranchCommits()[0] ?? '';
  const sent: number[] = [];
  // 380 dispatches and 140 check creates (every fourth), one after another as fast as the pacer lets them: 520 is more than GitHub's hour holds.
  const stream = (async () => {
    for (let n = 0; n < 520; n += 1) {
      for (;;) {
        try {
          if (n % 4 === 3) await clients.checks.rest.checks.create({ owner, repo, name: `port${String(n)} (26_arm64)`, head_sha: sha });
          else await dispatch(clients, n);
          break;
        } catch (err) {
          // A dispatch the pacer would hold longer than a round waits fails unsent: the next round (here 10 s on) tries again.
          if (!(err instanceof Error && err.message.startsWith('not sent:'))) throw err;
          await clock.sleep(10_000);
        }
      }
      sent.push(clock.now());
    }
  })();
  await drive(clock, stream);
  assert.deepEqual(double.rateLimits?.refused, { primary: 0, secondary: 0, runsFailed: 0, jobsCancelled: 0 });
  const answered = double.requests.filter((r) => r.operation === 'actions/create-workflow-dispatch' || r.operation === 'checks/create');
  assert.equal(answered.length, 520);
  assert.ok(answered.every((r) => r.status === 200 || r.status === 201), 'every write was taken');
  // The pacer's margin: at most 72 in any minute, 450 in any hour.
  for (const t of sent) {
    assert.ok(sent.filter((u) => u > t - 60_000 && u <= t).length <= 72, `at most 72 in the minute up to +${String(t - START)} ms`);
    assert.ok(sent.filter((u) => u > t - 3_600_000 && u <= t).length <= 450, `at most 450 in the hour up to +${String(t - START)} ms`);
  }
  assert.ok((sent.at(-1) ?? 0) - START >= 3_600_000, 'the 451st waited for the hour');
});

test('without the pacer (write spacing 0) the 81st dispatch in a minute is refused: the tests above can fail', async () => {
  const { double, clients, clock } = await start(0);
  // One after another, nothing waits: the 81st in the minute is refused, with GitHub's retry-after.
  const refused = await drive(clock, (async () => {
    for (let n = 0; n < 90; n += 1) {
      try {
        await dispatch(clients, n);
      } catch (err) {
        return { n, err };
      }
    }
    return undefined;
  })());
  assert.ok(refused !== undefined, 'every dispatch was taken');
  assert.equal(refused.n, 80);
  assert.match(String(refused.err), /secondary rate limit/);
  assert.equal(double.rateLimits?.refused.secondary, 1);
});
