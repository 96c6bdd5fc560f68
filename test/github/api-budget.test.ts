import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiBudget, budgetAlert } from '../../controller/github/api-budget.ts';
import { rateLimitAnswerOf } from '../../controller/github/rate-limit-answer.ts';

const NOW = 1_800_000_000_000;
const headers = (remaining: number, resetInS = 1800): Record<string, string> => ({ 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': String(remaining), 'x-ratelimit-used': String(5000 - remaining), 'x-ratelimit-reset': String(NOW / 1000 + resetInS) });
const refusal = (status: number, message: string, extra: Record<string, string>): unknown => ({ status, message, response: { headers: extra, data: { message } } });

test('a refusal is read as GitHub documents it: retry-after, else the reset of a spent hour, else a minute', () => {
  assert.deepEqual(rateLimitAnswerOf(refusal(403, 'You have exceeded a secondary rate limit.', { 'retry-after': '30', 'x-ratelimit-remaining': '4000' }), NOW), { kind: 'secondary', waitMs: 30_000, message: 'You have exceeded a secondary rate limit.' });
  assert.deepEqual(rateLimitAnswerOf(refusal(429, 'API rate limit exceeded for installation ID 77.', { ...headers(0, 600) }), NOW), { kind: 'primary', waitMs: 600_000, message: 'API rate limit exceeded for installation ID 77.' });
  assert.equal(rateLimitAnswerOf(refusal(403, 'You have exceeded a secondary rate limit.', headers(10)), NOW)?.waitMs, 60_000);
  // A 403 that is no rate limit (a permission) is not waited on.
  assert.equal(rateLimitAnswerOf(refusal(403, 'Resource not accessible by integration', headers(10)), NOW), undefined);
  assert.equal(rateLimitAnswerOf(refusal(500, 'Server Error', {}), NOW), undefined);
});

test('the budget follows the headers; an older answer arriving late does not raise what is left', () => {
  const budget = new ApiBudget();
  assert.equal(budget.fractionLeft(NOW), 1);
  budget.observe(headers(4000));
  budget.observe(headers(4200));
  assert.deepEqual([budget.snapshot(NOW).remaining, budget.fractionLeft(NOW)], [4000, 0.8]);
  // A new window (a later reset) starts again from its own count.
  budget.observe(headers(4990, 3600 + 1800));
  assert.equal(budget.snapshot(NOW).remaining, 4990);
  // Once the window's reset has passed, the hour is whole again.
  assert.deepEqual([budget.snapshot(NOW + 5401_000).remaining, budget.fractionLeft(NOW + 5401_000)], [5000, 1]);
});

test('a refusal pauses every request until GitHub said; the longest pause wins', () => {
  const budget = new ApiBudget();
  budget.limited({ kind: 'secondary', waitMs: 60_000, message: 'secondary' }, NOW);
  budget.limited({ kind: 'secondary', waitMs: 5_000, message: 'shorter' }, NOW);
  assert.equal(budget.pausedFor(NOW + 1000), 59_000);
  assert.equal(budget.pausedFor(NOW + 60_000), 0);
  assert.deepEqual(budget.snapshot(NOW).rateLimited, { primary: 0, secondary: 2 });
  assert.equal(budget.snapshot(NOW).pauseReason, 'secondary');
});

test('the TUI alert: below 20 % of the hour, or while GitHub asks for a pause; none above', () => {
  const budget = new ApiBudget();
  budget.observe(headers(1001));
  assert.equal(budgetAlert(budget.snapshot(NOW), NOW), null);
  budget.observe(headers(999));
  assert.equal(budgetAlert(budget.snapshot(NOW), NOW), 'GitHub API budget low: 999 of 5000 requests left (19 %), resets in 30 min; check runs are held back for dispatch');
  budget.limited({ kind: 'primary', waitMs: 90_000, message: 'API rate limit exceeded for installation ID 77.' }, NOW);
  assert.match(budgetAlert(budget.snapshot(NOW), NOW) ?? '', /^GitHub API paused for 90 s by GitHub \(API rate limit exceeded for installation ID 77\.\)/);
});
