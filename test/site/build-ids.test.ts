// A whole site build keeps the build ids it finds in typed columns (site/build/build-ids.ts), not
// in a Map of strings and pairs. It must write exactly the run files and keep exactly the ids by
// hash that the Map did: random ids of the controller's form and others, repeated ids (the later
// build wins), interleaved builders, several prefixes, run boundaries.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { BuildIds } from '../../site/build/build-ids.ts';
import { writeIdRuns } from '../../site/build/write-id-runs.ts';
import { counterId, type CounterId } from '../../site/lookup/id-runs.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';

function filesOf(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.set(relative(dir, join(entry.parentPath, entry.name)), readFileSync(join(entry.parentPath, entry.name), 'utf8'));
  }
  return files;
}

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`seed ${seed}: the columns write the run files and keep the hashed ids the Map of ids did`, async () => {
    const rand = seededRandom(seed);
    const builders = ['ports-15_arm64-builder', 'ports-14_arm64-builder', 'ports-15_arm64-watcher', 'base-15_arm64'];
    const prefixes = ['k3x9', 'a1', 'zz99'];
    const next = new Map<string, number>(builders.map((b, i) => [b, i * 1000]));
    const ids = new BuildIds();
    // What site build kept before: id → builder and number, a repeated id taking the later build.
    const before = new Map<string, readonly [string, number]>();
    let counter = Math.floor(rand() * 5000);
    const noted: string[] = [];
    for (let i = 0; i < 4000; i += 1) {
      const builder = builders[Math.floor(rand() * builders.length)] ?? '';
      const number = next.get(builder) ?? 0;
      next.set(builder, number + 1 + (rand() < 0.1 ? Math.floor(rand() * 50) : 0));
      const r = rand();
      let id: string;
      if (r < 0.05 && noted.length > 0) id = noted[Math.floor(rand() * noted.length)] ?? '';
      else if (r < 0.1) id = `legacy-${Math.floor(rand() * 1e6)}-x_${i}`;
      else if (r < 0.12) id = `k3x9-0${(counter + 1).toString(36)}`;
      else {
        counter += 1 + (rand() < 0.2 ? Math.floor(rand() * 3000) : 0);
        id = `${prefixes[Math.floor(rand() * prefixes.length)] ?? ''}-${counter.toString(36)}`;
      }
      noted.push(id);
      ids.set(id, builder, number);
      before.set(id, [builder, number]);
    }
    const counted = new Map<CounterId, readonly [string, number]>();
    const hashed = new Map<string, readonly [string, number]>();
    for (const [id, at] of before) {
      const c = counterId(id);
      if (c === undefined) hashed.set(id, at);
      else counted.set(c, at);
    }
    const old = mkdtempSync(join(tmpdir(), 'portfarm-ids-map-'));
    const now = mkdtempSync(join(tmpdir(), 'portfarm-ids-columns-'));
    try {
      const oldRuns = await writeIdRuns(old, counted);
      assert.equal(await ids.writeRuns(now), oldRuns);
      assert.ok(oldRuns > 3, `${oldRuns} run files: the ids span several`);
      assert.deepEqual(filesOf(now), filesOf(old));
      assert.deepEqual([...ids.hashed].sort(), [...hashed].sort());
      // Iterated as an update reads them: the same id → builder and number when the later one wins.
      const iterated = new Map<string, readonly [string, number]>();
      for (const [id, at] of ids) iterated.set(id, at);
      assert.deepEqual(new Map([...iterated].sort()), new Map([...before].sort()));
    } finally {
      rmSync(old, { recursive: true, force: true });
      rmSync(now, { recursive: true, force: true });
    }
  });
}
