/**
 * A round dispatching three platforms side by side, in its own process so it can die at a
 * crash point (PORTFARM_CRASH_AT: dispatch-intent#N, dispatch-answered#N). GitHub's runs are
 * written to `<dir>/github.json` at every change, so they outlive the process as GitHub does.
 * argv: <dir> <platform>….
 */
import { join } from 'node:path';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { PersistentGateway } from './persistent-gateway.ts';

const [dir = '', ...platforms] = process.argv.slice(2);

const at = new Date(Date.UTC(2026, 11, 4, 0, 30));
const service = new ReorderService({ db: openStore(join(dir, 'state.db')), platforms, gateway: new PersistentGateway(dir, 5), graph: null, idPrefix: 'dc' });
for (const platform of platforms) service.enqueueWatcher({ platform, portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
await service.pump(at, new AbortController().signal);
