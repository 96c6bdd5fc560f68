import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { coerceError } from '../../controller/errors/coerce-error.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { explainLedgerProblem } from './explain-ledger-problem.ts';
import { isLedgerEntry } from './is-ledger-entry.ts';
import { ledgerEntrySchema, UNSAFE_TARGET, type LedgerEntry } from './ledger-entry.ts';

/** A last line without its newline that is not complete JSON: a crash interrupted its append. */
export interface TornLine {
  readonly path: string;
  readonly line: number;
  readonly bytes: number;
}

/** A line whose only fault is a URL that could lead off the site (written before such URLs were refused). */
export interface UnsafeUrlLine {
  readonly path: string;
  readonly line: number;
  /** What is wrong, naming the key and the value. */
  readonly problem: string;
}

export interface ReadLedgerOptions {
  /** Called once when the last line is torn; the line is skipped. `appendBuild` repairs it. */
  readonly onTornLine: (torn: TornLine) => void;
  /**
   * Called for a line whose only fault is an unsafe URL (`//host`, `/\\host`, `javascript:`);
   * the line is skipped, never emitted. Without it such a line stops the read like any bad line.
   */
  readonly onUnsafeUrl?: (line: UnsafeUrlLine) => void;
  readonly signal?: AbortSignal;
  /** Read from this byte, which starts line `line` (1-based): an update reads only what was appended. */
  readonly from?: { readonly byte: number; readonly line: number };
  /** Kept up to date with the whole lines read so far: where the next read starts, and a digest of them. */
  readonly consumed?: LedgerConsumed;
}

/** The ledger's whole lines read so far (a torn last line is not among them). */
export interface LedgerConsumed {
  /** The byte after the last whole line read. */
  bytes: number;
  /** Whole lines read: the next line's number is `lines + 1`. */
  lines: number;
  /** Updated with the bytes of every whole line read, newline included. */
  readonly hash?: { update(data: Uint8Array): unknown };
}

export interface LedgerLine {
  readonly entry: LedgerEntry;
  /** 1-based line number in the file, for messages. */
  readonly line: number;
}

/**
 * Streams the ledger line by line, validating each line: memory stays flat however many builds
 * it holds. A bad line stops the read with a UserError naming file, line and problem; a torn
 * last line (a crash during an append) is skipped and reported through `onTornLine`.
 */
export async function* readLedger(path: string, options: ReadLedgerOptions): AsyncGenerator<LedgerLine> {
  for await (const batch of readLedgerBatches(path, options)) yield* batch;
}

/**
 * `readLedger` a block of lines at a time: one await per megabyte instead of one per line, which
 * at a million builds is seconds of promise bookkeeping and garbage.
 */
export async function* readLedgerBatches(path: string, options: ReadLedgerOptions): AsyncGenerator<LedgerLine[]> {
  let line = (options.from?.line ?? 1) - 1;
  for await (const block of readLineBlocks(path, options.signal, options.from?.byte ?? 0, options.consumed)) {
    const batch: LedgerLine[] = [];
    for (const raw of block) {
      line += 1;
      if (raw.utf8 && raw.text.trim() === '') continue;
      let value: unknown;
      try {
        if (!raw.utf8) throw new SyntaxError('not UTF-8 text');
        value = JSON.parse(raw.text);
      } catch (caught) {
        // A crash can cut a line anywhere, even inside a multi-byte character.
        if (!raw.terminated) {
          options.onTornLine({ path, line, bytes: lineBytes(raw) });
          break;
        }
        if (!raw.utf8) {
          throw new UserError(`${path}:${line}: is not UTF-8 text (${short(raw.text)}); the ledger is UTF-8 JSON, one build per line: fix or remove that line (nothing was written)`);
        }
        const why = caught instanceof Error ? caught.message : String(caught);
        throw new UserError(`${path}:${line}: not a JSON object (${why}); fix or remove that line (nothing was written)`);
      }
      if (isLedgerEntry(value)) {
        batch.push({ entry: value, line });
        continue;
      }
      const parsed = ledgerEntrySchema.safeParse(value);
      if (!parsed.success && options.onUnsafeUrl !== undefined && parsed.error.issues.every((issue) => issue.code === 'custom' && issue.params?.[UNSAFE_TARGET] === true)) {
        options.onUnsafeUrl({ path, line, problem: explainLedgerProblem(parsed.error, value) });
        continue;
      }
      if (!parsed.success) {
        throw new UserError(`${path}:${line}: ${explainLedgerProblem(parsed.error, value)}; fix or remove that line (nothing was written)`);
      }
      batch.push({ entry: parsed.data, line });
    }
    if (batch.length > 0) yield batch;
  }
}

/** A line as read; one whose bytes are not UTF-8 is decoded with U+FFFD (for messages only) and keeps its byte count. */
type RawLine = { readonly text: string; readonly terminated: boolean } & ({ readonly utf8: true } | { readonly utf8: false; readonly bytes: number });

/** The line's length in the file, without its newline. */
export function lineBytes(raw: RawLine): number {
  return raw.utf8 ? Buffer.byteLength(raw.text) : raw.bytes;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { ignoreBOM: true });

/** Lines one by one, from byte `start`. */
export async function* readLines(path: string, signal?: AbortSignal, start = 0): AsyncGenerator<RawLine> {
  for await (const block of readLineBlocks(path, signal, start)) yield* block;
}

/**
 * Splits the file on `\n` in large chunks (readline is several times slower at a million
 * lines), a block of lines per chunk. Bytes are decoded a block of whole lines at a time (cut at
 * a newline byte, never inside a character), strictly, so a line that is not UTF-8 is reported
 * as such instead of being read with replacement characters; an all-ASCII block (the usual
 * ledger) is valid UTF-8 as it stands and is decoded as Latin-1, a plain copy.
 */
export async function* readLineBlocks(path: string, signal?: AbortSignal, start = 0, consumed?: LedgerConsumed): AsyncGenerator<RawLine[]> {
  if (consumed !== undefined) consumed.bytes = start;
  const stream = createReadStream(path, { highWaterMark: 1 << 20, start, ...(signal === undefined ? {} : { signal }) });
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      const bytes = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
      const cut = bytes.lastIndexOf(0x0a);
      if (cut === -1) {
        rest = bytes;
        continue;
      }
      const whole = wholeLines(bytes.subarray(0, cut));
      if (consumed !== undefined) {
        consumed.hash?.update(bytes.subarray(0, cut + 1));
        consumed.bytes += cut + 1;
        consumed.lines += whole.length;
      }
      yield whole;
      rest = bytes.subarray(cut + 1);
    }
  } catch (caught) {
    const code = (caught as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`ledger ${path} not found; pass the NDJSON build ledger to --ledger`, { cause: caught });
    if (code === 'EISDIR') throw new UserError(`ledger ${path} is a folder; pass the NDJSON build ledger file to --ledger`, { cause: caught });
    throw coerceError(caught);
  }
  if (rest.length > 0) yield [{ ...decodeLine(rest), terminated: false }];
}

/** `block` is whole lines without the newline after the last one: every line in it is terminated. */
function wholeLines(block: Buffer): RawLine[] {
  let text: string;
  if (isAscii(block)) text = block.toString('latin1');
  else {
    try {
      text = strict.decode(block);
    } catch {
      // Some line is not UTF-8: decode line by line to say which.
      const lines: RawLine[] = [];
      let from = 0;
      for (let end = block.indexOf(0x0a); ; end = block.indexOf(0x0a, from)) {
        lines.push({ ...decodeLine(block.subarray(from, end === -1 ? block.length : end)), terminated: true });
        if (end === -1) return lines;
        from = end + 1;
      }
    }
  }
  return text.split('\n').map((line) => ({ text: line, terminated: true, utf8: true }));
}

function decodeLine(bytes: Buffer): { readonly text: string; readonly utf8: true } | { readonly text: string; readonly utf8: false; readonly bytes: number } {
  try {
    return { text: strict.decode(bytes), utf8: true };
  } catch {
    return { text: lenient.decode(bytes), utf8: false, bytes: bytes.length };
  }
}

function short(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
