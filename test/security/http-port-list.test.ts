import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_PORT_LIST_BYTES } from '../../controller/handoff/port-list-route.ts';
import { startServeHarness, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';
import { rawPost } from './raw-post.ts';

const UNREAD = 8 * 1024 * 1024;
/** Shaped like a GitHub OIDC token; it does not verify (the body is never reached in these cases). */
const JWT_SHAPED = 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

async function rejected(h: ServeHarness, reason: string): Promise<number> {
  const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
  return Number(new RegExp(`^portfarm_events_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
}

function state(h: ServeHarness): string {
  const { generatedAt: _generated, ...snapshot } = h.controller.snapshot();
  return JSON.stringify({ snapshot, stats: h.controller.stats });
}

describe('POST /api/port-list refuses before reading a body it will not accept', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness(); });
  after(async () => { await h.close(); });

  it('without a well-formed bearer token: 401 while most of a 20 MiB body is unsent', async () => {
    const before = state(h);
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer not-a-jwt', 'Bearer ']) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) };
      const answer = await rawPost({ url: h.controller.url, path: '/api/port-list', headers, bodyBytes: 20 * 1024 * 1024 });
      assert.equal(answer.status, 401, answer.text);
      assert.match(answer.text, /no bearer token: the watcher must send its job's OIDC token/);
      assert.ok(answer.sentBeforeAnswer < UNREAD, `let in ${answer.sentBeforeAnswer} bytes (${authorization ?? 'no header'})`);
    }
    assert.equal(await rejected(h, 'port-list-no-token'), 4);
    assert.ok(h.logs.some((l) => l.reason === 'port-list-no-token' && l.msg === 'event rejected: port-list-no-token'));
    assert.equal(state(h), before);
  });

  it('over the cap: 413 at once when declared, cut at the cap when streamed', async () => {
    const before = state(h);
    const headers = { 'content-type': 'application/json', authorization: JWT_SHAPED };
    const declared = await rawPost({ url: h.controller.url, path: '/api/port-list', headers, bodyBytes: MAX_PORT_LIST_BYTES + 1 });
    assert.equal(declared.status, 413, declared.text);
    assert.ok(declared.sentBeforeAnswer < MAX_PORT_LIST_BYTES, `let in ${declared.sentBeforeAnswer} bytes`);
    const streamed = await rawPost({ url: h.controller.url, path: '/api/port-list', headers, bodyBytes: MAX_PORT_LIST_BYTES + UNREAD * 2, declareLength: false });
    // Either the 413 or a reset (the client was still sending): the server stopped at the cap either way.
    assert.ok(streamed.status === 413 || streamed.status === 0, streamed.text);
    assert.ok(streamed.sentBeforeAnswer < MAX_PORT_LIST_BYTES + UNREAD, `read past the cap: ${streamed.sentBeforeAnswer} bytes let in`);
    assert.equal(await rejected(h, 'port-list-too-large'), 2);
    assert.equal(state(h), before);
  });

  it('the cap holds every MacPorts port and subport (41,548) with room to spare', async () => {
    const { readFileSync } = await import('node:fs');
    const ports = JSON.parse(readFileSync(new URL('../../../shared/data/macports/ports.json', import.meta.url), 'utf8')) as { name: string; subports: string[] }[];
    const names = ports.flatMap((p) => [p.name, ...p.subports]);
    assert.equal(names.length, 41_548);
    const list = JSON.stringify({ buildId: 'w-12', platform: '15_arm64', portsRevision: '70b44a41bbbb627007b18ae0551cddb24c009bf2', ports: names, excluded: [] });
    assert.ok(Buffer.byteLength(list) * 10 < MAX_PORT_LIST_BYTES, `a full list is ${Buffer.byteLength(list)} bytes`);
  });
});
