import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePending } from '../../site/lookup/describe-pending.ts';
import type { PortSummary } from '../../site/lookup/site-map.ts';

// The "pending builds" block of a port page, in the words the reader sees.
const AS_OF = '2026-08-18T09:05:00.000Z';
const summary = (pending: PortSummary['pending']): PortSummary => ({ latest: [], recent: [], ...(pending === undefined ? {} : { pending }) });

test('without an ETA snapshot the page says no estimate is available, as of the site build when it is known', () => {
  assert.deepEqual(describePending('curl', summary(undefined), undefined, '2026-08-18T10:00:00.000Z'), {
    heading: "No estimate available as of 2026-08-18 10:00 UTC: this site was built without the controller's ETA snapshot.",
    rows: [],
  });
  assert.deepEqual(describePending('curl', summary(undefined), undefined, undefined).heading, "No estimate available: this site was built without the controller's ETA snapshot.");
  assert.equal(describePending('curl', summary(undefined), undefined, 'last tuesday').heading, "No estimate available as of an unknown time: this site was built without the controller's ETA snapshot.");
});

test('each pending build says its place in line and its estimate, or why it has none', () => {
  const view = describePending('curl', summary([
    ['15_arm64', 0, -2, 4, 12],
    ['14_arm64', 1, 20, 35, 75],
    ['13_arm64', 2, 'not-selected'],
    ['12_arm64', 3, 'beyond-limit'],
    ['11_arm64', 11, 'no-history'],
    ['10.15_x86_64', 21, 900, 24 * 60 + 15, 26 * 60],
    ['10.14_x86_64', 112, 'no-history'],
    ['10.13_x86_64', 104, 'no-history'],
    ['10.12_x86_64', 20, 'no-history'],
    ['10.11_x86_64', 113, 'no-history'],
  ]), { asOf: AS_OF }, undefined);
  assert.equal(view.heading, 'Queued or building as of 2026-08-18 09:05 UTC, with the estimate made then:');
  assert.equal(view.live, undefined);
  assert.deepEqual(view.rows, [
    { platform: '15_arm64', place: 'building', ready: 'around 09:09 UTC (09:03–09:17)' },
    { platform: '14_arm64', place: 'next in line', ready: 'around 09:40 UTC (09:25–10:20)' },
    { platform: '13_arm64', place: '2nd in line', ready: 'no estimate: waits for what it depends on' },
    { platform: '12_arm64', place: '3rd in line', ready: 'no estimate: too far back in line' },
    { platform: '11_arm64', place: '11th in line', ready: 'no estimate: no build seen to estimate from' },
    { platform: '10.15_x86_64', place: '21st in line', ready: 'around 2026-08-19 09:20 UTC (2026-08-19 00:05–2026-08-19 11:05)' },
    { platform: '10.14_x86_64', place: '112th in line', ready: 'no estimate: no build seen to estimate from' },
    { platform: '10.13_x86_64', place: '104th in line', ready: 'no estimate: no build seen to estimate from' },
    { platform: '10.12_x86_64', place: '20th in line', ready: 'no estimate: no build seen to estimate from' },
    { platform: '10.11_x86_64', place: '113th in line', ready: 'no estimate: no build seen to estimate from' },
  ]);
});

test('nothing pending says so as of the snapshot; the live link is given only for a web address', () => {
  const live = 'https://farm.example.org/api/eta/public';
  assert.deepEqual(describePending('py-six', summary([]), { asOf: AS_OF, live }, undefined), {
    heading: 'Nothing queued or building as of 2026-08-18 09:05 UTC.',
    rows: [],
    live: `${live}?port=py-six`,
  });
  assert.equal(describePending('curl', summary(undefined), { asOf: AS_OF, live: 'HTTP://farm.example.org/eta' }, undefined).live, 'HTTP://farm.example.org/eta?port=curl');
  for (const bad of ['javascript:alert(1)', 'ftp://farm.example.org/eta', '//farm.example.org/eta', '/api/eta/public']) {
    assert.equal(describePending('curl', summary(undefined), { asOf: AS_OF, live: bad }, undefined).live, undefined, bad);
  }
});
