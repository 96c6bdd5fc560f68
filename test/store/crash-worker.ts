// A controller process for the crash test: drives the real ReorderService over a file
// database, acting as GitHub's runners too, and prints what it has acknowledged. The test
// kills it with SIGKILL at random points and restarts it on the same files.
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { seededRandom } from '../../controller/sim/seeded-random.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { DurableFakeGateway } from './durable-fake-gateway.ts';

const [dbPath, githubPath, seedText, mode, dieAtText] = process.argv.slice(2);
if (dbPath === undefined || githubPath === undefined || seedText === undefined || mode === undefined) {
  throw new Error('usage: crash-worker.ts DB GITHUB_DB SEED STEPS|drain [DIE_AT_POINT]');
}
// Crash points: every gateway boundary and every step. At the chosen one the process SIGKILLs
// itself, which no code can intercept: the same as a power cut at that instant.
let points = 0;
const point = (): void => {
  if (++points === Number(dieAtText ?? -1)) process.kill(process.pid, 'SIGKILL');
};
const random = seededRandom(Number(seedText));
const signal = new AbortController().signal;
const gateway = new DurableFakeGateway(githubPath, point);
const db = openStore(dbPath);
const service = new ReorderService({ db, platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH });
const ports = SMALL_GRAPH.names;
let clock = Date.UTC(2026, 7, 1) + Number(seedText) * 3_600_000;
const now = (): Date => new Date((clock += 1000));
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

await service.reconcile(now(), signal);

/** One runner action on GitHub's oldest unfinished run, reported to the service as its webhooks would. */
function advanceOneRun(): boolean {
  const run = gateway.db.prepare(`select * from runs where status <> 'completed' order by run_id limit 1`).get();
  if (run === undefined) return false;
  const buildId = String(run.build_id);
  if (run.status === 'queued') {
    gateway.db.prepare(`update runs set status = 'in_progress' where run_id = ?`).run(Number(run.run_id));
    point();
    service.runStarted(buildId, now());
    return true;
  }
  if (run.kind === 'watcher') {
    const list = ports.filter((_, i) => (i + buildId.length + Number(run.run_id)) % 3 === 0);
    service.acceptPortList({ buildId, platform: '15_arm64', portsRevision: 'abcdef0', ports: list, excluded: [] }, now());
    say(`ack list ${buildId} ${list.join(' ')}`);
  }
  gateway.db.prepare(`update runs set status = 'completed', conclusion = 'success' where run_id = ?`).run(Number(run.run_id));
  point();
  service.runFinished(buildId, 'success', now());
  return true;
}

if (mode === 'drain') {
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const { dispatched } = await service.pump(now(), signal);
    if (!advanceOneRun() && dispatched.length === 0) break;
  }
  say('drained');
} else {
  for (let step = 1; step <= Number(mode); step++) {
    const roll = random();
    if (roll < 0.2) {
      const changed = [ports[Math.floor(random() * ports.length)] ?? 'leaf'];
      const { buildId } = service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'abcdef0', changedPorts: changed, force: false, prNumber: null, now: now() });
      say(`ack watcher ${buildId}`);
    } else if (roll < 0.5) {
      await service.pump(now(), signal);
    } else {
      advanceOneRun();
    }
    say(`step ${String(step)}`);
    point();
  }
}
