/**
 * `npm run bench:tally-begin [-- --ports N] [-- --json]`: what beginning a summary check's
 * tally inside the transaction that accepts a long list costs the event loop. For each way, a
 * fresh state database in a temp folder (WAL, `synchronous = full`, as `openStore` opens it),
 * a watcher dispatched through the real ReorderService, and its list of N ports (default
 * 41,548, a forced rebuild) taken as the hand-off takes it (`takePortList`, a slice of 2,000
 * per transaction). Timed, wall: the first synchronous stretch (the accepting transaction, up
 * to the first pause between slices) and, for the old way, the tally's own transaction after
 * the list was taken. `--json` prints one JSON object last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheckPublishing } from '../../controller/flows/check-publishing.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { CheckTallyStore } from '../../controller/store/check-tally-store.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const { values } = parseArgs({ options: { ports: { type: 'string', default: '41548' }, json: { type: 'boolean', default: false } } });
const portCount = Number(values.ports);
if (!Number.isInteger(portCount) || portCount < 51) throw new Error(`--ports ${values.ports}: give a whole number of ports above 50 (a shorter list gets no summary check)`);
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

interface WayFigures {
  /** The accepting transaction (and the first slice), up to the first pause between slices. */
  readonly firstStretchMs: number;
  /** The tally's own transaction after the list was taken (the old way); 0 when it is in the accepting one. */
  readonly separateBeginMs: number;
  /** The whole take, pauses between slices included. */
  readonly totalMs: number;
}

async function measure(inAccepting: boolean): Promise<WayFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-bench-tally-'));
  try {
    const db = openStore(join(dir, 'state.sqlite'));
    const platform = '15_arm64';
    const sha = 'b'.repeat(40);
    const ports = Array.from({ length: portCount }, (_, i) => `port${String(i)}`);
    const reorder = new ReorderService({ db, platforms: [platform], gateway: new FakeRunGateway(), graph: null, idPrefix: 'bench' });
    const publisher = { update: () => undefined, flush: () => Promise.resolve({ created: 0, updated: 0, apiCalls: 0 }) };
    const checks = new CheckPublishing({ publisher, reorder, versionOf: () => undefined, now: () => new Date(), tallies: new CheckTallyStore(db) });
    const { buildId } = reorder.enqueueWatcher({ platform, portsRevision: sha, previousRevision: null, changedPorts: ['port0'], force: true, prNumber: null, now: new Date() });
    await reorder.pump(new Date(), new AbortController().signal);
    const list = { buildId, platform, portsRevision: sha, ports, excluded: [] };
    let firstStretchMs = -1;
    const t0 = performance.now();
    const pause = (): Promise<void> => {
      if (firstStretchMs < 0) firstStretchMs = performance.now() - t0;
      return new Promise((resolve) => { setImmediate(resolve); });
    };
    await reorder.takePortList(list, new Date(), { pause, ...(inAccepting ? { onAccepted: () => { checks.accepting(list); } } : {}) });
    if (firstStretchMs < 0) firstStretchMs = performance.now() - t0;
    const t1 = performance.now();
    checks.queued(list); // the old way begins the tally here; the new way finds it begun (same watcher): nothing to do
    const separateBeginMs = performance.now() - t1;
    const totalMs = performance.now() - t0;
    db.close();
    return { firstStretchMs, separateBeginMs, totalMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

out(`tally begin: a list of ${portCount.toLocaleString('en')} ports taken a slice at a time, on a fresh state database`);
out('the old way: the tally in its own transaction after the list was taken ...');
const before = await measure(false);
out('the new way: the tally in the transaction accepting the list ...');
const after = await measure(true);
const ms = (n: number): string => `${n.toFixed(1)} ms`;
out(`old: first stretch ${ms(before.firstStretchMs)}, then the tally's own transaction ${ms(before.separateBeginMs)}; whole take ${ms(before.totalMs)}`);
out(`new: first stretch ${ms(after.firstStretchMs)} (the tally inside it), after it ${ms(after.separateBeginMs)}; whole take ${ms(after.totalMs)}`);
out(`longest synchronous stretch: old ${ms(Math.max(before.firstStretchMs, before.separateBeginMs))}, new ${ms(Math.max(after.firstStretchMs, after.separateBeginMs))}`);
if (values.json) out(JSON.stringify({ ports: portCount, before, after }));
