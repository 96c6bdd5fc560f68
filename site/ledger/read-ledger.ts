import { createReadStream } from 'node:fs';
import { coerceError } from '../../controller/errors/coerce-error.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { explainLedgerProblem } from './explain-ledger-problem.ts';
import { isLedgerEntry } from './is-ledger-entry.ts';
import { ledgerEntrySchema, type LedgerEntry } from './ledger-entry.ts';

/** A last line without its newline that is not complete JSON: a crash interrupted its append. */
export interface TornLine {
  readonly path: string;
  readonly line: number;
  readonly bytes: number;
}

export interface ReadLedgerOptions {
  /** Called once when the last line is torn; the line is skipped. `appendBuild` repairs it. */
  readonly onTornLine: (torn: TornLine) => void;
  readonly signal?: AbortSignal;
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
  let line = 0;
  for await (const raw of readLines(path, options.signal)) {
    line += 1;
    if (raw.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw.text);
    } catch (caught) {
      if (!raw.terminated) {
        options.onTornLine({ path, line, bytes: Buffer.byteLength(raw.text) });
        return;
      }
      const why = caught instanceof Error ? caught.message : String(caught);
      throw new UserError(`${path}:${line}: not a JSON object (${why}); fix or remove that line (nothing was written)`);
    }
    if (isLedgerEntry(value)) {
      yield { entry: value, line };
      continue;
    }
    const parsed = ledgerEntrySchema.safeParse(value);
    if (!parsed.success) {
      throw new UserError(`${path}:${line}: ${explainLedgerProblem(parsed.error, value)}; fix or remove that line (nothing was written)`);
    }
    yield { entry: parsed.data, line };
  }
}

interface RawLine {
  readonly text: string;
  /** False only for a last line that has no newline after it. */
  readonly terminated: boolean;
}

/** Splits the file on `\n` in large chunks (readline is several times slower at a million lines). */
export async function* readLines(path: string, signal?: AbortSignal, start = 0): AsyncGenerator<RawLine> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20, start, ...(signal === undefined ? {} : { signal }) });
  let rest = '';
  try {
    for await (const chunk of stream) {
      const text = rest + (chunk as string);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        yield { text: text.slice(start, end), terminated: true };
        start = end + 1;
      }
      rest = text.slice(start);
    }
  } catch (caught) {
    const code = (caught as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`ledger ${path} not found; pass the NDJSON build ledger to --ledger`, { cause: caught });
    if (code === 'EISDIR') throw new UserError(`ledger ${path} is a folder; pass the NDJSON build ledger file to --ledger`, { cause: caught });
    throw coerceError(caught);
  }
  if (rest !== '') yield { text: rest, terminated: false };
}
