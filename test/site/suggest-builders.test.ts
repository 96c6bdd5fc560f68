import assert from 'node:assert/strict';
import { test } from 'node:test';
import { suggestBuilders } from '../../site/lookup/suggest-builders.ts';

// The builders the "not here" page offers for an old builder name, typed in any case.
test('every 2011–2016 codename leads to its macOS version, in any case', () => {
  const rows: [string, string][] = [['snowleopard', '10.6'], ['lion', '10.7'], ['mtln', '10.8'], ['mavericks', '10.9'], ['yosemite', '10.10'], ['elcapitan', '10.11'], ['sierra', '10.12']];
  for (const [codename, version] of rows) {
    const known = [`ports-${version}_x86_64-builder`, 'ports-15_arm64-builder'];
    assert.deepEqual(suggestBuilders(`buildports-${codename}-x86_64`, known), [`ports-${version}_x86_64-builder`], codename);
  }
  assert.deepEqual(suggestBuilders('BuildPorts-MTLN-X86_64', ['ports-10.8_x86_64-builder']), ['ports-10.8_x86_64-builder']);
});

test('at most eight builders of the platform are offered, and a name without a platform offers none', () => {
  const known = Array.from({ length: 10 }, (_, i) => `ports-15_arm64-builder${String(i)}`.replace(/builder(\d)$/, 'b$1-15_arm64'));
  assert.equal(suggestBuilders('ports-15_arm64-builder', known).length, 8);
  assert.deepEqual(suggestBuilders('nothing-like-it', ['mirror-undefined', 'x-undefined-y']), []);
});
