import { describeEta } from '../eta/describe-eta.ts';
import type { EtaAnswer } from '../eta/eta-answer.ts';
import type { PortCheck } from '../github/port-check-run.ts';

export interface QueuedCheckEtaOptions {
  /** FarmEta.answer. */
  readonly answer: (port: string, platform: string, now: number) => EtaAnswer;
  /** A queued check's estimate is refreshed at most this often (ms)… */
  readonly refreshMs: number;
  /** …and at most this many per flush, oldest first: every refresh is an API call. */
  readonly refreshPerFlush: number;
  /**
   * Off the loop (the controller's projection thread), a list just accepted is in no projection
   * yet: its checks are written once the platform's projection holds it (FarmEta.queueMark /
   * projectedSince), waiting at most `waitMs`; past that they go out without an estimate and
   * the refresh fills it in. Absent: the line is made at once (projections in the loop).
   */
  readonly projected?: {
    readonly mark: () => number;
    readonly since: (platform: string, mark: number, now: number) => Promise<void>;
    readonly waitMs: number;
  };
}

interface QueuedCheck {
  readonly headSha: string;
  readonly port: string;
  readonly platform: string;
  /** When its estimate was last sent. */
  etaAt: number;
}

/**
 * The estimates on the queued port checks: the line a check is made with, and which checks'
 * estimates are due for a refresh — at most `refreshPerFlush` per flush, oldest estimate first,
 * each at most every `refreshMs`. A check leaves when its build starts or completes.
 */
export class QueuedCheckEtas {
  readonly #options: QueuedCheckEtaOptions;
  /** `platform/port` → the check; Map order is the order of the last estimate sent (re-inserted on refresh). */
  readonly #queued = new Map<string, QueuedCheck>();

  constructor(options: QueuedCheckEtaOptions) {
    this.#options = options;
  }

  /** The estimate line for a queued check, when the port is pending on the platform. */
  line(port: string, platform: string, now: Date): { eta?: string } {
    const build = this.#options.answer(port, platform, now.getTime()).builds[0];
    return build === undefined || build.state !== 'pending' ? {} : { eta: describeEta(build, now) };
  }

  /** The mark a new list's checks wait for, or undefined when they need not wait. */
  mark(): number | undefined {
    return this.#options.projected?.mark();
  }

  /**
   * Resolves when every platform's projection holds the queue as of its mark, or after
   * `waitMs` (a projection late or lost), or when `signal` aborts; never rejects.
   */
  async settle(marks: ReadonlyMap<string, number>, now: Date, signal: AbortSignal): Promise<void> {
    const projected = this.#options.projected;
    if (projected === undefined || marks.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, projected.waitMs);
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const all = Promise.allSettled([...marks].map(([platform, mark]) => projected.since(platform, mark, now.getTime())));
    try {
      await Promise.race([all, giveUp]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    }
  }

  /** A queued check was sent with an estimate as of `now`. */
  noted(headSha: string, port: string, platform: string, now: Date): void {
    const key = `${platform}/${port.toLowerCase()}`;
    this.#queued.delete(key);
    this.#queued.set(key, { headSha, port, platform, etaAt: now.getTime() });
  }

  /** The port's build started or finished on the platform: its check no longer shows an estimate. */
  forget(port: string, platform: string): void {
    this.#queued.delete(`${platform}/${port.toLowerCase()}`);
  }

  /** The queued checks to send again with a new estimate, within the allowance. */
  due(now: Date): PortCheck[] {
    const out: PortCheck[] = [];
    for (const [key, check] of [...this.#queued]) {
      if (out.length >= this.#options.refreshPerFlush || now.getTime() - check.etaAt < this.#options.refreshMs) break;
      const line = this.line(check.port, check.platform, now);
      this.#queued.delete(key);
      if (line.eta === undefined) continue; // no longer pending there: its next state updates the check
      check.etaAt = now.getTime();
      this.#queued.set(key, check);
      out.push({ headSha: check.headSha, port: check.port, platform: check.platform, status: 'queued', ...line, at: now });
    }
    return out;
  }
}
