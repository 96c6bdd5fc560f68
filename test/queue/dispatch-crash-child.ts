/**
 * A round dispatching three platforms side by side, in its own process so it can die at a
 * crash point (PORTFARM_CRASH_AT: dispatch-intent#N, dispatch-answered#N). GitHub's runs are
 * written to `<dir>/github.json` at every change, so they outlive the process as GitHub does.
 * argv: <dir> <platform>….
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DispatchRequest } from '../../controller/queue/run-gateway.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from './fake-run-gateway.ts';

const [dir = '', ...platforms] = process.argv.slice(2);
class PersistentGateway extends FakeRunGateway {
  override async dispatch(request: DispatchRequest, signal: AbortSignal): Promise<{ readonly runId: number }> {
    const answer = super.dispatch(request, signal);
    writeFileSync(join(dir, 'github.json'), JSON.stringify(this.runs));
    // GitHub answers after a round trip: the other platforms' dispatches go out meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 5));
    return answer;
  }
}

const at = new Date(Date.UTC(2026, 11, 4, 0, 30));
const service = new ReorderService({ db: openStore(join(dir, 'state.db')), platforms, gateway: new PersistentGateway(), graph: null, idPrefix: 'dc' });
for (const platform of platforms) service.enqueueWatcher({ platform, portsRevision: 'aaaaaaa1', changedPorts: ['curl'], force: false, prNumber: null, now: at });
await service.pump(at, new AbortController().signal);
