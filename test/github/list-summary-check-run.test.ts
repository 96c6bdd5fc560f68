import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listSummaryCheckRun, type ListSummary } from '../../controller/github/list-summary-check-run.ts';

const summary = (over: Partial<ListSummary>): ListSummary => ({
  headSha: 'a'.repeat(40), platform: '14_x86_64', forced: false, total: 1_234, started: 0, built: 0, failed: 0, other: 0, failures: [], portChecksPerList: 50, at: new Date(0), ...over,
});

test('a long list that is not a forced rebuild is counted in ports; cancelled builds are named; queued → in progress → completed', () => {
  assert.deepEqual([listSummaryCheckRun(summary({})).status, listSummaryCheckRun(summary({})).output.title], ['queued', '1,234 ports on 14_x86_64: 0 of 1,234 built, 0 failed']);
  assert.equal(listSummaryCheckRun(summary({ started: 1 })).status, 'in_progress');
  const done = listSummaryCheckRun(summary({ built: 1_230, other: 4 }));
  assert.deepEqual([done.status, done.conclusion, done.output.title, done.name, done.externalId], ['completed', 'neutral', '1,234 ports on 14_x86_64: 1,230 of 1,234 built, 0 failed, 4 cancelled', 'build summary (14_x86_64)', '14_x86_64 summary']);
  assert.equal(listSummaryCheckRun(summary({ built: 1_234 })).conclusion, 'success');
});

test('a table of thousands of failures stops within GitHub\'s 65,535 characters and says how many more there are', () => {
  const failures = Array.from({ length: 5_000 }, (_, i) => ({ port: `py313-some-long-port-name-${i}`, failingPhase: 'install-dependencies', logUrl: `https://build.macports.org/builders/ports-14_x86_64-builder/builds/${100_000 + i}` }));
  const text = listSummaryCheckRun(summary({ failed: 5_000, built: 0, total: 5_000, failures })).output.summary;
  assert.ok(text.length <= 65_535, `${text.length} characters`);
  const rows = text.split('\n').filter((line) => line.startsWith('| py313-')).length;
  assert.ok(rows > 300, `${rows} rows shown`);
  assert.ok(text.endsWith(`… and ${(5_000 - rows).toLocaleString('en')} more failures: the site lists every build.`));
});
