import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServeHarness, WITH_STATUS_TOKEN, type ServeHarness } from '../serve/serve-harness.ts';
import { rawPost } from './raw-post.ts';

/** GitHub's payload cap, which the webhook route keeps. */
const CAP = 25 * 1024 * 1024;
const GOOD_LOOKING = `sha256=${'ab'.repeat(32)}`;
/** More than the kernel's socket buffers take on loopback: a server that reads nothing lets in less. */
const UNREAD = 8 * 1024 * 1024;

async function rejected(h: ServeHarness, reason: string): Promise<number> {
  const metrics = await (await fetch(`${h.controller.url}/metrics`, WITH_STATUS_TOKEN)).text();
  return Number(new RegExp(`^portfarm_events_rejected_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? 0);
}

/** What a refused post must leave as it was: the queue, the counters, the deliveries GitHub made. */
function state(h: ServeHarness): string {
  const { generatedAt: _generated, ...snapshot } = h.controller.snapshot();
  return JSON.stringify({ snapshot, stats: h.controller.stats, runs: h.double.runs().length });
}

describe('POST /webhooks refuses before reading a body it will not accept', () => {
  let h: ServeHarness;
  before(async () => { h = await startServeHarness(); });
  after(async () => { await h.close(); });

  const webhook = { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': 'd-attack' };

  it('answers 401/415/400 from the headers while most of a 24 MiB body is still unsent; nothing changes; the operator sees why', async () => {
    const before = state(h);
    const cases: [Record<string, string>, number, string, RegExp][] = [
      [webhook, 401, 'webhook-unsigned', /missing X-Hub-Signature-256/],
      [{ ...webhook, 'x-hub-signature-256': 'sha1=0123' }, 401, 'webhook-bad-signature', /not sha256=<64 hex digits>/],
      [{ ...webhook, 'x-hub-signature-256': GOOD_LOOKING, 'content-type': 'application/x-www-form-urlencoded' }, 415, 'webhook-content-type', /is not application\/json/],
      [{ 'content-type': 'application/json', 'x-hub-signature-256': GOOD_LOOKING }, 400, 'webhook-no-delivery-headers', /X-GitHub-Event and X-GitHub-Delivery/],
    ];
    for (const [headers, status, reason, message] of cases) {
      const answer = await rawPost({ url: h.controller.url, path: '/webhooks', headers, bodyBytes: 24 * 1024 * 1024 });
      assert.equal(answer.status, status, answer.text);
      assert.match(answer.text, message);
      assert.ok(answer.sentBeforeAnswer < UNREAD, `${reason}: the server let in ${answer.sentBeforeAnswer} bytes before answering`);
      assert.equal(await rejected(h, reason), 1, reason);
      assert.ok(h.logs.some((l) => l.reason === reason && /webhook refused before reading its body/.test(l.msg)), `a log line says why (${reason})`);
    }
    assert.equal(state(h), before);
  });

  it('answers 413 at once to a declared length over 25 MB, and cuts a chunked body at the cap', async () => {
    const before = state(h);
    const declared = await rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: CAP + 1 });
    assert.equal(declared.status, 413, declared.text);
    assert.ok(declared.sentBeforeAnswer < UNREAD, `let in ${declared.sentBeforeAnswer} bytes`);
    const streamed = await rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: CAP + UNREAD * 2, declareLength: false });
    // The 413 goes out while the client is still sending; the client's unread data can make the
    // kernel reset the connection before the answer is read, so either is a refusal here. What
    // matters is that the server stopped reading at the cap (and counted it, below).
    assert.ok(streamed.status === 413 || streamed.status === 0, streamed.text);
    assert.ok(streamed.sentBeforeAnswer < CAP + UNREAD, `the body was read past the cap: ${streamed.sentBeforeAnswer} bytes let in`);
    assert.equal(await rejected(h, 'webhook-too-large'), 2);
    assert.equal(state(h), before);
  });

  it('memory stays flat over 30 unsigned 24 MiB posts at once', async () => {
    const before = state(h);
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 5);
    try {
      const answers = await Promise.all(Array.from({ length: 30 }, () => rawPost({ url: h.controller.url, path: '/webhooks', headers: webhook, bodyBytes: 24 * 1024 * 1024 })));
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([401]));
    } finally {
      clearInterval(sampler);
    }
    // Reading them would hold up to 720 MiB; refusing from the headers holds socket buffers only.
    assert.ok(peak - baseline < 64 * 1024 * 1024, `buffers grew by ${((peak - baseline) / 2 ** 20).toFixed(0)} MiB`);
    assert.equal(state(h), before);
  });

  it('reads at most 4 signed-looking bodies at once; the 5th is answered 503 with Retry-After', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const slow = Array.from({ length: 4 }, (_, i) =>
      rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-github-delivery': `d-slow-${i}`, 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 1024 * 1024, holdAfter: 64 * 1024, resume: held }),
    );
    // The four are being read once their first chunk is in.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fifth = await rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 1024 });
    release();
    assert.equal(fifth.status, 503, fifth.text);
    assert.match(fifth.text, /retry-after: 5/i);
    // Once read, the four fail verification (the signature is not of their body): 401, nothing stored.
    for (const answer of await Promise.all(slow)) assert.equal(answer.status, 401, answer.text);
    assert.equal(await rejected(h, 'webhook-bad-signature'), 5);
  });

  it('holds at most 32 MiB of signed-looking bodies at once: a second 24 MiB body waits (503) while the first is read, a small one is still read', async () => {
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const big = rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-github-delivery': 'd-big-1', 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 24 * 1024 * 1024, holdAfter: 64 * 1024, resume: held });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-github-delivery': 'd-big-2', 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 24 * 1024 * 1024 });
    const small = await rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-github-delivery': 'd-small', 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 4 * 1024 });
    release();
    assert.equal(second.status, 503, second.text);
    assert.ok(second.sentBeforeAnswer < UNREAD, `the second body was read (${second.sentBeforeAnswer} bytes let in)`);
    assert.equal(small.status, 401, 'the small body was read and its signature checked');
    assert.equal((await big).status, 401);
  });

  it('memory stays bounded over 8 signed-looking 24 MiB posts at once (4 × 24 MiB before the byte budget)', async () => {
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 5);
    let answers;
    try {
      answers = await Promise.all(Array.from({ length: 8 }, (_, i) => rawPost({ url: h.controller.url, path: '/webhooks', headers: { ...webhook, 'x-github-delivery': `d-flood-${i}`, 'x-hub-signature-256': GOOD_LOOKING }, bodyBytes: 24 * 1024 * 1024 })));
    } finally {
      clearInterval(sampler);
    }
    assert.ok(answers.every((a) => a.status === 401 || a.status === 503), JSON.stringify(answers.map((a) => a.status)));
    // The client's own 64 KiB chunks and the server's one 24 MiB body (plus its string and Buffer.concat copy): well under 4 bodies.
    const grewMiB = (peak - baseline) / 2 ** 20;
    assert.ok(grewMiB < 80, `buffers grew by ${grewMiB.toFixed(0)} MiB`);
  });
});
