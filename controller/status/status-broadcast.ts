import type { ServerResponse } from 'node:http';
import type { StatusFeed } from './status-feed.ts';

export interface StatusBroadcastOptions {
  /** Open event streams at most (config controller.maxEventStreams); past it a new one is answered 503. */
  readonly maxStreams: number;
  /** A stream whose unsent output passes this many bytes is closed (a reader that stopped reading; default 1 MiB). */
  readonly maxBufferedBytes?: number;
  /** Comment line sent on idle event streams so proxies keep them open (default 15 s). */
  readonly heartbeatMs?: number;
  /** The snapshot as validated JSON; throws when it does not match the schema. */
  readonly readJson: () => string;
  readonly onError: (error: Error) => void;
  /** A stream closed for not reading (its buffered bytes). */
  readonly onSlowStream?: (bufferedBytes: number) => void;
}

/**
 * The `GET /api/events` streams: one subscription to the feed for all of them, so a publish
 * validates and serialises the snapshot once and writes that one string to every stream,
 * whatever their number. A stream that does not read is closed once its buffer passes the cap,
 * so a stalled reader costs at most that much memory.
 */
export class StatusBroadcast {
  readonly #streams = new Set<ServerResponse>();
  readonly #feed: StatusFeed;
  readonly #options: StatusBroadcastOptions;
  readonly #maxBuffered: number;
  #unsubscribe: (() => void) | null = null;
  #heartbeat: NodeJS.Timeout | null = null;
  #last = '';

  constructor(feed: StatusFeed, options: StatusBroadcastOptions) {
    this.#feed = feed;
    this.#options = options;
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  }

  /** Open streams now. */
  get size(): number {
    return this.#streams.size;
  }

  /** True when another stream may be opened. */
  get hasRoom(): boolean {
    return this.#streams.size < this.#options.maxStreams;
  }

  /**
   * Starts the stream on `res` with `first` (the JSON the caller validated for this request);
   * the caller checked `hasRoom` and wrote the headers.
   */
  attach(res: ServerResponse, first: string): void {
    if (this.#streams.size === 0) this.#start();
    this.#streams.add(res);
    this.#last = first;
    res.write(`retry: 2000\n\nevent: status\ndata: ${first}\n\n`);
    res.on('close', () => {
      this.#streams.delete(res);
      if (this.#streams.size === 0) this.#stop();
    });
  }

  #start(): void {
    this.#unsubscribe = this.#feed.subscribe(() => {
      this.#publish();
    });
    const heartbeatMs = this.#options.heartbeatMs ?? 15_000;
    this.#heartbeat = setInterval(() => {
      this.#send(': keep-alive\n\n');
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#heartbeat !== null) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  #publish(): void {
    let json: string;
    try {
      json = this.#options.readJson();
    } catch (caught) {
      this.#options.onError(caught instanceof Error ? caught : new Error(String(caught)));
      return;
    }
    // Identical snapshots are not resent.
    if (json === this.#last) return;
    this.#last = json;
    this.#send(`event: status\ndata: ${json}\n\n`);
  }

  #send(frame: string): void {
    for (const res of [...this.#streams]) {
      if (res.writableLength > this.#maxBuffered) {
        this.#options.onSlowStream?.(res.writableLength);
        this.#streams.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
    if (this.#streams.size === 0) this.#stop();
  }
}
