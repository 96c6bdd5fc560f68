import { abortReason } from './abortable-sleep.ts';
import { createSlotTable, occupySlot, releaseSlot, setHostRefusing, requestSlot, tryTakeSlot, type SlotClass, type SlotGrant, type SlotHost, type SlotTable } from './slot-table.ts';

/** The I/O shell around the slot table: `acquire` waits (abortably) until the table grants a slot. */
export class SlotAllocator {
  #table: SlotTable;
  readonly #waiters = new Map<string, { resolve: (grant: SlotGrant) => void }>();

  constructor(hosts: readonly SlotHost[], options: { readonly prVmsPerRun?: number } = {}) {
    this.#table = createSlotTable(hosts, options);
  }

  get table(): SlotTable {
    return this.#table;
  }

  /** Resolves with a slot, in FIFO order among requests that can use the same hosts (PR builds within their share). Aborting leaves the queue. */
  acquire(ticket: string, platform: string, signal: AbortSignal, slotClass: SlotClass = 'master'): Promise<SlotGrant> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    const { table, grant } = requestSlot(this.#table, ticket, platform, slotClass);
    this.#table = table;
    if (grant !== undefined) return Promise.resolve(grant);
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiters.delete(ticket);
        this.release(ticket);
        reject(abortReason(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiters.set(ticket, {
        resolve: (g) => {
          signal.removeEventListener('abort', onAbort);
          resolve(g);
        },
      });
    });
  }

  /** A slot now or nothing (warm starts). */
  tryAcquire(ticket: string, platform: string): SlotGrant | undefined {
    const { table, grant } = tryTakeSlot(this.#table, ticket, platform);
    this.#table = table;
    return grant;
  }

  /** Records a VM that already runs on `host` (adopted after a restart). */
  occupy(ticket: string, platform: string, host: string, slotClass: SlotClass = 'master'): void {
    this.#table = occupySlot(this.#table, ticket, platform, host, slotClass);
  }

  /** A host stops or resumes taking new VMs (disk admission). */
  setRefusing(host: string, refusing: boolean): void {
    const { table, grants } = setHostRefusing(this.#table, host, refusing);
    this.#table = table;
    this.#grant(grants);
  }

  /** Frees the ticket's slot; idempotent. */
  release(ticket: string): void {
    const { table, grants } = releaseSlot(this.#table, ticket);
    this.#table = table;
    this.#grant(grants);
  }

  #grant(grants: readonly SlotGrant[]): void {
    for (const grant of grants) {
      const waiter = this.#waiters.get(grant.ticket);
      this.#waiters.delete(grant.ticket);
      waiter?.resolve(grant);
    }
  }

  /** Platforms with requests waiting for a slot. */
  waitingPlatforms(): ReadonlySet<string> {
    return new Set(this.#table.waiting.map((w) => w.platform));
  }
}
