import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHandoffFarm, type HandoffFarm } from './handoff-farm.ts';

const WORKFLOW_REF = 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master';

/**
 * Tokens anyone who can open a pull request (or fork, or push a branch or tag) can get: valid
 * GitHub OIDC tokens, signed by the real issuer, that are not the dispatched watcher's. Each is
 * refused 403 naming the claim and the value expected, nothing is queued, and the operator sees
 * it counted and logged.
 */
describe('hand-off: a token not bound to the dispatched watcher is refused', () => {
  let farm: HandoffFarm;
  // Closed by after() even if before() stopped half-way.
  const opened = new AsyncDisposableStack();
  before(async () => {
    farm = opened.adopt(await startHandoffFarm(), (f) => f.close());
  });
  after(() => opened.disposeAsync());

  const cases: readonly { readonly what: string; readonly claims: Readonly<Record<string, string | undefined>>; readonly claim: string; readonly expected: string; readonly rejection: string }[] = [
    { what: 'a branch of the repository', claims: { ref: 'refs/heads/evil', workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/evil', job_workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/evil' }, claim: 'ref', expected: 'refs/heads/master', rejection: 'handoff-foreign-ref' },
    { what: 'a tag', claims: { ref: 'refs/tags/x', workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/tags/x', job_workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/tags/x' }, claim: 'ref', expected: 'refs/heads/master', rejection: 'handoff-foreign-ref' },
    { what: 'the default branch but a workflow_ref at another branch', claims: { workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/evil' }, claim: 'workflow_ref', expected: WORKFLOW_REF, rejection: 'handoff-foreign-workflow' },
    { what: 'another workflow file', claims: { workflow_ref: 'macports/macports-ports/.github/workflows/evil.yml@refs/heads/master', job_workflow_ref: 'macports/macports-ports/.github/workflows/evil.yml@refs/heads/master' }, claim: 'workflow_ref', expected: WORKFLOW_REF, rejection: 'handoff-foreign-workflow' },
    { what: 'a reusable workflow called from ports.yml', claims: { job_workflow_ref: 'macports/macports-ports/.github/workflows/evil-reusable.yml@refs/heads/master' }, claim: 'job_workflow_ref', expected: WORKFLOW_REF, rejection: 'handoff-reusable-workflow' },
    { what: 'a reusable workflow of another repository', claims: { job_workflow_ref: 'evil/actions/.github/workflows/ports.yml@refs/heads/master' }, claim: 'job_workflow_ref', expected: WORKFLOW_REF, rejection: 'handoff-reusable-workflow' },
    { what: 'a token without job_workflow_ref', claims: { job_workflow_ref: undefined }, claim: 'job_workflow_ref', expected: WORKFLOW_REF, rejection: 'handoff-reusable-workflow' },
    { what: 'another repository id (a re-created repository of the same name)', claims: { repository_id: '1' }, claim: 'repository_id', expected: '42420001', rejection: 'handoff-foreign-repository-id' },
    { what: 'a token without repository_id', claims: { repository_id: undefined }, claim: 'repository_id', expected: '42420001', rejection: 'handoff-foreign-repository-id' },
    { what: 'a fork', claims: { repository: 'evil/macports-ports', repository_id: '666' }, claim: 'repository', expected: 'macports/macports-ports', rejection: 'handoff-foreign-repository' },
    { what: 'a push run', claims: { event_name: 'push' }, claim: 'event_name', expected: 'workflow_dispatch', rejection: 'handoff-not-dispatched' },
    { what: 'a schedule run', claims: { event_name: 'schedule' }, claim: 'event_name', expected: 'workflow_dispatch', rejection: 'handoff-not-dispatched' },
    { what: 'a workflow_run run', claims: { event_name: 'workflow_run' }, claim: 'event_name', expected: 'workflow_dispatch', rejection: 'handoff-not-dispatched' },
    { what: 'a token without event_name', claims: { event_name: undefined }, claim: 'event_name', expected: 'workflow_dispatch', rejection: 'handoff-not-dispatched' },
    {
      what: 'a pull_request run of ports-pr.yml',
      claims: { event_name: 'pull_request', ref: 'refs/pull/7/merge', workflow_ref: 'macports/macports-ports/.github/workflows/ports-pr.yml@refs/pull/7/merge', job_workflow_ref: 'macports/macports-ports/.github/workflows/ports-pr.yml@refs/pull/7/merge' },
      claim: 'event_name',
      expected: 'workflow_dispatch',
      rejection: 'handoff-not-dispatched',
    },
  ];

  for (const c of cases) {
    it(`${c.what}: 403 naming "${c.claim}", nothing queued, counted as ${c.rejection}`, async () => {
      const before = farm.queueState();
      const counted = await farm.rejected(c.rejection);
      const answer = await farm.post(farm.list(), await farm.token(c.claims));
      assert.equal(answer.status, 403, JSON.stringify(answer.body));
      assert.equal(answer.body.claim, c.claim);
      assert.equal(answer.body.expected, c.expected);
      assert.equal(answer.body.retryable, false);
      assert.match(answer.body.error ?? '', new RegExp(`^the token's "${c.claim}" claim is .*; expected ${JSON.stringify(c.expected).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      assert.equal(farm.queueState(), before, 'no builder queued, the list not taken, nothing dispatched');
      assert.equal(await farm.rejected(c.rejection), counted + 1, `portfarm_events_rejected_total{reason="${c.rejection}"} counts it`);
      const [first] = farm.refusalLogs(c.rejection);
      assert.ok(first !== undefined, 'the operator sees the refusal in the log');
      assert.equal(first['claim'], c.claim);
      assert.equal(first['subject'], `run ${String(farm.watcher.runId)}`, 'the run that tried is named');
    });
  }

  it('the dispatched watcher\'s own token and list are still taken (the refusals above are not a closed door)', async () => {
    const answer = await farm.post(farm.list(), await farm.token());
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.equal(answer.body.builders, 1);
  });
});
