import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightLimit } from '../../controller/http/in-flight-limit.ts';

test('bodies reserve their bytes: past the byte budget the next waits; one body alone always fits; release gives the bytes back once', () => {
  const limit = new InFlightLimit(4, 32);
  const big = limit.tryEnter(24);
  assert.ok(big !== null);
  assert.equal(limit.tryEnter(24), null, 'two bodies of 24 would hold 48 > 32');
  const small = limit.tryEnter(8);
  assert.ok(small !== null, 'a small one beside it fits');
  assert.equal(limit.bytes, 32);
  big();
  big();
  assert.equal(limit.bytes, 8, 'a second release changes nothing');
  small();
  const alone = limit.tryEnter(40);
  assert.ok(alone !== null, 'a body over the budget is still read when it is the only one');
  assert.equal(limit.tryEnter(0), null, 'and nothing else meanwhile');
  alone();
  // Without a byte budget only the count limits.
  const counted = new InFlightLimit(2);
  assert.ok(counted.tryEnter(10 ** 9) !== null && counted.tryEnter(10 ** 9) !== null);
  assert.equal(counted.tryEnter(0), null);
  assert.throws(() => new InFlightLimit(1, 0), /in-flight byte limit 0 must be positive/);
});
