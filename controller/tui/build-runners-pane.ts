import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { fitCell, fitText } from './fit-text.ts';
import { formatDuration, secondsSince } from './format-duration.ts';
import type { PaneModel } from './pane-model.ts';
import { portsOfBuilds } from './port-of-build.ts';
import { runnerSuspicion, SUSPICION_WORDS } from './runner-suspicion.ts';
import { segment } from './screen-line.ts';

const NAME = 26;
const AGE = 7;
const JOB = 18;

/** Runners: one line per ephemeral registration; anything suspicious is marked `!` and coloured. */
export function buildRunnersPane(snapshot: StatusSnapshot, nowMs: number, width: number): PaneModel {
  const rest = Math.max(0, width - NAME - AGE - JOB);
  const ports = portsOfBuilds(snapshot);
  const items = snapshot.runners.map((runner) => {
    const suspicion = runnerSuspicion(runner, nowMs);
    const job = runner.buildId === null ? '-' : (ports.get(runner.buildId) ?? runner.buildId);
    const state = runner.status === 'offline' ? 'offline' : runner.busy ? 'busy' : 'online, idle';
    const text = suspicion === null ? state : `! ${SUSPICION_WORDS[suspicion]}`;
    return {
      lines: [
        [
          segment(fitCell(runner.name, NAME), suspicion === null ? 'normal' : 'bad'),
          segment(fitCell(formatDuration(secondsSince(runner.registeredAt, nowMs)), AGE)),
          segment(fitCell(job, JOB)),
          segment(fitText(text, rest), suspicion !== null ? 'bad' : runner.busy ? 'ok' : 'muted', { bold: suspicion !== null }),
        ],
      ],
    };
  });
  const bold = { bold: true };
  return {
    header: [segment(fitCell('RUNNER', NAME), 'muted', bold), segment(fitCell('AGE', AGE), 'muted', bold), segment(fitCell('JOB', JOB), 'muted', bold), segment(fitText('STATE', rest), 'muted', bold)],
    items,
    empty: 'no runners registered',
    selectable: true,
  };
}
