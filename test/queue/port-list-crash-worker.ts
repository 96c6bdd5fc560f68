// A controller process for the port-list crash test: takes a watcher's long list in slices on
// a file database and SIGKILLs itself (no code can intercept it: a power cut) right after the
// slice the test names has committed.
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const [dbPath, portsPath, buildId, revision, dieAfterText] = process.argv.slice(2);
if (dbPath === undefined || portsPath === undefined || buildId === undefined || revision === undefined || dieAfterText === undefined) {
  throw new Error('usage: port-list-crash-worker.ts DB PORTS_JSON WATCHER_BUILD_ID REVISION DIE_AFTER_SLICE');
}
const graph = await loadPortsGraph(portsPath, new AbortController().signal);
const service = new ReorderService({ db: openStore(dbPath), platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph, portListSlice: 1000 });
let slices = 0;
await service.takePortList({ buildId, platform: '15_arm64', portsRevision: revision, ports: [...graph.names].reverse(), excluded: [] }, new Date(Date.UTC(2026, 7, 1)), {
  onSlice: () => {
    slices += 1;
    if (slices === Number(dieAfterText)) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('taken whole\n');
