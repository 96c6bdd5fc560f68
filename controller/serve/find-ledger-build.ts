import { open } from 'node:fs/promises';

/** How far back from the end of the ledger a build is looked for: some 30,000 builds, a full rebuild's worth. */
const SEARCH_BYTES = 16 << 20;
const CHUNK = 1 << 20;

/**
 * The builder and number the ledger gave a build, found by its id in its log URL
 * (`…/logs/<buildId>/…`) among the last lines (default 16 MiB), newest first: how a builder
 * learns its watcher's number (buildbot's `triggered_by`). Undefined when not there (the
 * watcher is not recorded yet, or was long ago).
 */
export async function findLedgerBuild(ledgerPath: string, buildId: string, searchBytes = SEARCH_BYTES): Promise<{ readonly builder: string; readonly number: number } | undefined> {
  const found = await findLedgerLine(ledgerPath, buildId, searchBytes);
  return found === undefined ? undefined : { builder: found.builder, number: found.number };
}

/** What a build's ledger line says of how it ended: where its page is and the step that failed. */
export interface LedgerLine {
  readonly builder: string;
  readonly number: number;
  readonly failedStep?: string;
}

/**
 * The newest line naming the build among the last lines (default 16 MiB), as `findLedgerBuild`
 * finds it, with its failed step: how a build whose line was written before a crash
 * cut its recording short is completed from the ledger (on-ledgered-build.ts).
 */
export async function findLedgerLine(ledgerPath: string, buildId: string, searchBytes = SEARCH_BYTES): Promise<LedgerLine | undefined> {
  let handle;
  try {
    handle = await open(ledgerPath, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const needle = archivedUnder(buildId);
    const stop = Math.max(0, size - searchBytes);
    // Read back chunk by chunk; a line cut at a chunk's start is read whole with the next chunk.
    let end = size;
    let carry = '';
    while (end > stop) {
      const from = Math.max(stop, end - CHUNK);
      const buffer = Buffer.alloc(end - from);
      await handle.read(buffer, 0, buffer.length, from);
      const text = buffer.toString('utf8') + carry;
      const lines = text.split('\n');
      carry = from > stop ? (lines.shift() ?? '') : '';
      for (let i = lines.length - 1; i >= 0; i -= 1) {
        const line = lines[i] ?? '';
        if (!needle.test(line)) continue;
        const found = parse(line);
        if (found !== undefined) return found;
      }
      end = from;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/**
 * A ledger line's log URLs name the build's archive folder: absolute (`…/logs/<id>/…`) or, without
 * site.logArchiveUrl, relative to the site (`"logs/<id>/…`).
 */
export function archivedUnder(buildId: string): RegExp {
  return new RegExp(`["/]logs/${buildId.replace(/[^A-Za-z0-9-]/g, '\\$&')}/`);
}

function parse(line: string): LedgerLine | undefined {
  try {
    const value = JSON.parse(line) as { builder?: unknown; number?: unknown; failedStep?: unknown };
    if (typeof value.builder !== 'string' || typeof value.number !== 'number') return undefined;
    return {
      builder: value.builder,
      number: value.number,
      ...(typeof value.failedStep === 'string' ? { failedStep: value.failedStep } : {}),
    };
  } catch {
    return undefined;
  }
}
