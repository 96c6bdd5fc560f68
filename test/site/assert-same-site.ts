// Two sites compared file by file, byte for byte: what an update in place (or a repair) must leave.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file and folder below `root` with its bytes (folders as ''). */
export function siteTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const path = relative(root, join(entry.parentPath, entry.name));
    out.set(path, entry.isDirectory() ? '' : readFileSync(join(root, path), 'latin1'));
  }
  return out;
}

/** `map/_index.json`'s `builtAt` is the clock of the run that wrote it: two CLI runs differ there and only there. */
export function withoutBuiltAt(site: Map<string, string>): Map<string, string> {
  const index = site.get('map/_index.json');
  if (index !== undefined) site.set('map/_index.json', index.replace(/"builtAt":"[^"]*"/, '"builtAt":""'));
  return site;
}

export function assertSameSite(updated: string, whole: string, what: string, sameClock = true): void {
  const a = sameClock ? siteTree(updated) : withoutBuiltAt(siteTree(updated));
  const b = sameClock ? siteTree(whole) : withoutBuiltAt(siteTree(whole));
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), `${what}: the same files and folders`);
  for (const [path, bytes] of b) assert.ok(a.get(path) === bytes, `${what}: ${path} differs`);
}
