// The controller's build ids are kept by counter (site/lookup/id-runs.ts): every id written must
// be found with its builder and number, builders interleaved, across run boundaries.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeIdRuns } from '../../site/build/write-id-runs.ts';
import { counterId, findInRun, idRunPath, IDS_PER_RUN, type CounterId, type IdRun } from '../../site/lookup/id-runs.ts';
import { SITE_MAP_VERSION } from '../../site/lookup/site-map.ts';

test('ids of interleaved builders, with gaps and across run files, come back with their builder and number', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-id-runs-'));
  const builders = ['ports-15_arm64-builder', 'ports-14_arm64-builder', 'ports-15_arm64-watcher'];
  const next = [500, 20_000, 7];
  const written = new Map<CounterId, readonly [string, number]>();
  const expected = new Map<number, readonly [string, number]>();
  for (let counter = 1000; counter < 1000 + 3 * IDS_PER_RUN; counter += 1) {
    // Every seventh counter went to a build that never finished (no ledger line).
    if (counter % 7 === 0) continue;
    const b = (counter * 31) % 3;
    const at = [builders[b] ?? '', next[b] ?? 0] as const;
    next[b] = (next[b] ?? 0) + 1 + (counter % 5 === 0 ? 3 : 0);
    written.set({ prefix: 'k3x9', counter }, at);
    expected.set(counter, at);
  }
  const files = await writeIdRuns(dir, written);
  assert.equal(files, 4, 'counters 1000 to 4071 span runs 0 to 3');
  for (let counter = 990; counter < 1000 + 3 * IDS_PER_RUN + 10; counter += 1) {
    const run = Math.floor(counter / IDS_PER_RUN);
    let found: readonly [string, number] | undefined;
    try {
      found = findInRun(JSON.parse(readFileSync(join(dir, idRunPath('k3x9', run)), 'utf8')) as IdRun, counter);
    } catch {
      found = undefined;
    }
    assert.deepEqual(found, expected.get(counter), `counter ${counter}`);
  }
});

test('only ids that are <prefix>-<counter> as the controller writes them are kept by counter', () => {
  assert.deepEqual(counterId('k3x9-1a2b'), { prefix: 'k3x9', counter: Number.parseInt('1a2b', 36) });
  assert.deepEqual(counterId('b-0'), { prefix: 'b', counter: 0 });
  for (const id of ['b-0a', 'pr-12-1', 'k3x9', '-1', 'toolongprefix-1', 'b-zzzzzzzzzzz', 'B-1']) assert.equal(counterId(id), undefined, id);
});

test('a run file naming a builder it does not list (hand-edited or cut short) finds no build for that counter', () => {
  const run: IdRun = { v: SITE_MAP_VERSION, builders: ['ports-15_arm64-builder'], b: [0, 3, -1, 0], n: [5, 1, 0, 2] };
  assert.deepEqual(findInRun(run, 0), ['ports-15_arm64-builder', 5]);
  assert.equal(findInRun(run, 1), undefined);
  assert.equal(findInRun(run, 2), undefined);
  assert.deepEqual(findInRun(run, 3), ['ports-15_arm64-builder', 7]);
  assert.equal(findInRun(run, 4), undefined);
});
