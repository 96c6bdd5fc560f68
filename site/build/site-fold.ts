import type { LedgerEntry } from '../ledger/ledger-entry.ts';
import { BuildIds } from './build-ids.ts';
import { platformOf } from '../lookup/platform-of.ts';
import { shardOf, type MapWatcher } from '../lookup/site-map.ts';
import { buildIdOfArchivePage } from '../lookup/stable-log-url.ts';
import type { JsonWindow } from './json-window.ts';
import type { NotedBuild } from './port-history.ts';
import { hold, type BuilderState, type ShardBuffer } from './shard-buffer.ts';
import { targetResolver } from './target-url.ts';

export interface SiteFoldOptions {
  /** The site's base path (`/` or `/<repo>/`) and site.baseUrl, site.logArchiveUrl. */
  readonly base: string;
  readonly baseUrl: string;
  readonly logArchiveUrl: string | undefined;
  /** The port history (`PortHistory`), or what collects the new lines' port builds to add to the written one. */
  readonly ports: { note(port: string, build: NotedBuild): void };
  readonly window: JsonWindow;
  /** The builders the site already has (an update), else none. */
  readonly builders?: Map<string, BuilderState>;
  /** Per platform its watcher recorded last, as the lines before left it. */
  readonly lastWatcher?: Map<string, MapWatcher>;
  /** The shard `shard` of a builder to add builds to: empty, or a written one read back (`reopenShard`). */
  readonly open: (state: BuilderState, shard: number) => Promise<ShardBuffer>;
  /** The builder's open shard is complete for now: write it (or keep it to write). */
  readonly flush: (state: BuilderState) => Promise<void>;
}

/**
 * What `site build` makes of the ledger's lines, one at a time: the builders' shards, the port
 * history, the JSON window, the build ids. A whole build folds every line into an empty fold;
 * an update of a site folds only the new lines into what the written site and its manifest
 * kept, through the same code, so both write the same files.
 */
export class SiteFold {
  readonly builders: Map<string, BuilderState>;
  readonly lastWatcher: Map<string, MapWatcher>;
  /** Build id → builder and number, for ids found from the archive's build-page URLs. */
  readonly ids = new BuildIds();
  duplicates = 0;
  firstDuplicate: { readonly line: number; readonly builder: string; readonly number: number } | undefined;
  readonly #options: SiteFoldOptions;
  readonly #target: (url: string) => string;
  readonly #archiveBases: readonly string[];
  // Port pages keep a few builds per port for the whole run: one string per platform, not per build.
  readonly #interned = new Map<string, string>();

  constructor(options: SiteFoldOptions) {
    this.#options = options;
    this.builders = options.builders ?? new Map<string, BuilderState>();
    this.lastWatcher = options.lastWatcher ?? new Map<string, MapWatcher>();
    this.#target = targetResolver(options.base, options.logArchiveUrl);
    // Build pages of the controller's log archive name their build id: `/builds/<id>/…` links resolve through them.
    // The controller writes them below site.logArchiveUrl, else relative to the site (`logs/…`; older ledgers: `<site.baseUrl>/logs/`).
    this.#archiveBases =
      options.logArchiveUrl === undefined
        ? [new URL('logs/', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`).href, `${options.base}logs/`, 'logs/']
        : [options.logArchiveUrl.endsWith('/') ? options.logArchiveUrl : `${options.logArchiveUrl}/`];
  }

  readonly intern = (text: string): string => {
    const seen = this.#interned.get(text);
    if (seen !== undefined) return seen;
    this.#interned.set(text, text);
    return text;
  };

  /** The builder's state, made when the ledger names it first. */
  stateOf(builder: string, number: number): BuilderState {
    let state = this.builders.get(builder);
    if (state === undefined) {
      state = { name: builder, implied: this.intern(platformOf(builder)), first: number, latest: number, count: 0, shards: new Set(), buffer: undefined, latestBuild: undefined };
      this.builders.set(builder, state);
    }
    return state;
  }

  async note(entry: LedgerEntry, line: number): Promise<void> {
    const state = this.stateOf(entry.builder, entry.number);
    const k = shardOf(entry.number);
    if (state.buffer?.shard !== k) {
      await this.#options.flush(state);
      state.buffer = await this.#options.open(state, k);
    }
    const buffer = state.buffer;
    const platform = entry.platform ?? state.implied;
    if (entry.builder.endsWith('-watcher')) this.lastWatcher.set(platform, { builder: entry.builder, number: entry.number });
    const watcher = entry.watcher ?? (entry.port === undefined ? undefined : this.lastWatcher.get(platform));
    const held = hold(state, buffer, entry.number, entry, this.#target, this.intern, watcher);
    if (buffer.builds.has(entry.number)) {
      this.duplicates += 1;
      this.firstDuplicate ??= { line, builder: entry.builder, number: entry.number };
    } else state.count += 1;
    buffer.builds.set(entry.number, held);
    state.shards.add(k);
    state.first = Math.min(state.first, entry.number);
    if (entry.number >= state.latest) {
      state.latest = entry.number;
      state.latestBuild = held;
    }
    if (held.port !== undefined) this.#options.ports.note(held.port, held);
    let id: string | undefined;
    for (const archiveBase of this.#archiveBases) id ??= buildIdOfArchivePage(held.url, archiveBase);
    if (id !== undefined) this.ids.set(id, state.name, entry.number);
    const steps = typeof held.steps === 'number' ? buffer.stepSets[held.steps] : held.steps;
    this.#options.window.note({ held, steps, relative: typeof held.steps === 'number', id });
  }
}
