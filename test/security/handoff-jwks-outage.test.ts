import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { handOffPortList } from '../../action/src/hand-off-port-list.ts';
import { StepFailure } from '../../action/src/step-failure.ts';
import { startHandoffFarm, type HandoffFarm } from './handoff-farm.ts';

/**
 * GitHub's JWKS endpoint answering 5xx is an outage at the issuer, not a bad token: the
 * controller answers 503 (retryable), the watcher's action retries, and the list is taken once
 * the keys are back; a watcher never fails for good because GitHub blinked.
 */
describe('hand-off during a JWKS outage', () => {
  let farm: HandoffFarm;
  // Closed by after() even if before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    farm = opened.adopt(await startHandoffFarm(), (f) => f.close());
  });
  after(() => opened.disposeAsync());

  it('the controller answers 503 retryable (never 401), queues nothing, and logs why', async () => {
    const before = farm.queueState();
    farm.issuer.failJwks(1);
    const answer = await farm.post(farm.list(), await farm.token());
    assert.equal(answer.status, 503, JSON.stringify(answer.body));
    assert.equal(answer.body.retryable, true);
    assert.match(answer.body.error ?? '', new RegExp(`^could not fetch the issuer's keys from ${farm.issuer.jwksUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Expected 200 OK from the JSON Web Key Set HTTP response; the watcher retries$`));
    assert.equal(farm.queueState(), before);
    assert.ok(farm.harness.logs.some((line) => line.msg.startsWith('port list not taken: the issuer\'s keys are unreachable') && line['status'] === 503));
    assert.equal(await farm.rejected('handoff-keys-unavailable'), 0, 'an outage is not counted against the caller');
  });

  it('while the keys stay down the action gives up after its last retry, as retryable; a 4xx is never retried', async () => {
    farm.issuer.failJwks(100);
    const waits: number[] = [];
    const token = await farm.token();
    const deps = { getIdToken: () => Promise.resolve(token), fetch: globalThis.fetch, sleep: (ms: number) => { waits.push(ms); return Promise.resolve(); } };
    await assert.rejects(handOffPortList(farm.harness.controller.url, 'portfarm', farm.list(), deps), (error: unknown) => {
      assert.ok(error instanceof StepFailure);
      assert.equal(error.retryable, true);
      assert.match(error.message, /refused the port list after 5 attempts: HTTP 503 .* \(retryable\)$/);
      return true;
    });
    assert.deepEqual(waits, [2_000, 5_000, 10_000, 20_000]);
    waits.length = 0;
    // A token jose cannot parse is refused before any key is needed: a 401 while the keys are still down.
    await assert.rejects(handOffPortList(farm.harness.controller.url, 'portfarm', farm.list(), { ...deps, getIdToken: () => Promise.resolve('not.a.jwt') }), (error: unknown) => {
      assert.ok(error instanceof StepFailure);
      assert.equal(error.retryable, false);
      assert.match(error.message, /HTTP 401 .*\(permanent\)$/);
      return true;
    });
    assert.deepEqual(waits, [], 'a refusal is not retried');
  });
  it('the action retries a 503 and the list is taken when the keys are back', async () => {
    farm.issuer.failJwks(2);
    const waits: number[] = [];
    const lines: string[] = [];
    const token = await farm.token();
    const receipt = await handOffPortList(
      farm.harness.controller.url,
      'portfarm',
      farm.list(),
      { getIdToken: () => Promise.resolve(token), fetch: globalThis.fetch, sleep: (ms) => { waits.push(ms); return Promise.resolve(); } },
      (line) => lines.push(line),
    );
    assert.equal(receipt.status, 202, receipt.message);
    assert.deepEqual(waits, [2_000, 5_000], 'two 503s, two waits, then success');
    assert.deepEqual(lines, ['Hand-off attempt 1 failed (port list refused by the controller (HTTP 503)); retrying in 2 s', 'Hand-off attempt 2 failed (port list refused by the controller (HTTP 503)); retrying in 5 s']);
    assert.match(farm.queueState(), /"port":"curl"/, 'the builder is queued once the keys are back');
  });

});
