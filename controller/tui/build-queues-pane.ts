import type { QueueStatus, StatusSnapshot } from '../status/status-snapshot.ts';
import { describeQueueEntry } from './describe-queue-entry.ts';
import { fitCell, fitText } from './fit-text.ts';
import { formatDuration } from './format-duration.ts';
import type { PaneModel } from './pane-model.ts';
import { segment } from './screen-line.ts';

const PLATFORM = 14;
const RUNNING = 30;
const NUMBER = 6;

/** ` ~14:20` when the entry has an estimate (UTC; docs/eta.md), ` ~?` when it is unknown, nothing when the controller sends none. */
function readyAt(ready: { readonly mid: string } | null | undefined): string {
  if (ready === undefined) return '';
  return ready === null ? ' ~?' : ` ~${new Date(ready.mid).toISOString().slice(11, 16)}`;
}

/** Queues: per platform the running run(s), exact pending counts, oldest wait, the next 5 in order, and the builders held by failed dependencies. */
export function buildQueuesPane(snapshot: StatusSnapshot, _nowMs: number, width: number): PaneModel {
  const rest = Math.max(0, width - PLATFORM - RUNNING - 3 * NUMBER);
  const num = (n: number): string => fitCell(String(n).padStart(NUMBER - 1), NUMBER);
  const items = snapshot.queues.map((queue) => {
    const next = queue.next.map((e, i) => `${i + 1}.${describeQueueEntry(e)}${readyAt(e.ready)}`).join(' ');
    return {
      lines: [
        [
          segment(fitCell(queue.platform, PLATFORM), 'normal', { bold: true }),
          segment(fitCell(`${describeRunning(queue)}${queue.running === null ? '' : readyAt(queue.running.ready)}`, RUNNING), queue.running === null ? 'muted' : 'ok'),
          segment(num(queue.pending.watchers), queue.pending.watchers > 0 ? 'accent' : 'normal'),
          segment(num(queue.pending.builders)),
          segment(num(queue.pending.pr)),
          segment(fitText(` ${queue.oldestWaitSeconds === null ? '-' : formatDuration(queue.oldestWaitSeconds)}`, rest), queue.oldestWaitSeconds !== null && queue.oldestWaitSeconds > 6 * 3600 ? 'warn' : 'normal'),
        ],
        [segment(fitText(next === '' ? '  next: nothing pending' : `  next: ${next}`, width), 'muted')],
        ...(queue.blocked.total === 0 ? [] : [[segment(fitText(`  ${describeBlockedLine(queue.blocked)}`, width), 'warn')]]),
      ],
    };
  });
  const bold = { bold: true };
  return {
    header: [
      segment(fitCell('PLATFORM', PLATFORM), 'muted', bold),
      segment(fitCell('RUNNING', RUNNING), 'muted', bold),
      segment(fitCell('WATCH'.padStart(NUMBER - 1), NUMBER), 'muted', bold),
      segment(fitCell('BUILD'.padStart(NUMBER - 1), NUMBER), 'muted', bold),
      segment(fitCell('PR'.padStart(NUMBER - 1), NUMBER), 'muted', bold),
      segment(fitText(' OLDEST WAIT', rest), 'muted', bold),
    ],
    items,
    empty: 'no platform queues',
    selectable: true,
  };
}

/** The oldest run in flight, and how many lanes are busy when the platform has more than one. */
function describeRunning(queue: QueueStatus): string {
  if (queue.running === null) return 'idle';
  const entry = describeQueueEntry(queue.running);
  if (queue.lanes === 1) return entry;
  return `${entry}${queue.inFlight > 1 ? ` +${String(queue.inFlight - 1)}` : ''} ${String(queue.inFlight)}/${String(queue.lanes)}`;
}

/** "blocked 312: qt6 309, mlx 3": builders held by failed dependencies, by failed port. */
export function describeBlockedLine(blocked: QueueStatus['blocked']): string {
  const shown = blocked.byPort.reduce((sum, b) => sum + b.count, 0);
  const parts = blocked.byPort.map((b) => `${b.port} ${String(b.count)}`);
  if (shown < blocked.total) parts.push(`others ${String(blocked.total - shown)}`);
  return `blocked ${String(blocked.total)}: ${parts.join(', ')}`;
}
