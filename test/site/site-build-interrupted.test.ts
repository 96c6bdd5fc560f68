// `portfarm site build` stopped by SIGTERM or Ctrl-C (SIGINT): the first signal stops it
// gracefully, and it says in one line what the site's folder holds now — not "internal error" —
// and exits as a shell reports a process the signal ended (130 SIGINT, 143 SIGTERM). The CLI runs
// as a process of its own on a generated ledger large enough that the signal lands mid-build.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Interrupted } from '../../controller/errors/interrupted.ts';
import { MANIFEST_PATH } from '../../site/build/site-manifest.ts';
import { captureCli } from '../helpers/capture-cli.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { siteTree } from './assert-same-site.ts';
import { siteScratch } from './site-scratch.ts';
import { ndjson, randomLedger } from './random-ledger.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'controller', 'cli', 'main.ts');
/** Builds of the ledger: a whole build of them takes seconds, so a signal sent as it starts finds it at work. */
const BUILDS = 12_000;
/** Builds of the site already there; the rest are appended for the update in place. */
const FIRST = 3_000;

let dir = '';
let entries: readonly LedgerEntry[] = [];

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

function siteBuild(ledger: string, out: string): Run {
  const child = spawn(process.execPath, [MAIN, 'site', 'build', '--ledger', ledger, '--out', out], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const done = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr }));
  return { child, done };
}

/** Waits (polling every few ms, the child keeps the CPU) until `ready` holds, or fails if the child ended first. */
async function until(run: Run, ready: () => boolean, what: string): Promise<void> {
  while (!ready()) {
    assert.equal(run.child.exitCode, null, `site build ended before ${what}`);
    await sleep(3);
  }
}

/** Runs site build, sends `signal` once `ready` holds (`what`: the moment, for a failure), and gives how the process ended. */
async function interrupt(ledger: string, out: string, signal: 'SIGINT' | 'SIGTERM', ready: () => boolean, what: string): Promise<Awaited<Run['done']>> {
  const run = siteBuild(ledger, out);
  await until(run, ready, what);
  run.child.kill(signal);
  return run.done;
}

/** How a process the signal interrupted ends: its exit code, nothing on stdout, one line on stderr. */
const ended = (code: number, line: string): Awaited<Run['done']> => ({ code, signal: null, stdout: '', stderr: `portfarm: ${line}\n` });

/** The temporary folders a whole build writes beside `--out` (`.site.tmp-…`). */
const temporaries = (): string[] => readdirSync(dir).filter((name) => name.includes('.tmp-'));

before(async () => {
  dir = siteScratch('portfarm-site-interrupted-');
  entries = randomLedger(61, BUILDS);
  // Not the first lines grown (it begins a line later): a site of those is built whole again.
  writeFileSync(join(dir, 'other.ndjson'), ndjson(entries.slice(1)));
  // A site of the ledger's first lines: built whole again (another ledger) and updated in place (the ledger grown).
  writeFileSync(join(dir, 'first.ndjson'), ndjson(entries.slice(0, FIRST)));
  const first = await siteBuild('first.ndjson', 'site').done;
  assert.equal(first.code, 0, first.stderr);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('SIGTERM during a first site build: exit 143, "nothing was written", no folder and no temporary left', async () => {
  assert.deepEqual(
    await interrupt('other.ndjson', 'fresh', 'SIGTERM', () => temporaries().length > 0, 'it made its temporary folder'),
    ended(143, 'site build interrupted by SIGTERM; nothing was written: fresh was not made'),
  );
  assert.equal(existsSync(join(dir, 'fresh')), false);
  assert.deepEqual(temporaries(), []);
});

test('Ctrl-C (SIGINT) while a site is built whole again: exit 130, "nothing was changed", every file as it was', async () => {
  const was = siteTree(join(dir, 'site'));
  const inodes = statSync(join(dir, 'site', MANIFEST_PATH)).ino;
  // Another ledger (not this one grown): the site is built whole into a temporary folder.
  assert.deepEqual(
    await interrupt('other.ndjson', 'site', 'SIGINT', () => temporaries().length > 0, 'it made its temporary folder'),
    ended(130, 'site build interrupted by SIGINT; nothing was changed: site is as before'),
  );
  assert.deepEqual(siteTree(join(dir, 'site')), was);
  assert.equal(statSync(join(dir, 'site', MANIFEST_PATH)).ino, inodes, 'the manifest is the one the first build wrote');
  assert.deepEqual(temporaries(), []);
});

test('SIGTERM while a site is updated in place: exit 143, says it was partly updated, and the next site build builds it whole', async () => {
  // The site of the ledger's first lines (as the test before left it); the rest appended.
  appendFileSync(join(dir, 'first.ndjson'), ndjson(entries.slice(FIRST)));
  // The manifest goes before the update's first write.
  assert.deepEqual(
    await interrupt('first.ndjson', 'site', 'SIGTERM', () => !existsSync(join(dir, 'site', MANIFEST_PATH)), 'it began to write'),
    ended(143, 'site build interrupted by SIGTERM; site was partly updated (each file whole, old or new) and has no manifest now: the next site build builds it whole'),
  );
  assert.equal(existsSync(join(dir, 'site', MANIFEST_PATH)), false);
  const again = await siteBuild('first.ndjson', 'site').done;
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^wrote site: ${BUILDS} builds of `), 'built whole, as the message said');
});

test('SIGTERM while site build waits for the controller\'s ETA snapshot (--eta-url): exit 143, "nothing was changed", not "cannot fetch it"', async () => {
  const was = siteTree(join(dir, 'site'));
  const stop = new AbortController();
  // A controller that takes the request and does not answer; the signal comes while site build waits.
  const server = createServer(() => { stop.abort(new Interrupted('SIGTERM')); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/eta/snapshot`;
    const result = await captureCli(['site', 'build', '--ledger', 'first.ndjson', '--out', 'site', '--eta-url', url], { cwd: dir, signal: stop.signal });
    assert.deepEqual(result, { code: 143, stdout: '', stderr: 'portfarm: site build interrupted by SIGTERM; nothing was changed: site is as before\n' });
    assert.deepEqual(siteTree(join(dir, 'site')), was);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
