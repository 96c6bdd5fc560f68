/**
 * `npm run bench:store [-- --dispatches N] [-- --json]`: what `synchronous = full` costs the
 * dispatch path. For each mode, a fresh state database in a temp folder (WAL, as `openStore`
 * opens it) and N dispatches through the real ReorderService: the intent written before
 * `workflow_dispatch` and the run id written after it (two commits, each synced under FULL),
 * timed per pump; the queueing and finishing around them are not timed. The gateway is the
 * in-memory fake, so the figure is the database's share only. `--json` prints one JSON object last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';

const { values } = parseArgs({ options: { dispatches: { type: 'string', default: '200' }, json: { type: 'boolean', default: false } } });
const dispatches = Number(values.dispatches);
if (!Number.isInteger(dispatches) || dispatches < 1) throw new Error(`--dispatches ${values.dispatches}: give a whole number of dispatches, at least 1`);
const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

interface ModeFigures {
  readonly mode: 'normal' | 'full';
  readonly dispatches: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly totalMs: number;
}

async function measure(mode: 'normal' | 'full'): Promise<ModeFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-bench-store-'));
  try {
    const db = openStore(join(dir, 'state.db'));
    // openStore always opens FULL; the NORMAL run is the old setting, for comparison only.
    db.exec(`pragma synchronous = ${mode}`);
    const gateway = new FakeRunGateway();
    const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: null, idPrefix: 'bench' });
    const signal = new AbortController().signal;
    const times: number[] = [];
    for (let i = 0; i < dispatches; i += 1) {
      const now = new Date(Date.UTC(2026, 7, 1) + i * 1000);
      const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: (0xa000000 + i).toString(16), changedPorts: ['curl'], force: false, prNumber: null, now });
      const t = performance.now();
      const report = await service.pump(now, signal);
      times.push(performance.now() - t);
      if (report.dispatched[0] !== buildId) throw new Error(`pump ${String(i)} dispatched ${JSON.stringify(report.dispatched)}, expected ${buildId}`);
      service.runFinished(buildId, 'success', now);
      service.recorded(buildId);
    }
    db.close();
    const sorted = [...times].sort((a, b) => a - b);
    const total = times.reduce((a, b) => a + b, 0);
    const round = (ms: number): number => Math.round(ms * 1000) / 1000;
    return {
      mode,
      dispatches,
      meanMs: round(total / times.length),
      p50Ms: round(sorted[Math.floor(sorted.length * 0.5)] ?? 0),
      p95Ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0),
      totalMs: round(total),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

out(`dispatch path (intent write + mark dispatched, two commits) over ${String(dispatches)} dispatches, temp dir ${tmpdir()}:`);
const results: ModeFigures[] = [];
for (const mode of ['normal', 'full'] as const) {
  const r = await measure(mode);
  results.push(r);
  out(`  synchronous=${mode}: ${r.meanMs.toFixed(3)} ms mean, ${r.p50Ms.toFixed(3)} ms p50, ${r.p95Ms.toFixed(3)} ms p95 per dispatch (${r.totalMs.toFixed(0)} ms in all)`);
}
const [normal, full] = results;
const extraMs = normal === undefined || full === undefined ? 0 : Math.round((full.meanMs - normal.meanMs) * 1000) / 1000;
out(`  FULL costs ${extraMs.toFixed(3)} ms more per dispatch (mean); a dispatch is also one GitHub API call of ~100s of ms`);
if (values.json) out(JSON.stringify({ bench: 'store', dispatches, normal, full, fullExtraMsPerDispatch: extraMs }));
