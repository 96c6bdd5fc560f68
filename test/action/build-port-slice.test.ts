import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPortSlice } from '../../action/src/build-port-slice.ts';
import { createExecaExec } from '../../action/src/create-execa-exec.ts';
import { runStep, type StepDeps } from '../../action/src/run-step.ts';
import { inputs, tempDir } from './fixtures.ts';
import { recordReporter } from './record-reporter.ts';

const SHA = '70b44a41bbbb627007b18ae0551cddb24c009bf2';

function deps(eventName = 'pull_request') {
  const reporter = recordReporter();
  const d = {
    exec: createExecaExec(),
    reporter,
    getIdToken: () => Promise.reject(new Error('a PR build has no OIDC token')),
    fetch: globalThis.fetch,
    now: () => 1_000,
    run: { eventName, serverUrl: 'https://github.com', repository: 'macports/macports-ports', runId: 42 },
  } satisfies StepDeps;
  return { reporter, deps: d };
}

const workDir = tempDir('pr-chunk');
const checkout = await runStep(inputs({ step: 'checkout', platform: '15_arm64', 'build-id': 'pr-42-1-list', 'work-dir': workDir, 'ports-sha': SHA }), deps().deps);
assert.equal(checkout.result, 'success');

test('list-subports with the PR platforms plans the build jobs: a job per port × platform while they fit one matrix', async () => {
  const outcome = await runStep(inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'pr-42-1-list', 'work-dir': workDir, 'ports-sha': SHA, portlist: 'zlib jq', 'hand-off': 'false', 'matrix-platforms': '["15_arm64", "14_x86_64"]' }), deps().deps);
  const listed = outcome.outputs['ports-json'] ?? '';
  assert.equal((JSON.parse(listed) as string[]).length, 17, 'zlib, jq and the dependencies not yet on the archive server');
  assert.deepEqual([outcome.outputs['matrix-ports'], outcome.outputs['matrix-chunks'], outcome.outputs['chunk-count']], [listed, '[]', '0']);
  assert.equal(readFileSync(outcome.outputs['ports-file'] ?? '', 'utf8'), listed);
});

test('list-subports of a forced list on the PR platforms: chunks, no port list in the outputs', async () => {
  const outcome = await runStep(inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'pr-42-1-list', 'work-dir': workDir, 'ports-sha': SHA, force: 'true', 'hand-off': 'false', 'matrix-platforms': '["15_arm64", "14_x86_64"]' }), deps().deps);
  assert.deepEqual([outcome.outputs['matrix-ports'], outcome.outputs['chunk-count']], ['[]', '128']);
  assert.deepEqual(JSON.parse(outcome.outputs['matrix-chunks'] ?? ''), Array.from({ length: 128 }, (_, i) => i));
  assert.equal((JSON.parse(readFileSync(outcome.outputs['ports-file'] ?? '', 'utf8')) as string[]).length, 303 + 784);
});

test('build-ports builds its slice in order with a cleanup after each port; a failed port fails the step with its own annotation, the others still build', async (t) => {
  const file = join(tempDir('pr-list'), 'portlist.json');
  writeFileSync(file, JSON.stringify(['zlib', 'minizip', 'curl', 'jq', 'xz', 'gettext']));
  const calls = join(tempDir('calls'), 'calls.ndjson');
  writeFileSync(calls, '');
  process.env.MPBB_DOUBLE_FAIL = 'curl:install-port';
  process.env.MPBB_DOUBLE_CALLS = calls;
  t.after(() => {
    delete process.env.MPBB_DOUBLE_FAIL;
    delete process.env.MPBB_DOUBLE_CALLS;
  });
  const { deps: d, reporter } = deps();
  const outcome = await buildPortSlice(inputs({ step: 'build-ports', platform: '14_x86_64', 'build-id': 'pr-42-1-c1', 'work-dir': workDir, 'ports-file': file, chunk: '1', chunks: '2' }), d);
  const ran = readFileSync(calls, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]).filter((argv) => argv[0] !== 'print-info').map((argv) => `${argv[0] ?? ''} ${argv.at(-1) ?? ''}`.replace(/ --.*$/, ''));
  assert.deepEqual(ran.filter((c) => !c.startsWith('cleanup')), ['install-dependencies jq', 'install-port jq', 'install-dependencies xz', 'install-port xz', 'install-dependencies gettext', 'install-port gettext']);
  assert.equal(ran.filter((c) => c.startsWith('cleanup')).length, 3);
  assert.equal(outcome.result, 'success');
  assert.deepEqual([outcome.outputs.built, outcome.outputs.failed], ['3', '0']);

  const first = await buildPortSlice(inputs({ step: 'build-ports', platform: '14_x86_64', 'build-id': 'pr-42-1-c0', 'work-dir': workDir, 'ports-file': file, chunk: '0', chunks: '2' }), d);
  assert.equal(first.result, 'failure');
  assert.deepEqual([first.outputs.built, first.outputs.failed, first.outputs['failed-ports']], ['2', '1', 'curl']);
  assert.equal(first.failure?.title, '1 of 3 ports failed (14_x86_64)');
  assert.ok(reporter.lines.some((line) => line.startsWith('::error title=curl in install-port failed (14_x86_64)::')), 'an annotation for the failed port');
  assert.match(first.summary ?? '', /^### portfarm PR builder · 14_x86_64 · chunk 0 \(chunks 0–1\)\n\n2 of 3 ports built, 1 failed/);
  assert.match(first.summary ?? '', /\| zlib \| built \| — \|\n\| minizip \| built \| — \|\n\| curl \| failed \| install-port \|/);
});

test('build-ports without its list fails the step, naming the file and the fix', async () => {
  const outcome = await buildPortSlice(inputs({ step: 'build-ports', platform: '14_x86_64', 'build-id': 'pr-42-1-c0', 'work-dir': workDir, 'ports-file': '/nonexistent/portlist.json', chunk: '0', chunks: '1' }), deps().deps);
  assert.equal(outcome.result, 'failure');
  assert.match(outcome.failure?.message ?? '', /cannot read the port list \/nonexistent\/portlist\.json: .*Download the list job's artifact/);
});
