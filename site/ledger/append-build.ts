import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UserError } from '../../controller/errors/user-error.ts';
import { explainLedgerProblem } from './explain-ledger-problem.ts';
import { ledgerEntrySchema, type LedgerEntry, type NewLedgerEntry } from './ledger-entry.ts';
import { lockLedger } from './lock-ledger.ts';
import { lineBytes, readLines, type TornLine } from './read-ledger.ts';

export interface AppendResult {
  /** The line as written, with its allocated number. */
  readonly entry: LedgerEntry;
  /** Set when the ledger ended in a line torn by a crash; it was cut off before this append. */
  readonly repaired?: TornLine;
}

/**
 * Appends one build to the ledger. Unless `entry.number` is given (imports of legacy builds),
 * the build gets the next number of its builder, continuing from the highest in the ledger, so
 * new links look like the old ones. The line goes down in one write and is fsynced before this
 * resolves; a line torn by an earlier crash is repaired first, so the file only ever holds
 * whole lines followed by at most one torn one.
 */
export async function appendBuild(ledgerPath: string, entry: NewLedgerEntry): Promise<AppendResult> {
  // A bad entry is refused before the ledger is touched: not created, not repaired.
  const shape = ledgerEntrySchema.safeParse({ ...entry, number: entry.number ?? 0 });
  if (!shape.success) throw new UserError(`ledger entry for ${entry.builder}: ${explainLedgerProblem(shape.error, entry)}; nothing was written to ${ledgerPath}`);
  return lockLedger(ledgerPath, async () => {
    const created = !(await exists(ledgerPath));
    const handle = await open(ledgerPath, constants.O_RDWR | constants.O_CREAT | constants.O_APPEND, 0o644);
    try {
      const known = await highestNumbers(ledgerPath, handle);
      const highest = known.get(entry.builder);
      const number = entry.number ?? (highest === undefined ? 0 : highest + 1);
      if (highest !== undefined && number <= highest) {
        throw new UserError(
          `build ${number} of ${entry.builder} is not above the highest one in ${ledgerPath} (${highest}); ` +
            'leave number out to get the next one, or give a higher number',
        );
      }
      const full = { ...entry, number };
      const parsed = ledgerEntrySchema.safeParse(full);
      if (!parsed.success) throw new UserError(`ledger entry for ${entry.builder}: ${explainLedgerProblem(parsed.error, full)}`);
      const repaired = await repairTornTail(ledgerPath, handle);
      // One write of the whole line: O_APPEND puts it at the end even if another writer raced us.
      const line = `${JSON.stringify(parsed.data)}\n`;
      await handle.write(line);
      await handle.sync();
      known.set(parsed.data.builder, number);
      const cached = scanned.get(ledgerPath);
      // After a repair (rare: a crash came first) the next append reads the ledger again.
      if (repaired !== undefined) scanned.delete(ledgerPath);
      else if (cached !== undefined) {
        cached.offset += Buffer.byteLength(line);
        cached.lines += 1;
      }
      if (created) await syncDirectory(dirname(ledgerPath));
      return { entry: parsed.data, ...(repaired === undefined ? {} : { repaired }) };
    } finally {
      await handle.close();
    }
  });
}

/**
 * A crash mid-append leaves a last line without its newline. If that line is complete JSON only
 * the newline is missing and is added; otherwise the partial line is cut off.
 */
async function repairTornTail(path: string, handle: FileHandle): Promise<TornLine | undefined> {
  const { size } = await handle.stat();
  if (size === 0) return undefined;
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return undefined;
  let start = 0;
  const block = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const from = Math.max(0, end - block.length);
    const { bytesRead } = await handle.read(block, 0, end - from, from);
    const at = block.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (at !== -1) {
      start = from + at + 1;
      break;
    }
    end = from;
  }
  const tail = Buffer.alloc(size - start);
  await handle.read(tail, 0, tail.length, start);
  const lines = await countLines(path, start);
  if (isCompleteJson(tail.toString('utf8'))) {
    await handle.write('\n');
  } else {
    await handle.truncate(start);
  }
  await handle.sync();
  return { path, line: lines + 1, bytes: tail.length };
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function countLines(path: string, upTo: number): Promise<number> {
  if (upTo === 0) return 0;
  let count = 0;
  const handle = await open(path, 'r');
  try {
    const block = Buffer.alloc(1 << 20);
    for (let pos = 0; pos < upTo; ) {
      const { bytesRead } = await handle.read(block, 0, Math.min(block.length, upTo - pos), pos);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i += 1) if (block[i] === 0x0a) count += 1;
      pos += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return count;
}

/**
 * Highest number per builder, remembered per ledger with the byte offset (and line count) it was
 * read up to: the ledger only grows, so the next append reads just the lines added since (by
 * anyone) instead of the whole file. A file shorter than the offset (replaced, restored) is read
 * again in full. A torn last line is not passed: only its number counts, if it has one.
 */
const scanned = new Map<string, { offset: number; lines: number; highest: Map<string, number> }>();

async function highestNumbers(path: string, handle: FileHandle): Promise<Map<string, number>> {
  const { size } = await handle.stat();
  let cached = scanned.get(path);
  if (cached === undefined || cached.offset > size) {
    cached = { offset: 0, lines: 0, highest: new Map() };
    scanned.set(path, cached);
  }
  for await (const raw of readLines(path, undefined, cached.offset)) {
    const { text, terminated } = raw;
    const line = cached.lines + 1;
    if (terminated) {
      cached.offset += lineBytes(raw) + 1;
      cached.lines = line;
    }
    if (text.trim() === '') continue;
    let value: { builder?: unknown; number?: unknown };
    try {
      value = JSON.parse(text) as typeof value;
    } catch (caught) {
      if (!terminated) continue;
      scanned.delete(path);
      throw new UserError(`${path}:${line}: not JSON (${short(text)}); fix or remove that line before appending (nothing was written)`, { cause: caught });
    }
    if (typeof value.builder === 'string' && typeof value.number === 'number') {
      const before = cached.highest.get(value.builder);
      if (before === undefined || value.number > before) cached.highest.set(value.builder, value.number);
    }
  }
  return cached.highest;
}

async function exists(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    await handle.close();
    return true;
  } catch {
    return false;
  }
}

/** A new file's directory entry must be durable too, or a crash can lose the whole ledger. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function short(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
