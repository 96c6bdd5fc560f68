import { spawn } from 'node:child_process';

export type TestOutcome = 'passed' | 'failed' | 'timed-out' | 'invalid';

/** The process groups of the test runs under way: the driver ends them when it is stopped, or they would run on in a removed sandbox. */
const running = new Set<number>();

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
 * module for all of them) and answers as soon as it knows: the first `not ok` kills the process
 * group (a killed mutant needs no more proof), and so does the timeout. `invalid`: the mutated
 * file does not load (a syntax error), which says nothing about the tests. The process runs
 * under `nice -n niceness` (10 by default): the machine is shared, and a mutant can wait.
 */
export function runTestsOnce(cwd: string, node: string, tests: readonly string[], timeoutMs: number, niceness = 10): Promise<{ outcome: TestOutcome; ms: number; output: string }> {
  const started = Date.now();
  return new Promise((resolve) => {
    // nice execs node in the same process, so the group kill below still reaches every test.
    const child = spawn('nice', ['-n', String(niceness), node, '--test', '--test-isolation=none', '--test-reporter=tap', ...tests], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // NODE_TEST_CONTEXT (set when this runs under node --test) would make the child report in
      // the runner's binary protocol instead of TAP, and no `not ok` would ever be seen.
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0', NODE_TEST_CONTEXT: undefined },
    });
    const group = child.pid;
    if (group !== undefined) running.add(group);
    let output = '';
    let decided: TestOutcome | undefined;
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
    const take = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.length > 200_000) output = output.slice(-100_000);
      if (/^\s*not ok \d+/m.test(output)) stop(/SyntaxError|ERR_INVALID_TYPESCRIPT_SYNTAX|ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX/.test(output) ? 'invalid' : 'failed');
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (group !== undefined) running.delete(group);
      const outcome = decided ?? (code === 0 ? 'passed' : /SyntaxError|ERR_INVALID_TYPESCRIPT_SYNTAX/.test(output) ? 'invalid' : 'failed');
      resolve({ outcome, ms: Date.now() - started, output });
    });
  });
}
