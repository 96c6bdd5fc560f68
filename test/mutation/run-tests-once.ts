import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export type TestOutcome = 'passed' | 'failed' | 'timed-out' | 'invalid';

export interface TestRun {
  readonly outcome: TestOutcome;
  readonly ms: number;
  readonly output: string;
  /** Where the first failing test was declared (its `location`, relative to the run's folder), when one failed. */
  readonly failedIn?: string;
}

/** The process groups of the test runs under way: the driver ends them when it is stopped, or they would run on in a removed sandbox. */
const running = new Set<number>();
let entries = 0;

/** Kills every test run under way (the driver's SIGINT/SIGTERM). */
export function killRunningTests(): void {
  for (const group of running) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // The group already exited.
    }
  }
  running.clear();
}

/**
 * Runs `tests` in one `node --test` process (no per-file isolation: one load of the mutated
 * module for all of them), in the order given (node sorts the files it is given; an entry file
 * that imports them one after the other keeps the order, so the test most likely to fail runs
 * first), and answers as soon as it knows: the first `not ok` kills the process group (a killed
 * mutant needs no more proof), and so does the timeout. `invalid`: the mutated file does not
 * load (a syntax error), which says nothing about the tests. The process runs under
 * `nice -n niceness` (10 by default): the machine is shared, and a mutant can wait. `env` is
 * added to the test process's environment (`NODE_V8_COVERAGE`, `NODE_COMPILE_CACHE`).
 */
export function runTestsOnce(cwd: string, node: string, tests: readonly string[], timeoutMs: number, niceness = 10, env: Readonly<Record<string, string>> = {}): Promise<TestRun> {
  const started = Date.now();
  let entry: string | undefined;
  if (tests.length > 1) {
    entries += 1;
    entry = join(cwd, `.mutation-entry-${String(process.pid)}-${String(entries)}.mjs`);
    writeFileSync(entry, tests.map((t) => `await import(${JSON.stringify(`./${t}`)});\n`).join(''));
  }
  const files = entry === undefined ? tests : [relative(cwd, entry)];
  return new Promise((resolve) => {
    // nice execs node in the same process, so the group kill below still reaches every test.
    const child = spawn('nice', ['-n', String(niceness), node, '--test', '--test-isolation=none', '--test-concurrency=1', '--test-reporter=tap', ...files], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // NODE_TEST_CONTEXT (set when this runs under node --test) would make the child report in
      // the runner's binary protocol instead of TAP, and no `not ok` would ever be seen.
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NODE_TEST_CONTEXT: undefined, ...env },
    });
    const group = child.pid;
    if (group !== undefined) running.add(group);
    let output = '';
    let decided: TestOutcome | undefined;
    let failedAt = -1;
    let failedIn: string | undefined;
    const stop = (outcome: TestOutcome): void => {
      if (decided !== undefined) return;
      decided = outcome;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group already exited.
      }
    };
    const timer = setTimeout(() => {
      stop('timed-out');
    }, timeoutMs);
    let grace: NodeJS.Timeout | undefined;
    const failed = (): void => {
      const where = /location: '([^']+?):\d+:\d+'/.exec(output.slice(failedAt));
      if (where?.[1] !== undefined) failedIn = relative(cwd, where[1]).split('\\').join('/');
      stop(/SyntaxError|ERR_INVALID_TYPESCRIPT_SYNTAX|ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX/.test(output) ? 'invalid' : 'failed');
    };
    const take = (chunk: Buffer): void => {
      if (decided !== undefined) return;
      output += chunk.toString('utf8');
      if (output.length > 200_000) {
        const cut = output.length - 100_000;
        output = output.slice(cut);
        failedAt = Math.max(-1, failedAt - cut);
      }
      if (failedAt < 0) {
        const notOk = /^\s*not ok \d+/m.exec(output);
        if (notOk === null) return;
        failedAt = notOk.index;
        // The failure's YAML block (its location among it) follows the line; wait for it a moment.
        grace = setTimeout(failed, 2_000);
      }
      if (/\n\s*\.\.\.\s*\n/.test(output.slice(failedAt))) failed();
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(grace);
      if (group !== undefined) running.delete(group);
      if (entry !== undefined) rmSync(entry, { force: true });
      if (decided === undefined && failedAt >= 0) failed();
      const outcome = decided ?? (code === 0 ? 'passed' : /SyntaxError|ERR_INVALID_TYPESCRIPT_SYNTAX/.test(output) ? 'invalid' : 'failed');
      resolve({ outcome, ms: Date.now() - started, output, ...(failedIn === undefined ? {} : { failedIn }) });
    });
  });
}
