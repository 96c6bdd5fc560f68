import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../images/write-json-atomic.ts';
import { isSafeRelativePath, quarantineDir, type CacheLayout } from './cache-layout.ts';

const EXPIRY_FILE = '.expires.json';

/** Records when a build's quarantine folder may be deleted (written when its upload is granted). */
export function writeQuarantineExpiry(layout: CacheLayout, buildId: string, expiresAt: string): void {
  writeJsonAtomic(join(quarantineDir(layout, buildId), EXPIRY_FILE), { buildId, expiresAt });
}

/** Pure: which quarantine folders are due, given their expiry times. A folder without a readable expiry is due (it was never granted properly). */
export function planQuarantineSweep(entries: readonly { readonly buildId: string; readonly expiresAt: string | null }[], now: Date): readonly string[] {
  return entries.filter((e) => e.expiresAt === null || !(Date.parse(e.expiresAt) > now.getTime())).map((e) => e.buildId).sort();
}

/** Deletes expired quarantine folders; returns the build ids removed. */
export function sweepQuarantine(layout: CacheLayout, now: Date): readonly string[] {
  if (!existsSync(layout.quarantineRoot)) return [];
  const entries = readdirSync(layout.quarantineRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSafeRelativePath(d.name))
    .map((d) => ({ buildId: d.name, expiresAt: readExpiry(join(layout.quarantineRoot, d.name, EXPIRY_FILE)) }));
  const due = planQuarantineSweep(entries, now);
  for (const buildId of due) rmSync(quarantineDir(layout, buildId), { recursive: true, force: true });
  return due;
}

function readExpiry(path: string): string | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value === 'object' && value !== null && 'expiresAt' in value && typeof value.expiresAt === 'string') return value.expiresAt;
    return null;
  } catch {
    return null;
  }
}
