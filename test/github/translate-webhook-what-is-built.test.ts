import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateWebhook, WebhookPayloadError, type Translation, type WebhookContext } from '../../controller/github/translate-webhook.ts';

/**
 * What a verified delivery is turned into, one rule at a time: which pushes and pull requests
 * start watchers (and which are ignored, with why), what a watcher is told about its push, and
 * how a payload that is not GitHub's is refused. Pure: no controller, no HTTP.
 */

const context: WebhookContext = { repo: 'macports/macports-ports', workflow: 'ports.yml', platforms: ['15_arm64', '14_x86_64'] };
const receivedAt = new Date('2026-12-03T12:00:00Z');
const BEFORE = '1'.repeat(40);
const AFTER = '2'.repeat(40);

function translate(event: string, payload: unknown): Translation {
  return translateWebhook({ id: 'd-1', event, payload, receivedAt }, context);
}

function push(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ref: 'refs/heads/master',
    before: BEFORE,
    after: AFTER,
    repository: { full_name: 'macports/macports-ports', default_branch: 'master' },
    commits: [{ added: [], removed: [], modified: ['net/curl/Portfile'] }],
    ...overrides,
  };
}

function pullRequest(action: string, repo = 'macports/macports-ports'): Record<string, unknown> {
  return { action, number: 7, repository: { full_name: repo }, pull_request: { head: { sha: AFTER }, base: { sha: BEFORE, ref: 'master' } } };
}

function workflowRun(action: string): Record<string, unknown> {
  return {
    action,
    repository: { id: 1, full_name: 'macports/macports-ports' },
    workflow_run: {
      id: 55, run_attempt: 1, display_title: 'watcher', head_sha: AFTER, head_branch: 'master', path: '.github/workflows/ports.yml', event: 'workflow_dispatch',
      actor: { login: 'portfarm[bot]' }, triggering_actor: { login: 'portfarm[bot]' }, status: 'queued', conclusion: null, updated_at: '2026-12-03T12:00:00Z',
    },
  };
}

test('a push to the default branch gives each platform a watcher of the pushed revision, told the revision before it', () => {
  const t = translate('push', push());
  assert.equal(t.ignored, null);
  assert.equal('notPortNames' in t, false, 'every directory is a port name: nothing to log');
  assert.deepEqual(t.calls.map((c) => [c.method, c.arg]), context.platforms.map((platform) => ['onPush', {
    deliveryId: 'd-1', kind: 'watcher', platform, portsRevision: AFTER, previousRevision: BEFORE, changedPorts: ['curl'], prNumber: null, receivedAt,
  }]));
  // A new branch's push has an all-zero "before": there is no revision before it to diff against.
  const created = translate('push', push({ before: '0'.repeat(40) }));
  assert.deepEqual(created.calls.map((c) => (c.arg as { previousRevision: string | null }).previousRevision), [null, null]);
});

test('pushes that build nothing are ignored, each with why: another repository, a deleted branch, no port touched', () => {
  assert.deepEqual(translate('push', push({ repository: { full_name: 'someone/macports-ports', default_branch: 'master' } })), { calls: [], ignored: 'push to someone/macports-ports, not macports/macports-ports' });
  assert.deepEqual(translate('push', push({ deleted: true })), { calls: [], ignored: 'branch deleted' });
  assert.deepEqual(translate('push', push({ commits: [{ modified: ['README.md'] }] })), { calls: [], ignored: 'push touches no port directory' });
  const bad = translate('push', push({ commits: [{ modified: ['net/cu rl/Portfile', 'net/$(id)/Portfile'] }] }));
  assert.deepEqual(bad.calls, []);
  // Each bad name's reason, one after another.
  assert.match(bad.ignored ?? '', /^push touches no port directory named like a port: port name "\$\(id\)" .*digit\); port name "cu rl" contains white space/);
  // Beside real ports, the bad names are built around and handed back for the log.
  const mixed = translate('push', push({ commits: [{ modified: ['net/curl/Portfile', 'net/cu rl/Portfile'] }] }));
  assert.equal(mixed.calls.length, 2);
  assert.equal('notPortNames' in mixed ? mixed.notPortNames.length : 0, 1);
});

test('without a default branch in the payload, master is the default branch', () => {
  const t = translate('push', push({ repository: { full_name: 'macports/macports-ports' } }));
  assert.equal(t.ignored, null);
  assert.equal(t.calls.length, 2);
  assert.deepEqual(translate('push', push({ ref: 'refs/heads/main', repository: { full_name: 'macports/macports-ports' } })), { calls: [], ignored: 'push to refs/heads/main, not the default branch master' });
});

test('a pull request opened, synchronized or reopened gets a PR watcher per platform; any other action, or another repository, is ignored', () => {
  for (const action of ['opened', 'synchronize', 'reopened']) {
    const t = translate('pull_request', pullRequest(action));
    assert.equal(t.ignored, null, action);
    assert.deepEqual(t.calls.map((c) => [c.method, (c.arg as { prNumber: number }).prNumber]), [['onPullRequest', 7], ['onPullRequest', 7]], action);
  }
  for (const action of ['closed', 'edited', 'labeled']) assert.deepEqual(translate('pull_request', pullRequest(action)), { calls: [], ignored: `pull_request.${action} needs no build` });
  assert.deepEqual(translate('pull_request', pullRequest('opened', 'someone/fork')), { calls: [], ignored: 'pull request in someone/fork, not macports/macports-ports' });
});

test('a run requested, in progress or completed is passed on; any other workflow_run action changes nothing', () => {
  for (const action of ['requested', 'in_progress', 'completed']) {
    const t = translate('workflow_run', workflowRun(action));
    assert.equal(t.ignored, null, action);
    assert.deepEqual(t.calls.map((c) => [c.method, (c.arg as { action: string }).action]), [['onWorkflowRun', action]]);
  }
  assert.deepEqual(translate('workflow_run', workflowRun('queued')), { calls: [], ignored: 'workflow_run.queued changes nothing' });
});

test('a payload without the shape of its event is refused for good, naming each bad field', () => {
  let caught: unknown;
  try {
    translate('push', { ref: 1, before: BEFORE, after: AFTER });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof WebhookPayloadError);
  assert.equal(caught.retryable, false, 'redelivering it fails the same way');
  assert.equal(caught.name, 'WebhookPayloadError');
  assert.match(caught.message, /^push payload is not what GitHub sends: ref: [^;]+; repository: /);
  assert.throws(() => translate('pull_request', 'not an object'), (error: unknown) => error instanceof WebhookPayloadError && /: \(payload\): /.test(error.message));
  assert.throws(() => translate('pull_request', { ...pullRequest('opened'), pull_request: { head: {}, base: { sha: BEFORE, ref: 'master' } } }), (error: unknown) => error instanceof WebhookPayloadError && /pull_request\.head\.sha: /.test(error.message));
});

test('a run of another workflow file is passed on only when its name claims a build or a manual rebuild', () => {
  const run = (path: string, title: string): Record<string, unknown> => {
    const payload = workflowRun('completed');
    return { ...payload, workflow_run: { ...(payload['workflow_run'] as Record<string, unknown>), path, display_title: title } };
  };
  const passed = (t: Translation): string[] => t.calls.map((c) => c.method);
  // Another workflow's everyday traffic.
  assert.deepEqual(translate('workflow_run', run('.github/workflows/lint.yml', 'lint')), { calls: [], ignored: 'run of .github/workflows/lint.yml, not ports.yml' });
  assert.deepEqual(translate('workflow_run', run('.github/workflows/lint.yml', 'lint: manual: later')).calls, []);
  // A name that claims a manual rebuild (leading blanks and all) or a build is for the guard to judge, whatever the file.
  assert.deepEqual(passed(translate('workflow_run', run('.github/workflows/lint.yml', '  manual: curl'))), ['onWorkflowRun']);
  assert.deepEqual(passed(translate('workflow_run', run('.github/workflows/lint.yml', '[tst-1] curl'))), ['onWorkflowRun']);
  // The ports workflow (a ref after the path changes nothing), whatever its run's name.
  assert.deepEqual(passed(translate('workflow_run', run('.github/workflows/ports.yml@refs/heads/master', 'watcher'))), ['onWorkflowRun']);
  assert.deepEqual(translate('workflow_run', run('.github/workflows/not-ports.yml', 'watcher')).calls, []);
});

test('a run is passed on with its status and who started it; a payload without them says unknown and nobody', () => {
  const arg = (payload: Record<string, unknown>): { status: string; identity: { triggeringActor: string | null; actor: string | null } } => {
    const [call] = translate('workflow_run', payload).calls;
    assert.ok(call?.method === 'onWorkflowRun');
    return call.arg;
  };
  const full = arg(workflowRun('completed'));
  assert.equal(full.status, 'queued');
  assert.deepEqual([full.identity.triggeringActor, full.identity.actor], ['portfarm[bot]', 'portfarm[bot]']);
  const payload = workflowRun('completed');
  const bare = { ...(payload['workflow_run'] as Record<string, unknown>) };
  bare['status'] = null;
  delete bare['actor'];
  delete bare['triggering_actor'];
  const sparse = arg({ ...payload, workflow_run: bare });
  assert.equal(sparse.status, 'unknown');
  assert.deepEqual([sparse.identity.triggeringActor, sparse.identity.actor], [null, null]);
});
