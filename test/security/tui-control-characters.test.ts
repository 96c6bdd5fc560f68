import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusFetchError } from '../../controller/tui/status-fetch-error.ts';
import { formatStatusText } from '../../controller/tui/format-status-text.ts';
import { parseStatusBody } from '../../controller/tui/parse-status-body.ts';
import { busyFarm, NOW } from '../tui/status-fixtures.ts';

// Attack: a terminal obeys escape sequences in what it prints: `ESC ]8;;url BEL` makes a
// link, `ESC [2J` clears the screen, a bare CR overwrites the line. Every string in a status
// answer is validated or made by the controller, but the TUI and `portfarm status` print
// them on an operator's terminal, so they print no control character whatever the answer
// holds: a tab or line break becomes a space, any other a U+FFFD, visible and inert.

/** Anything but printable ASCII and U+00A0 on: the C0 and C1 controls and DEL. */
const CONTROL = /[^\u0020-\u007e\u00a0-\uffff]/;
const LINK = '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007';

function hostile(): string {
  const farm = busyFarm();
  return JSON.stringify({
    ...farm,
    controller: { ...farm.controller, repo: `macports/ports${LINK}` },
    alerts: ['\u001b[2Jdisk short on mini-1\rall is well', 'C1 CSI \u009b2J'],
    failures: farm.failures.map((f) => ({ ...f, phase: `install-port${LINK}` })),
    runners: farm.runners.map((r) => ({ ...r, name: `${r.name}\u001b[8m` })),
  });
}

test('the status answer as the TUI reads it holds no control character; the rest of each string is kept', () => {
  const snapshot = parseStatusBody(hostile(), 'http://127.0.0.1:8080/api/status');
  const strings: string[] = [];
  JSON.stringify(snapshot, (_key, value: unknown) => {
    if (typeof value === 'string') strings.push(value);
    return value;
  });
  assert.deepEqual(strings.filter((s) => CONTROL.test(s)), []);
  assert.equal(snapshot.alerts[0], '\uFFFD[2Jdisk short on mini-1 all is well');
  assert.equal(snapshot.controller.repo, 'macports/ports\uFFFD]8;;https://evil.example/\uFFFDclick\uFFFD]8;;\uFFFD');
});

test('`portfarm status` (plain text) prints none either', () => {
  const text = formatStatusText(parseStatusBody(hostile(), 'http://127.0.0.1:8080/api/status'), 'http://127.0.0.1:8080', NOW);
  const lines = text.split('\n');
  assert.deepEqual(lines.filter((l) => CONTROL.test(l)), []);
  assert.ok(lines.some((l) => l.includes('\uFFFD[2Jdisk short on mini-1')), 'the alert is shown, made inert');
});

test('an answer that is not JSON is quoted in the error without its control characters', () => {
  assert.throws(
    () => parseStatusBody('\u001b]0;owned\u0007<html>', 'http://127.0.0.1:8080/api/status'),
    (error: unknown) => error instanceof StatusFetchError && !CONTROL.test(error.message) && error.message.includes('\uFFFD]0;owned\uFFFD<html>'),
  );
});
