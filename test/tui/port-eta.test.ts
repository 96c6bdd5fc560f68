import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { EtaAnswer } from '../../controller/eta/eta-answer.ts';
import { fetchEtaAnswer } from '../../controller/eta/fetch-eta-answer.ts';
import { PortEtaStore } from '../../controller/tui/port-eta-store.ts';
import { renderDashboard, waitFor } from './render-dashboard.ts';
import { busyFarm, NOW } from './status-fixtures.ts';

const iso = (minutes: number): string => new Date(NOW + minutes * 60_000).toISOString();

/** What the controller answers for py313-pandas: third in line on 15_arm64, and waiting on 14_x86_64 with no estimate. */
function pandas(port: string): EtaAnswer {
  return {
    port,
    generatedAt: iso(0),
    builds: [
      { platform: '15_arm64', buildId: 'b-1045', state: 'pending', position: 3, ahead: 4, start: { low: iso(50), mid: iso(70), high: iso(95) }, finish: { low: iso(60), mid: iso(85), high: iso(120) }, basis: 'port', unknown: null },
      { platform: '14_x86_64', buildId: 'b-2001', state: 'pending', position: 0, ahead: 0, start: null, finish: null, basis: null, unknown: 'not-selected' },
    ],
  };
}

test("in a queue's details ↑↓ choose a queued port and enter shows its estimate per platform, place, range and what it waits for", async () => {
  const asked: string[] = [];
  const etaStore = new PortEtaStore((port) => {
    asked.push(port);
    return Promise.resolve(pandas(port));
  });
  const ui = await renderDashboard(busyFarm(), { etaStore });
  await ui.press('3');
  const details = await ui.press('\r');
  assert.match(details, /^ {2}>running\s+py313-numpy \[b-1041\]/m, 'the running port is chosen first');
  assert.match(details, /↑↓ choose a port {2}enter: its estimate {2}esc: back/);
  const chosen = await ui.press('\u001b[B');
  assert.match(chosen, /^ {2}>waiting 1\s+py313-pandas waits for py313-numpy/m, '↓ goes down the lines shown: running → waiting → next');
  assert.doesNotMatch(chosen, />running/);
  assert.match(await ui.press('j'), /^ {2}>next 2\s+py313-scipy/m, 'the watcher (next 1) is no port, pandas was chosen above');
  assert.match(await ui.press('k'), /^ {2}>waiting 1\s+py313-pandas/m);
  await ui.press('\r');
  await waitFor(() => ui.frame().includes('estimate from'), 'the answer is shown');
  const lines = ui.frame().split('\n').slice(2, 13).map((l) => l.trimEnd());
  assert.deepEqual(lines, [
    '  port            py313-pandas',
    '  15_arm64        queued on 15_arm64, 3rd in line, estimated ready around 07:25',
    '                  UTC (07:00–08:00)',
    '    ahead         4 runs (pending or in flight)',
    '    starts        around 07:10 UTC',
    '    estimate from its own last builds on this platform',
    '    waits for     py313-numpy (in flight)',
    '    build         b-1045',
    '  14_x86_64       queued on 14_x86_64: waiting for what it depends on; no',
    '                  estimate until that is built',
    '    build         b-2001',
  ]);
  assert.match(ui.frame(), /as of\s+06:00:00 UTC/);
  assert.match(ui.frame(), /esc or enter: back to the queue/);
  assert.deepEqual(asked, ['py313-pandas']);
  const back = await ui.press('\u001b');
  assert.match(back, /^ {2}>waiting 1\s+py313-pandas/m, 'esc goes back to the queue with the same port chosen');
  assert.match(await ui.press('\u001b'), /^> 15_arm64 /m, 'esc again: the queue list');
  ui.unmount();
  etaStore.close();
});

test('a controller that cannot answer is said so, with the fix; other panes keep enter as before', async () => {
  const etaStore = new PortEtaStore(() => Promise.reject(new Error('http://127.0.0.1:8080/api/eta?port=py313-numpy answered HTTP 401; set PORTFARM_STATUS_TOKEN to the controller\'s status token')));
  const ui = await renderDashboard(busyFarm(), { etaStore });
  await ui.press('3');
  await ui.press('\r');
  await ui.press('\r');
  await waitFor(() => ui.frame().includes('cannot ask'), 'the failure is shown');
  assert.match(ui.frame(), /estimate {8}cannot ask: http:\/\/127\.0\.0\.1:8080\/api\/eta\?port=py313-numpy\n {18}answered HTTP 401; set PORTFARM_STATUS_TOKEN to the\n/);
  // The 14_x86_64 queue runs a watcher and has nothing pending: its details have no port to choose, enter closes them.
  await ui.press('\u001b');
  await ui.press('\u001b');
  await ui.press('j');
  const watcherOnly = await ui.press('\r');
  assert.match(watcherOnly, /esc or enter: back/);
  assert.match(await ui.press('\r'), /^> 14_x86_64 /m);
  ui.unmount();
  etaStore.close();
});

test('fetchEtaAnswer asks GET /api/eta?port=P with the status token and checks the answer', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.url ?? ''} ${req.headers.authorization ?? '-'}`);
    if (req.headers.authorization !== 'Bearer t0ken') res.writeHead(401).end('{}');
    else if (req.url?.includes('broken') === true) res.writeHead(200).end('{"port":1}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(pandas('py313-pandas')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
  const signal = new AbortController().signal;
  try {
    assert.deepEqual(await fetchEtaAnswer(url, { port: 'py313-pandas' }, signal, 't0ken'), pandas('py313-pandas'));
    await assert.rejects(fetchEtaAnswer(url, { port: 'py313-pandas' }, signal), /answered HTTP 401; set PORTFARM_STATUS_TOKEN to the controller's status token/);
    await assert.rejects(fetchEtaAnswer(url, { port: 'broken' }, signal, 't0ken'), /does not match the schema/);
    assert.deepEqual(seen, ['/api/eta?port=py313-pandas Bearer t0ken', '/api/eta?port=py313-pandas -', '/api/eta?port=broken Bearer t0ken']);
  } finally {
    server.close();
  }
});
