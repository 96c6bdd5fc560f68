import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requireTestPart } from '../setup/require-test-part.ts';

const tmuxPath = requireTestPart('tmux');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const socket = `portfarm-demo-tui-${process.pid}`;
// An operator's terminal: the pinned Node first on PATH, no colour, and not CI (ink draws only
// the last frame under CI).
const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...outsideCi } = process.env;
const env = { ...outsideCi, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, TERM: 'xterm-256color', NO_COLOR: '1' };

function tmux(...args: string[]): string {
  return execFileSync(tmuxPath, ['-L', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8' });
}

function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'demo').split('\n').map((l) => l.trimEnd()).join('\n').trimEnd();
}

/** Polls the screen until `predicate` holds: the only wait is for what the user would see. */
async function waitForScreen(predicate: (s: string) => boolean, what: string, limitMs: number): Promise<string> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const current = screen();
    if (predicate(current)) return current;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${current}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

after(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
});

test('npm start on a terminal: the TUI shows the demo farm live from its controller, then the summary', { timeout: 400_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-demo-tui-'));
  const cli = join(root, 'controller', 'cli', 'portfarm.js');
  tmux('new-session', '-d', '-s', 'demo', '-x', '100', '-y', '30', `cd ${root} && ${cli} demo --duration 20 --boot 300 --dir ${dir}; echo "exited $?"; read _`);
  // The dashboard of the demo's own controller (fake VM backend, GitHub double).
  await waitForScreen((s) => /^portfarm {2}macports\/macports-ports {2}http:\/\/127\.0\.0\.1:\d+/.test(s) && s.includes('Hosts'), 'the dashboard', 60_000);
  tmux('send-keys', '-t', 'demo', '3');
  const queues = await waitForScreen((s) => s.includes('15_arm64') && s.includes('14_x86_64') && s.includes('PLATFORM'), 'the queues pane', 30_000);
  assert.match(queues, /PLATFORM\s+RUNNING/);
  // When the time is up the TUI gives the terminal back to the summary.
  // After its 20 s the demo lets the runs in flight finish, the PR's matrix jobs included (minutes on a loaded machine).
  const end = await waitForScreen((s) => s.includes('exited '), 'the end of the demo', 300_000);
  assert.match(end, /^lost\s+0$/m);
  assert.match(end, /^duplicated\s+0$/m);
  assert.match(end, /^leftover VMs\s+0$/m);
  assert.match(end, /exited 0/);
});
