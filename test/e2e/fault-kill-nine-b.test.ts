import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runKillNineSeed } from './farm/kill-nine-seed.ts';

// Seeds 11–20 (fault-kill-nine-a.test.ts has 1–10): two files so --test-concurrency=2 runs them side by side.
for (let seed = 11; seed <= 20; seed += 1) {
  test(`controller kill -9 at a random log line during a busy replay, restart on the same state (seed ${seed}): nothing lost, duplicated or left behind`, { timeout: 120_000 }, async () => {
    const outcome = await runKillNineSeed(seed, 3);
    assert.ok(outcome.kills >= 1);
    console.log(`seed ${seed}: ${outcome.kills} kill(s), ${outcome.report.runs} runs, ${outcome.report.ledgerEntries} ledger entries`);
  });
}
