import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildIdOfArchivePage, stableLogUrl } from '../../site/lookup/stable-log-url.ts';

// The link the action prints in a job summary while the build runs, and how the site learns a
// build's id from the archive page the ledger links.
test('the stable log link is below the site address (any trailing slashes dropped), id and step encoded', () => {
  assert.equal(stableLogUrl('https://build.example.org', 'b-1', 'install-port'), 'https://build.example.org/builds/b-1/steps/install-port/logs/stdio');
  assert.equal(stableLogUrl('https://build.example.org/portfarm//', 'b-1', 'install-port'), 'https://build.example.org/portfarm/builds/b-1/steps/install-port/logs/stdio');
  assert.equal(stableLogUrl('https://build.example.org/', 'pr 7/1', 'install port'), 'https://build.example.org/builds/pr%207%2F1/steps/install%20port/logs/stdio');
});

test('a build id is read only from an archive build page right below the archive: <id>/index.html or <id>/', () => {
  const base = 'https://archive.example.org/logs/';
  const rows: [string, string | undefined][] = [
    [`${base}b-1/index.html`, 'b-1'],
    [`${base}k3x9-1a2b/`, 'k3x9-1a2b'],
    // Another page of the build, a folder below it, no folder at all, an empty id, not an id.
    [`${base}b-1/install-port/stdio.txt.gz`, undefined],
    [`${base}b-1/x/index.html`, undefined],
    [`${base}b-1`, undefined],
    [`${base}/index.html`, undefined],
    [`${base}B_1/index.html`, undefined],
    // Another archive, even one whose address is as long.
    ['https://archive.example.com/logs/b-1/index.html', undefined],
    ['https://elsewhere.example/b-1/index.html', undefined],
  ];
  for (const [url, id] of rows) assert.equal(buildIdOfArchivePage(url, base), id, url);
});
