import type { IncomingMessage, ServerResponse } from 'node:http';
import { Webhooks } from '@octokit/webhooks';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { coerceError } from '../errors/coerce-error.ts';
import { InFlightLimit } from '../http/in-flight-limit.ts';
import { BodyTooLargeError, declaredLength, declaredTooLarge, readBody } from '../http/read-body.ts';
import { refuseUnread } from '../http/refuse-unread.ts';
import { DeliveryMetrics } from './delivery-metrics.ts';
import { nextDeliveryAttempt, type DeliveryRetrySchedule } from './delivery-retry-schedule.ts';
import type { EventRejections } from './event-rejections.ts';
import type { DeliveryStore } from './delivery-store.ts';
import type { FarmEvents } from './farm-events.ts';
import { applyFarmCalls, translateWebhook, WebhookPayloadError, type WebhookContext } from './translate-webhook.ts';
import { crashPoint } from '../errors/crash-point.ts';

export interface WebhookHandlerOptions {
  /** The App's webhook secret (`github.webhookSecret`, from the environment). */
  readonly secret: string;
  readonly store: DeliveryStore;
  readonly farm: FarmEvents;
  readonly context: WebhookContext;
  readonly log: Logger;
  /** Deliveries worked on at once (default 1: in arrival order). */
  readonly concurrency?: number;
  /** GitHub caps payloads at 25 MB. */
  readonly maxBodyBytes?: number;
  /** Signed-looking bodies read at once (default 4 bodies, 32 MiB together: what forged requests can hold until their HMAC fails); past it 503. */
  readonly inFlight?: InFlightLimit;
  /** Where refused deliveries are counted (`portfarm_events_rejected_total{reason}`). */
  readonly rejections?: EventRejections;
  readonly now?: () => Date;
  /** When failed deliveries are tried again (default `DELIVERY_RETRY`: 1 min doubling, 8 attempts). */
  readonly retry?: DeliveryRetrySchedule;
  /** Where the retry counters go (`/metrics`); none: not counted. */
  readonly registry?: Registry;
}

export interface WebhookHandler {
  /** Mount at `/webhooks` of a node:http server. */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Queues the deliveries received before a crash but never processed; returns how many. */
  resumeUnprocessed(): number;
  /** Queues the failed deliveries whose retry is due (the controller calls it on a timer); returns how many. */
  retryDue(): number;
  /** Resolves when every queued delivery has been worked on. */
  idle(): Promise<void>;
  /** Answers 503 from now on, lets queued work finish (aborting it on a second call), resolves when done. */
  close(): Promise<void>;
}

interface Work {
  readonly guid: string;
  readonly event: string;
  readonly body: string;
  readonly receivedAt: Date;
  /** Failed attempts before this one. */
  readonly attempts: number;
}


/** Bytes of webhook bodies read at once before their signature is checked: one delivery at GitHub's 25 MB cap and small ones beside it. */
export const WEBHOOK_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** What GitHub sends: the HMAC-SHA256 of the body in hex. Anything else cannot verify, so its body is never read. */
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;

/** Marks that a request was answered, so every path of `receive` ends in exactly one reply. */
type Answered = 'answered';

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): Answered {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return 'answered';
}

/**
 * The webhook endpoint, thin: verify `X-Hub-Signature-256` (bad or missing → 401, nothing
 * changes), refuse a body that is not JSON (415 for another content type, 400 for bad JSON,
 * 413 over the size limit; nothing changes), check the payload's shape, claim the `X-GitHub-Delivery` GUID in the durable
 * store (a replay → 200 duplicate, nothing changes), answer 202 at once and do the work
 * from a queue. A failure in the work is logged and recorded on the delivery — never answered
 * 200 as if it had worked (probot #907) — and a retryable one is tried again on the retry
 * schedule (`retryDue`, and on the next start) until it works or the schedule runs out.
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const webhooks = new Webhooks({ secret: options.secret });
  const maxBody = options.maxBodyBytes ?? 25 * 1024 * 1024;
  const concurrency = options.concurrency ?? 1;
  // GitHub's deliveries are mostly a few KiB: one at the 25 MB cap fits, with room for small ones beside it.
  const inFlight = options.inFlight ?? new InFlightLimit(4, WEBHOOK_BYTES_IN_FLIGHT);
  const now = options.now ?? (() => new Date());
  const stopper = new AbortController();
  const queue: Work[] = [];
  /** Deliveries queued or being worked on: a due retry is not queued twice. */
  const queued = new Set<string>();
  const metrics = options.registry === undefined ? null : new DeliveryMetrics(options.registry);
  let running = 0;
  let closing: Promise<void> | undefined;
  let idleWaiters: (() => void)[] = [];

  const settleIdle = (): void => {
    if (running > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const work = async (item: Work): Promise<void> => {
    const log = options.log.child({ deliveryId: item.guid, event: item.event });
    try {
      const translation = translateWebhook({ id: item.guid, event: item.event, payload: JSON.parse(item.body) as unknown, receivedAt: item.receivedAt }, options.context);
      await applyFarmCalls(translation.calls, options.farm, stopper.signal);
      crashPoint('delivery-worked');
      options.store.markProcessed(item.guid);
      log.info({ calls: translation.calls.map((c) => c.method) }, 'delivery processed');
    } catch (value) {
      const err = coerceError(value);
      const retryable = (err as { retryable?: unknown }).retryable !== false;
      const attempts = item.attempts + 1;
      const retryAt = retryable ? nextDeliveryAttempt(attempts, now(), options.retry) : null;
      const givenUp = retryable && retryAt === null;
      options.store.markFailed(item.guid, { error: err.message, attempts, retryAt, givenUp });
      if (givenUp) {
        metrics?.givenUp();
        log.error({ err, attempts }, `delivery given up after ${String(attempts)} failed attempts: its work was never done; redeliver it from the App's advanced settings once the cause is fixed`);
      } else {
        log.error({ err, retryable, attempts, ...(retryAt === null ? {} : { retryAt: retryAt.toISOString() }) }, 'delivery failed');
      }
    }
  };

  const pump = (): void => {
    while (running < concurrency && queue.length > 0) {
      const item = queue.shift();
      if (item === undefined) break;
      running += 1;
      void work(item).finally(() => {
        queued.delete(item.guid);
        running -= 1;
        pump();
        settleIdle();
      });
    }
  };

  const enqueue = (item: Work): boolean => {
    if (queued.has(item.guid)) return false;
    queued.add(item.guid);
    queue.push(item);
    pump();
    return true;
  };

  const receive = async (req: IncomingMessage, res: ServerResponse): Promise<Answered> => {
    if (closing !== undefined) return reply(res, 503, { error: 'shutting down; GitHub will show this delivery as failed and portfarm recovers it on start' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'webhooks are POSTed' });
    const event = req.headers['x-github-event'];
    const guid = req.headers['x-github-delivery'];
    const signature = req.headers['x-hub-signature-256'];
    const subject = typeof guid === 'string' && guid !== '' ? `delivery ${guid}` : (req.socket.remoteAddress ?? '?');
    // Everything the headers can refuse is refused before a byte of the body is read: an
    // unsigned or mistyped post costs a header parse, not 25 MB of memory.
    const refuse = (reason: string, status: number, error: string): Answered => {
      options.rejections?.reject(reason, subject, { deliveryId: guid, status });
      options.log.warn({ deliveryId: guid, reason }, `webhook refused before reading its body: ${error}`);
      refuseUnread(res, status, { error });
      return 'answered';
    };
    if (typeof signature !== 'string' || signature === '') {
      return refuse('webhook-unsigned', 401, 'missing X-Hub-Signature-256; set the webhook secret in the GitHub App settings');
    }
    if (!SIGNATURE.test(signature)) {
      return refuse('webhook-bad-signature', 401, "bad X-Hub-Signature-256: not sha256=<64 hex digits>; the App's webhook secret must be set (github.webhookSecretEnv)");
    }
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/json\b/i.test(type)) {
      return refuse('webhook-content-type', 415, `content type ${JSON.stringify(type)} is not application/json; set the App's webhook content type to application/json`);
    }
    if (typeof event !== 'string' || typeof guid !== 'string' || guid === '') {
      return refuse('webhook-no-delivery-headers', 400, 'X-GitHub-Event and X-GitHub-Delivery headers are required');
    }
    const declared = declaredTooLarge(req, maxBody);
    if (declared !== null) return refuse('webhook-too-large', 413, `body larger than ${maxBody} bytes (${declared} declared; GitHub caps payloads at 25 MB)`);
    // A body reserves its declared size (a chunked one: the cap) before a byte of it is read.
    const release = inFlight.tryEnter(Math.min(declaredLength(req) ?? maxBody, maxBody));
    if (release === null) {
      options.log.warn({ deliveryId: guid, inFlight: inFlight.current, bytes: inFlight.bytes }, 'webhook refused: too many bodies or bytes being read; GitHub redelivers');
      refuseUnread(res, 503, { error: `deliveries being read hold the limit (${inFlight.max} bodies, ${inFlight.maxBytes} bytes); retry later` }, { 'retry-after': '5' });
      return 'answered';
    }
    let body: string;
    try {
      body = await readBody(req, maxBody);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      return refuse('webhook-too-large', 413, `${err.message} (GitHub caps payloads at 25 MB)`);
    } finally {
      release();
    }
    if (!(await webhooks.verify(body, signature).catch(() => false))) {
      options.rejections?.reject('webhook-bad-signature', subject, { deliveryId: guid });
      options.log.warn({ deliveryId: guid }, 'webhook with a bad signature refused');
      return reply(res, 401, { error: "bad X-Hub-Signature-256: the App's webhook secret differs from portfarm's (github.webhookSecretEnv)" });
    }
    const log = options.log.child({ deliveryId: guid, event });
    const receivedAt = now();
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return reply(res, 400, { delivery: guid, error: 'body is not JSON (set the App webhook content type to application/json)' });
    }
    if (options.store.has(guid)) {
      log.info('duplicate delivery ignored');
      return reply(res, 200, { delivery: guid, result: 'duplicate' });
    }
    let translation;
    try {
      translation = translateWebhook({ id: guid, event, payload, receivedAt }, options.context);
    } catch (err) {
      if (!(err instanceof WebhookPayloadError)) throw err;
      // Claimed and failed for good, so recovery does not redeliver it over and over.
      options.store.claim({ guid, event, body, receivedAt });
      options.store.markFailed(guid, { error: err.message, attempts: 1, retryAt: null, givenUp: false });
      log.error({ err }, 'delivery refused: payload has the wrong shape');
      return reply(res, 400, { delivery: guid, error: err.message });
    }
    if (translation.ignored !== null) {
      // Kept without its body: anyone's workflows make such deliveries, as many as they like.
      if (!options.store.claimIgnored({ guid, event, receivedAt })) return reply(res, 200, { delivery: guid, result: 'duplicate' });
      log.debug({ reason: translation.ignored }, 'delivery needs no action');
      return reply(res, 202, { delivery: guid, result: 'ignored', reason: translation.ignored });
    }
    if (!options.store.claim({ guid, event, body, receivedAt })) {
      return reply(res, 200, { delivery: guid, result: 'duplicate' });
    }
    crashPoint('webhook-claimed');
    if (translation.notPortNames !== undefined) {
      log.warn({ notPortNames: translation.notPortNames }, 'push names directories that are not port names; they are not built');
    }
    const answered = reply(res, 202, { delivery: guid, result: 'queued' });
    enqueue({ guid, event, body, receivedAt, attempts: 0 });
    return answered;
  };

  return {
    handle(req, res) {
      receive(req, res).catch((err: unknown) => {
        options.log.error({ err: coerceError(err) }, 'webhook handler failed');
        if (!res.headersSent) void reply(res, 500, { error: 'portfarm failed to take the delivery; GitHub will show it failed' });
      });
    },
    resumeUnprocessed() {
      const pending = options.store.unprocessed();
      for (const d of pending) enqueue({ guid: d.guid, event: d.event, body: d.body, receivedAt: d.receivedAt, attempts: d.attempts });
      return pending.length;
    },
    retryDue() {
      if (closing !== undefined) return 0;
      let count = 0;
      for (const d of options.store.dueForRetry(now())) {
        if (!enqueue({ guid: d.guid, event: d.event, body: d.body, receivedAt: d.receivedAt, attempts: d.attempts })) continue;
        metrics?.retried();
        options.log.info({ deliveryId: d.guid, event: d.event, attempt: d.attempts + 1 }, 'failed delivery tried again');
        count += 1;
      }
      return count;
    },
    idle() {
      if (running === 0 && queue.length === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    close() {
      if (closing !== undefined) {
        stopper.abort(new Error('webhook handler closed twice: aborting queued work'));
        return closing;
      }
      closing = new Promise((resolve) => {
        if (running === 0 && queue.length === 0) resolve();
        else idleWaiters.push(resolve);
      });
      return closing;
    },
  };
}
