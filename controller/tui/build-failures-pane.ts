import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { fitCell, fitText } from './fit-text.ts';
import { formatDuration, secondsSince } from './format-duration.ts';
import type { PaneModel } from './pane-model.ts';
import { segment } from './screen-line.ts';

const PORT = 26;
const PLATFORM = 14;
const PHASE = 20;

/** Recent failures: port, platform, phase, age, and the stable log URL on a line of its own. */
export function buildFailuresPane(snapshot: StatusSnapshot, nowMs: number, width: number): PaneModel {
  const rest = Math.max(0, width - PORT - PLATFORM - PHASE);
  const items = snapshot.failures.map((failure) => ({
    lines: [
      [
        segment(fitCell(failure.port ?? 'watcher', PORT), 'bad', { bold: true }),
        segment(fitCell(failure.platform, PLATFORM)),
        segment(fitCell(failure.phase ?? '-', PHASE)),
        segment(fitText(`${formatDuration(secondsSince(failure.finishedAt, nowMs))} ago`, rest)),
      ],
      [segment(fitText(`  ${failure.logUrl ?? 'no log URL'}`, width, 'middle'), 'muted')],
    ],
  }));
  const bold = { bold: true };
  return {
    header: [segment(fitCell('PORT', PORT), 'muted', bold), segment(fitCell('PLATFORM', PLATFORM), 'muted', bold), segment(fitCell('PHASE', PHASE), 'muted', bold), segment(fitText('AGE', rest), 'muted', bold)],
    items,
    empty: 'no recent failures',
    selectable: true,
  };
}
