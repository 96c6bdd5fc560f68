import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadPortsGraph } from '../../../controller/ports/load-ports-graph.ts';
import type { RunRecord } from '../../github-double/double-records.ts';
import { createDependencyOrderRecorder, type WatchedRuns } from './dependency-order-recorder.ts';

type Run = Pick<RunRecord, 'id' | 'status' | 'conclusion' | 'inputs'>;

/** A double's runs, changed by hand; each change is announced as the double does. */
function fakeRuns(): WatchedRuns & { dispatch(id: number, platform: string, port: string): Run; finish(run: Run, conclusion: 'success' | 'failure'): void } {
  const runs: Run[] = [];
  const listeners = new Set<() => void>();
  const changed = (): void => { for (const l of [...listeners]) l(); };
  return {
    runs: () => runs,
    onChange(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    dispatch(id, platform, port) {
      const run: Run = { id, status: 'queued', conclusion: null, inputs: { platform, portname: port, build_id: `b${id}` } };
      runs.push(run);
      changed();
      return run;
    },
    finish(run, conclusion) {
      run.status = 'completed';
      run.conclusion = conclusion;
      changed();
    },
  };
}

// Real ports: conf2struct needs libconfig-hr.
const graph = await loadPortsGraph(join(import.meta.dirname, '..', '..', '..', 'controller', 'demo', 'data', 'ports.json'));

test('a builder dispatched while its dependency runs on its platform is a violation; on another platform it is not', () => {
  const recorder = createDependencyOrderRecorder(graph);
  const runs = fakeRuns();
  const stop = recorder.attach(runs);
  const dep = runs.dispatch(1, '15_arm64', 'libconfig-hr');
  runs.dispatch(2, '14_x86_64', 'conf2struct');
  assert.deepEqual(recorder.violations, []);
  runs.dispatch(3, '15_arm64', 'conf2struct');
  assert.equal(recorder.violations.length, 1);
  assert.match(recorder.violations.join('\n'), /15_arm64 conf2struct \(run 3\) dispatched while its dependency libconfig-hr was queued \(run 1\)/);
  runs.finish(dep, 'success');
  assert.deepEqual(recorder.mostInFlight.get('15_arm64'), 2);
  stop();
});

test('a dependency listed and not built since (pending, or failed) holds its dependents until it builds', () => {
  const recorder = createDependencyOrderRecorder(graph);
  const runs = fakeRuns();
  recorder.attach(runs);
  recorder.handedOff({ platform: '15_arm64', ports: ['libconfig-hr', 'conf2struct'] });
  const failed = runs.dispatch(1, '15_arm64', 'libconfig-hr');
  runs.finish(failed, 'failure');
  runs.dispatch(2, '15_arm64', 'conf2struct');
  assert.match(recorder.violations.join('\n'), /conf2struct \(run 2\) dispatched while its dependency libconfig-hr, listed at event \d+, had not built since/);
  const fixed = runs.dispatch(3, '15_arm64', 'libconfig-hr');
  runs.finish(fixed, 'success');
  const before = recorder.violations.length;
  runs.dispatch(4, '15_arm64', 'conf2struct');
  assert.equal(recorder.violations.length, before);
  assert.deepEqual(recorder.builders.map((b) => [b.runId, b.port]), [[1, 'libconfig-hr'], [2, 'conf2struct'], [3, 'libconfig-hr'], [4, 'conf2struct']]);
});

test('a VM for a build GitHub has no run of is a violation', () => {
  const recorder = createDependencyOrderRecorder(graph);
  const runs = fakeRuns();
  recorder.attach(runs);
  runs.dispatch(1, '15_arm64', 'lms');
  recorder.vmCreated('portfarm-b1-1-abcd');
  assert.deepEqual(recorder.violations, []);
  recorder.vmCreated('portfarm-b9-1-abcd');
  assert.deepEqual(recorder.violations, ['VM portfarm-b9-1-abcd created for a build GitHub has no run of (blocked or never dispatched)']);
});
