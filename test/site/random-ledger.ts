// Random ledgers for the site's property and crash tests (update-site.test.ts, site-build-interrupted.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRandom as random } from '../../controller/sim/seeded-random.ts';
import type { LedgerEntry } from '../../site/ledger/ledger-entry.ts';
import { archivedStepLog, FILES_LOG } from '../../site/lookup/archived-step-log.ts';

/**
 * A random ledger (seeded) as the controller appends it: numbers go up per builder (jumping now
 * and then, so shards fill and new ones start), builders and ports come and go, builds hours
 * apart (a one-day JSON window keeps a few of each builder), lines without a watcher or a finish
 * time, ids by counter and by hash. With `archive`, one port build in ten gets an installed-files
 * list there (a list counts only while its build is in the JSON window, a few builds a builder:
 * more only cost files to link into every site and remove); without, the same lines are made.
 */
export function randomLedger(seed: number, count: number, archive?: string): LedgerEntry[] {
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const platforms = ['15_arm64', '14_arm64', '10.6_i386'];
  const next = new Map<string, number>();
  let time = Date.parse('2026-03-01T00:00:00Z');
  const entries: LedgerEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    // New builders and ports keep appearing as the ledger grows.
    const platform = pick(platforms.slice(0, 1 + Math.floor((i / count) * platforms.length * 1.5)));
    const kind = rand();
    const builder = kind < 0.7 ? `ports-${platform}-builder` : kind < 0.85 ? `ports-${platform}-watcher` : pick(['jobs-www', 'mirror', `jobs-${Math.floor(i / 40)}`]);
    // Numbers jump now and then, so shards fill and new ones start.
    const number = (next.get(builder) ?? (builder.startsWith('ports-10') ? 20_990 : 0)) + (rand() < 0.05 ? 400 : 1);
    next.set(builder, number);
    // Hours apart: a one-day window keeps a few builds of each builder and expires the rest.
    time += Math.floor(rand() * 3 * 3_600_000);
    const isPort = builder.endsWith('-builder');
    const id = rand() < 0.8 ? `k3x9-${(i + 1).toString(36)}` : `pr-${i}-x`;
    if (isPort && rand() < 0.1 && archive !== undefined) {
      mkdirSync(join(archive, id, FILES_LOG.step), { recursive: true });
      writeFileSync(join(archive, id, archivedStepLog(FILES_LOG.step, FILES_LOG.log)), gzipSync(`/opt/local/bin/${id}\n`));
    }
    const result = pick(['success', 'success', 'failure', 'cancelled'] as const);
    entries.push({
      builder,
      number,
      ...(isPort ? { port: `port${Math.floor(rand() * (20 + i))}` } : {}),
      ...(rand() < 0.9 ? { platform } : {}),
      result,
      // Some lines have no finish time (old imports), some a start; some name their watcher.
      ...(rand() < 0.9 ? { finishedAt: new Date(time).toISOString() } : {}),
      ...(rand() < 0.5 ? { startedAt: new Date(time - 600_000).toISOString() } : {}),
      ...(isPort && rand() < 0.5 ? { watcher: { builder: `ports-${platform}-watcher`, number: Math.floor(rand() * 50) } } : {}),
      ...(result === 'failure' ? { failedStep: 'install-port' } : {}),
      ...(rand() < 0.5 ? { revision: pick(['abc123', 'def456', 'fff000']) } : {}),
      url: rand() < 0.9 ? `logs/${id}/index.html` : `https://elsewhere.example.org/${builder}/${number}/`,
      steps: [
        { name: 'install-port', logs: [{ name: 'stdio', url: `logs/${id}/install-port/stdio.txt.gz` }] },
        ...(rand() < 0.3 ? [{ name: 'gather-archives', logs: [{ name: 'stdio', url: `https://other.example.org/${id}.txt` }] }] : []),
      ],
    });
  }
  return entries;
}

/** The ledger's lines, as the controller appends them (NDJSON). */
export function ndjson(entries: readonly LedgerEntry[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
}
