import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portBucket } from '../../site/lookup/port-bucket.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';

// The id files (`/map/_ids/<bucket>.json`) hold the ids not kept by counter: a reader fetches one
// file for one id, so the ids must spread over the files, not pile into a few of them.
test('ids spread evenly over the buckets: no bucket holds twice its share', () => {
  const random = seededRandom(5);
  const buckets = 16;
  const counts = new Array<number>(buckets).fill(0);
  const ids = 16_000;
  for (let i = 0; i < ids; i += 1) {
    const id = `run-${Math.floor(random() * 1e9).toString(36)}-${String(i)}`;
    const b = portBucket(id, buckets);
    assert.ok(Number.isInteger(b) && b >= 0 && b < buckets, `bucket ${String(b)} of ${id}`);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  assert.ok(Math.max(...counts) < (2 * ids) / buckets, `bucket sizes ${counts.join(' ')}`);
  assert.ok(Math.min(...counts) > ids / buckets / 2, `bucket sizes ${counts.join(' ')}`);
});

test('a name goes to the same bucket in any case (the port and id lookups ask in the reader\'s case)', () => {
  assert.equal(portBucket('GraphicsMagick', 97), portBucket('graphicsmagick', 97));
  assert.equal(portBucket('B-1A2B', 1039), portBucket('b-1a2b', 1039));
});
