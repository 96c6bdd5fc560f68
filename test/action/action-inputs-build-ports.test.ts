import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputs } from './fixtures.ts';

/**
 * The inputs of a pull request's builds: the list job's PR platforms (`matrix-platforms`) and a
 * chunk builder's `ports-file`, `chunk` and `chunks`. A bad one must stop the step naming the
 * input and the fix, before a chunk builds the wrong slice (or none) of the list.
 */

const chunkJob = { step: 'build-ports', platform: '14_x86_64', 'build-id': 'pr-42-1-c0', 'ports-file': '/tmp/portlist.json' };
const lister = { step: 'list-subports', platform: '15_arm64', 'build-id': 'pr-42-1-list', 'hand-off': 'false' };

test('a chunk builder reads its chunk and the chunk count as numbers', () => {
  const parsed = inputs({ ...chunkJob, chunk: '1', chunks: '2' });
  assert.deepEqual([parsed.chunk, parsed.chunks, parsed['ports-file']], [1, 2, '/tmp/portlist.json']);
  assert.deepEqual([inputs({ ...chunkJob, chunk: '0', chunks: '1' }).chunk, inputs({ ...chunkJob, chunk: '0', chunks: '1' }).chunks], [0, 1]);
  // Other steps leave them out: undefined, not 0.
  const builder = inputs({ step: 'install-port', platform: '15_arm64', 'build-id': 'b-1', port: 'curl' });
  assert.deepEqual([builder.chunk, builder.chunks], [undefined, undefined]);
});

test('build-ports without its list or its chunk count is refused, naming both inputs and where they come from', () => {
  assert.throws(() => inputs({ ...chunkJob, 'ports-file': '' }), {
    name: 'ActionInputError',
    message:
      'bad action inputs: input "ports-file" ("") is required to build ports: the JSON list list-subports wrote (its ports-file output, passed on as an artifact); ' +
      'input "chunks" ("") is required to build ports: how many chunks the list is cut into (the list job\'s chunk-count output), at least 1 (fix the step\'s `with:` in the workflow)',
  });
  assert.throws(() => inputs({ ...chunkJob, chunk: '0', chunks: '0' }), { message: /^bad action input: input "chunks" \("0"\) is required to build ports: .*, at least 1 \(fix/ });
});

test('build-ports needs a chunk from 0 to one below the count', () => {
  const fix = 'is required to build ports: the chunk this job builds, from 0 to 1 (matrix.chunk)';
  assert.throws(() => inputs({ ...chunkJob, chunks: '2' }), { message: `bad action input: input "chunk" ("") ${fix} (fix the step's \`with:\` in the workflow)` });
  assert.throws(() => inputs({ ...chunkJob, chunk: '2', chunks: '2' }), { message: `bad action input: input "chunk" ("2") ${fix} (fix the step's \`with:\` in the workflow)` });
  assert.equal(inputs({ ...chunkJob, chunk: '1', chunks: '2' }).chunk, 1);
});

test('a chunk or a count that is not a whole number is refused, naming the input', () => {
  for (const bad of ['-1', '1.5', 'x', ' 1', '1234567']) {
    assert.throws(() => inputs({ ...chunkJob, chunk: bad, chunks: '2' }), { message: new RegExp(`^bad action inputs?: input "chunk" \\(${JSON.stringify(bad).replace(/[.()]/g, '\\$&')}\\) must be the chunk this job builds, from 0 \\(a whole number\\) or empty`) }, bad);
    assert.throws(() => inputs({ ...chunkJob, chunk: '0', chunks: bad }), { message: /input "chunks" \(.*\) must be how many chunks the list is cut into \(a whole number\) or empty/ }, bad);
  }
});

test('the PR platforms are a JSON list of platform names, or nothing', () => {
  assert.deepEqual(inputs({ ...lister, 'matrix-platforms': '["15_arm64", "14_x86_64"]' })['matrix-platforms'], ['15_arm64', '14_x86_64']);
  assert.equal(inputs({ ...lister, 'matrix-platforms': '' })['matrix-platforms'], undefined);
  const refused = (value: string): RegExp => new RegExp(`^bad action input: input "matrix-platforms" \\(${JSON.stringify(JSON.stringify(value)).slice(1, -1).replace(/[[\]().]/g, '\\$&')}\\) must be a JSON list of platform names, e\\.g\\. \\["15_arm64", "14_x86_64"\\] \\(the PORTFARM_PR_PLATFORMS variable\\) \\(fix`);
  for (const bad of ['15_arm64', '[]', '"15_arm64"', '{"0":"15_arm64"}', '[15]', '["15_arm64", "macos-14"]', '["macos-14", "15_arm64"]', '[']) {
    assert.throws(() => inputs({ ...lister, 'matrix-platforms': bad }), { message: refused(bad) }, bad);
  }
});
