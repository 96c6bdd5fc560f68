import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLegacyUrl, type ReadSiteJson } from '../../site/lookup/resolve-legacy-url.ts';

/** A site with nothing built yet: every file is missing. */
const empty: ReadSiteJson = () => Promise.resolve(undefined);

// The site is often served below a path (a project page, /portfarm/): every test above used '/'.
test('a site served under a base path resolves addresses below it, the base matched in any case, with or without its slash', async () => {
  assert.deepEqual(await resolveLegacyUrl('/portfarm/builders', empty, '/portfarm'), { kind: 'redirect', location: '/portfarm/builders/' });
  assert.deepEqual(await resolveLegacyUrl('/portfarm/builders', empty, '/portfarm/'), { kind: 'redirect', location: '/portfarm/builders/' });
  assert.deepEqual(await resolveLegacyUrl('/PortFarm/Builders?x=1#top', empty, '/portfarm'), { kind: 'redirect', location: '/portfarm/builders/?x=1#top' });
  assert.deepEqual(await resolveLegacyUrl('/portfarm/builders', empty, '/PortFarm'), { kind: 'redirect', location: '/PortFarm/builders/' });
  assert.deepEqual(await resolveLegacyUrl('/PortFarm', empty, '/PortFarm'), { kind: 'home', index: undefined });
  assert.deepEqual(await resolveLegacyUrl('/portfarm', empty, '/portfarm/'), { kind: 'home', index: undefined });
});

test('an address outside the base path is refused naming the base, and the path as the reader typed it (decoded)', async () => {
  for (const address of ['/elsewhere/builders', '/portfarmx/builders', '/']) {
    const resolution = await resolveLegacyUrl(address, empty, '/portfarm');
    assert.equal(resolution.kind, 'unknown', address);
    assert.equal(resolution.reason, 'it is outside the site, which is served under /portfarm/', address);
  }
  const typed = await resolveLegacyUrl('/elsewhere/install%20port', empty, '/portfarm');
  assert.equal(typed.kind === 'unknown' ? typed.asked : '', '/elsewhere/install port');
});
