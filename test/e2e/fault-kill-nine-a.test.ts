import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKillNineSeed } from './farm/kill-nine-seed.ts';

// Seeds 1–10 (fault-kill-nine-b.test.ts has 11–20): two files so --test-concurrency=2 runs them side by side.
for (let seed = 1; seed <= 10; seed += 1) {
  test(`controller kill -9 at a random log line during a busy replay, restart on the same state (seed ${seed}): nothing lost, duplicated or left behind`, { timeout: 120_000 }, async () => {
    const outcome = await runKillNineSeed(seed, 3);
    assert.ok(outcome.kills >= 1);
    console.log(`seed ${seed}: ${outcome.kills} kill(s), ${outcome.report.runs} runs, ${outcome.report.ledgerEntries} ledger entries`);
  });
}
