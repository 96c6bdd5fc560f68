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
