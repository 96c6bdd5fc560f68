import type { TornLine, UnsafeUrlLine } from '../ledger/read-ledger.ts';
import type { SiteIndex } from '../lookup/site-map.ts';
import type { SiteManifest } from './site-manifest.ts';
import type { EtaSnapshot } from './eta-snapshot.ts';

export interface BuildSiteOptions {
  readonly ledgerPath: string;
  readonly outDir: string;
  /** site.baseUrl: its path is where the site is served (`/` or `/<repo>/` on GitHub Pages). */
  readonly baseUrl: string;
  /** site.logArchiveUrl: relative log URLs in the ledger point below it; without it, below the site. */
  readonly logArchiveUrl?: string | undefined;
  /**
   * site.logArchiveDir: the controller's copies of job logs. Without a logArchiveUrl they are
   * served by the site itself, so they are hard-linked (or copied) into its `/logs/`.
   */
  readonly logArchiveDir?: string | undefined;
  /**
   * Days of newest builds per builder that get real JSON files for programs (site.jsonWindowDays,
   * default JSON_WINDOW_DAYS); older builds' JSON is shown by the router page.
   */
  readonly jsonWindowDays?: number;
  /**
   * The controller's ETA snapshot (`--eta FILE` / `--eta-url URL`): ports with builds queued or
   * running get them on their page with their estimate; without it, port pages say that no
   * estimate is available. A new snapshot (or none any more) updates the port files and the
   * index in place; the same ledger, snapshot and options write nothing.
   */
  readonly eta?: { readonly snapshot: EtaSnapshot; readonly live?: string | undefined } | undefined;
  /** The site's build time (`builtAt` in the index; tests pin it); default now. */
  readonly now?: () => Date;
  readonly signal?: AbortSignal;
  /** Called every PROGRESS_EVERY ledger lines. */
  readonly onProgress?: (lines: number) => void;
  /** Called for each file an update of the site in place has put in place (progress; tests cut an update short here). */
  readonly onWritten?: (path: string) => void;
  readonly onTornLine: (torn: TornLine) => void;
  /** A ledger line skipped for a URL that could lead off the site; it is not on the site. */
  readonly onUnsafeUrl: (line: UnsafeUrlLine) => void;
}

export interface SiteSummary {
  readonly builds: number;
  readonly builders: number;
  readonly shards: number;
  readonly ports: number;
  readonly files: number;
  /** Of those, JSON files for programs and installed-files lists copied from the log archive. */
  readonly jsonFiles: number;
  readonly filesLogs: number;
  readonly largestShard: { readonly path: string; readonly bytes: number };
  /** Lines naming a builder and number an earlier line already had: the later line wins. */
  readonly duplicates: number;
  /** The first such line, for the warning. */
  readonly firstDuplicate?: { readonly line: number; readonly builder: string; readonly number: number };
  /** True when the folder already held the site of this ledger and options: nothing was written. */
  readonly unchanged?: boolean;
  /** Set when the site was updated in place for appended lines: files written and removed. */
  readonly updated?: { readonly written: number; readonly removed: number };
}

export const PROGRESS_EVERY = 100_000;
/** ports.macports.org imports every few hours; two weeks of builds covers a long outage of either side. */
export const JSON_WINDOW_DAYS = 14;
/** Builds of a port on its page, most recent first. */
export const RECENT_PER_PORT = 10;

/** What `site build` said when it wrote the site, said again. */
export function unchangedSummary(manifest: SiteManifest): SiteSummary {
  const { firstDuplicate, ...said } = manifest.summary;
  return { ...said, ...(firstDuplicate === undefined ? {} : { firstDuplicate }), unchanged: true };
}

/** What `map/_index.json` says of this build: when it was written, and the ETA snapshot its port pages show. */
export function indexStamp(options: BuildSiteOptions): Pick<SiteIndex, 'builtAt' | 'eta'> {
  const eta = options.eta;
  return {
    builtAt: (options.now?.() ?? new Date()).toISOString(),
    ...(eta === undefined ? {} : { eta: { asOf: eta.snapshot.generatedAt, ...(eta.live === undefined ? {} : { live: eta.live }) } }),
  };
}
