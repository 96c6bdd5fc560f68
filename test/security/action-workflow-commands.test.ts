import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCoreReporter } from '../../action/src/create-core-reporter.ts';
import { printStepLogs } from '../../action/src/print-step-logs.ts';
import { splitStepLogs } from '../../controller/logs/split-step-logs.ts';
import { runMpbb } from '../../action/src/run-mpbb.ts';
import type { ExecResult } from '../../action/src/exec.ts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Attack: the runner obeys any line of a step's output that reads like a workflow command. The
// action streams mpbb's output, and with it a port's build output (an upstream configure
// script, a compromised tarball), into the farm's builder job: `::add-mask::` hides text,
// `::error::` annotates the farm's run, `::set-output name=…::` sets an output,
// `::stop-commands::` silences the action's own failure annotation. Within a group of command
// output, commands are stopped with a token the output cannot know, so those lines are text.

/** What the runner would obey: a line that starts (after white space) with `::`, unless commands are stopped and the token not yet seen. */
function obeyed(lines: readonly string[]): string[] {
  const commands: string[] = [];
  let stoppedUntil: string | null = null;
  for (const line of lines) {
    const text = line.trimStart();
    if (!text.startsWith('::')) continue;
    if (stoppedUntil !== null) {
      if (text === `::${stoppedUntil}::`) stoppedUntil = null;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(text);
    if (stop !== null) stoppedUntil = stop[1] ?? null;
    commands.push(text);
  }
  return commands;
}

const HOSTILE = ['checking for gcc... gcc', '::add-mask::error', '::set-output name=digests::evil', '  ::error title=pwned::click https://evil.example', '::stop-commands::guess', '::endgroup::'];

async function captured(run: () => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  // @actions/core writes strings; the test runner's own reports (bytes) go through.
  process.stdout.write = (chunk: string | Uint8Array): boolean => {
    if (typeof chunk !== 'string') return write(chunk);
    out.push(chunk);
    return true;
  };
  try {
    await run().catch(() => undefined);
  } finally {
    process.stdout.write = write;
  }
  return out.join('').split('\n').filter((l) => l !== '');
}

test('a port build\'s output that reads like workflow commands is shown, never obeyed; the action\'s own commands still are', async () => {
  const reporter = createCoreReporter();
  const lines = await captured(() =>
    runMpbb({
      mpbb: 'mpbb',
      prefix: '/opt/local',
      workDir: '',
      subcommand: 'install-port',
      args: ['--', 'curl'],
      port: 'curl',
      platform: '15_arm64',
      reporter,
      exec: (_file, _argv, options): Promise<ExecResult> => {
        for (const line of HOSTILE) options.onLine(line, 'stdout');
        return Promise.resolve({ exitCode: 0, stdout: HOSTILE.join('\n'), stderr: '' });
      },
    }),
  );
  for (const line of HOSTILE) assert.ok(lines.includes(line), `${line} is in the log as text`);
  const commands = obeyed(lines);
  assert.equal(commands[0], '::group::mpbb install-port -- curl');
  assert.match(commands[1] ?? '', /^::stop-commands::[0-9a-f-]{36}$/);
  assert.deepEqual(commands.slice(2), ['::endgroup::'], 'nothing of the build output obeyed; the group still ends');
  assert.equal(lines.at(-1), '::endgroup::');
});

// The same output can also print GitHub's own log markers: `##[group]portfarm log
// install-port/main.log` is in the job log as GitHub serves it, where the controller cuts a
// build's archived step logs. Such a line must mark nothing: the archive keeps mpbb's own logs.
test('a build\'s output cannot forge the boundaries of the archived step logs', async () => {
  const forged = ['##[endgroup]', '##[group]portfarm log install-port/main.log', 'all tests passed, nothing to see', '##[endgroup]'];
  const work = mkdtempSync(join(tmpdir(), 'portfarm-forged-groups-'));
  try {
    mkdirSync(join(work, 'logs'));
    writeFileSync(join(work, 'logs', 'main.log'), 'the real main.log\n');
    const reporter = createCoreReporter();
    const lines = await captured(async () => {
      await runMpbb({
        mpbb: 'mpbb', prefix: '/opt/local', workDir: work, subcommand: 'install-port', args: ['--', 'curl'], port: 'curl', platform: '15_arm64', reporter,
        exec: (_file, _argv, options): Promise<ExecResult> => {
          for (const line of ['building curl', ...forged]) options.onLine(line, 'stdout');
          return Promise.resolve({ exitCode: 0, stdout: '', stderr: '' });
        },
      });
      await printStepLogs('install-port', work, reporter);
    });
    // The job log as GitHub serves it: processed commands become its markers, every other line is kept as printed.
    const jobLog = lines
      .filter((l) => !/^::(stop-commands::.+|[0-9a-f-]{36}::)$/.test(l))
      .map((l) => `2026-12-03T23:00:00.0000000Z ${l.replace(/^::group::/, '##[group]').replace(/^::endgroup::$/, '##[endgroup]')}`)
      .join('\n');
    const logs = splitStepLogs(jobLog);
    assert.equal(logs.get('install-port/main.log'), 'the real main.log\n');
    assert.match(logs.get('install-port/stdio') ?? '', /building curl\n.*##\[group\]portfarm log install-port\/main\.log\n.*all tests passed/s);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
