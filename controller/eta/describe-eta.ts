import type { PortEta } from './eta-answer.ts';

/**
 * One line a maintainer reads (the queued check's title, `portfarm eta`, the TUI):
 * "queued on 15_arm64, 37th in line, estimated ready around 14:20 UTC (13:50–15:10)".
 * Times are UTC; a time on another day than `now` carries its date.
 */
export function describeEta(eta: PortEta, now: Date): string {
  const where = eta.state === 'pending' ? `queued on ${eta.platform}${eta.position > 0 ? `, ${ordinal(eta.position)} in line` : ''}` : `building on ${eta.platform}`;
  if (eta.finish !== null) {
    const { low, mid, high } = eta.finish;
    return `${where}, estimated ready around ${clock(mid, now)} UTC (${clock(low, now)}–${clock(high, now)})`;
  }
  switch (eta.unknown) {
    case 'not-selected':
      return `${where}: waiting for what it depends on; no estimate until that is built`;
    case 'beyond-limit':
      return `${where}: too far back in line to estimate yet`;
    default:
      return `${where}: no estimate yet (no build seen to estimate from)`;
  }
}

/** "14:20", or "Fri 4 Dec 14:20" when not on `now`'s day (UTC). */
function clock(iso: string, now: Date): string {
  const at = new Date(iso);
  const time = at.toISOString().slice(11, 16);
  if (at.toISOString().slice(0, 10) === now.toISOString().slice(0, 10)) return time;
  const day = at.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).replace(',', '');
  return `${day} ${time}`;
}

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 37th … */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${String(n)}${suffix}`;
}
