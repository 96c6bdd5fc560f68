import { describeEta } from '../eta/describe-eta.ts';
import type { PortEta } from '../eta/eta-answer.ts';
import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { fieldsPane, type Field } from './build-details-pane.ts';
import type { PaneModel } from './pane-model.ts';
import type { PortEtaState } from './port-eta-store.ts';

const BASIS: Readonly<Record<NonNullable<PortEta['basis']>, string>> = {
  port: 'its own last builds on this platform',
  'port-elsewhere': 'its builds on other platforms, scaled by their speed',
  'similar-size': 'builds of ports with as many dependencies',
  platform: 'every recent build on this platform',
  watcher: "the watchers' builds",
};

/**
 * A queued port's estimate on every platform (the controller's `GET /api/eta?port=P`, the same
 * answer as `portfarm eta`): where it is in line, how many runs are ahead, when it is expected
 * done with its range, what the estimate rests on, and what it waits for (the status snapshot's
 * `waiting`).
 */
export function buildPortEtaPane(eta: PortEtaState, snapshot: StatusSnapshot, width: number): PaneModel {
  const port = eta.port ?? '';
  const fields: Field[] = [['port', port]];
  const answer = eta.answer;
  if (answer === null) fields.push(['estimate', eta.error === null ? 'asking the controller (GET /api/eta) ...' : `cannot ask: ${eta.error}`]);
  else {
    const now = new Date(answer.generatedAt);
    if (answer.builds.length === 0) fields.push(['estimate', 'nothing queued (built already, or not changed since its last build)']);
    for (const build of answer.builds) {
      fields.push([build.platform, describeEta(build, now)]);
      if (build.state === 'pending' && build.position > 0) fields.push(['  ahead', `${String(build.ahead)} run${build.ahead === 1 ? '' : 's'} (pending or in flight)`]);
      if (build.start !== null && build.state === 'pending') fields.push(['  starts', `around ${clock(build.start.mid, now)} UTC`]);
      if (build.basis !== null) fields.push(['  estimate from', BASIS[build.basis]]);
      const wait = snapshot.queues.find((q) => q.platform === build.platform)?.waiting.find((w) => w.port.toLowerCase() === port.toLowerCase());
      if (wait !== undefined) fields.push(['  waits for', `${wait.waitsFor} ${wait.reason === 'blocked' ? '(failed: blocked until it builds)' : '(in flight)'}`]);
      fields.push(['  build', build.buildId]);
    }
    fields.push(['as of', `${answer.generatedAt.slice(11, 19)} UTC${eta.error === null ? '' : ` (refresh failed: ${eta.error})`}`]);
  }
  return fieldsPane(fields, width, 'esc or enter: back to the queue', 'words');
}

function clock(iso: string, now: Date): string {
  const at = new Date(iso).toISOString();
  return at.slice(0, 10) === now.toISOString().slice(0, 10) ? at.slice(11, 16) : `${at.slice(0, 10)} ${at.slice(11, 16)}`;
}
