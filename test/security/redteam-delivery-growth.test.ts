// Red team: every signed delivery was stored with its whole body for 14 days, also the ones that
// need no work. A pull request's workflows make as many as it likes (a 256-job matrix is ~770
// workflow_job deliveries of ~10 KB a push, on GitHub's free runners), so the state database grew
// by what an outsider chose. An ignored delivery keeps its GUID (for de-duplication), not its body.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { startFarmUnderAttack } from './farm-under-attack.ts';

test('deliveries of a pull request\'s own workflows are kept without their bodies: the state database does not grow with them', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    await farm.settle();
    const rows = (): { readonly count: number; readonly bytes: number } => {
      const db = new DatabaseSync(join(h.stateDir, 'portfarm.sqlite'), { readOnly: true });
      try {
        const row = db.prepare('select count(*) as count, coalesce(sum(length(body)), 0) as bytes from github_deliveries').get() as { count: number; bytes: number };
        return { count: row.count, bytes: row.bytes };
      } finally {
        db.close();
      }
    };
    const before = rows();
    const run = h.double.startRun({ workflowFile: 'spam.yml', runName: 'ci', event: 'pull_request', headBranch: 'mallory-patch-1', actor: 'mallory', jobs: Array.from({ length: 30 }, (_, i) => ({ name: `job-${i}`, labels: ['ubuntu-latest'] })) });
    h.double.completeRun(run.id, 'success');
    await farm.settle();
    const after = rows();
    assert.ok(after.count - before.count >= 60, `each delivery is still claimed once (${after.count - before.count} new)`);
    assert.equal(after.bytes - before.bytes, 0, `${after.bytes - before.bytes} bytes of ignored deliveries kept in the state database`);
    assert.deepEqual(farm.state().queue, []);
  } finally {
    await farm.close();
  }
});

// Attacker's review (2026-12-03): the run above names no build. A PR's workflow that titles its
// run `[<id>] …` and labels its jobs `portfarm-build-<id>` claims a build, so its deliveries are
// not ignored, and they were kept with their bodies for 14 days although the trust boundary
// refused every one. A delivery whose work is done keeps its GUID, not its body.
test('deliveries of a pull request\'s run that claims a build are refused and kept without their bodies once worked on', async () => {
  const farm = await startFarmUnderAttack();
  try {
    const { h } = farm;
    await farm.settle();
    const bytes = (): number => {
      const db = new DatabaseSync(join(h.stateDir, 'portfarm.sqlite'), { readOnly: true });
      try {
        return (db.prepare('select coalesce(sum(length(body)), 0) as bytes from github_deliveries').get() as { bytes: number }).bytes;
      } finally {
        db.close();
      }
    };
    const before = bytes();
    const rejectedBefore = await farm.rejected('foreign-workflow');
    const run = h.double.startRun({
      workflowFile: 'ports.yml',
      runName: '[p1-15-arm64-9] builder: curl',
      event: 'pull_request',
      headBranch: 'mallory-patch-1',
      actor: 'mallory',
      jobs: Array.from({ length: 10 }, (_, i) => ({ name: `job-${i}`, labels: ['ubuntu-latest', 'portfarm-build-p1-15-arm64-9'] })),
    });
    h.double.completeRun(run.id, 'success');
    await farm.settle();
    assert.ok((await farm.rejected('foreign-workflow')) + (await farm.rejected('not-dispatched')) + (await farm.rejected('unknown-build')) > rejectedBefore, 'the claims were refused');
    assert.equal(bytes() - before, 0, `${bytes() - before} bytes of refused deliveries kept in the state database`);
    assert.deepEqual(farm.state().queue, []);
  } finally {
    await farm.close();
  }
});
