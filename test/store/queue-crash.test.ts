import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { seededRandom } from '../../controller/sim/seeded-random.ts';

const worker = new URL('./crash-worker.ts', import.meta.url).pathname;

/** Runs the worker; with `killAtStep`, SIGKILLs it as soon as it reports that step. Resolves with its stdout lines. */
function runWorker(args: string[], killAtStep: number | null): Promise<{ lines: string[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (killAtStep !== null && line === `step ${String(killAtStep)}`) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ lines, killed: true });
      else if (code === 0) resolve({ lines, killed: false });
      else reject(new Error(`worker exited ${String(code)}: ${stderr}`));
    });
  });
}

test('a controller killed with SIGKILL at random points loses nothing and dispatches nothing twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-crash-'));
  const dbPath = join(dir, 'portfarm.sqlite');
  const githubPath = join(dir, 'github.sqlite');
  const random = seededRandom(4);
  const acked: string[] = [];
  let kills = 0;
  for (let round = 1; round <= 4; round++) {
    // Odd rounds die at a random crash point inside the process, even rounds are killed from outside.
    const inside = round % 2 === 1;
    const at = 5 + Math.floor(random() * 140); // within the 150 steps, so every round dies
    const { lines, killed } = await runWorker([dbPath, githubPath, String(round), '150', inside ? String(at) : '-1'], inside ? null : at);
    if (killed) kills++;
    acked.push(...lines.filter((l) => l.startsWith('ack ')));
  }
  const drain = await runWorker([dbPath, githubPath, '99', 'drain'], null);
  assert.deepEqual(drain.lines.slice(-1), ['drained']);
  acked.push(...drain.lines.filter((l) => l.startsWith('ack ')));
  assert.equal(kills, 4, 'every round was killed mid-run');

  const state = new DatabaseSync(dbPath);
  const github = new DatabaseSync(githubPath);
  assert.deepEqual(github.prepare('select build_id, count(*) as n from runs group by build_id having n > 1').all(), [], 'no build dispatched twice');
  assert.deepEqual(state.prepare(`select build_id, state from queue_entry where state <> 'finished'`).all(), [], 'everything ran to the end');
  const runs = github.prepare('select run_id, build_id from runs').all();
  for (const run of runs) {
    const row = state.prepare('select run_id from queue_entry where build_id = ?').get(String(run.build_id));
    assert.equal(row?.run_id, run.run_id, `run ${String(run.run_id)} of ${String(run.build_id)} is recorded with its run id`);
  }
  const watchers = acked.filter((l) => l.startsWith('ack watcher ')).map((l) => l.split(' ')[2]);
  assert.ok(watchers.length > 5);
  for (const id of watchers) {
    const row = state.prepare('select kind from queue_entry where build_id = ?').get(id ?? '');
    assert.equal(row?.kind, 'watcher', `acknowledged watcher ${id ?? ''} is in the queue`);
  }
  const listed = new Set(acked.filter((l) => l.startsWith('ack list ')).flatMap((l) => l.split(' ').slice(3)));
  assert.ok(listed.size > 3);
  const built = new Set(state.prepare(`select port from queue_entry where kind = 'builder' and result = 'success'`).all().map((r) => String(r.port)));
  assert.deepEqual([...listed].filter((p) => !built.has(p)), [], 'every acknowledged port was built');
});
