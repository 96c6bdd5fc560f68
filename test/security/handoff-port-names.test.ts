import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { listAllPorts } from '../../action/src/list-changed-ports.ts';
import { parseListSubports } from '../../action/src/parse-list-subports.ts';
import { portsFromPaths } from '../../action/src/ports-from-paths.ts';
import { runStep } from '../../action/src/run-step.ts';
import { inputs, tempDir } from '../action/fixtures.ts';
import { recordReporter } from '../action/record-reporter.ts';

/** Directory names a pull request can commit, each of which must never become an argument. */
const HOSTILE = ['--archive-site=x', '-x', 'a b', 'x$(id)', 'x;reboot', '`id`', 'x\u0007y'];

test('names from a diff, a directory listing or mpbb\'s output that are not port names are reported, never listed', () => {
  const paths = [...HOSTILE.map((name) => `net/${name}/Portfile`), 'net/../x/Portfile', 'net/x..y/Portfile', 'net/curl/Portfile'];
  const named = portsFromPaths(paths);
  assert.deepEqual(named.ports, ['curl']);
  assert.deepEqual(named.rejected.map((r) => r.name), [...HOSTILE, 'x..y']);
  assert.match(named.rejected[0]?.reason ?? '', /^port name "--archive-site=x" starts with "-": a command would read it as an option$/);

  const tree = tempDir('tree');
  try {
    for (const name of ['curl', '--archive-site=x', 'a b']) mkdirSync(join(tree, 'net', name), { recursive: true });
    assert.deepEqual(listAllPorts(tree), {
      ports: ['curl'],
      rejected: [
        { name: '--archive-site=x', reason: 'port name "--archive-site=x" starts with "-": a command would read it as an option' },
        { name: 'a b', reason: 'port name "a b" contains white space; give one port per entry' },
      ],
    });
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }

  const listed = parseListSubports('curl\n--archive-site=x\n', 'Excluding -x because it is known to fail\n');
  assert.deepEqual(listed.ports, ['curl']);
  assert.deepEqual(listed.excluded, []);
  assert.deepEqual(listed.warnings, [
    'mpbb list-subports printed a line that is not a port name, not listed: port name "--archive-site=x" starts with "-": a command would read it as an option',
    'mpbb list-subports printed an exclusion that is not a port name, not listed: port name "-x" starts with "-": a command would read it as an option',
  ]);
});

test('a `--archive-site=x` directory in a pull request\'s diff never reaches mpbb\'s argv; the step warns naming it', async (t) => {
  const workDir = tempDir('names');
  t.after(() => {
    rmSync(workDir, { recursive: true, force: true });
  });
  const calls = join(workDir, 'mpbb-calls.ndjson');
  writeFileSync(calls, '');
  process.env.MPBB_DOUBLE_CALLS = calls;
  t.after(() => delete process.env.MPBB_DOUBLE_CALLS);
  const portsDir = join(workDir, 'ports');
  mkdirSync(join(portsDir, 'net', 'curl'), { recursive: true });
  const exec = createExecaExec();
  const git = async (...args: string[]) => (await exec('git', ['-C', portsDir, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { onLine: () => undefined })).stdout.trim();
  await git('init', '-q');
  writeFileSync(join(portsDir, 'net', 'curl', 'Portfile'), 'version 8.20.0\n');
  await git('add', '.');
  await git('commit', '-q', '-m', 'base');
  const base = await git('rev-parse', 'HEAD');
  for (const name of ['--archive-site=x', '-x', 'a b']) {
    mkdirSync(join(portsDir, 'net', name), { recursive: true });
    writeFileSync(join(portsDir, 'net', name, 'Portfile'), 'version 1\n');
  }
  writeFileSync(join(portsDir, 'net', 'curl', 'Portfile'), 'version 8.20.1\n');
  await git('add', '.');
  await git('commit', '-q', '-m', 'head');
  const head = await git('rev-parse', 'HEAD');

  const reporter = recordReporter();
  const outcome = await runStep(
    inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'pr-1-list', 'work-dir': workDir, 'ports-sha': head, 'changed-since': base, 'hand-off': 'false' }),
    { exec, reporter, getIdToken: () => Promise.reject(new Error('no hand-off')), fetch: globalThis.fetch, now: () => 0, run: { eventName: 'pull_request', serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 1 } },
  );
  assert.equal(outcome.result, 'success', outcome.failure?.message);
  const argvs = readFileSync(calls, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
  assert.equal(argvs.length, 1);
  const argv = argvs[0] ?? [];
  assert.deepEqual(argv.slice(argv.indexOf('--')), ['--', 'curl'], 'only the port name, after "--"');
  assert.ok(!argv.some((arg) => arg.includes('archive-site=x') || arg === '-x' || arg === 'a b'), JSON.stringify(argv));
  assert.equal(argv.filter((arg) => arg.startsWith('--archive-site=')).length, 1, 'the archive site is the action\'s own');
  for (const name of ['--archive-site=x', '-x', 'a b']) {
    assert.ok(reporter.lines.some((line) => line.startsWith('::warning title=not a port name (15_arm64)::') && line.includes(JSON.stringify(name))), `the step warns about ${name}`);
  }
});
