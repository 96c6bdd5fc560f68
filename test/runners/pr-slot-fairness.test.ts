import assert from 'node:assert/strict';
import { test } from 'node:test';
import { afterPrGrant, fairOrder } from '../../controller/runners/pr-slot-fairness.ts';

const pr = (ticket: string): { ticket: string; slotClass: 'pr' } => ({ ticket, slotClass: 'pr' });
const master = (ticket: string): { ticket: string; slotClass: 'master' } => ({ ticket, slotClass: 'master' });

test('a freed slot is offered to the PR run never served before one served already; master waiters keep their places, each waiter once', () => {
  const waiting = [pr('pr-100-1-a'), master('b17'), pr('pr-200-1-a'), pr('pr-100-1-b')];
  const ordered = fairOrder(waiting, { lastGrant: new Map([['pr-100', 4]]), grants: 4 });
  assert.deepEqual(ordered.map((w) => w.ticket), ['pr-200-1-a', 'b17', 'pr-100-1-a', 'pr-100-1-b']);
});

test('the fairness state forgets the runs that hold and wait for nothing, so a stream of pull requests cannot grow it', () => {
  let fairness = afterPrGrant({ perRun: 2 }, 'pr-100-1-a', new Set(['pr-100']));
  fairness = afterPrGrant(fairness, 'pr-200-1-a', new Set(['pr-200']));
  assert.deepEqual([...(fairness.lastGrant ?? new Map<string, number>())], [['pr-200', 2]]);
  assert.equal(fairness.grants, 2);
  assert.equal(fairness.perRun, 2);
});
