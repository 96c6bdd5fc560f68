import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServeHarness, STATUS_TOKEN, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';

async function rejected(h: ServeHarness, reason: string): Promise<number> {
  const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
  return Number(new RegExp(`^portfarm_events_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
}

describe('/api/status, /api/events and /metrics require the status token; /healthz does not', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness(); });
  after(async () => { await h.close(); });

  for (const path of ['/api/status', '/api/events', '/metrics']) {
    it(`${path}: no token or a wrong one → 401 naming the variable, no host addresses; the token → 200`, async () => {
      const { generatedAt: _g, ...before } = h.controller.snapshot();
      for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${STATUS_TOKEN}x`, `Basic ${STATUS_TOKEN}`, 'Bearer ']) {
        const response = await fetch(`${h.controller.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
        const body = await response.text();
        assert.equal(response.status, 401, `${path} with ${authorization ?? 'no header'}`);
        assert.match(body, /status token: send Authorization: Bearer <the value of PORTFARM_STATUS_TOKEN on the controller>/);
        assert.doesNotMatch(body, /127\.0\.0\.1|mini-1/);
      }
      const abort = new AbortController();
      const ok = await fetch(`${h.controller.url}${path}`, { ...WITH_STATUS_TOKEN, signal: abort.signal });
      assert.equal(ok.status, 200);
      abort.abort();
      await ok.body?.cancel().catch(() => undefined);
      const { generatedAt: _g2, ...afterwards } = h.controller.snapshot();
      assert.deepEqual(afterwards, before);
    });
  }

  it('counts the refusals by reason and logs them for the operator', async () => {
    assert.equal(await rejected(h, 'status-token-missing'), 3);
    assert.equal(await rejected(h, 'status-token-wrong'), 12);
    assert.ok(h.logs.some((l) => l.msg === 'event rejected: status-token-wrong' && l.path === '/api/status'));
  });

  it('/healthz stays open', async () => {
    const response = await fetch(`${h.controller.url}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok\n');
  });
});
