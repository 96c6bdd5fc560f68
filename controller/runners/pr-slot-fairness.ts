/**
 * Pull-request slots shared fairly between pull requests. Anyone can open a pull request whose
 * ports-pr.yml asks for a 256-job matrix; every one of those jobs is a genuine PR job, so FIFO
 * alone would give that one PR every PR slot for as long as its matrix runs. So (pure, no clock):
 * each PR run holds at most `perRun` VMs across the farm, and a freed PR slot goes to the PR run
 * served longest ago (one that was never served first), FIFO among equals. A run is the unit
 * because its id is what a PR job's label proves (`pr-<run id>-<attempt>-<job>`): ports-pr.yml's
 * concurrency group cancels a PR's older run when it is pushed again.
 */

/** The run a PR ticket belongs to: `pr-<run id>` from `pr-<run id>-<attempt>-<job>`; any other ticket is its own group. */
export function prSlotGroup(ticket: string): string {
  const match = /^pr-(\d+)-\d+-/.exec(ticket);
  return match?.[1] === undefined ? ticket : `pr-${match[1]}`;
}

/** What the fairness rule reads of a slot table: the PR slots held and when each group was last given one. */
export interface PrFairness {
  /** At most this many PR slots per group across the farm; undefined: no cap. */
  readonly perRun?: number;
  /** Per group: the sequence number of its latest grant (higher = more recent). */
  readonly lastGrant?: ReadonlyMap<string, number>;
  readonly grants?: number;
}

/** Whether `group` may take one more PR slot now. */
export function underRunCap(fairness: PrFairness, heldByGroup: number): boolean {
  return fairness.perRun === undefined || heldByGroup < fairness.perRun;
}

/**
 * The waiters in the order freed slots are offered: master waiters keep their FIFO places; the
 * places PR waiters hold are refilled with the PR waiters sorted by their group's last grant
 * (never served first, then served longest ago), FIFO within a group and among equals.
 */
export function fairOrder<T extends { readonly ticket: string; readonly slotClass?: 'master' | 'pr' }>(waiting: readonly T[], fairness: PrFairness): T[] {
  const lastGrant = fairness.lastGrant ?? new Map<string, number>();
  const rank = (w: T): number => lastGrant.get(prSlotGroup(w.ticket)) ?? -1;
  const prs = waiting.filter((w) => w.slotClass === 'pr');
  // Array.prototype.sort is stable: FIFO among equal ranks.
  const sorted = [...prs].sort((a, b) => rank(a) - rank(b));
  let next = 0;
  return waiting.map((w) => (w.slotClass === 'pr' ? (sorted[next++] ?? w) : w));
}

/** The fairness state after `ticket` was granted a PR slot; entries of groups that hold and wait for nothing are dropped, so it stays small. */
export function afterPrGrant(fairness: PrFairness, ticket: string, live: ReadonlySet<string>): PrFairness {
  const grants = (fairness.grants ?? 0) + 1;
  const lastGrant = new Map([...(fairness.lastGrant ?? new Map<string, number>())].filter(([group]) => live.has(group)));
  lastGrant.set(prSlotGroup(ticket), grants);
  return { ...fairness, lastGrant, grants };
}
