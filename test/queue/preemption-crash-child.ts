/**
 * The controller's side of a preemption, in its own process so it can die at a crash point
 * (PORTFARM_CRASH_AT: cancel-requested, cancel-answered): a watcher's builders, the first
 * dispatched but not started, then a second push's watcher preempts it. GitHub's runs are
 * written to `<dir>/github.json` at every change, so they outlive the process as GitHub does.
 * argv: <dir>.
 */
import { join } from 'node:path';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { PersistentGateway } from './persistent-gateway.ts';
import { SMALL_GRAPH } from './queue-helpers.ts';

const dir = process.argv[2] ?? '';
const signal = new AbortController().signal;
const at = (minute: number): Date => new Date(Date.UTC(2026, 7, 1, 12, minute));
const gateway = new PersistentGateway(dir);
const service = new ReorderService({ db: openStore(join(dir, 'state.db')), platforms: ['15_arm64'], gateway, graph: SMALL_GRAPH, idPrefix: 'tst' });
service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'aaaaaaa1', changedPorts: ['leaf', 'zlib'], force: false, prNumber: null, now: at(0) });
await service.pump(at(1), signal);
service.runStarted('tst-1', at(1));
gateway.advance('tst-1', 'in_progress');
service.acceptPortList({ buildId: 'tst-1', platform: '15_arm64', portsRevision: 'aaaaaaa1', ports: ['leaf', 'zlib'], excluded: [] }, at(2));
service.runFinished('tst-1', 'success', at(2));
gateway.advance('tst-1', 'completed', 'success');
gateway.save();
await service.pump(at(3), signal); // zlib dispatched, its runner not there yet
service.enqueueWatcher({ platform: '15_arm64', portsRevision: 'bbbbbbb2', changedPorts: ['git'], force: false, prNumber: null, now: at(3) });
await service.pump(at(4), signal); // preempts zlib: the crash point falls in here
process.stdout.write('no crash\n');
