import type { DatabaseSync } from 'node:sqlite';
import type { BuildId } from '../model/build-id.ts';
import type { BuildResult } from '../model/build-kind.ts';
import { deleteMeta } from '../store/sql/delete-meta.ts';
import { getMeta } from '../store/sql/get-meta.ts';
import { metaByPrefix } from '../store/sql/meta-by-prefix.ts';
import { setMeta } from '../store/sql/set-meta.ts';

/**
 * A finished build whose ledger line is not written yet (`unrecorded:<id>` in `meta`): written
 * in the transaction that finishes the build, cleared once the ledger line is down, so a crash
 * between the two is recorded on the next start. It says how to record the build: the result,
 * and the failed phase when the queue decided it (`cancelled-by-others`).
 */
export interface FinishNote {
  readonly buildId: BuildId;
  readonly result: BuildResult;
  readonly phase: string | null;
  readonly runId: number;
  readonly at: Date;
}

const UNRECORDED = 'unrecorded:';

interface Stored {
  result: BuildResult;
  phase?: string;
  runId: number;
  at: number;
}

export function writeFinishNote(db: DatabaseSync, note: FinishNote): void {
  const stored: Stored = { result: note.result, runId: note.runId, at: note.at.getTime(), ...(note.phase === null ? {} : { phase: note.phase }) };
  setMeta(db, `${UNRECORDED}${note.buildId}`, JSON.stringify(stored));
}

export function readFinishNote(db: DatabaseSync, buildId: BuildId): FinishNote | undefined {
  const value = getMeta(db, `${UNRECORDED}${buildId}`);
  return value === undefined ? undefined : parse(buildId, value);
}

export function allFinishNotes(db: DatabaseSync): FinishNote[] {
  return metaByPrefix(db, UNRECORDED).map(({ key, value }) => parse(key.slice(UNRECORDED.length), value));
}

export function clearFinishNote(db: DatabaseSync, buildId: BuildId): void {
  deleteMeta(db, `${UNRECORDED}${buildId}`);
}

function parse(buildId: BuildId, value: string): FinishNote {
  const note = JSON.parse(value) as Stored;
  return { buildId, result: note.result, phase: note.phase ?? null, runId: note.runId, at: new Date(note.at) };
}
