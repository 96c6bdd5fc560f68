import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';

/**
 * Events (webhooks, jobs, port lists, uploads) that claimed to be the farm's and were not: the
 * trust boundary's one counter and one log. Anyone who can open a pull request can start a run
 * with any name and any runner labels, so a refusal is routine, not an error; it is logged once
 * per (reason, subject) so a repeated delivery or a flood of forged events does not flood the
 * log, and counted every time as `portfarm_events_rejected_total{reason}`.
 */
export class EventRejections {
  readonly #counter: Counter<'reason'>;
  readonly #log: Logger;
  readonly #logged = new Set<string>();
  readonly #maxRemembered: number;

  constructor(options: { readonly registry: Registry; readonly log: Logger; readonly maxRemembered?: number }) {
    this.#counter = new Counter({
      name: 'portfarm_events_rejected_total',
      help: 'Events that claimed to be the farm\'s and were ignored (forged run, foreign job, wrong token, unplanned upload), by reason',
      labelNames: ['reason'],
      registers: [options.registry],
    });
    this.#log = options.log;
    this.#maxRemembered = options.maxRemembered ?? 10_000;
  }

  /**
   * Count one refused event. `reason` is a short stable slug (`run-not-recorded`,
   * `foreign-workflow`, …: it becomes a metric label, so never a value from the event);
   * `subject` names what was refused (a run id, a job id) and `details` what the operator needs
   * to see why.
   */
  reject(reason: string, subject: string, details: Readonly<Record<string, unknown>> = {}): void {
    this.#counter.inc({ reason });
    const key = `${reason}\u0000${subject}`;
    if (this.#logged.has(key)) return;
    if (this.#logged.size >= this.#maxRemembered) this.#logged.clear();
    this.#logged.add(key);
    this.#log.warn({ ...details, reason, subject }, `event rejected: ${reason}`);
  }

  /** How many events were refused for this reason (tests, the status answer). */
  async count(reason: string): Promise<number> {
    const metric = await this.#counter.get();
    return metric.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  }
}
