import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { describeEta, ordinal } from '../../controller/eta/describe-eta.ts';
import type { EtaAnswer, PortEta } from '../../controller/eta/eta-answer.ts';
import { captureCli } from '../helpers/capture-cli.ts';

const NOW = new Date('2026-12-03T13:02:00Z');
const queued: PortEta = {
  platform: '15_arm64', buildId: 'abcd-1z', state: 'pending', position: 37, ahead: 37,
  start: { low: '2026-12-03T13:40:00Z', mid: '2026-12-03T14:00:00Z', high: '2026-12-03T14:50:00Z' },
  finish: { low: '2026-12-03T13:50:00Z', mid: '2026-12-03T14:20:00Z', high: '2026-12-03T15:10:00Z' },
  basis: 'port', unknown: null,
};

test('the line a maintainer reads: platform, place in line, when, and the range; a later day carries its date', () => {
  assert.equal(describeEta(queued, NOW), 'queued on 15_arm64, 37th in line, estimated ready around 14:20 UTC (13:50–15:10)');
  const tomorrow = { ...queued, position: 2, finish: { low: '2026-12-03T22:00:00Z', mid: '2026-12-04T01:05:00Z', high: '2026-12-04T03:00:00Z' } };
  assert.equal(describeEta(tomorrow, NOW), 'queued on 15_arm64, 2nd in line, estimated ready around Fri 4 Dec 01:05 UTC (22:00–Fri 4 Dec 03:00)');
  assert.equal(describeEta({ ...queued, state: 'started', position: 0 }, NOW), 'building on 15_arm64, estimated ready around 14:20 UTC (13:50–15:10)');
  assert.equal(describeEta({ ...queued, finish: null, start: null, unknown: 'no-history' }, NOW), 'queued on 15_arm64, 37th in line: no estimate yet (no build seen to estimate from)');
  assert.equal(describeEta({ ...queued, position: 0, finish: null, start: null, unknown: 'not-selected' }, NOW), 'queued on 15_arm64: waiting for what it depends on; no estimate until that is built');
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111, 112].map(ordinal), ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st', '111th', '112th']);
});

/** A controller double answering GET /api/eta only with the status token. */
async function withController(answer: (req: IncomingMessage) => [number, string], run: (url: string, asked: string[]) => Promise<void>): Promise<void> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(`${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    const [status, body] = answer(req);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  try {
    await run(`http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, asked);
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

test('portfarm eta PORT asks GET /api/eta with the status token and prints a line per platform (or --json)', async () => {
  const body: EtaAnswer = { port: 'curl', generatedAt: NOW.toISOString(), builds: [queued, { ...queued, platform: '14_x86_64', state: 'started', position: 0, ahead: 0 }] };
  await withController(() => [200, JSON.stringify(body)], async (url, asked) => {
    const env = { PORTFARM_STATUS_TOKEN: 'tok' };
    const text = await captureCli(['eta', 'curl', '--url', url, '--platform', '15_arm64'], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, 'curl: queued on 15_arm64, 37th in line, estimated ready around 14:20 UTC (13:50–15:10)\ncurl: building on 14_x86_64, estimated ready around 14:20 UTC (13:50–15:10)\n');
    assert.deepEqual(asked, ['/api/eta?port=curl&platform=15_arm64 Bearer tok']);
    const json = await captureCli(['eta', 'curl', '--url', url, '--json'], { env });
    assert.deepEqual(JSON.parse(json.stdout), body);
  });
  await withController(() => [200, JSON.stringify({ port: 'leaf', generatedAt: NOW.toISOString(), builds: [] })], async (url) => {
    const none = await captureCli(['eta', 'leaf', '--url', url]);
    assert.equal(none.stdout, 'leaf: nothing queued (built already, or not changed since its last build)\n');
  });
});

test('portfarm eta: a bad port is refused before asking (exit 2); the controller\'s refusal, a missing token or no controller are named (exit 2, 1, 1)', async () => {
  const bad = await captureCli(['eta', 'net/curl', '--url', 'http://127.0.0.1:9']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /port name "net\/curl" contains "\/"/);
  await withController((req) => (req.headers.authorization === undefined ? [401, '{"error":"no token"}'] : [400, JSON.stringify({ error: 'platform "9_ppc" is not built here; use one of 15_arm64' })]), async (url) => {
    const refused = await captureCli(['eta', 'curl', '--url', url, '--platform', '9_ppc'], { env: { PORTFARM_STATUS_TOKEN: 't' } });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /platform "9_ppc" is not built here; use one of 15_arm64/);
    const noToken = await captureCli(['eta', 'curl', '--url', url]);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /answered HTTP 401; set PORTFARM_STATUS_TOKEN/);
  });
  const gone = await captureCli(['eta', 'curl', '--url', 'http://127.0.0.1:9']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /127\.0\.0\.1:9/);
  const help = await captureCli(['eta', '--help']);
  assert.match(help.stdout, /--platform <platform>/);
  assert.match(help.stdout, /estimated ready around/);
});
