import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { describeBlockedLine } from './build-queues-pane.ts';
import { describeQueueEntry } from './describe-queue-entry.ts';
import { describeSlot } from './describe-slot.ts';
import { formatDuration, secondsSince } from './format-duration.ts';
import type { PaneId } from './pane-id.ts';
import type { PaneModel } from './pane-model.ts';
import { portsOfBuilds } from './port-of-build.ts';
import { queuedPortsOf } from './queued-ports.ts';
import { wrapWords } from './wrap-words.ts';
import { runnerSuspicion, SUSPICION_WORDS } from './runner-suspicion.ts';
import { segment, type ScreenLine } from './screen-line.ts';

/** A label and its value; `chosen` marks the queued port ↑↓ chose in a queue's details. */
export type Field = readonly [label: string, value: string, chosen?: boolean];

const LABEL = 16;

/**
 * Everything the snapshot knows about the selected item, with long values (URLs) wrapped, not
 * cut. In a queue's details, `queuedItem` is the queued port chosen (queuedPortsOf), marked.
 */
export function buildDetailsPane(pane: PaneId, snapshot: StatusSnapshot, index: number, nowMs: number, width: number, queuedItem = -1): PaneModel {
  const fields = detailFields(pane, snapshot, index, nowMs);
  const ports = pane === 'queues' ? queuedPortsOf(snapshot, index) : [];
  const chosen = ports[Math.min(queuedItem, ports.length - 1)];
  const marked = chosen === undefined ? fields : markChosen(fields, chosen);
  return fieldsPane(marked, width, ports.length > 0 ? '↑↓ choose a port  enter: its estimate  esc: back' : 'esc or enter: back');
}

/** Fields as label/value lines, values wrapped to the width (at any character, for URLs; or between words), and a last line saying the keys. */
export function fieldsPane(fields: readonly Field[], width: number, keys: string, wrapAt: 'chars' | 'words' = 'chars'): PaneModel {
  const lines: ScreenLine[] = [];
  for (const [label, value, chosen] of fields) {
    const chunks = wrapAt === 'words' ? wrapWords(value, Math.max(1, width - LABEL)) : wrap(value, Math.max(1, width - LABEL));
    chunks.forEach((chunk, i) => {
      const tone = chosen === true ? 'accent' : 'muted';
      lines.push([segment((i === 0 ? `${chosen === true ? '>' : ''}${label}` : '').padEnd(LABEL), tone, { bold: true, inverse: chosen === true && i === 0 }), segment(chunk)]);
    });
  }
  lines.push([segment(keys, 'muted')]);
  return { header: null, items: lines.map((line) => ({ lines: [line] })), empty: 'nothing selected', selectable: false };
}

/** Marks the first field that names `port` (the running build, a next one, or one waiting). */
function markChosen(fields: readonly Field[], port: string): Field[] {
  const names = (value: string): boolean => value === port || value.startsWith(`${port} `) || value.startsWith(`PR ${port} `) || value.startsWith(`PR ${port}`);
  const at = fields.findIndex(([label, value]) => /^(running|next \d+|waiting \d+)$/.test(label) && names(value));
  return fields.map((field, i) => (i === at ? [field[0], field[1], true] : field));
}

function wrap(text: string, width: number): string[] {
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += width) chunks.push(chars.slice(i, i + width).join(''));
  return chunks.length === 0 ? [''] : chunks;
}

const ago = (iso: string | null, nowMs: number): string => (iso === null ? '-' : `${iso} (${formatDuration(secondsSince(iso, nowMs))} ago)`);

function detailFields(pane: PaneId, snapshot: StatusSnapshot, index: number, nowMs: number): Field[] {
  switch (pane) {
    case 'hosts': {
      const host = snapshot.hosts[index];
      if (host === undefined) return [];
      return [
        ['host', host.name],
        ['address', host.address],
        ['platforms', host.platforms.join(', ')],
        ['VM slots', `${host.slots.length} of at most ${host.maxVms}`],
        ['disk free', host.diskFreeGiB === null ? 'unknown' : `${host.diskFreeGiB} GiB`],
        ['takes VMs', host.refusing === null ? 'yes' : `no: ${host.refusing}`],
        ...host.slots.flatMap((slot): Field[] => [
          [`slot ${slot.index}`, describeSlot(slot, nowMs)],
          ...(slot.vmId === null ? [] : [[`  VM`, `${slot.vmId}${slot.image === null ? '' : ` from image ${slot.image}`}`] as const]),
          ...(slot.buildId === null ? [] : [[`  build`, slot.buildId] as const]),
        ]),
      ];
    }
    case 'runners': {
      const runner = snapshot.runners[index];
      if (runner === undefined) return [];
      const suspicion = runnerSuspicion(runner, nowMs);
      const port = runner.buildId === null ? undefined : portsOfBuilds(snapshot).get(runner.buildId);
      return [
        ['runner', `${runner.name} (id ${runner.id})`],
        ['status', `${runner.status}${runner.busy ? ', busy' : ', no job'}`],
        ['suspicious', suspicion === null ? 'no' : SUSPICION_WORDS[suspicion]],
        ['registered', ago(runner.registeredAt, nowMs)],
        ['job started', ago(runner.jobStartedAt, nowMs)],
        ['build', runner.buildId === null ? '-' : `${runner.buildId}${port === undefined ? '' : ` (${port})`}`],
        ['platform', runner.platform ?? '-'],
        ['VM', runner.vmId ?? 'none'],
      ];
    }
    case 'queues': {
      const queue = snapshot.queues[index];
      if (queue === undefined) return [];
      return [
        ['platform', queue.platform],
        ['running', queue.running === null ? 'nothing' : `${describeQueueEntry(queue.running)} [${queue.running.buildId}]`],
        ['watchers', `${queue.pending.watchers} pending`],
        ['builders', `${queue.pending.builders} pending (+~${queue.pending.estimatedFromWatchers} expected from watchers)`],
        ['PR builds', `${queue.pending.pr} pending`],
        ['oldest wait', queue.oldestWaitSeconds === null ? '-' : formatDuration(queue.oldestWaitSeconds)],
        ['lanes', `${String(queue.inFlight)} of ${String(queue.lanes)} in flight`],
        ['blocked', queue.blocked.total === 0 ? 'none' : describeBlockedLine(queue.blocked)],
        ...queue.waiting.map((w, i): Field => [`waiting ${i + 1}`, `${w.port} ${w.reason === 'blocked' ? `blocked: waiting for ${w.waitsFor} to build` : `waits for ${w.waitsFor} (in flight)`}`]),
        ...queue.next.map((e, i): Field => [`next ${i + 1}`, `${describeQueueEntry(e)} [${e.buildId}] queued ${formatDuration(secondsSince(e.enqueuedAt, nowMs))} ago`]),
      ];
    }
    case 'failures': {
      const failure = snapshot.failures[index];
      if (failure === undefined) return [];
      return [
        ['port', failure.port ?? 'watcher'],
        ['platform', failure.platform],
        ['phase', failure.phase ?? '-'],
        ['finished', ago(failure.finishedAt, nowMs)],
        ['build', failure.buildId],
        ['log', failure.logUrl ?? 'none'],
      ];
    }
    case 'alerts': {
      const alert = snapshot.alerts[index];
      return alert === undefined ? [] : [['alert', alert]];
    }
  }
}
