import type { BuildKind, RunState } from '../model/build-kind.ts';
import type { QueueEntry } from '../queue/core/queue-entry.ts';

const KINDS: readonly BuildKind[] = ['watcher', 'builder', 'pr-watcher', 'pr-builder'];
const STATES: readonly RunState[] = ['pending', 'dispatched', 'started', 'finished'];

/** A `queue_entry` row back into the core's record (the schema's checks make the casts safe; they are verified anyway). */
export function rowToEntry(row: Record<string, unknown>): QueueEntry {
  const text = (key: string): string => {
    const v = row[key];
    if (typeof v !== 'string') throw new Error(`queue_entry.${key} is ${JSON.stringify(v)}, expected text`);
    return v;
  };
  const num = (key: string): number => {
    const v = row[key];
    if (typeof v !== 'number') throw new Error(`queue_entry.${key} is ${JSON.stringify(v)}, expected a number`);
    return v;
  };
  const optText = (key: string): string | null => (row[key] === null ? null : text(key));
  const optNum = (key: string): number | null => (row[key] === null ? null : num(key));
  const kind = KINDS.find((k) => k === row.kind);
  const state = STATES.find((s) => s === row.state);
  if (kind === undefined || state === undefined) throw new Error(`queue_entry ${String(row.build_id)} has kind ${String(row.kind)} state ${String(row.state)}`);
  const changed = optText('changed_ports');
  return {
    buildId: text('build_id'),
    platform: text('platform'),
    kind,
    port: optText('port'),
    portsRevision: text('ports_revision'),
    state,
    seq: num('seq'),
    enqueuedAt: num('enqueued_at'),
    changedPorts: changed === null ? null : (JSON.parse(changed) as string[]),
    force: num('force') === 1,
    prNumber: optNum('pr_number'),
    origin: optText('origin'),
    listIndex: num('list_index'),
    rank: num('rank'),
    builderClass: num('builder_class') === 1 ? 1 : 0,
    head: num('head') === 1,
    runId: optNum('run_id'),
    lane: optNum('lane'),
    dispatchedAt: optNum('dispatched_at'),
    startedAt: optNum('started_at'),
    listAccepted: num('list_accepted') === 1,
    cancelRequested: num('cancel_requested') === 1,
  };
}
