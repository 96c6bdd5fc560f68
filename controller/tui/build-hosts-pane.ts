import type { StatusSnapshot } from '../status/status-snapshot.ts';
import { describeSlot, SLOT_TONES } from './describe-slot.ts';
import { fitCell, fitText } from './fit-text.ts';
import type { PaneItem, PaneModel } from './pane-model.ts';
import { segment } from './screen-line.ts';

const HOST = 18;
const DISK = 10;

/** Hosts: one line per VM slot, the host's name and free disk on the first, its platforms on the second. */
export function buildHostsPane(snapshot: StatusSnapshot, nowMs: number, width: number): PaneModel {
  const rest = Math.max(0, width - HOST - DISK);
  const items = snapshot.hosts.map((host): PaneItem => {
    const disk = host.diskFreeGiB === null ? '?' : `${Math.round(host.diskFreeGiB)} GiB`;
    const lines = host.slots.map((slot, i) => [
      i === 0 ? segment(fitCell(host.name, HOST), 'normal', { bold: true }) : segment(fitCell(i === 1 ? host.platforms.join(',') : '', HOST), 'muted'),
      segment(fitCell(i === 0 ? disk : '', DISK), host.diskFreeGiB !== null && host.diskFreeGiB < 50 ? 'warn' : 'normal'),
      segment(fitText(`${slot.index} ${describeSlot(slot, nowMs)}`, rest), SLOT_TONES[slot.state]),
    ]);
    if (host.slots.length === 0) lines.push([segment(fitCell(host.name, HOST), 'normal', { bold: true }), segment(fitCell(disk, DISK)), segment(fitText('no VM slots', rest), 'muted')]);
    if (host.refusing !== null) {
      lines.push([segment(fitCell('', HOST + DISK)), segment(fitText(`! takes no VMs: ${host.refusing}`, rest), 'bad')]);
    }
    return { lines };
  });
  return {
    header: [segment(fitCell('HOST', HOST), 'muted', { bold: true }), segment(fitCell('DISK FREE', DISK), 'muted', { bold: true }), segment(fitText('SLOT', rest), 'muted', { bold: true })],
    items,
    empty: 'no hosts (the config lists none under platforms[].hosts)',
    selectable: true,
  };
}
