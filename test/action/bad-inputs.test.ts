import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './fixtures.ts';
import { ACTION_DEFAULTS, runAction } from './run-action.ts';

const builder = { ...ACTION_DEFAULTS, step: 'install-port', platform: '15_arm64', 'build-id': 'b-1', port: 'curl' };

// Every message is held to its text by action-inputs.test.ts (in-process); these few run the
// committed bundle to show that a bad input stops the step before mpbb or the work folder.
test('the bundled action: a bad input fails the step with ::error:: naming the input and the fix; mpbb never runs, the work folder stays empty', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ step: 'install' }, /input "step" \("install"\) must be one of cleanup, selfupdate, checkout, list-subports/],
    [{ port: 'curl;reboot' }, /input "port" \("curl;reboot"\) port name "curl;reboot" is not a MacPorts port name/],
    [{ port: '' }, /input "port" \(""\) is required for step install-port: give the port this builder builds/],
  ];
  await Promise.all(
    cases.map(async ([bad, message]) => {
      const work = tempDir('action-bad-work');
      const calls = join(tempDir('action-bad-calls'), 'calls.ndjson');
      const run = await runAction({ ...builder, 'work-dir': work, ...bad }, { MPBB_DOUBLE_CALLS: calls });
      const what = JSON.stringify(bad);
      assert.equal(run.exitCode, 1, what);
      const lines = run.stdout.trim().split('\n');
      assert.equal(lines.length, 1, `${what}: one line, the error: ${run.stdout}`);
      assert.match(lines[0] ?? '', /^::error title=bad action input \(permanent\)::bad action inputs?: /, what);
      assert.match(lines[0] ?? '', message, what);
      assert.match(lines[0] ?? '', /\(fix the step's `with:` in the workflow\)$/, what);
      assert.deepEqual(run.outputs, { result: 'failure' }, what);
      assert.equal(existsSync(calls), false, `${what}: mpbb was not run`);
      assert.deepEqual(readdirSync(work), [], `${what}: nothing written to the work folder`);
    }),
  );
});
