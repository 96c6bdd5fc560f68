import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { createWebhookHandler } from '../../controller/github/create-webhook-handler.ts';
import { nextDeliveryAttempt, type DeliveryRetrySchedule } from '../../controller/github/delivery-retry-schedule.ts';
import { SqliteDeliveryStore } from '../../controller/github/sqlite-delivery-store.ts';
import { captureLog } from './capture-log.ts';
import { RecordingFarm } from './recording-farm.ts';
import { webhookExample } from './webhook-fixtures.ts';

const context = { repo: 'Codertocat/Hello-World', workflow: 'ports.yml', platforms: ['15_arm64'] };
const T0 = Date.parse('2026-11-26T06:00:00Z');

/** GitHub's push example, touching one port (so that handling it calls the farm). */
function portPush(): string {
  const push = webhookExample('push', 4);
  Object.assign((push.commits as Record<string, unknown>[])[0] ?? {}, { added: [], modified: ['net/curl/Portfile'], removed: [] });
  return JSON.stringify(push);
}

test('the retry schedule: 1 min after the first failure, doubling, none after the last attempt', () => {
  const at = new Date(T0);
  const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => ((nextDeliveryAttempt(n, at)?.getTime() ?? Number.NaN) - T0) / 60_000);
  assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64]);
  assert.equal(nextDeliveryAttempt(8, at), null);
  assert.equal(nextDeliveryAttempt(3, at, { firstDelayMs: 1000, maxAttempts: 3 }), null);
});

/** A push claimed in a SQLite store on disk, a handler on a clock the test moves, and a farm that fails while told to. */
function harness(schedule?: DeliveryRetrySchedule): {
  readonly store: SqliteDeliveryStore;
  readonly handler: ReturnType<typeof createWebhookHandler>;
  readonly farm: RecordingFarm & { failing: boolean };
  readonly logged: ReturnType<typeof captureLog>;
  readonly registry: Registry;
  readonly clock: { now: number };
  readonly reopen: () => SqliteDeliveryStore;
  readonly dispose: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-retry-'));
  const path = join(dir, 'state.db');
  const store = new SqliteDeliveryStore(path);
  const clock = { now: T0 };
  const farm = Object.assign(new RecordingFarm(), { failing: false });
  const record = farm.onPush.bind(farm);
  farm.onPush = (arg, signal) => (farm.failing ? Promise.reject(Object.assign(new Error('database is locked'), { retryable: true })) : record(arg, signal));
  const logged = captureLog();
  const registry = new Registry();
  const handler = createWebhookHandler({ secret: 's', store, farm, context, log: logged.log, now: () => new Date(clock.now), registry, ...(schedule === undefined ? {} : { retry: schedule }) });
  store.claim({ guid: 'd-1', event: 'push', body: portPush(), receivedAt: new Date(T0) });
  const opened: SqliteDeliveryStore[] = [store];
  return {
    store, handler, farm, logged, registry, clock,
    reopen: () => {
      const again = new SqliteDeliveryStore(path);
      opened.push(again);
      return again;
    },
    dispose: () => {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Harness = ReturnType<typeof harness>;

/** Runs `body` on a fresh harness, and removes the store's folder after, whatever happened. */
async function withHarness(schedule: DeliveryRetrySchedule | undefined, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = harness(schedule);
  try {
    await body(h);
  } finally {
    h.dispose();
  }
}

/** The farm fails, and the claimed delivery is worked on once: its first attempt fails. */
async function failFirstAttempt(h: Harness): Promise<void> {
  h.farm.failing = true;
  assert.equal(h.handler.resumeUnprocessed(), 1);
  await h.handler.idle();
}

/** The clock moved to `ms` after the delivery came, when one retry is due: it is queued and worked on. */
async function retryAt(h: Harness, ms: number): Promise<void> {
  h.clock.now = T0 + ms;
  assert.equal(h.handler.retryDue(), 1, `a retry is due ${String(ms)} ms after the delivery came`);
  await h.handler.idle();
}

async function counter(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  return metric === undefined ? Number.NaN : ((await metric.get()).values[0]?.value ?? 0);
}

test('a delivery whose handling failed is tried again when its retry is due, without a restart', () =>
  withHarness(undefined, async (h) => {
    await failFirstAttempt(h);
    assert.deepEqual(h.store.unprocessed().map((d) => [d.guid, d.state, d.attempts]), [['d-1', 'failed', 1]]);
    h.farm.failing = false;
    h.clock.now = T0 + 59_000;
    assert.equal(h.handler.retryDue(), 0, 'not before the minute is up');
    h.clock.now = T0 + 60_000;
    assert.equal(h.handler.retryDue(), 1);
    assert.equal(h.handler.retryDue(), 0, 'a retry already queued is not queued twice');
    await h.handler.idle();
    assert.deepEqual(h.farm.calls.map((c) => c.arg.deliveryId), ['d-1']);
    assert.deepEqual(h.store.unprocessed(), []);
    assert.equal(await counter(h.registry, 'portfarm_webhook_delivery_retries_total'), 1);
  }));

test('a delivery failing on every attempt is given up after the last one: logged, counted, never tried again, not resumed on restart', () =>
  withHarness({ firstDelayMs: 1000, maxAttempts: 3 }, async (h) => {
    await failFirstAttempt(h);
    await retryAt(h, 1000);
    h.clock.now = T0 + 2999;
    assert.equal(h.handler.retryDue(), 0, 'the second wait is twice the first');
    await retryAt(h, 3000);
    h.clock.now = T0 + 86_400_000;
    assert.equal(h.handler.retryDue(), 0);
    assert.deepEqual(h.store.unprocessed(), []);
    const givenUp = h.logged.entries.filter((e) => typeof e.msg === 'string' && e.msg.startsWith('delivery given up'));
    assert.deepEqual(givenUp.map((e) => [e.level, e.deliveryId, e.attempts]), [['error', 'd-1', 3]]);
    assert.equal(await counter(h.registry, 'portfarm_webhook_deliveries_given_up_total'), 1);
    assert.equal(await counter(h.registry, 'portfarm_webhook_delivery_retries_total'), 2);
    const reopened = h.reopen();
    assert.deepEqual(reopened.unprocessed(), [], 'a restart does not start the schedule over');
    assert.equal(reopened.has('d-1'), true, 'kept for the record (and de-duplication)');
  }));

test('a permanent failure (retryable: false) is never tried again', () =>
  withHarness(undefined, async (h) => {
    h.farm.failNext = Object.assign(new Error('platform not configured'), { retryable: false });
    h.handler.resumeUnprocessed();
    await h.handler.idle();
    h.clock.now = T0 + 86_400_000;
    assert.equal(h.handler.retryDue(), 0);
    assert.deepEqual(h.store.unprocessed(), []);
    assert.equal(h.farm.calls.length, 0);
    assert.deepEqual(h.logged.entries.filter((e) => e.level === 'error').map((e) => [e.msg, e.retryable, e.attempts]), [['delivery failed', false, 1]]);
  }));

test('a failed delivery waiting for its retry is resumed at once by a restart, with its attempts counted on', () =>
  withHarness({ firstDelayMs: 1000, maxAttempts: 2 }, async (h) => {
    await failFirstAttempt(h);
    const reopened = h.reopen();
    assert.deepEqual(reopened.unprocessed().map((d) => [d.guid, d.state, d.attempts]), [['d-1', 'failed', 1]]);
  }));

test('a retry is logged with the attempt it is; once the handler is closed, a due retry waits for the next start', () =>
  withHarness({ firstDelayMs: 1000, maxAttempts: 5 }, async (h) => {
    await failFirstAttempt(h);
    await retryAt(h, 1000);
    assert.deepEqual(h.logged.entries.filter((e) => e.msg === 'failed delivery tried again').map((e) => [e.level, e.deliveryId, e.event, e.attempt]), [['info', 'd-1', 'push', 2]]);
    h.farm.failing = false;
    await h.handler.close();
    h.clock.now = T0 + 86_400_000;
    assert.equal(h.handler.retryDue(), 0);
    assert.deepEqual(h.farm.calls, []);
    assert.deepEqual(h.reopen().unprocessed().map((d) => [d.guid, d.state, d.attempts]), [['d-1', 'failed', 2]], 'left for the next start');
  }));
