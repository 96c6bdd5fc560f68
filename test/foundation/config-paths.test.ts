import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../controller/config/load-config.ts';

const PLATFORM = 'platforms:\n  - { name: 15_arm64, image: base, backend: fake, hosts: [{ name: h, address: 127.0.0.1 }] }\n';

/** A config folder `etc/` beside an unrelated working folder `work/`. */
function folders(): { root: string; etc: string; work: string } {
  const root = mkdtempSync(join(tmpdir(), 'portfarm-config-paths-'));
  const etc = join(root, 'etc');
  const work = join(root, 'work');
  mkdirSync(etc);
  mkdirSync(work);
  return { root, etc, work };
}

test('relative paths in a config file resolve against its folder, not the working folder', () => {
  const { root, etc, work } = folders();
  try {
    writeFileSync(join(etc, 'farm.yaml'), [
      'github: { appId: 1, privateKeyPath: key.pem, repo: macports/macports-ports }',
      PLATFORM,
      'state: { path: state/farm.sqlite }',
      'site: { out: ../www, logArchiveDir: logs }',
      'images: { registryPath: images.sqlite }',
      'caches: { mirrorDir: mirror, quarantineDir: /var/quarantine }',
    ].join('\n'));
    const config = loadConfig({ path: '../etc/farm.yaml', cwd: work }, {});
    assert.equal(config.github.privateKeyPath, join(etc, 'key.pem'));
    assert.equal(config.state.path, join(etc, 'state', 'farm.sqlite'));
    assert.equal(config.site.out, join(root, 'www'));
    assert.equal(config.site.logArchiveDir, join(etc, 'logs'));
    assert.equal(config.images.registryPath, join(etc, 'images.sqlite'));
    assert.equal(config.caches.mirrorDir, join(etc, 'mirror'));
    assert.equal(config.caches.quarantineDir, '/var/quarantine', 'an absolute path stays');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the defaults of path keys count as written in the file: they land in its folder too', () => {
  const { root, etc, work } = folders();
  try {
    writeFileSync(join(etc, 'farm.yaml'), `github: { appId: 1, privateKeyPath: /keys/app.pem, repo: macports/macports-ports }\n${PLATFORM}`);
    const config = loadConfig({ path: join(etc, 'farm.yaml'), cwd: work }, {});
    assert.equal(config.state.path, join(etc, 'state', 'portfarm.sqlite'));
    assert.equal(config.caches.quarantineDir, join(etc, 'state', 'quarantine'));
    assert.equal(config.site.out, join(etc, 'site-out'));
    assert.equal(config.images.registryPath, undefined, 'unset stays unset (images.sqlite beside state.path)');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the config found in the working folder resolves against it; the embedded defaults stay relative', () => {
  const { root, work } = folders();
  try {
    assert.equal(loadConfig({ cwd: work, allowDefaults: true }, {}).state.path, 'state/portfarm.sqlite');
    writeFileSync(join(work, 'portfarm.config.yaml'), `github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports }\n${PLATFORM}`);
    assert.equal(loadConfig({ cwd: work }, {}).github.privateKeyPath, join(work, 'app.pem'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
