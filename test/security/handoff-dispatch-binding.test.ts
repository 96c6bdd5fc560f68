import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVIL_REV, startHandoffFarm, type HandoffFarm } from './handoff-farm.ts';

/**
 * A token that is a watcher's, but not the one this list belongs to: the builders it would
 * queue would build whatever revision the body names, so the list must be the dispatched
 * run's (its run id and first attempt) and of the revision it was dispatched for.
 */
describe('hand-off: a list not of the dispatched run and revision is refused', () => {
  let farm: HandoffFarm;
  // Closed by after() even if before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    farm = opened.adopt(await startHandoffFarm(), (f) => f.close());
  });
  after(() => opened.disposeAsync());

  const refused = async (body: unknown, token: string, expect: { readonly claim: string; readonly expected: string; readonly rejection: string; readonly error: RegExp }): Promise<void> => {
    const before = farm.queueState();
    const counted = await farm.rejected(expect.rejection);
    const answer = await farm.post(body, token);
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.claim, answer.body.expected, answer.body.retryable], [expect.claim, expect.expected, false]);
    assert.match(answer.body.error ?? '', expect.error);
    assert.equal(farm.queueState(), before, 'no builder queued, the list not taken, nothing dispatched');
    assert.equal(await farm.rejected(expect.rejection), counted + 1);
    const logged = farm.refusalLogs(expect.rejection).at(-1);
    assert.ok(logged !== undefined, 'the refusal is logged');
    assert.equal(logged['subject'], `run ${String(farm.watcher.runId)}`, 'logged with the run that tried');
    assert.equal(logged['buildId'], farm.watcher.buildId);
  };

  it('a list at another revision than the watcher was dispatched for (its own run, its own token)', async () => {
    await refused(farm.list({ portsRevision: EVIL_REV }), await farm.token(), {
      claim: 'portsRevision',
      expected: farm.watcher.portsRevision,
      rejection: 'handoff-wrong-revision',
      error: new RegExp(`^the list's "portsRevision" is "${EVIL_REV}"; expected "${farm.watcher.portsRevision}", the revision build ${farm.watcher.buildId} was dispatched for`),
    });
  });

  it('a list at an abbreviation of the right revision (a prefix is not the revision)', async () => {
    await refused(farm.list({ portsRevision: farm.watcher.portsRevision.slice(0, 12) }), await farm.token(), {
      claim: 'portsRevision',
      expected: farm.watcher.portsRevision,
      rejection: 'handoff-wrong-revision',
      error: /^the list's "portsRevision" is /,
    });
  });

  it('a re-run of the watcher (run_attempt 2): the controller dispatched attempt 1 only', async () => {
    await refused(farm.list(), await farm.token({ run_attempt: '2' }), {
      claim: 'run_attempt',
      expected: '1',
      rejection: 'handoff-wrong-run-attempt',
      error: /^the token's "run_attempt" claim is "2"; expected "1"/,
    });
    await refused(farm.list(), await farm.token({ run_attempt: undefined }), { claim: 'run_attempt', expected: '1', rejection: 'handoff-wrong-run-attempt', error: /claim is ""; expected "1"/ });
  });

  it('another run (a run named like the watcher, started by anyone) hands over the watcher\'s list', async () => {
    const before = farm.queueState();
    const answer = await farm.post(farm.list(), await farm.token({ run_id: '4242' }));
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.deepEqual([answer.body.claim, answer.body.expected], ['run_id', String(farm.watcher.runId)]);
    assert.equal(farm.queueState(), before);
    assert.equal(await farm.rejected('handoff-wrong-run'), 1);
  });

  it('the run\'s own list at its own revision is taken', async () => {
    const answer = await farm.post(farm.list(), await farm.token());
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.match(farm.queueState(), new RegExp(`"port":"curl","ports_revision":"${farm.watcher.portsRevision}"`), 'the builder builds the dispatched revision');
  });
});

describe('hand-off: a watcher with no recorded run', () => {
  let farm: HandoffFarm;
  // Closed by after() even if before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    // Paused: the watcher is queued but not dispatched, so no run of it exists yet.
    farm = opened.adopt(await startHandoffFarm({ paused: true }), (f) => f.close());
  });
  after(() => opened.disposeAsync());

  it('refuses any run\'s list with 403 "no run yet"; nothing queued; counted', async () => {
    assert.equal(farm.watcher.runId, null);
    const before = farm.queueState();
    const answer = await farm.post(farm.list(), await farm.token({ run_id: '9100200300' }));
    assert.equal(answer.status, 403, JSON.stringify(answer.body));
    assert.match(answer.body.error ?? '', new RegExp(`^run 9100200300 is not the run of build ${farm.watcher.buildId}: that build has no run yet`));
    assert.deepEqual([answer.body.claim, answer.body.expected], ['run_id', '(no run yet)']);
    assert.equal(farm.queueState(), before);
    assert.equal(await farm.rejected('handoff-run-not-recorded'), 1);
    assert.equal(farm.refusalLogs('handoff-run-not-recorded').length, 1);
  });
});
