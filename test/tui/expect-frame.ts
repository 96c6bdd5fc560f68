import assert from 'node:assert/strict';

/**
 * Asserts the whole 80×24 frame: `top` lines, blank lines down to the key line, then `footer`.
 * The dashboard uses rows - 1 lines (23), so ink redraws in place.
 */
export function expectFrame(actual: string, top: readonly string[], footer: string, rows = 24): void {
  const blank = rows - 1 - top.length - 1;
  assert.ok(blank >= 0, `expected frame has ${top.length} lines above the key line, more than ${rows - 2}`);
  const expected = [...top, ...Array.from({ length: blank }, () => ''), footer].join('\n');
  assert.equal(actual, expected);
}
