/**
 * VM slots as plain data: each host has `maxVms` slots (Apple's licence: at most 2 macOS VMs
 * per Mac), shared by every platform the host serves. Requests wait FIFO; a freed slot goes
 * to the oldest waiter that can use that host. No I/O, no clock: the allocator adapter and
 * the tests run these same functions.
 *
 * Pull-request builds (ports-pr.yml's jobs, untrusted code on the same hosts) share the cap
 * with master builds but hold at most `prSlots(host)` = maxVms − 1 (at least 1) slots of a
 * host: on a 2-VM Mac one slot is always left for master builds, so a day-long PR build never
 * makes a master build wait, while PRs still get a slot whenever master builds leave it free
 * (the reorder service runs one master build per platform at a time). FIFO otherwise, except
 * that one pull request cannot hold every PR slot: each PR run holds at most `pr.perRun` slots
 * across the farm, and a freed PR slot goes to the run served longest ago (pr-slot-fairness.ts).
 */
import { afterPrGrant, fairOrder, prSlotGroup, underRunCap, type PrFairness } from './pr-slot-fairness.ts';

export interface SlotHost {
  readonly name: string;
  readonly maxVms: number;
  readonly platforms: readonly string[];
}

/** Which builds a slot is for: master builds (dispatched by the controller) or pull-request builds. */
export type SlotClass = 'master' | 'pr';

export interface SlotGrant {
  readonly ticket: string;
  readonly platform: string;
  readonly host: string;
  readonly index: number;
  /** Absent = master. */
  readonly slotClass?: SlotClass;
}

export interface SlotWaiter {
  readonly ticket: string;
  readonly platform: string;
  /** Absent = master. */
  readonly slotClass?: SlotClass;
}

export interface SlotTable {
  readonly hosts: readonly SlotHost[];
  /** Hosts that take no new VM now (disk short, unreachable); their running VMs keep their slots. */
  readonly refusing?: ReadonlySet<string>;
  readonly held: readonly SlotGrant[];
  readonly waiting: readonly SlotWaiter[];
  /** The per-run cap of PR slots and who was served last (absent: no cap, FIFO). */
  readonly pr?: PrFairness;
}

export function createSlotTable(hosts: readonly SlotHost[], options: { readonly prVmsPerRun?: number } = {}): SlotTable {
  return { hosts, held: [], waiting: [], ...(options.prVmsPerRun === undefined ? {} : { pr: { perRun: options.prVmsPerRun } }) };
}

/** Records a grant: held, out of the FIFO, and (a PR grant) its run's turn. */
function withGrant(table: SlotTable, grant: SlotGrant): SlotTable {
  const next: SlotTable = { ...table, held: [...table.held, grant], waiting: table.waiting.filter((w) => w.ticket !== grant.ticket) };
  if (grant.slotClass !== 'pr') return next;
  const live = new Set([...next.held, ...next.waiting].filter((e) => e.slotClass === 'pr').map((e) => prSlotGroup(e.ticket)));
  return { ...next, pr: afterPrGrant(next.pr ?? {}, grant.ticket, live) };
}

/** How many slots of a host pull-request builds may hold at once: all but one, at least one. */
export function prSlots(host: SlotHost): number {
  return Math.max(1, host.maxVms - 1);
}

/**
 * The free slot for `platform` on the least-loaded host (config order breaks ties), lowest index
 * first; a PR request skips hosts whose PR share is used, and gets none while its run holds its cap.
 */
export function findFreeSlot(table: SlotTable, platform: string, slotClass: SlotClass = 'master', ticket = ''): { readonly host: string; readonly index: number } | undefined {
  if (slotClass === 'pr' && table.pr !== undefined) {
    const group = prSlotGroup(ticket);
    if (!underRunCap(table.pr, table.held.filter((g) => g.slotClass === 'pr' && prSlotGroup(g.ticket) === group).length)) return undefined;
  }
  const used = new Map<string, number[]>();
  const prUsed = new Map<string, number>();
  for (const grant of table.held) {
    const list = used.get(grant.host);
    if (list === undefined) used.set(grant.host, [grant.index]);
    else list.push(grant.index);
    if (grant.slotClass === 'pr') prUsed.set(grant.host, (prUsed.get(grant.host) ?? 0) + 1);
  }
  let best: { host: string; index: number; load: number } | undefined;
  for (const host of table.hosts) {
    if (!host.platforms.includes(platform) || table.refusing?.has(host.name) === true) continue;
    if (slotClass === 'pr' && (prUsed.get(host.name) ?? 0) >= prSlots(host)) continue;
    const indices = used.get(host.name) ?? [];
    if (indices.length >= host.maxVms || (best !== undefined && indices.length >= best.load)) continue;
    let index = 0;
    while (indices.includes(index)) index += 1;
    best = { host: host.name, index, load: indices.length };
  }
  return best === undefined ? undefined : { host: best.host, index: best.index };
}

/** Grants a free slot now, or appends the ticket to the FIFO. A ticket that already holds or waits is left as it is. */
export function requestSlot(table: SlotTable, ticket: string, platform: string, slotClass: SlotClass = 'master'): { readonly table: SlotTable; readonly grant: SlotGrant | undefined } {
  const holding = table.held.find((g) => g.ticket === ticket);
  if (holding !== undefined) return { table, grant: holding };
  if (table.waiting.some((w) => w.ticket === ticket)) return { table, grant: undefined };
  if (!table.hosts.some((h) => h.platforms.includes(platform))) {
    throw new Error(`platform "${platform}" has no host; known platforms: ${[...new Set(table.hosts.flatMap((h) => h.platforms))].join(', ')}`);
  }
  const free = findFreeSlot(table, platform, slotClass, ticket);
  const tag = slotClass === 'pr' ? { slotClass } : {};
  if (free === undefined) return { table: { ...table, waiting: [...table.waiting, { ticket, platform, ...tag }] }, grant: undefined };
  const grant: SlotGrant = { ticket, platform, ...free, ...tag };
  return { table: withGrant(table, grant), grant };
}

/** Takes a free slot only if there is one and nobody waits for this platform (warm starts never jump the queue). */
export function tryTakeSlot(table: SlotTable, ticket: string, platform: string): { readonly table: SlotTable; readonly grant: SlotGrant | undefined } {
  if (table.waiting.some((w) => w.platform === platform)) return { table, grant: undefined };
  const free = findFreeSlot(table, platform);
  if (free === undefined || table.held.some((g) => g.ticket === ticket)) return { table, grant: undefined };
  const grant: SlotGrant = { ticket, platform, ...free };
  return { table: { ...table, held: [...table.held, grant] }, grant };
}

/**
 * Frees the ticket's slot (or drops it from the FIFO) and hands freed slots to the waiters that
 * fit, oldest first (PR waiters: the run served longest ago first, see fairOrder). After each
 * grant the order is taken again, since a PR grant changes whose turn it is.
 */
export function releaseSlot(table: SlotTable, ticket: string): { readonly table: SlotTable; readonly grants: readonly SlotGrant[] } {
  let next: SlotTable = {
    ...table,
    held: table.held.filter((g) => g.ticket !== ticket),
    waiting: table.waiting.filter((w) => w.ticket !== ticket),
  };
  const grants: SlotGrant[] = [];
  for (let granted = true; granted; ) {
    granted = false;
    for (const waiter of fairOrder(next.waiting, next.pr ?? {})) {
      const free = findFreeSlot(next, waiter.platform, waiter.slotClass, waiter.ticket);
      if (free === undefined) continue;
      const grant: SlotGrant = { ticket: waiter.ticket, platform: waiter.platform, ...free, ...(waiter.slotClass === 'pr' ? { slotClass: waiter.slotClass } : {}) };
      grants.push(grant);
      next = withGrant(next, grant);
      granted = true;
      break;
    }
  }
  return { table: next, grants };
}

/** Records a slot on a given host (a VM adopted after a restart), even past the cap: the VM exists either way. */
export function occupySlot(table: SlotTable, ticket: string, platform: string, host: string, slotClass: SlotClass = 'master'): SlotTable {
  if (table.held.some((g) => g.ticket === ticket)) return table;
  const used = table.held.filter((g) => g.host === host).map((g) => g.index);
  let index = 0;
  while (used.includes(index)) index += 1;
  const grant: SlotGrant = { ticket, platform, host, index, ...(slotClass === 'pr' ? { slotClass } : {}) };
  return { ...table, held: [...table.held, grant], waiting: table.waiting.filter((w) => w.ticket !== ticket) };
}

/** Marks a host refusing (or taking VMs again); when it takes VMs again, waiters that fit are granted its free slots. */
export function setHostRefusing(table: SlotTable, host: string, refusing: boolean): { readonly table: SlotTable; readonly grants: readonly SlotGrant[] } {
  const next = new Set(table.refusing ?? []);
  if (refusing) next.add(host);
  else next.delete(host);
  return releaseSlot({ ...table, refusing: next }, '');
}
