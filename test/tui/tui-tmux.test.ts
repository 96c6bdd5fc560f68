import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SettableStatusFeed } from '../../controller/status/settable-status-feed.ts';
import { startStatusServer } from '../../controller/status/status-server.ts';
import { requireTestPart } from '../setup/require-test-part.ts';
import { busyFarm } from './status-fixtures.ts';

const tmuxPath = requireTestPart('tmux');
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const socket = `portfarm-tui-${process.pid}`;
// The pinned Node first on PATH, as npm would put it; a plain terminal type; no colour so
// capture-pane shows what a NO_COLOR user sees. Not CI: ink draws only the last frame when CI
// is set, and an operator's terminal is not a CI job (this test failed under CI=true).
const { CI: _ci, CONTINUOUS_INTEGRATION: _ci2, ...outsideCi } = process.env;
const env = { ...outsideCi, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`, TERM: 'xterm-256color', NO_COLOR: '1' };

function tmux(...args: string[]): string {
  return execFileSync(tmuxPath, ['-L', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8' });
}

/** The visible screen, trailing spaces and blank lines at the bottom removed. */
function screen(): string {
  return tmux('capture-pane', '-p', '-t', 'tui')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .trimEnd();
}

/**
 * Polls the screen until `predicate` holds; the only wait is for what the user would see. The limit
 * is generous because it only matters when the test fails: on a loaded 2-core machine starting the
 * CLI took over 20 s. Polls are 20 ms apart so the poll does not take the CPU the TUI needs.
 */
async function waitForScreen(predicate: (s: string) => boolean, what: string, limitMs = 90_000): Promise<string> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const current = screen();
    if (predicate(current)) return current;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; the screen was:\n${current}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

after(() => {
  try {
    tmux('kill-server');
  } catch {
    // already gone
  }
});

test('the real CLI in tmux at 80×24: live data, keys, filter, losing the controller, q', async () => {
  const feed = new SettableStatusFeed(busyFarm(Date.now()));
  const server = await startStatusServer(feed);
  try {
    await driveTui(feed, server.url, () => server.close());
  } finally {
    await server.close();
  }
});

async function driveTui(feed: SettableStatusFeed, url: string, stopController: () => Promise<void>): Promise<void> {
  const cli = join(root, 'controller', 'cli', 'portfarm.js');
  // `read` keeps the pane open after the TUI exits, so its exit code can be seen.
  tmux('new-session', '-d', '-s', 'tui', '-x', '80', '-y', '24', `${cli} tui --url ${url}; echo "exited $?"; read _`);
  const title = `portfarm  macports/macports-ports  ${url}`;
  await waitForScreen((s) => s.startsWith(title) && s.includes('hosts 1/3'), 'the first frame');

  tmux('send-keys', '-t', 'tui', '3');
  const keyLine = '? help  / filter  tab pane  ↑↓ select  enter details  q quit          queues 1/2';
  const blank = (n: number): string[] => Array.from({ length: n }, () => '');
  const queues = (tabs: string, rows: string[], footer = keyLine): string =>
    [`${title}${'live'.padStart(80 - title.length)}`, tabs, '  PLATFORM      RUNNING                       WATCH BUILD    PR  OLDEST WAIT', ...rows, ...blank(19 - rows.length), footer].join('\n');
  const allQueues = (builders: number): string[] => [
    `> 15_arm64      py313-numpy +1 2/2                1    ${String(builders).padStart(2)}     3  2h05m`,
    '    next: 1.watcher @9f8e7d6 2.py313-scipy 3.py313-pandas 4.PR libfoo 5.gdal',
    '    blocked 312: qt6-qtbase 309, mlx 3',
    '  14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -',
    '    next: nothing pending',
  ];
  const tabs = ' Hosts 3 !1   Runners 4 !2  [Queues 2]  Failures 2   Alerts 1';
  assert.equal(await waitForScreen((s) => s.includes('[Queues 2]'), 'the queues pane'), queues(tabs, allQueues(42)));

  // The controller publishes a change: it arrives over the event stream, no key needed.
  const farm = busyFarm(Date.now());
  feed.publish({ ...farm, queues: farm.queues.map((q) => (q.platform === '15_arm64' ? { ...q, pending: { ...q.pending, builders: 43 } } : q)) });
  assert.equal(await waitForScreen((s) => s.includes('   43 '), 'the published change'), queues(tabs, allQueues(43)));

  tmux('send-keys', '-t', 'tui', '/', '1', '4', 'Enter');
  const filtered = queues(
    ' Hosts 1   Runners 2 !1  [Queues 1]  Failures 1   Alerts 1',
    ['> 14_x86_64     watcher @9f8e7d6 (dispatched)     0     0     0  -', '    next: nothing pending'],
    'filter "14"  esc clear  ? help  q quit                                queues 1/1',
  );
  assert.equal(await waitForScreen((s) => s.includes('filter "14"'), 'the filter'), filtered);

  await stopController();
  const lost = await waitForScreen((s) => s.includes('ECONNREFUSED'), 'the unreachable banner');
  // The banner is word-wrapped to 80 columns; read its first lines as one text.
  const banner = lost.split('\n').slice(2, 5).join(' ');
  assert.ok(banner.startsWith(`! cannot reach the controller at ${url}/api/status (ECONNREFUSED) Retrying every 2s (attempt `), banner);
  assert.match(lost.split('\n')[0] ?? '', /stale \d+s$/);

  tmux('send-keys', '-t', 'tui', 'q');
  const end = await waitForScreen((s) => s.includes('exited '), 'the TUI to exit');
  assert.match(end, /^exited 0$/m);
}
