import assert from 'node:assert/strict';
import { test } from 'node:test';
import { failedPhase } from '../../controller/github/translate-webhook.ts';

test('the first failed step of a job names the mpbb phase; no failure → null', () => {
  const step = (number: number, name: string, conclusion: string | null) => ({ number, name, conclusion });
  assert.equal(
    failedPhase([step(3, 'builder: gather archives', 'failure'), step(2, 'builder: install port', 'failure'), step(1, 'sync ports tree', 'success')]),
    'install-port',
  );
  assert.equal(failedPhase([step(1, 'watcher: list subports and hand them to the controller', 'failure')]), 'list-subports-and-hand-them-to-the-controller');
  assert.equal(failedPhase([step(1, 'cleanup', 'success'), step(2, 'builder: install port', 'skipped')]), null);
  assert.equal(failedPhase([]), null);
});
