import { writeSync } from 'node:fs';

/**
 * The places between two durable steps where a `kill -9` can fall, named so a test can put
 * one there on purpose (`PORTFARM_CRASH_AT=<name>[#<hit>]`: the controller SIGKILLs itself the
 * <hit>th time, default the first, it passes that place). Unset, as in production, a crash
 * point is one comparison. Each name says what is durable and what is not yet:
 */
export const CRASH_POINTS = [
  /** A webhook delivery is stored (claimed) but not answered: GitHub sees a failed delivery. */
  'webhook-claimed',
  /** A delivery's work is done (its watchers queued, its run finished) but it is not marked processed. */
  'delivery-worked',
  /** One platform's watcher of a push is queued, the next platform's not yet. */
  'watcher-queued',
  /** A watcher's list is accepted (builders queued) but not answered: its hand-off step fails. */
  'list-accepted',
  /** A dispatch's intent is committed; GitHub was not asked. */
  'dispatch-intent',
  /** GitHub created the run; its id is not recorded. */
  'dispatch-answered',
  /** A cancel (preemption) is recorded as asked for; GitHub was not asked. */
  'cancel-requested',
  /** GitHub cancelled the run; the build is not queued again yet. */
  'cancel-answered',
  /** A run's finish is committed (a lost watcher queued again); the ledger line is not written. */
  'run-finished',
  /** The ledger line is written; the finish note is not cleared. */
  'ledger-written',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

const ENV = 'PORTFARM_CRASH_AT';

interface Armed {
  readonly point: CrashPoint;
  readonly hit: number;
}

/** Reads `PORTFARM_CRASH_AT`; refuses a value that names no crash point, so a typo cannot make a test pass by never crashing. */
export function parseCrashAt(value: string | undefined): Armed | null {
  if (value === undefined || value === '') return null;
  const match = /^([a-z-]+)(?:#([1-9][0-9]*))?$/.exec(value);
  const point = CRASH_POINTS.find((p) => p === match?.[1]);
  if (match === null || point === undefined) {
    throw new Error(`${ENV}=${JSON.stringify(value)} names no crash point; use <name> or <name>#<hit> with a name of ${CRASH_POINTS.join(', ')}, or unset it`);
  }
  return { point, hit: match[2] === undefined ? 1 : Number(match[2]) };
}

const armed = parseCrashAt(process.env[ENV]);
let hits = 0;

/**
 * Passes the named place: when the environment armed it and this is the hit it asked for, the
 * process writes one JSON line to stdout (the log's stream, so a test sees where it died) and
 * SIGKILLs itself: nothing after this line runs, no handler, no flush, as with `kill -9`.
 */
export function crashPoint(point: CrashPoint): void {
  if (armed?.point !== point) return;
  hits += 1;
  if (hits !== armed.hit) return;
  writeSync(1, `${JSON.stringify({ level: 60, crashPoint: point, hit: hits, msg: `crash point ${point} reached: SIGKILL (${ENV})` })}\n`);
  process.kill(process.pid, 'SIGKILL');
}
