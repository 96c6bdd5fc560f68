import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRASH_POINTS, parseCrashAt } from '../../controller/errors/crash-point.ts';
import { runCrashPoint } from './farm/crash-point-seed.ts';

/**
 * The kill -9 at each named place between two durable steps, not at a log line the load moves
 * about: the controller SIGKILLs itself there (PORTFARM_CRASH_AT), at the first and at a later
 * pass, and must lose, duplicate and leave behind nothing. Filter with PORTFARM_CRASH_POINTS=a,b.
 */
const only = process.env.PORTFARM_CRASH_POINTS?.split(',').filter((p) => p !== '');
/** Which pass of each point is killed (PORTFARM_CRASH_HITS=1,2,5 to look further). */
const HITS = (process.env.PORTFARM_CRASH_HITS ?? '1,3').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
/** The commits of kill -9 seed 8, the one that failed once (ngspice, libarchive, p5-datetime-format-w3cdtf). */
const SEED_8_COMMITS = 43;

// The preemption's two points (cancel-requested, cancel-answered) are not reached by this
// replay: no push found a builder dispatched but not started (tried: 5 commits 0.3–1.2 s apart,
// runners 2 s slow to start); test/queue/crash-during-preemption.test.ts kills the reorder
// service there instead, in a process of its own, and restarts it on the same state.
const REACHED = CRASH_POINTS.filter((p) => !p.startsWith('cancel-'));

for (const point of REACHED) {
  for (const hit of HITS) {
    test(`controller SIGKILLed at ${point} (pass ${String(hit)}), restarted on the same state: nothing lost, duplicated or left behind`, { timeout: 240_000, skip: only !== undefined && !only.includes(point) }, async () => {
      const outcome = await runCrashPoint(point, hit, { seed: 8, commits: 3, pauseMs: 300, firstCommit: SEED_8_COMMITS });
      assert.ok(outcome.crashed, `the replay never passed ${point} ${String(hit)} time(s): the test would prove nothing`);
      console.log(`${point}#${String(hit)}: ${String(outcome.report.runs)} runs, ${String(outcome.report.ledgerEntries)} ledger entries`);
    });
  }
}

test('a crash point the controller does not have is refused, naming the value and the names it has', () => {
  assert.throws(() => parseCrashAt('list-acepted'), /PORTFARM_CRASH_AT="list-acepted" names no crash point; use <name> or <name>#<hit> with a name of webhook-claimed, .*list-accepted/);
  assert.throws(() => parseCrashAt('list-accepted#0'), /names no crash point/);
  assert.deepEqual(parseCrashAt('list-accepted#2'), { point: 'list-accepted', hit: 2 });
  assert.deepEqual(parseCrashAt('run-finished'), { point: 'run-finished', hit: 1 });
  assert.equal(parseCrashAt(undefined), null);
  assert.equal(parseCrashAt(''), null);
});
