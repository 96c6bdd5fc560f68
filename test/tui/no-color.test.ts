import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import { renderDashboard } from './render-dashboard.ts';
import { busyFarm } from './status-fixtures.ts';

// ink colours through chalk, which turns itself off when stdout is not a terminal (as under
// the test runner); switch it on so that "no colour" is something this test can observe.
const level = chalk.level;
before(() => {
  chalk.level = 1;
});
after(() => {
  chalk.level = level;
});

const ESC = '\u001b[';

/** The SGR parameters (`31`, `1`, `7`...) the frame uses. */
function sgrCodes(frame: string): string[] {
  return frame
    .split(ESC)
    .slice(1)
    .flatMap((part) => part.slice(0, part.indexOf('m')).split(';'));
}

// SGR parameters that set a colour or inverse video; bold (1) is not colour and may stay.
const isColour = (code: string): boolean => /^(3[0-9]|9[0-7]|4[0-9]|10[0-7]|7)$/.test(code);

test('with colour, a suspicious runner is red and the selected row inverse', async () => {
  const ui = await renderDashboard(busyFarm(), { color: true });
  const frame = await ui.press('2');
  const line = frame.split('\n').find((l) => l.includes('registration without VM')) ?? '';
  assert.ok(line.includes(`${ESC}31m`), line);
  const selected = frame.split('\n').find((l) => l.includes('portfarm-b-1041')) ?? '';
  assert.ok(selected.includes(`${ESC}7m`), selected);
  ui.unmount();
});

test('NO_COLOR: no colour or inverse codes, and the same text with the same ! and > markers', async () => {
  const coloured = await renderDashboard(busyFarm(), { color: true });
  const withColour = await coloured.press('2');
  coloured.unmount();
  const plain = await renderDashboard(busyFarm(), { color: false });
  const withoutColour = await plain.press('2');
  plain.unmount();
  assert.ok(sgrCodes(withColour).some(isColour), 'the coloured frame has colour');
  assert.deepEqual(sgrCodes(withoutColour).filter(isColour), []);
  // Styled cells keep their trailing spaces where ink trims plain ones: compare the visible text.
  const visible = (frame: string): string =>
    stripVTControlCharacters(frame)
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  assert.equal(visible(withoutColour), visible(withColour));
  assert.match(visible(withoutColour), /^> portfarm-b-1041 .*busy$/m);
  assert.match(visible(withoutColour), /^ {2}portfarm-b-1030 .*! registration without VM$/m);
});
