import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { RunnerRegistrationConfig } from '../../controller/config/runner-registration-schema.ts';
import { checkRunnerGroups } from '../../controller/github/check-runner-groups.ts';
import { createGitHubClients } from '../../controller/github/create-github-clients.ts';
import { createAppKeyPair } from '../github-double/app-credentials.ts';
import { startGitHubDouble } from '../github-double/github-double.ts';
import { createSchemaValidator } from '../github-double/schema-validator.ts';
import type { OrganizationSpec, RunnerGroupSpec } from '../github-double/runner-groups.ts';

const REPO_ID = 4242_0001;
const ENTRY = 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master';
const expected = { repository: 'macports/macports-ports', repositoryId: REPO_ID, workflow: 'ports.yml', branch: 'master' };
const registration: RunnerRegistrationConfig = { scope: 'organization', masterGroupId: 7, pullRequestGroupId: 8, allowUnrestrictedGroup: false };
const restricted: RunnerGroupSpec = { id: 7, name: 'portfarm-master', visibility: 'selected', selectedRepositoryIds: [REPO_ID], allowsPublicRepositories: true, restrictedToWorkflows: true, selectedWorkflows: [ENTRY] };
const prGroup: RunnerGroupSpec = { id: 8, name: 'portfarm-pr', visibility: 'selected', selectedRepositoryIds: [REPO_ID], allowsPublicRepositories: true, restrictedToWorkflows: false };

// One schema and one App key for every double here (each takes a while to make).
const schema = createSchemaValidator();
const appKey = createAppKeyPair();

/** Runs the start check against a double whose organisation has these groups; returns the error (or null) and the log lines. */
async function check(org: Partial<OrganizationSpec>, config: RunnerRegistrationConfig = registration): Promise<{ error: Error | null; logs: { level: number; msg: string }[] }> {
  const double = await startGitHubDouble({ schema, appPublicKey: appKey.publicKeyPem, organization: { login: 'macports', selfHostedRunnersPermission: 'write', runnerGroups: [restricted, prGroup], ...org } });
  const logs: { level: number; msg: string }[] = [];
  const log = pino({ base: null }, new Writable({ write(chunk: Buffer, _e, done) { logs.push(JSON.parse(chunk.toString('utf8')) as { level: number; msg: string }); done(); } }));
  const signal = new AbortController().signal;
  try {
    const clients = await createGitHubClients({ appId: double.appId, privateKey: appKey.privateKeyPem, apiUrl: double.url, owner: 'macports', repo: 'macports-ports', retryBaseMs: 1, writeSpacingMs: 0, log: pino({ level: 'silent' }) }, signal);
    try {
      await checkRunnerGroups(clients, config, expected, log, signal);
      return { error: null, logs };
    } catch (error) {
      return { error: error as Error, logs };
    } finally {
      double.assertNoViolations();
    }
  } finally {
    await double.close();
  }
}

test('a master group restricted to exactly ports.yml@refs/heads/master and visible to this repository alone: serve starts', async () => {
  const { error, logs } = await check({});
  assert.equal(error, null);
  assert.ok(logs.some((l) => l.level === 30 && /runner groups checked/.test(l.msg)));
});

test('serve refuses to start when the master group admits other workflows or repositories, naming the setting and the fix', async () => {
  const cases: readonly (readonly [string, RunnerGroupSpec, RegExp])[] = [
    ['not restricted', { ...restricted, restrictedToWorkflows: false }, /is not restricted to workflows.*Workflow access: Selected workflows, only macports\/macports-ports\/\.github\/workflows\/ports\.yml@refs\/heads\/master/],
    ['a second workflow', { ...restricted, selectedWorkflows: [ENTRY, 'macports/macports-ports/.github/workflows/ci.yml@refs/heads/master'] }, /must allow exactly one/],
    ['another branch', { ...restricted, selectedWorkflows: ['macports/macports-ports/.github/workflows/ports.yml@refs/heads/evil'] }, /must allow exactly one/],
    ['a wildcard', { ...restricted, selectedWorkflows: ['macports/macports-ports/.github/workflows/*@*'] }, /must allow exactly one/],
    ['every repository', { ...restricted, visibility: 'all' }, /visible to visibility "all".*Selected repositories, only macports\/macports-ports/],
    ['another repository too', { ...restricted, selectedRepositoryIds: [REPO_ID, 99] }, /visible to the repositories \[42420001,99\]/],
  ];
  for (const [name, group, message] of cases) {
    const { error } = await check({ runnerGroups: [group, prGroup] });
    assert.ok(error !== null, name);
    assert.match(error.message, /^github\.runnerRegistration: /, name);
    assert.match(error.message.replaceAll('\n', ' '), message, name);
    assert.match(error.message, /allowUnrestrictedGroup: true/, name);
  }
});

test('the short branch form of the entry is the same pin; the PR group must be another group, visible to this repository alone', async () => {
  assert.equal((await check({ runnerGroups: [{ ...restricted, selectedWorkflows: ['macports/macports-ports/.github/workflows/ports.yml@master'] }, prGroup] })).error, null);
  const same = await check({}, { ...registration, pullRequestGroupId: 7 });
  assert.match(same.error?.message ?? '', /pullRequestGroupId is the master builds' group 7/);
  const open = await check({ runnerGroups: [restricted, { ...prGroup, visibility: 'all' }] });
  assert.match(open.error?.message ?? '', /\(pull-request builds\) must be visible to macports\/macports-ports/);
});

test('allowUnrestrictedGroup: serve starts, with an error line at every start', async () => {
  const { error, logs } = await check({ runnerGroups: [{ ...restricted, restrictedToWorkflows: false }, prGroup] }, { ...registration, allowUnrestrictedGroup: true });
  assert.equal(error, null);
  assert.ok(logs.some((l) => l.level === 50 && /RUNNER GROUPS ARE NOT RESTRICTED/.test(l.msg)));
});

test('without the App\'s organisation permission (403) or with an unknown group (404), serve refuses with what to grant or set', async () => {
  const denied = await check({ selfHostedRunnersPermission: 'none' });
  assert.match(denied.error?.message ?? '', /github\.runnerRegistration\.masterGroupId: .*403.*"Self-hosted runners: read and write"/);
  const unknown = await check({}, { ...registration, masterGroupId: 70 });
  assert.match(unknown.error?.message ?? '', /github\.runnerRegistration\.masterGroupId: macports has no runner group 70/);
});
