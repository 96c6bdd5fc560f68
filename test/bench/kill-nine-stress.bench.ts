/**
 * `npm run bench:kill-nine-stress [-- --rounds N] [-- --hogs H] [-- --files a,b] [-- --keep-going] [-- --json]`:
 * the kill -9 suites (`test/e2e/fault-kill-nine-{a,b}.test.ts`, 20 seeds) run N times in a
 * row (default 20), both files side by side (`--test-concurrency=2`, as `npm test` runs them),
 * with H busy-looping processes beside them (default 2: one per core of the 2-core machine),
 * so the controller, the GitHub double and the jobs are starved as on a loaded CI machine.
 * Stops at the first failing round (`--keep-going`: runs them all) and prints its output; each
 * failing round's output is also kept in a file in the system temp folder (a failing seed keeps
 * its farm folder, whose path the failure names, with the controller's log and state). Prints
 * each round's seconds and load average, then the totals; `--json`: one JSON object last,
 * `{runs, passed, failed, inARow, failures: [{round, tests, output}], …}`.
 *
 * It is how the flake of issue #21 (a port never built after a kill -9, seen only under load)
 * was shown gone: see docs/testing.md, "The kill -9 flake".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    hogs: { type: 'string', default: '2' },
    files: { type: 'string', default: 'test/e2e/fault-kill-nine-a.test.ts,test/e2e/fault-kill-nine-b.test.ts' },
    'keep-going': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
const hogCount = Number(values.hogs);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds ${values.rounds}: must be a positive whole number`);
if (!Number.isInteger(hogCount) || hogCount < 0 || hogCount > 16) throw new Error(`--hogs ${values.hogs}: must be 0 to 16`);
const files = values.files.split(',').filter((f) => f !== '');
if (files.length === 0) throw new Error('--files: name at least one test file (comma-separated)');

const children = new Set<ChildProcess>();
// Each child leads its own process group (`detached`), so the test runner's files and the controllers they started go with it.
const stopAll = (): void => {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
};
process.once('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

// The hogs: each a process spinning on one core until this script ends (on every path: `exit` kills them).
for (let i = 0; i < hogCount; i += 1) {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });
  children.add(hog);
}

interface Round {
  readonly round: number;
  readonly passed: boolean;
  readonly seconds: number;
  readonly load1: number;
  readonly tests: number;
}

function runRound(): Promise<{ passed: boolean; output: string; tests: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('close', (code) => {
      children.delete(child);
      const tests = Number(/ℹ pass (\d+)/.exec(output)?.[1] ?? '0');
      resolve({ passed: code === 0, output, tests });
    });
  });
}

const results: Round[] = [];
const failures: { round: number; tests: string[]; output: string }[] = [];
const startedAt = performance.now();
let failure = '';
for (let round = 1; round <= rounds; round += 1) {
  const began = performance.now();
  const { passed, output, tests } = await runRound();
  const seconds = (performance.now() - began) / 1000;
  const load1 = loadavg()[0] ?? 0;
  results.push({ round, passed, seconds, load1, tests });
  console.log(`round ${String(round).padStart(2)}/${rounds}: ${passed ? 'pass' : 'FAIL'}, ${tests} tests passed, ${seconds.toFixed(1)} s, load ${load1.toFixed(1)}`);
  if (!passed) {
    failure = output;
    // The failing tests by name (the seed is in it), and the whole output kept: the farm folder it names holds the controller's log.
    const failed = [...output.matchAll(/^\s*✖ (.+?) \(\d/gmu)].map((m) => m[1] ?? '');
    const file = join(tmpdir(), `kill-nine-stress-round-${String(round)}-${String(Date.now())}.log`);
    writeFileSync(file, output);
    failures.push({ round, tests: [...new Set(failed)], output: file });
    console.log(`  failed: ${[...new Set(failed)].join('; ') || '(see output)'}; output kept in ${file}`);
    if (!values['keep-going']) break;
  }
}
stopAll();
const passedRounds = results.filter((r) => r.passed).length;
const seconds = (performance.now() - startedAt) / 1000;
if (failure !== '') console.log(`\n--- output of the last failing round ---\n${failure}`);
const loads = results.map((r) => r.load1);
const firstFailure = results.findIndex((r) => !r.passed);
const summary = {
  runs: results.length,
  passed: passedRounds,
  failed: results.length - passedRounds,
  asked: rounds,
  testsPerRound: Math.max(0, ...results.map((r) => r.tests)),
  failures,
  inARow: firstFailure === -1 ? passedRounds : firstFailure,
  hogs: hogCount,
  files,
  seconds: Number(seconds.toFixed(1)),
  meanRoundSeconds: Number((results.reduce((n, r) => n + r.seconds, 0) / Math.max(1, results.length)).toFixed(1)),
  loadMin: Number(Math.min(...loads).toFixed(2)),
  loadMax: Number(Math.max(...loads).toFixed(2)),
};
console.log(`${passedRounds}/${results.length} rounds passed, ${results.length - passedRounds} failed (${rounds} asked), ${hogCount} CPU hogs, ${seconds.toFixed(0)} s, load ${summary.loadMin}–${summary.loadMax}`);
if (values.json) console.log(JSON.stringify(summary));
process.exitCode = failure === '' ? 0 : 1;
