import type { SlotStatus } from '../status/status-snapshot.ts';
import { formatDuration, secondsSince } from './format-duration.ts';
import type { Tone } from './screen-line.ts';

const STATE_WORDS: Readonly<Record<SlotStatus['state'], string>> = {
  empty: 'empty',
  cloning: 'cloning VM',
  booting: 'booting VM',
  'runner-online': 'runner online',
  running: 'running',
  'tearing-down': 'tearing down',
};

export const SLOT_TONES: Readonly<Record<SlotStatus['state'], Tone>> = {
  empty: 'muted',
  cloning: 'busy',
  booting: 'busy',
  'runner-online': 'accent',
  running: 'ok',
  'tearing-down': 'busy',
};

/** What a VM slot holds, in the operator's words: `running py313-numpy (15_arm64) for 12m`. */
export function describeSlot(slot: SlotStatus, nowMs: number): string {
  if (slot.state === 'empty') return 'empty';
  const what = slot.state === 'running' ? ` ${slot.port ?? 'watcher'}` : '';
  const platform = slot.platform === null ? '' : ` (${slot.platform})`;
  const since = slot.since === null ? '' : ` for ${formatDuration(secondsSince(slot.since, nowMs))}`;
  return `${STATE_WORDS[slot.state]}${what}${platform}${since}`;
}
