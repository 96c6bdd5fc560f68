import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { buildIdFromRunName, buildLabel } from '../../controller/model/build-id.ts';
import { loadWorkflow, simulateJob } from './simulate-job.ts';
import type { StepOutcome, StepRecord } from './simulate-job.ts';
import { evaluateTemplate } from './evaluate-expression.ts';

const ports = await loadWorkflow('.github/workflows/ports.yml');

const COMMON = ['fetch mpbb', 'cleanup', 'selfupdate MacPorts', 'sync ports tree'];
const WATCHER = ['watcher: list subports and hand them to the controller', 'watcher: mirror distfiles'];
const BUILDER = [
  'builder: install dependencies',
  'builder: install port',
  'builder: gather archives',
  'builder: upload archives',
  'builder: cleanup',
];

function context(inputs: Partial<Record<'platform' | 'portname' | 'ports_sha' | 'build_id' | 'portlist' | 'lane', string>> & { force?: boolean }) {
  return {
    github: {
      event_name: 'workflow_dispatch',
      server_url: 'https://github.com',
      repository: 'macports/macports-ports',
      workspace: '/Users/runner/work/ports',
      run_id: '9100200300',
    },
    inputs: { platform: '15_arm64', portname: '', ports_sha: '70b44a41bbbb627007b18ae0551cddb24c009bf2', build_id: '', force: false, portlist: '', lane: '', ...inputs },
    vars: {
      PORTFARM_CONTROLLER_URL: 'https://farm.example.org',
      PORTFARM_DISTFILES_DIR: '/Volumes/distfiles',
      PORTFARM_MIRRORDB_URL: 'https://mirrordb.example.org',
      PORTFARM_DEPLOY_COMMAND: '/opt/portfarm/deploy_archives.sh',
    },
    runner: { temp: '/tmp/runner' },
  };
}

function stepOf(job: { steps: readonly StepRecord[] }, nameOrId: string): StepRecord {
  const step = job.steps.find((candidate) => candidate.id === nameOrId || candidate.name === nameOrId);
  if (step === undefined) throw new Error(`no step ${nameOrId}`);
  return step;
}

const ran = (steps: readonly { name: string; ran: boolean }[]) => steps.filter((step) => step.ran).map((step) => step.name);
const skipped = (steps: readonly { name: string; ran: boolean }[]) => steps.filter((step) => !step.ran).map((step) => step.name);

function outcomes(byId: Record<string, StepOutcome>, failing?: string) {
  return ({ name, id }: { name: string; id: string | undefined }): StepOutcome =>
    name === failing ? { outcome: 'failure' } : ((id === undefined ? undefined : byId[id]) ?? { outcome: 'success' });
}

test('a watcher run (no portname) runs the common and watcher steps only; builder steps are skipped', async () => {
  const job = await simulateJob(ports, 'ports', context({ build_id: 'w-101' }), outcomes({ list: { outcome: 'success', outputs: { count: '3', ports: 'zlib openssl3 curl' } } }));
  assert.equal(job.ran, true);
  assert.deepEqual(ran(job.steps), [...COMMON, ...WATCHER]);
  assert.deepEqual(skipped(job.steps), BUILDER);
  const list = stepOf(job, 'list');
  assert.deepEqual(list.with, {
    step: 'list-subports',
    mpbb: '/tmp/runner/mpbb/mpbb',
    'work-dir': '/Users/runner/work/ports/mpbb-work',
    platform: '15_arm64',
    'build-id': 'w-101',
    'ports-sha': '70b44a41bbbb627007b18ae0551cddb24c009bf2',
    portlist: '',
    force: 'false',
    'controller-url': 'https://farm.example.org',
  });
  const mirror = stepOf(job, 'watcher: mirror distfiles');
  assert.equal(mirror.with.portlist, 'zlib openssl3 curl');
  assert.equal(mirror.with['distfiles-dir'], '/Volumes/distfiles');
});

test('a watcher whose list is empty skips the mirror step (nothing to mirror), like buildbot doStepIf', async () => {
  const job = await simulateJob(ports, 'ports', context({ build_id: 'w-102' }), outcomes({ list: { outcome: 'success', outputs: { count: '0', ports: '' } } }));
  assert.deepEqual(ran(job.steps), [...COMMON, 'watcher: list subports and hand them to the controller']);
});

test('a builder run (portname set) runs the common and builder steps only; watcher steps are skipped', async () => {
  const job = await simulateJob(
    ports,
    'ports',
    context({ build_id: 'b-202', portname: 'curl', platform: '10.15_x86_64' }),
    outcomes({
      gather: {
        outcome: 'success',
        outputs: {
          archives: '2',
          'public-archives': '2',
          'distributable-archives': '/w/archive-staging/public/curl-8.16.0_0.darwin_19.x86_64.tbz2',
          'archive-digests': '{"curl-8.16.0_0.darwin_19.x86_64.tbz2":"x"}',
        },
      },
    }),
  );
  assert.deepEqual(ran(job.steps), [...COMMON, ...BUILDER]);
  assert.deepEqual(skipped(job.steps), WATCHER);
  assert.deepEqual(job.runsOn, ['self-hosted', '10.15_x86_64', buildLabel('b-202')]);
  const install = stepOf(job, 'builder: install port');
  assert.equal(install.with.port, 'curl');
  assert.equal(install.with['mirrordb-url'], 'https://mirrordb.example.org');
  const upload = stepOf(job, 'builder: upload archives');
  assert.equal(upload.with.path, '/w/archive-staging/public/curl-8.16.0_0.darwin_19.x86_64.tbz2', 'only the distributable list gather-archives wrote');
  assert.deepEqual(job.outputs, { 'public-archives': '2', 'archive-digests': '{"curl-8.16.0_0.darwin_19.x86_64.tbz2":"x"}' });
});

test('a builder that staged nothing (or only private archives) uploads nothing', async () => {
  const nothing = await simulateJob(ports, 'ports', context({ build_id: 'b-203', portname: 'curl' }), outcomes({ gather: { outcome: 'success', outputs: { archives: '0', 'public-archives': '0' } } }));
  assert.deepEqual(ran(nothing.steps), [...COMMON, 'builder: install dependencies', 'builder: install port', 'builder: gather archives', 'builder: cleanup']);
  const privateOnly = await simulateJob(ports, 'ports', context({ build_id: 'b-204', portname: 'unrar' }), outcomes({ gather: { outcome: 'success', outputs: { archives: '1', 'public-archives': '0' } } }));
  assert.deepEqual(ran(privateOnly.steps), [...COMMON, 'builder: install dependencies', 'builder: install port', 'builder: gather archives', 'builder: cleanup'], 'a private archive is never an artifact');
});

test('a failing install-port stops the builder: nothing is gathered, uploaded or deployed, cleanup still runs', async () => {
  const job = await simulateJob(ports, 'ports', context({ build_id: 'b-205', portname: 'curl' }), outcomes({}, 'builder: install port'));
  assert.equal(job.status, 'failure');
  assert.deepEqual(ran(job.steps), [...COMMON, 'builder: install dependencies', 'builder: install port', 'builder: cleanup']);
});

test('a forced watcher (controller-dispatched, force ticked) runs the watcher steps with force=true', async () => {
  const job = await simulateJob(ports, 'ports', context({ build_id: 'w-full-1', force: true }), outcomes({ list: { outcome: 'success', outputs: { count: '20022' } } }));
  assert.deepEqual(ran(job.steps), [...COMMON, ...WATCHER]);
  assert.equal(stepOf(job, 'list').with.force, 'true');
});

test('a run started by hand from the "Run workflow" form (no build id) does no work: the controller queues it', async () => {
  const inputs = { force: true };
  const job = await simulateJob(ports, 'ports', context(inputs));
  assert.equal(job.ran, false);
  const runName = evaluateTemplate(ports.raw['run-name'] ?? '', context(inputs));
  assert.equal(runName, 'manual: watcher (full rebuild) on 15_arm64');
  assert.equal(buildIdFromRunName(runName), undefined);
});

test('run-name carries the build id, the port or role and the platform; the controller can read the id back', () => {
  const builder = evaluateTemplate(ports.raw['run-name'] ?? '', context({ build_id: 'b-206', portname: 'py313-numpy', platform: '14_x86_64' }));
  assert.equal(builder, '[b-206] py313-numpy on 14_x86_64');
  assert.equal(buildIdFromRunName(builder), 'b-206');
  const watcher = evaluateTemplate(ports.raw['run-name'] ?? '', context({ build_id: 'w-207' }));
  assert.equal(watcher, '[w-207] watcher on 15_arm64');
  const forced = evaluateTemplate(ports.raw['run-name'] ?? '', context({ build_id: 'w-208', force: true }));
  assert.equal(forced, '[w-208] watcher (full rebuild) on 15_arm64');
});

test('one run per platform and lane (concurrency ports-<platform>[-<lane>], never cancelled), least privilege, dispatch only', () => {
  assert.deepEqual(ports.raw.concurrency, { group: "ports-${{ inputs.platform }}${{ inputs.lane != '' && format('-{0}', inputs.lane) || '' }}", 'cancel-in-progress': false });
  assert.equal(evaluateTemplate(ports.raw.concurrency.group, context({ platform: '26_arm64' })), 'ports-26_arm64', 'lane 0 and runs by hand keep the group of one builder per platform');
  assert.equal(evaluateTemplate(ports.raw.concurrency.group, context({ platform: '26_arm64', lane: '3' })), 'ports-26_arm64-3');
  assert.deepEqual(ports.raw.permissions, { contents: 'read', 'id-token': 'write' });
  const on = (parseYaml(ports.text) as { on: Record<string, { inputs: Record<string, unknown> }> }).on;
  assert.deepEqual(Object.keys(on), ['workflow_dispatch']);
  assert.deepEqual(Object.keys(on.workflow_dispatch?.inputs ?? {}), ['platform', 'portname', 'ports_sha', 'build_id', 'force', 'portlist', 'lane']);
});

const pr = await loadWorkflow('.github/workflows/ports-pr.yml');

function prContext(needs: Record<string, unknown> = {}, runAttempt = '1') {
  return {
    github: {
      event_name: 'pull_request',
      server_url: 'https://github.com',
      repository: 'macports/macports-ports',
      workspace: '/Users/runner/work/ports',
      run_id: '9100200301',
      run_attempt: runAttempt,
      event: {
        pull_request: {
          number: 31337,
          title: 'curl: update to 8.16.0',
          head: { sha: 'a'.repeat(40), repo: { clone_url: 'https://github.com/someone/macports-ports.git' } },
          base: { sha: 'b'.repeat(40) },
        },
      },
    },
    vars: {},
    needs,
    strategy: { 'job-index': 3 },
    matrix: { platform: '14_x86_64', port: 'curl' },
    runner: { temp: '/tmp/runner' },
  };
}

test('a PR watcher lists the ports changed since the base, hands nothing to the controller, quarantines distfiles', async () => {
  const job = await simulateJob(pr, 'list', prContext(), outcomes({ list: { outcome: 'success', outputs: { count: '1', ports: 'curl' } } }));
  assert.deepEqual(ran(job.steps), ['fetch mpbb', 'selfupdate MacPorts', 'sync ports tree at the PR head', 'watcher: list the subports the PR changed', 'watcher: fetch distfiles into quarantine']);
  assert.deepEqual(job.runsOn, ['self-hosted', '15_arm64', 'portfarm-build-pr-9100200301-1-list']);
  const list = stepOf(job, 'list');
  assert.equal(list.with['hand-off'], 'false');
  assert.equal(list.with['changed-since'], 'b'.repeat(40));
  assert.equal(list.with['controller-url'], undefined);
  const mirror = stepOf(job, 'watcher: fetch distfiles into quarantine');
  assert.equal(mirror.with['distfiles-dir'], '/Users/runner/work/ports/distfiles-quarantine');
});

test('a PR builder builds but has no deploy step, no artifact (public repository, no opt-in), no mirror wait, no secrets, no OIDC token', async () => {
  const job = await simulateJob(pr, 'build', prContext({ list: { outputs: { count: '1', ports: '["curl"]' } } }), outcomes({ gather: { outcome: 'success', outputs: { archives: '1', 'public-archives': '1' } } }));
  assert.deepEqual(ran(job.steps), [
    'fetch mpbb',
    'selfupdate MacPorts',
    'sync ports tree at the PR head',
    'builder: install dependencies',
    'builder: install port',
    'builder: gather archives',
    'builder: cleanup',
  ]);
  assert.deepEqual(job.runsOn, ['self-hosted', '14_x86_64', 'portfarm-build-pr-9100200301-1-3']);
  assert.equal(job.steps.some((step) => step.with.step === 'deploy'), false);
  assert.equal(stepOf(job, 'builder: install port').with['mirrordb-url'], undefined);
  assert.doesNotMatch(pr.text, /secrets\./);
  assert.doesNotMatch(pr.text, /id-token/);
  assert.deepEqual(pr.raw.permissions, { contents: 'read' });
  assert.doesNotMatch(pr.text, /step: deploy/);
});

test('PR artifacts: only with PORTFARM_PR_ARTIFACTS=true (or a private repository), and only the distributable archives', async () => {
  const gather = { gather: { outcome: 'success' as const, outputs: { archives: '2', 'public-archives': '1', 'distributable-archives': '/w/archive-staging/public/curl-8.16.0_0.darwin_23.x86_64.tbz2' } } };
  const needs = { list: { outputs: { count: '1', ports: '["curl"]' } } };
  const upload = 'builder: upload archives (artifact only)';
  const withVars = (vars: Record<string, string>, isPrivate: boolean) => {
    const base = prContext(needs);
    return { ...base, vars, github: { ...base.github, event: { ...base.github.event, repository: { private: isPrivate } } } };
  };
  for (const [vars, isPrivate, uploads] of [
    [{}, false, false],
    [{ PORTFARM_PR_ARTIFACTS: 'false' }, false, false],
    [{ PORTFARM_PR_ARTIFACTS: 'yes' }, false, false],
    [{ PORTFARM_PR_ARTIFACTS: 'true' }, false, true],
    [{}, true, true],
  ] as const) {
    const job = await simulateJob(pr, 'build', withVars(vars, isPrivate), outcomes(gather));
    assert.equal(stepOf(job, upload).ran, uploads, JSON.stringify({ vars, isPrivate }));
    if (uploads) assert.equal(stepOf(job, upload).with.path, '/w/archive-staging/public/curl-8.16.0_0.darwin_23.x86_64.tbz2');
  }
  const privateOnly = await simulateJob(pr, 'build', withVars({ PORTFARM_PR_ARTIFACTS: 'true' }, false), outcomes({ gather: { outcome: 'success', outputs: { archives: '1', 'public-archives': '0', 'distributable-archives': '' } } }));
  assert.equal(stepOf(privateOnly, upload).ran, false, 'a private archive is never an artifact, even when artifacts are on');
});

test('a re-run of a PR job asks for a new label: the runner manager never takes it for the finished first attempt', async () => {
  const rerun = await simulateJob(pr, 'build', prContext({ list: { outputs: { count: '1', ports: '["curl"]' } } }, '2'));
  assert.deepEqual(rerun.runsOn, ['self-hosted', '14_x86_64', 'portfarm-build-pr-9100200301-2-3']);
});

test('a PR that changes no buildable port skips the builder job', async () => {
  const job = await simulateJob(pr, 'build', prContext({ list: { outputs: { count: '0', ports: '[]' } } }));
  assert.equal(job.ran, false);
});

test('every `with:` the workflows pass to the portfarm action is an input action.yml declares, and required ones are given', () => {
  const action = parseYaml(readFileSync('action/action.yml', 'utf8')) as { inputs: Record<string, { required?: boolean }> };
  const declared = new Set(Object.keys(action.inputs));
  const required = Object.entries(action.inputs).filter(([, input]) => input.required === true).map(([name]) => name);
  let checked = 0;
  for (const workflow of [ports, pr]) {
    for (const [jobId, job] of Object.entries(workflow.raw.jobs)) {
      for (const step of job.steps) {
        if (step.uses?.startsWith('macports/portfarm/action@') !== true) continue;
        checked += 1;
        const keys = Object.keys(step.with ?? {});
        assert.deepEqual(keys.filter((key) => !declared.has(key)), [], `${jobId} / ${step.name ?? ''}`);
        assert.deepEqual(required.filter((key) => !keys.includes(key)), [], `${jobId} / ${step.name ?? ''}`);
      }
    }
  }
  assert.equal(checked, 24);
});
