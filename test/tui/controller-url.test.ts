import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Config } from '../../controller/config/config-schema.ts';
import { DEFAULT_CONFIG } from '../../controller/config/default-config.ts';
import { controllerUrlFromConfig, parseControllerUrl } from '../../controller/tui/controller-url.ts';

const config = (controller: Pick<Config['controller'], 'host' | 'port' | 'publicUrl'>): Config => ({
  ...DEFAULT_CONFIG,
  github: { ...DEFAULT_CONFIG.github, webhookSecret: undefined },
  controller: { ...DEFAULT_CONFIG.controller, ...controller, statusToken: undefined },
  source: 'portfarm.config.yaml',
});

test('the config gives the URL: publicUrl first, else host and port, wildcards meaning this machine', () => {
  assert.equal(controllerUrlFromConfig(config({ host: '0.0.0.0', port: 8080, publicUrl: 'https://farm.example.org/' })), 'https://farm.example.org');
  assert.equal(controllerUrlFromConfig(config({ host: '0.0.0.0', port: 8080 })), 'http://127.0.0.1:8080');
  assert.equal(controllerUrlFromConfig(config({ host: '::', port: 8080 })), 'http://[::1]:8080');
  assert.equal(controllerUrlFromConfig(config({ host: 'fd00::5', port: 9000 })), 'http://[fd00::5]:9000');
  assert.equal(controllerUrlFromConfig(config({ host: 'farm.lan', port: 80 })), 'http://farm.lan:80');
  assert.throws(() => controllerUrlFromConfig(config({ host: '127.0.0.1', port: 0 })), {
    message: 'controller.port is 0 in portfarm.config.yaml (a random port), so the TUI cannot know it; pass --url http://HOST:PORT',
  });
});

test('--url keeps a path prefix and drops the trailing slash', () => {
  assert.equal(parseControllerUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(parseControllerUrl('https://farm.example.org/portfarm/'), 'https://farm.example.org/portfarm');
  assert.throws(() => parseControllerUrl('http://farm?x=1'), { message: '--url "http://farm?x=1" must not have a query or fragment; pass the controller\'s base URL' });
});
