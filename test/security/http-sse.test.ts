import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { startStatusServer } from '../../controller/status/status-server.ts';
import type { StatusSnapshot } from '../../controller/status/status-snapshot.ts';
import { startServeHarness, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';
import { busyFarm } from '../tui/status-fixtures.ts';
import { openRawStream, until, type RawStream } from './sse-client.ts';

const AUTH = WITH_STATUS_TOKEN.headers;

/** A feed that counts how often the snapshot is read: once per validation and serialisation. */
class CountingFeed extends SettableStatusFeed {
  reads = 0;
  override readonly getSnapshot = (): StatusSnapshot => {
    this.reads += 1;
    return this.current;
  };

  current: StatusSnapshot;

  constructor(initial: StatusSnapshot) {
    super(initial);
    this.current = initial;
  }

  override publish(snapshot: StatusSnapshot): void {
    this.current = snapshot;
    super.publish(snapshot);
  }
}

const withAlert = (n: number, size = 10): StatusSnapshot => ({ ...busyFarm(), alerts: [`alert ${n} ${'x'.repeat(size)}`] });
const events = (stream: RawStream): number => stream.text.split('event: status\n').length - 1;

describe('GET /api/events on the controller: capped', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness(); });
  after(async () => { await h.close(); });

  it('3,000 clients: 100 (controller.maxEventStreams) get a stream, the rest 503 with Retry-After; the operator sees why', async () => {
    const streams: RawStream[] = [];
    try {
      for (let batch = 0; batch < 15; batch += 1) {
        streams.push(...(await Promise.all(Array.from({ length: 200 }, () => openRawStream(h.controller.url, '/api/events', AUTH)))));
        await until(() => streams.every((s) => s.text.includes('\r\n\r\n')), 'every answer head');
      }
      const open = streams.filter((s) => s.text.startsWith('HTTP/1.1 200'));
      const refused = streams.filter((s) => s.text.startsWith('HTTP/1.1 503'));
      assert.equal(open.length, 100);
      assert.equal(refused.length, 2900);
      assert.ok(refused.every((s) => /retry-after: 30/i.test(s.text) && /100 event streams are open \(controller\.maxEventStreams\)/.test(s.text)));
      const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
      assert.match(metrics, /^portfarm_events_rejected_total\{reason="status-too-many-streams"\} 2900$/m);
      assert.ok(h.logs.some((l) => l.msg === 'event rejected: status-too-many-streams'));
      // The open ones still get each change.
      await h.controller.runUpkeep();
    } finally {
      for (const s of streams) s.socket.destroy();
    }
  });
});

describe('GET /api/events: one serialisation per publish, slow readers dropped', () => {
  it('validates and serialises a change once, whether 1 or 100 streams are open', async () => {
    const feed = new CountingFeed(withAlert(0));
    const server = await startStatusServer(feed, { maxEventStreams: 200 });
    const streams: RawStream[] = [];
    try {
      const cost = async (count: number, from: number): Promise<number> => {
        while (streams.length < count) streams.push(await openRawStream(server.url, '/api/events', {}));
        await until(() => streams.every((s) => events(s) >= 1), 'the first event on every stream');
        const before = feed.reads;
        for (let n = from; n < from + 10; n += 1) feed.publish(withAlert(n));
        await until(() => streams.every((s) => s.text.includes(`alert ${from + 9} `)), 'the last change on every stream');
        return feed.reads - before;
      };
      assert.equal(await cost(1, 1), 10);
      assert.equal(await cost(100, 100), 10);
    } finally {
      for (const s of streams) s.socket.destroy();
      await server.close();
    }
  });

  it('a stream that stops reading is closed once its buffer passes the cap; the others go on', async () => {
    const feed = new SettableStatusFeed(withAlert(0));
    const dropped: number[] = [];
    const cap = 256 * 1024;
    const server = await startStatusServer(feed, { maxBufferedBytes: cap, onStreamRefused: (why, bytes) => { if (why === 'slow-reader') dropped.push(bytes); } });
    const stalled = await openRawStream(server.url, '/api/events', {}, false);
    const reader = await openRawStream(server.url, '/api/events', {});
    try {
      await until(() => feed.subscribers === 1 && events(reader) === 1, 'both streams open');
      // 100 KB a change: the kernel's buffers fill first, then the stream's own buffer passes the cap.
      let n = 1;
      while (dropped.length === 0 && n < 2000) {
        feed.publish(withAlert(n, 100_000));
        n += 1;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(dropped.length, 1);
      // Read what was in flight: the server's close is behind it.
      stalled.socket.resume();
      await until(() => stalled.socket.closed, 'the stalled stream closed by the server');
      assert.ok((dropped[0] ?? 0) <= cap + 200_000, `dropped at ${dropped[0]} bytes buffered`);
      feed.publish(withAlert(9999));
      await until(() => reader.text.includes('alert 9999 '), 'the reading stream gets the next change');
      assert.equal(feed.subscribers, 1);
    } finally {
      stalled.socket.destroy();
      reader.socket.destroy();
      await server.close();
    }
  });
});
