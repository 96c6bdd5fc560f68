import type { PendingBuild, PortSummary, SiteEta } from './site-map.ts';

/** One pending build as the port page shows it. */
export interface PendingRow {
  readonly platform: string;
  /** "building", "next in line", "37th in line". */
  readonly place: string;
  /** "around 14:40 UTC (14:20–15:10)", or why there is no estimate. */
  readonly ready: string;
}

/** The port page's "pending builds" block: what the page and `site resolve` say, in words. */
export interface PendingView {
  /** The sentence above the table (or alone, when nothing is listed). */
  readonly heading: string;
  readonly rows: readonly PendingRow[];
  /** The controller's live answer for this port; absent when the site does not know where it is. */
  readonly live?: string;
}

const MINUTE = 60_000;

/**
 * The pending builds of a port as of the site's ETA snapshot, or why there are none to show:
 * nothing pending at that time, or no snapshot at all ("no estimate available as of" the
 * site's build time).
 */
export function describePending(port: string, summary: PortSummary, eta: SiteEta | undefined, builtAt: string | undefined): PendingView {
  if (eta === undefined) {
    const when = builtAt === undefined ? '' : ` as of ${stamp(Date.parse(builtAt))}`;
    return { heading: `No estimate available${when}: this site was built without the controller's ETA snapshot.`, rows: [] };
  }
  const asOf = Date.parse(eta.asOf);
  // Only a web address becomes a link (the site build refuses anything else; an older or edited index is not trusted).
  const live = eta.live === undefined || !/^https?:\/\//i.test(eta.live) ? {} : { live: `${eta.live}?${new URLSearchParams({ port }).toString()}` };
  const pending = summary.pending ?? [];
  if (pending.length === 0) return { heading: `Nothing queued or building as of ${stamp(asOf)}.`, rows: [], ...live };
  return { heading: `Queued or building as of ${stamp(asOf)}, with the estimate made then:`, rows: pending.map((b) => row(b, asOf)), ...live };
}

function row(build: PendingBuild, asOf: number): PendingRow {
  const [platform, position] = build;
  const place = position === 0 ? 'building' : position === 1 ? 'next in line' : `${ordinal(position)} in line`;
  if (build.length === 3) {
    const why = build[2] === 'not-selected' ? 'no estimate: waits for what it depends on' : build[2] === 'beyond-limit' ? 'no estimate: too far back in line' : 'no estimate: no build seen to estimate from';
    return { platform, place, ready: why };
  }
  const [, , low, mid, high] = build;
  const at = (minutes: number): string => clock(asOf + minutes * MINUTE, asOf);
  return { platform, place, ready: `around ${at(mid)} UTC (${at(low)}–${at(high)})` };
}

/** "2026-12-03 14:05 UTC". */
function stamp(ms: number): string {
  if (Number.isNaN(ms)) return 'an unknown time';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "14:40" on the snapshot's day, "2026-12-04 14:40" on another. */
function clock(ms: number, asOf: number): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(asOf).toISOString().slice(0, 10);
  return sameDay ? iso.slice(11, 16) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${String(n)}${suffix}`;
}
