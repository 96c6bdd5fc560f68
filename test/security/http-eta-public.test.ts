import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import type { EtaAnswer } from '../../controller/eta/eta-answer.ts';
import { FarmEta } from '../../controller/eta/farm-eta.ts';
import { runProjectionJob } from '../../controller/eta/projection-job.ts';
import { publicEtaAnswerSchema } from '../../controller/eta/public-eta-answer.ts';
import { createPublicEtaHandler } from '../../controller/eta/public-eta-handler.ts';
import { ClientRateLimit, clientKey } from '../../controller/http/client-rate-limit.ts';
import { ReorderService } from '../../controller/queue/reorder-service.ts';
import { openStore } from '../../controller/store/open-store.ts';
import { FakeRunGateway } from '../queue/fake-run-gateway.ts';
import { SMALL_GRAPH } from '../queue/queue-helpers.ts';
import { startServeHarness, STATUS_TOKEN, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';

const NOW = new Date('2026-08-18T09:05:00Z');
const range = { low: '2026-08-18T09:30:00.000Z', mid: '2026-08-18T09:40:00.000Z', high: '2026-08-18T10:00:00.000Z' };
const SECRET_BUILD_ID = 'internal-build-7f3a9c';

/** An answer carrying what the public must not see (the build id). */
const answer = (port: string, platform: string | undefined): EtaAnswer => ({
  port, generatedAt: NOW.toISOString(),
  builds: [{ platform: platform ?? '15_arm64', buildId: SECRET_BUILD_ID, state: 'pending', position: 3, ahead: 4, start: range, finish: range, basis: 'port', unknown: null }],
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; close: () => void }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/api/eta/public`, close: () => { server.close(); server.closeAllConnections(); } };
}

test('the public ETA answers what a check shows and nothing else; hostile queries are 400s naming the fix, echoing nothing as HTML', async () => {
  const refused: string[] = [];
  let asked = 0;
  const handler = createPublicEtaHandler({
    answer: (port, platform) => { asked += 1; return answer(port, platform); },
    platforms: ['15_arm64', '14_x86_64'],
    limit: new ClientRateLimit({ perClientPerMinute: 1000, totalPerMinute: 10_000 }),
    now: () => NOW,
    onRefused: (reason) => { refused.push(reason); },
  });
  const { url, close } = await serve(handler);
  try {
    const ok = await fetch(`${url}?port=curl&platform=15_arm64`);
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
    const text = await ok.text();
    assert.doesNotMatch(text, new RegExp(SECRET_BUILD_ID), 'no build id');
    assert.deepEqual(publicEtaAnswerSchema.parse(JSON.parse(text)), { port: 'curl', generatedAt: NOW.toISOString(), builds: [{ platform: '15_arm64', state: 'pending', position: 3, ahead: 4, start: range, finish: range, basis: 'port', unknown: null }] });
    const hostile: [string, RegExp][] = [
      ['', /port is missing/],
      ['?port=', /port is missing/],
      ['?port=..%2F..%2Fetc%2Fpasswd', /contains "\/"/],
      ['?port=%3Cscript%3Ealert(1)%3C%2Fscript%3E', /contains "\/"/],
      ['?port=%3Cb%3Ex', /not a MacPorts port name/],
      ['?port=curl%0d%0aSet-Cookie:%20x=1', /white space/],
      ['?port=-rf', /starts with "-"/],
      ['?port=__proto__', /not a MacPorts port name/],
      [`?port=${'a'.repeat(129)}`, /not a MacPorts port name/],
      [`?port=${'a'.repeat(600)}`, /the query is \d+ characters long/],
      ['?port=curl&port=wget', /one port and at most one platform/],
      ['?port=curl&platform=15_arm64&platform=14_x86_64', /one port and at most one platform/],
      ['?port=curl&token=x', /nothing else/],
      ['?port=curl&platform=constructor', /platform "constructor" is not built here; use one of 15_arm64, 14_x86_64/],
    ];
    for (const [query, why] of hostile) {
      const response = await fetch(`${url}${query}`);
      const body = await response.text();
      assert.equal(response.status, 400, query);
      assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8', query);
      const { error } = JSON.parse(body) as { error: string };
      assert.match(error, why, query);
      assert.doesNotMatch(body, /[<>]|\r|\n(?!$)/, `${query}: nothing raw echoed`);
    }
    assert.equal(asked, 1, 'a refused request never reaches the estimate');
    assert.equal(refused.length, hostile.length);
    assert.ok(refused.every((r) => r === 'eta-public-bad-request'));
  } finally {
    close();
  }
});

test('a flood from one client gets 429 with Retry-After past its allowance, the total allowance holds many addresses, and memory stays bounded', () => {
  const limit = new ClientRateLimit({ perClientPerMinute: 5, totalPerMinute: 50, maxClients: 100 });
  const t = NOW.getTime();
  const one = Array.from({ length: 8 }, () => limit.take('198.51.100.7', t));
  assert.deepEqual(one, [0, 0, 0, 0, 0, 12, 12, 12]);
  assert.equal(limit.take('198.51.100.7', t + 12_000), 0, 'refilled at 5 a minute');
  assert.equal(limit.take('::ffff:198.51.100.7', t + 12_000), 12, 'the IPv4-mapped form is the same client');
  // One host rotating through its /64.
  const later = t + 12_000;
  for (let i = 0; i < 5; i += 1) assert.equal(limit.take(`2001:db8:1:2::${i.toString(16)}`, later), 0);
  assert.ok(limit.take('2001:db8:1:2:ffff::9', later) > 0);
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  // Many addresses: the total stops them.
  let allowed = 0;
  for (let i = 0; i < 1000; i += 1) if (limit.take(`203.0.113.${String(i % 250)}-${String(i)}`, later) === 0) allowed += 1;
  // The total was full again at 12 s (50 a minute: +10), then 1 + 5 were taken.
  assert.equal(allowed, 50 - 1 - 5, 'only what is left of the total allowance');
  assert.ok(limit.clients <= 100, String(limit.clients));
});

test('a flood of public questions never makes a projection per request: the last one is reused, at most one new one per platform and minute', async () => {
  const db = openStore(':memory:');
  const reorder = new ReorderService({ db, platforms: ['15_arm64'], gateway: new FakeRunGateway(), graph: SMALL_GRAPH, idPrefix: 'pe' });
  let jobs = 0;
  const eta = new FarmEta({
    db, graph: SMALL_GRAPH, platforms: ['15_arm64'], peek: (p, look) => reorder.peekQueue(p, look),
    projector: { project: (job, graph) => { jobs += 1; return new Promise((resolve) => setImmediate(() => { resolve(runProjectionJob(job, graph)); })); }, close: () => Promise.resolve() },
  });
  let clock = NOW;
  const handler = createPublicEtaHandler({ answer: (port, platform, now) => eta.answer(port, platform, now), platforms: ['15_arm64'], limit: new ClientRateLimit({ perClientPerMinute: 600, totalPerMinute: 60_000 }), now: () => clock, onRefused: () => undefined });
  const { url, close } = await serve(handler);
  try {
    for (let i = 0; i < 200; i += 1) assert.equal((await fetch(`${url}?port=curl${String(i % 7)}`)).status, 200);
    assert.equal(jobs, 1, 'one projection for 200 questions within the minute');
    clock = new Date(NOW.getTime() + 61_000);
    for (let i = 0; i < 50; i += 1) assert.equal((await fetch(`${url}?port=zlib`)).status, 200);
    assert.equal(jobs, 2);
  } finally {
    close();
    db.close();
  }
});

describe('the controller serves GET /api/eta/public without the status token, rate-limited, and never shows the token', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness({ configure: (config) => ({ ...config, eta: { ...config.eta, publicPerClientPerMinute: 5 } }) }); });
  after(async () => { await h.close(); });

  it('answers anyone, then 429 past the allowance; counted and logged by reason; /api/eta still asks for the token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${h.controller.url}/api/eta/public?port=curl`, { headers: { authorization: 'Bearer wrong' } });
      const body = await response.text();
      statuses.push(response.status);
      assert.doesNotMatch(body, new RegExp(STATUS_TOKEN));
      if (response.status === 200) assert.deepEqual(publicEtaAnswerSchema.parse(JSON.parse(body)).port, 'curl');
      else assert.ok(Number(response.headers.get('retry-after')) >= 1);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.equal((await fetch(`${h.controller.url}/api/eta?port=curl`)).status, 401);
    const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
    assert.match(metrics, /^portfarm_events_rejected_total\{reason="eta-public-rate-limited"\} 3$/m);
    assert.ok(h.logs.some((l) => l.msg === 'event rejected: eta-public-rate-limited'));
  });
});
