import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BudgetSnapshot } from '../../controller/github/api-budget.ts';
import { checkRequestDelay, DEFAULT_CHECK_PACING, type CheckRequestSent } from '../../controller/github/check-pacing.ts';

const NOW = 1_800_000_000_000;
const unknown: BudgetSnapshot = { limit: null, remaining: null, resetAt: null, pausedUntil: null, pauseReason: null, rateLimited: { primary: 0, secondary: 0 } };
const budget = (remaining: number, resetInMs = 1_800_000): BudgetSnapshot => ({ ...unknown, limit: 5000, remaining, resetAt: NOW + resetInMs });
const sent = (n: number, kind: CheckRequestSent['kind'], everyMs: number): CheckRequestSent[] => Array.from({ length: n }, (_, i) => ({ at: NOW - (n - i) * everyMs, kind }));

test('with budget to spare and nothing sent, a check goes at once', () => {
  assert.equal(checkRequestDelay('create', unknown, [], NOW, DEFAULT_CHECK_PACING), 0);
  assert.equal(checkRequestDelay('create', budget(4000), [], NOW, DEFAULT_CHECK_PACING), 0);
});

test('what is left above dispatch\'s half is spread over the rest of the hour', () => {
  // 3,000 left, 2,500 reserved: 500 over 30 min is one request every 3.6 s.
  assert.equal(checkRequestDelay('update', budget(3000), [{ at: NOW - 1000, kind: 'update' }], NOW, DEFAULT_CHECK_PACING), 2600);
});

test('at dispatch\'s reserve checks wait for the hour\'s reset; during a pause GitHub asked for, until it ends', () => {
  assert.equal(checkRequestDelay('update', budget(2500, 600_000), [], NOW, DEFAULT_CHECK_PACING), 600_000);
  assert.equal(checkRequestDelay('update', { ...budget(4000), pausedUntil: NOW + 42_000 }, [], NOW, DEFAULT_CHECK_PACING), 42_000);
});

test('creates keep under half of GitHub\'s 80 a minute and 500 an hour; updates are not held by the create limit', () => {
  const minute = sent(40, 'create', 1000);
  assert.equal(checkRequestDelay('create', unknown, minute, NOW, DEFAULT_CHECK_PACING), 20_000);
  assert.equal(checkRequestDelay('update', unknown, minute, NOW, DEFAULT_CHECK_PACING), 0);
  // 250 creates 14 s apart: the oldest leaves the hour 100 s from now.
  const hour = sent(250, 'create', 14_000);
  assert.equal(checkRequestDelay('create', unknown, hour, NOW, DEFAULT_CHECK_PACING), 100_000);
  assert.equal(checkRequestDelay('update', unknown, sent(60, 'update', 500), NOW, DEFAULT_CHECK_PACING), 30_000);
});
