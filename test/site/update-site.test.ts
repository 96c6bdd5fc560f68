// `site build` on a ledger that has only grown updates the site in place (site/build/update-site.ts).
// The site it leaves must be the one a build of the whole ledger writes, byte for byte: the
// same files, the same bytes, the same manifest. Ledgers are random (seeded), split at random
// places, with the JSON window expiring builds, new builders and ports, shards filling up,
// builds without a watcher or a finish time, ids by counter and by hash, installed-files lists.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../controller/config/load-config.ts';
import { buildSite, type SiteSummary } from '../../site/build/build-site.ts';
import { MANIFEST_PATH } from '../../site/build/site-manifest.ts';
import type { EtaSnapshot } from '../../site/build/eta-snapshot.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { FILES_LOG } from '../../site/lookup/archived-step-log.ts';
import { seededRandom as random } from '../../controller/sim/seeded-random.ts';
import { assertSameSite } from './assert-same-site.ts';
import { siteScratch } from './site-scratch.ts';
import { ndjson as lines, randomLedger as ledger } from './random-ledger.ts';

const SITE = 'https://build.example.org/';

/**
 * A controller's ETA snapshot over some of the ledger's ports (one spelt in another case) and
 * ports it has no build of yet: platforms, positions, estimates and reasons for none at random.
 */
function snapshot(seed: number, ports: number): EtaSnapshot {
  const rand = random(seed);
  const platforms = ['15_arm64', '14_arm64', '10.6_i386'];
  const generatedAt = Date.parse('2026-04-01T00:00:00Z') + Math.floor(rand() * 86_400_000);
  const at = (minutes: number): string => new Date(generatedAt + minutes * 60_000).toISOString();
  const builds: EtaSnapshot['builds'][number][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < 10 + Math.floor(rand() * 120); i += 1) {
    const n = Math.floor(rand() * ports * 1.3);
    const port = n >= ports ? `newport${n}` : rand() < 0.05 ? `Port${n}` : `port${n}`;
    const platform = platforms[Math.floor(rand() * platforms.length)] as string;
    if (seen.has(`${port.toLowerCase()} ${platform}`)) continue;
    seen.add(`${port.toLowerCase()} ${platform}`);
    const low = Math.floor(rand() * 600);
    const known = rand() < 0.8;
    builds.push({
      port,
      platform,
      state: rand() < 0.8 ? 'pending' : 'started',
      position: Math.floor(rand() * 500),
      finish: known ? { low: at(low), mid: at(low + 30), high: at(low + 90) } : null,
      unknown: known ? null : rand() < 0.5 ? 'no-history' : 'beyond-limit',
    });
  }
  return { v: 1, generatedAt: new Date(generatedAt).toISOString(), builds };
}

interface BuildExtra {
  readonly onWritten?: (path: string) => void;
  readonly eta?: { readonly snapshot: EtaSnapshot; readonly live?: string } | undefined;
  readonly now?: () => Date;
}

async function build(ledgerPath: string, outDir: string, archive: string, extra: BuildExtra = {}): Promise<SiteSummary> {
  return buildSite({
    ledgerPath,
    outDir,
    baseUrl: SITE,
    logArchiveDir: archive,
    jsonWindowDays: 1,
    now: () => new Date('2026-05-01T00:00:00Z'),
    onTornLine: () => assert.fail('torn line'),
    onUnsafeUrl: (bad) => assert.fail(bad.problem),
    ...extra,
  });
}

/** The installed-files lists a site has (`builders/<b>/builds/<n>/steps/install-port/logs/files/text`), by path. */
function filesLists(site: string): Set<string> {
  const tail = join('steps', FILES_LOG.step, 'logs', FILES_LOG.log, 'text');
  return new Set(readdirSync(join(site, 'builders'), { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith(tail)));
}

test('a site updated with appended lines is the site built from the whole ledger, byte for byte, over random splits', async () => {
  // What the updates did to installed-files lists over all seeds: the window must take some in and let some go.
  let listsIn = 0;
  let listsOut = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const dir = siteScratch('portfarm-site-update-');
    const archive = join(dir, 'archive');
    const entries = ledger(seed, 900, archive);
    const rand = random(seed * 7);
    // Two or three appends, each cut at a random place (some a handful of lines, some hundreds).
    const cuts = [...new Set([Math.floor(rand() * 600), Math.floor(rand() * 800), 890 + Math.floor(rand() * 10)])].sort((a, b) => a - b);
    const ledgerPath = join(dir, 'ledger.ndjson');
    writeFileSync(ledgerPath, lines(entries.slice(0, cuts[0])));
    const site = join(dir, 'site');
    await build(ledgerPath, site, archive);
    for (const [i, cut] of cuts.entries()) {
      if (i === 0) continue;
      appendFileSync(ledgerPath, lines(entries.slice(cuts[i - 1], cut)));
      const listsBefore = filesLists(site);
      const updated = await build(ledgerPath, site, archive);
      assert.ok(updated.updated !== undefined, `seed ${seed}, lines ${cuts[i - 1]}–${cut}: updated in place, not built whole`);
      const listsAfter = filesLists(site);
      listsIn += [...listsAfter].filter((path) => !listsBefore.has(path)).length;
      listsOut += [...listsBefore].filter((path) => !listsAfter.has(path)).length;
      const whole = join(dir, `whole-${i}`);
      const summary = await build(ledgerPath, whole, archive);
      assertSameSite(site, whole, `seed ${seed}, lines 0–${cuts[i - 1]} then to ${cut}`);
      const { updated: _written, ...said } = updated;
      assert.deepEqual(said, summary, 'the update says what a whole build says');
      rmSync(whole, { recursive: true });
    }
    rmSync(dir, { recursive: true });
  }
  assert.ok(listsIn > 0 && listsOut > 0, `the updates wrote installed-files lists of new window builds (${listsIn}) and removed those of builds that left it (${listsOut})`);
});

test('an update cut short anywhere leaves a site the next site build repairs to the whole ledger’s', async () => {
  const dir = siteScratch('portfarm-site-update-crash-');
  const archive = join(dir, 'archive');
  const entries = ledger(11, 300, archive);
  const ledgerPath = join(dir, 'ledger.ndjson');
  writeFileSync(ledgerPath, lines(entries));
  const whole = join(dir, 'whole');
  await build(ledgerPath, whole, archive);
  for (const after of [0, 1, 7, 40]) {
    const site = join(dir, `site-${after}`);
    writeFileSync(ledgerPath, lines(entries.slice(0, 200)));
    await build(ledgerPath, site, archive);
    appendFileSync(ledgerPath, lines(entries.slice(200)));
    let written = 0;
    // A crash after `after` files are in place: nothing after that point runs.
    await assert.rejects(
      build(ledgerPath, site, archive, {
        onWritten: () => {
          written += 1;
          if (written > after) throw new Error('crash');
        },
      }),
      /crash/,
    );
    assert.equal(existsSync(join(site, MANIFEST_PATH)), false, 'a site cut short has no manifest');
    const repaired = await build(ledgerPath, site, archive);
    assert.equal(repaired.updated, undefined, 'without a manifest the site is built whole');
    assertSameSite(site, whole, `cut after ${after} files`);
  }
  rmSync(dir, { recursive: true });
});

test('kill -9 of site build while it updates the site: the next site build gives the whole ledger’s site', async () => {
  const dir = siteScratch('portfarm-site-update-kill-');
  const entries = ledger(31, 2400);
  const ledgerPath = join(dir, 'ledger.ndjson');
  const cli = (out: string): ReturnType<typeof spawn> =>
    spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'controller', 'cli', 'main.ts'), 'site', 'build', '--ledger', ledgerPath, '--out', out], { cwd: dir, stdio: 'ignore' });
  // The sites `site build` writes there without a config file (its defaults), built in this process: a process start less each.
  const { site: defaults } = loadConfig({ cwd: dir, allowDefaults: true }, {});
  const asCli = (out: string): Promise<SiteSummary> =>
    buildSite({ ledgerPath, outDir: out, baseUrl: defaults.baseUrl, logArchiveUrl: defaults.logArchiveUrl, onTornLine: () => assert.fail('torn line'), onUnsafeUrl: (bad) => assert.fail(bad.problem) });
  writeFileSync(ledgerPath, lines(entries.slice(0, 1200)));
  const site = join(dir, 'site');
  await asCli(site);
  appendFileSync(ledgerPath, lines(entries.slice(1200)));
  const update = cli(site);
  const exited = once(update, 'exit');
  // The manifest goes before the update's first write: kill the process as soon as it has gone
  // (a site build that does not take the site above for its own builds it whole and is not killed: the test fails).
  while (existsSync(join(site, MANIFEST_PATH)) && update.exitCode === null) await new Promise((done) => setImmediate(done));
  update.kill('SIGKILL');
  const [code, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL', `site build was killed mid-update, not finished (exit ${code})`);
  assert.equal(existsSync(join(site, MANIFEST_PATH)), false);
  // The rerun, and meanwhile a whole build to hold it against.
  const whole = join(dir, 'whole');
  const [rerun] = await Promise.all([once(cli(site), 'exit') as Promise<[number | null]>, asCli(whole)]);
  assert.equal(rerun[0], 0);
  assertSameSite(site, whole, 'after kill -9 and a rerun', false);
  rmSync(dir, { recursive: true });
});

test('lines that are not appends in number order (a repeat, an import out of order) build the whole site', async () => {
  const dir = siteScratch('portfarm-site-update-order-');
  const archive = join(dir, 'archive');
  const entries = ledger(21, 300, archive);
  const ledgerPath = join(dir, 'ledger.ndjson');
  writeFileSync(ledgerPath, lines(entries));
  const site = join(dir, 'site');
  await build(ledgerPath, site, archive);
  const repeat = entries[10] as LedgerEntry;
  appendFileSync(ledgerPath, lines([{ ...repeat, port: 'again' }]));
  const rebuilt = await build(ledgerPath, site, archive);
  assert.equal(rebuilt.updated, undefined);
  assert.equal(rebuilt.duplicates, 1);
  const whole = join(dir, 'whole');
  await build(ledgerPath, whole, archive);
  assertSameSite(site, whole, 'a repeated build');
  rmSync(dir, { recursive: true });
});

test('an ETA snapshot (new each run, the same, none any more) updates the site in place to the whole build with that snapshot, byte for byte', async () => {
  for (const seed of [1, 2, 3, 4]) {
    const dir = siteScratch('portfarm-site-update-eta-');
    const archive = join(dir, 'archive');
    const entries = ledger(seed, 300, archive);
    const rand = random(seed * 13);
    const ledgerPath = join(dir, 'ledger.ndjson');
    const site = join(dir, 'site');
    const live = 'https://controller.example.org/api/eta/public';
    // Per step: lines to append (0: none), and the snapshot then (undefined: none; a number: that snapshot's seed).
    const steps: [number, number | undefined][] = [
      [120, seed * 100],
      [80, seed * 100 + 1],
      [0, seed * 100 + 2],
      [0, seed * 100 + 2],
      [50, seed * 100 + 2],
      [0, undefined],
      [25, undefined],
      [25, seed * 100 + 3],
    ];
    let at = 0;
    let previous: number | undefined;
    for (const [i, [add, snap]] of steps.entries()) {
      appendFileSync(ledgerPath, lines(entries.slice(at, at + add)));
      at += add;
      const now = new Date(Date.parse('2026-05-01T00:00:00Z') + i * 3_600_000 + Math.floor(rand() * 1000));
      const eta = snap === undefined ? undefined : { snapshot: snapshot(snap, 20 + at), ...(snap % 2 === 0 ? { live } : {}) };
      const what = `seed ${seed}, step ${i}: ${at} lines, snapshot ${String(snap)}`;
      const updated = await build(ledgerPath, site, archive, { eta, now: () => now });
      if (i > 0 && add === 0 && snap === previous) assert.equal(updated.unchanged, true, `${what}: same ledger, same snapshot: nothing written`);
      else if (i > 0) assert.ok(updated.updated !== undefined, `${what}: updated in place, not built whole`);
      // Nothing written (the site keeps the clock of the run that wrote it): no whole build to hold it against.
      if (!(updated.unchanged ?? false)) {
        const whole = join(dir, `whole-${i}`);
        const summary = await build(ledgerPath, whole, archive, { eta, now: () => now });
        assertSameSite(site, whole, what);
        const { updated: _written, ...said } = updated;
        assert.deepEqual(said, summary, `${what}: the update says what a whole build says`);
        rmSync(whole, { recursive: true });
      }
      if (eta !== undefined) {
        const index = JSON.parse(readFileSync(join(site, 'map', '_index.json'), 'utf8')) as { eta?: { asOf: string }; builtAt?: string };
        assert.equal(index.eta?.asOf, eta.snapshot.generatedAt, `${what}: the index names the snapshot`);
      }
      previous = snap;
    }
    rmSync(dir, { recursive: true });
  }
});

test('an update writes the files of the ports its lines name, and of the ports whose pending builds the new snapshot changes, no other port file', async () => {
  const dir = siteScratch('portfarm-site-update-ports-');
  const archive = join(dir, 'archive');
  const entries = ledger(41, 400, archive);
  const ledgerPath = join(dir, 'ledger.ndjson');
  writeFileSync(ledgerPath, lines(entries));
  const site = join(dir, 'site');
  const ports = join(site, 'map', '_ports');
  const pending = (port: string, position: number): EtaSnapshot['builds'][number] => ({ port, platform: '15_arm64', state: 'pending', position, finish: null, unknown: 'no-history' });
  const first: EtaSnapshot = { v: 1, generatedAt: '2026-04-01T00:00:00.000Z', builds: [pending('port1', 3), pending('port2', 4), pending('Newport77', 9)] };
  await build(ledgerPath, site, archive, { eta: { snapshot: first } });
  /** Each port file's inode: a file written again (to a temporary name, renamed over it) has a new one. */
  const inodes = (): Map<string, number> => new Map(readdirSync(ports).map((name) => [name, statSync(join(ports, name)).ino]));
  const rewritten = (before: Map<string, number>): string[] => [...inodes()].filter(([name, ino]) => before.get(name) !== ino).map(([name]) => name).sort();
  assert.ok(inodes().size > 50, 'the ledger has many ports');
  for (const port of ['port1', 'port2', 'port3', 'port4']) assert.ok(entries.some((e) => e.port === port), `the ledger has builds of ${port}`);
  assert.ok(existsSync(join(ports, 'newport77.json')), 'a port with only pending builds has a file, named in lower case');

  // One new build of port3 (and port2's pending build the same as before): only port3's file is written.
  const builder = 'ports-15_arm64-builder';
  const latest = Math.max(...entries.filter((e) => e.builder === builder).map((e) => e.number));
  const line: LedgerEntry = { builder, number: latest + 1, port: 'port3', platform: '15_arm64', result: 'success', finishedAt: '2026-06-01T00:00:00.000Z', url: 'logs/new/index.html' };
  appendFileSync(ledgerPath, lines([line]));
  let before = inodes();
  const updated = await build(ledgerPath, site, archive, { eta: { snapshot: first } });
  assert.ok(updated.updated !== undefined, 'updated in place');
  assert.deepEqual(rewritten(before), ['port3.json']);

  // A new snapshot: port1 no longer pending, port2 as before (minutes after a new time: its file is the same), port4 new, Newport77 gone (pending only: its file goes).
  const second: EtaSnapshot = { v: 1, generatedAt: '2026-04-01T00:00:00.000Z', builds: [pending('port2', 4), pending('port4', 1)] };
  before = inodes();
  const again = await build(ledgerPath, site, archive, { eta: { snapshot: second } });
  assert.ok(again.updated !== undefined, 'a new snapshot updates in place');
  assert.deepEqual(rewritten(before), ['port1.json', 'port4.json']);
  assert.equal(existsSync(join(ports, 'newport77.json')), false, 'a port with only pending builds has no file once they are gone');
  const whole = join(dir, 'whole');
  await build(ledgerPath, whole, archive, { eta: { snapshot: second } });
  assertSameSite(site, whole, 'after the new snapshot');
  rmSync(dir, { recursive: true });
});
