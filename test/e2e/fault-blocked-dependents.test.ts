import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import type { StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { assertFarmInvariants, checkFarmInvariants } from './farm/check-farm-invariants.ts';
import { createDependencyOrderRecorder } from './farm/dependency-order-recorder.ts';
import { startFarm, type Farm } from './farm/farm-harness.ts';

// libconfig-hr: conf2struct and lms need it, sslh needs conf2struct (no cycle among them).
const BROKEN = 'libconfig-hr';
const DEPENDENTS = ['conf2struct', 'lms', 'sslh'];
const PLATFORM = '15_arm64';

/** Waits until the broken port's build finished and nothing but blocked builds is left (3 looks in a row). */
async function untilQuietButBlocked(farm: Farm, timeoutMs: number): Promise<StatusSnapshot> {
  const until = Date.now() + timeoutMs;
  let last = '';
  let quiet = 0;
  while (Date.now() < until) {
    await farm.double.deliveriesSettled();
    const snapshot = await farm.status();
    const runs = farm.double.runs();
    const open = runs.filter((r) => r.status !== 'completed').length;
    const failed = runs.some((r) => r.status === 'completed' && r.inputs.platform === PLATFORM && r.inputs.portname === BROKEN);
    // Blocked builds are pending but not counted in `pending.builders` (they wait for a fix, not a lane).
    const busy = snapshot.queues.reduce((n, q) => n + q.pending.watchers + q.pending.builders + q.inFlight, 0);
    last = `open runs ${open}, queued and not blocked ${busy}, ${BROKEN} built on ${PLATFORM}: ${failed}`;
    quiet = open === 0 && busy === 0 && failed ? quiet + 1 : 0;
    if (quiet >= 3) return snapshot;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the farm did not come to rest before the fix within ${timeoutMs} ms: ${last} (${farm.dir})`);
}

test('parallelBuilds 2 and a failing dependency: no builder beside a pending or running dependency, no VM for a blocked port, blocked ports built after the fix, one mail', { timeout: 180_000 }, async () => {
  const seed = 1818;
  const graph = await loadPortsGraph(join(import.meta.dirname, '..', '..', 'controller', 'demo', 'data', 'ports.json'));
  const recorder = createDependencyOrderRecorder(graph);
  const farm = await startFarm({
    seed,
    parallelBuilds: 2,
    brokenPorts: [{ port: BROKEN, platform: PLATFORM }],
    maxStepMs: 150,
    firstCommit: 40,
    onHandedOff: recorder.handedOff,
    onVmCreated: recorder.vmCreated,
  });
  const detach = recorder.attach(farm.double);
  try {
    await farm.startController();
    await farm.replay({ commits: 2, gapMs: [50, 200] });
    farm.pushPorts([BROKEN, ...DEPENDENTS]);
    await farm.replay({ commits: 2, gapMs: [50, 200] });
    const held = await untilQuietButBlocked(farm, 120_000);
    assert.deepEqual(recorder.violations, [], `dependency safety broken before the fix (${farm.dir})`);
    const blocked = held.queues.find((q) => q.platform === PLATFORM)?.blocked;
    assert.deepEqual(blocked?.byPort.map((b) => [b.port, b.count]), [[BROKEN, DEPENDENTS.length]], `blocked on ${PLATFORM}: ${JSON.stringify(blocked)}`);

    const fixedAt = recorder.mark();
    farm.fix(BROKEN);
    farm.pushPorts([BROKEN]);
    await farm.settle(120_000);
    const report = await checkFarmInvariants(farm, [BROKEN]);
    assertFarmInvariants(report, `blocked dependents, seed ${seed} (${farm.dir})`);
    assert.deepEqual(recorder.violations, [], `dependency safety broken (${farm.dir})\n${report.timeline.join('\n')}`);

    const conclusion = (runId: number): string => farm.double.runs().find((r) => r.id === runId)?.conclusion ?? 'open';
    const on = (platform: string, port: string) => recorder.builders.filter((b) => b.platform === platform && b.port === port);
    // The broken port failed once before the fix and built after it.
    assert.deepEqual(on(PLATFORM, BROKEN).map((b) => [b.at > fixedAt, conclusion(b.runId)]), [[false, 'failure'], [true, 'success']]);
    for (const port of DEPENDENTS) {
      // Blocked where the dependency failed: dispatched only after the fix, once, and built.
      assert.deepEqual(on(PLATFORM, port).map((b) => [b.at > fixedAt, conclusion(b.runId)]), [[true, 'success']], `${PLATFORM} ${port}`);
      // Built before the fix where nothing failed: blocking is per platform.
      assert.ok(on('14_x86_64', port).some((b) => b.at < fixedAt && conclusion(b.runId) === 'success'), `14_x86_64 ${port} was not built before the fix`);
    }
    const mails = readFileSync(farm.mailLog, 'utf8').split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { subject: string }).subject);
    assert.deepEqual(mails.filter((s) => s.includes(`] ${BROKEN} @`)).length, 1, mails.join('\n'));
    assert.deepEqual(mails.filter((s) => DEPENDENTS.some((port) => s.includes(`] ${port} @`))), []);
    // Both lanes were used: two builders ran at once on the two-host platform.
    assert.ok((recorder.mostInFlight.get(PLATFORM) ?? 0) >= 2, `most builders in flight on ${PLATFORM}: ${recorder.mostInFlight.get(PLATFORM) ?? 0}`);
    console.log(`blocked dependents: ${blocked.total} builds blocked on ${PLATFORM}, ${recorder.builders.length} builders, ${report.runs} runs, ${report.mails} mails, most in flight ${JSON.stringify([...recorder.mostInFlight])}; violations 0, lost 0, duplicated 0`);
  } finally {
    detach();
    await farm.close();
  }
});
