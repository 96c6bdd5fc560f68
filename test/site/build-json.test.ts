// The buildbot 0.8 JSON of one build (what ports.macports.org's importer reads) and the window of
// builds that get it as real files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonWindow, type WindowBuild } from '../../site/build/json-window.ts';
import type { Held } from '../../site/build/shard-buffer.ts';
import { buildJson } from '../../site/lookup/build-json.ts';

const B = 'ports-15_arm64-builder';

test('status words, result codes and times as buildbot 0.8 wrote them', () => {
  const base = { port: 'curl', platform: '15_arm64', url: 'logs/b-1/index.html' };
  const at = '2026-08-17T21:12:36Z';
  const cases: [object, number | null, string[]][] = [
    [{ result: 'success' }, 0, ['build', 'successful']],
    [{ result: 'failure', failedStep: 'install-dependencies' }, 2, ['failed', 'install-dependencies']],
    [{ result: 'failure' }, 2, ['failed']],
    [{ result: 'cancelled' }, 6, ['exception', 'interrupted']],
    [{}, null, []],
  ];
  for (const [extra, results, text] of cases) {
    const json = buildJson(B, 3, { ...base, ...extra, finishedAt: at }, 'https://build.macports.org');
    assert.deepEqual([json.results, json.text], [results, text], JSON.stringify(extra));
  }
  const end = Date.parse(at) / 1000;
  assert.deepEqual(buildJson(B, 3, { ...base, finishedAt: at, startedAt: '2026-08-17T21:02:10.5Z' }, 'https://x.org').times, [end - 625.5, end]);
  assert.deepEqual(buildJson(B, 3, { ...base, finishedAt: at }, 'https://x.org').times, [end, end], 'no start recorded: it starts when it ends');
  assert.deepEqual(buildJson(B, 3, base, 'https://x.org').times, [null, null]);
});

test('properties: triggered_by is the watcher build on the site, path segment 6 its number; log URLs are absolute on the site', () => {
  const json = buildJson(B, 41, {
    port: 'py313-numpy',
    platform: '15_arm64',
    watcher: { builder: 'ports-15_arm64-watcher', number: 1234 },
    revision: '70b44a41bbbb627007b18ae0551cddb24c009bf2',
    url: '/farm/logs/b-2/index.html',
    steps: [{ name: 'install-port', logs: [{ name: 'files', url: 'logs/b-2/install-port/files.txt.gz' }, { name: 'stdio', url: 'https://logs.example.org/b-2/stdio.txt.gz' }] }],
  }, 'https://example.github.io/farm');
  assert.deepEqual(json.properties, [
    ['buildername', B, 'Builder'],
    ['buildnumber', 41, 'Build'],
    ['portname', 'py313-numpy', 'Trigger'],
    ['platform', '15_arm64', 'portfarm'],
    ['triggered_by', 'https://example.github.io/farm/builders/ports-15_arm64-watcher/builds/1234', 'Trigger'],
    ['revision', '70b44a41bbbb627007b18ae0551cddb24c009bf2', 'Build'],
  ]);
  assert.deepEqual(json.steps, [{ name: 'install-port', logs: [['files', 'https://example.github.io/farm/logs/b-2/install-port/files.txt.gz'], ['stdio', 'https://logs.example.org/b-2/stdio.txt.gz']] }]);
  assert.equal(json.url, 'https://example.github.io/farm/logs/b-2/index.html');
  // On a host root, as build.macports.org is, models.py's split('/')[6] is the watcher's number.
  const atRoot = buildJson(B, 41, { port: 'x', platform: '15_arm64', watcher: { builder: 'ports-15_arm64-watcher', number: 77 }, url: 'logs/b/' }, 'https://build.macports.org/');
  assert.equal(String(atRoot.properties.find((p) => p[0] === 'triggered_by')?.[1]).split('/')[6], '77');
  // A watcher build has no port and was triggered by no watcher.
  const watcher = buildJson('ports-15_arm64-watcher', 77, { platform: '15_arm64', url: 'logs/w/' }, 'https://build.macports.org');
  assert.deepEqual(watcher.properties.map((p) => p[0]), ['buildername', 'buildnumber', 'platform']);
});

test('a line recorded without its watcher names the platform\'s latest watcher build (the builder in lower case, as the site names builders); a line without a platform has no platform property', () => {
  const json = buildJson(B, 5, { port: 'curl', platform: '10.6_I386', url: 'logs/b/' }, 'https://build.macports.org');
  assert.deepEqual(json.properties, [
    ['buildername', B, 'Builder'],
    ['buildnumber', 5, 'Build'],
    ['portname', 'curl', 'Trigger'],
    ['platform', '10.6_I386', 'portfarm'],
    ['triggered_by', 'https://build.macports.org/builders/ports-10.6_i386-watcher/builds/-1', 'Trigger'],
  ]);
  const bare = buildJson(B, 6, { port: 'curl', watcher: { builder: 'ports-15_arm64-watcher', number: 9 }, url: 'logs/c/' }, 'https://build.macports.org');
  assert.deepEqual(bare.properties.map((p) => p[0]), ['buildername', 'buildnumber', 'portname', 'triggered_by']);
  assert.ok(!JSON.stringify(bare).includes('"platform"'), 'no platform property, not one with no value');
});

function held(number: number, finishedAt: string | undefined, builder = B): WindowBuild {
  const h: Held = { builder, number, port: 'x', platform: '15_arm64', result: 'success', finishedAt, startedAt: undefined, watcher: undefined, failedStep: undefined, revision: undefined, url: 'u', steps: undefined };
  return { held: h, steps: undefined, relative: false, id: undefined };
}

test('the JSON window keeps the builds that finished at most N days before the builder\'s newest, each builder apart', () => {
  const window = new JsonWindow(14);
  const day = (d: number): string => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString();
  window.note(held(1, day(0)));
  window.note(held(2, undefined));
  window.note(held(3, day(10)));
  window.note(held(50, day(0), 'ports-14_x86_64-builder'));
  window.note(held(4, day(15)));
  window.note(held(5, day(24)));
  const numbers = Object.fromEntries([...window.builders()].map(([name, builds]) => [name, builds.map((b) => b.held.number)]));
  // Build 2 has no time: it counts as finished with build 1, so it leaves with it; exactly 14 days before 24 stays.
  assert.deepEqual(numbers, { [B]: [3, 4, 5], 'ports-14_x86_64-builder': [50] });
  assert.throws(() => new JsonWindow(-1), /the JSON window must be 0 or more days, not -1/);
});

test('the window slides over a long ledger without keeping it, and a 0-day window keeps the newest build', () => {
  const window = new JsonWindow(1);
  for (let i = 0; i < 5000; i += 1) window.note(held(i, new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString()));
  const [[, builds] = ['', []]] = [...window.builders()];
  assert.deepEqual(builds.map((b) => b.held.number), Array.from({ length: 25 }, (_, i) => 4975 + i));
  const zero = new JsonWindow(0);
  zero.note(held(1, '2026-01-01T00:00:00Z'));
  zero.note(held(2, '2026-01-01T00:00:01Z'));
  assert.deepEqual([...zero.builders()].map(([, b]) => b.map((x) => x.held.number)), [[2]]);
});
