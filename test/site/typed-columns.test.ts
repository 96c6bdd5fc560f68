import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grow, internName } from '../../site/build/typed-columns.ts';

test('a name gets one index, the next free one when new; past the column\'s limit the build stops naming it', () => {
  const indexes = new Map<string, number>();
  const names: string[] = [];
  assert.deepEqual(['a', 'b', 'a', 'c', 'b'].map((n) => internName(indexes, names, n)), [0, 1, 0, 2, 1]);
  assert.deepEqual(names, ['a', 'b', 'c']);
  const limit = { max: 4, what: 'builders' };
  assert.equal(internName(indexes, names, 'd', limit), 3);
  assert.equal(internName(indexes, names, 'a', limit), 0, 'a known name is no new index');
  assert.throws(() => internName(indexes, names, 'e', limit), /more than 4 distinct builders \(at e\); the site build keeps their index in 2 bits/);
  assert.deepEqual(names, ['a', 'b', 'c', 'd'], 'nothing added by the refusal');
});

test('a grown column keeps its values at the start and zeros after them', () => {
  const grown = grow(Uint16Array.from([7, 8]), new Uint16Array(4));
  assert.deepEqual([...grown], [7, 8, 0, 0]);
});
