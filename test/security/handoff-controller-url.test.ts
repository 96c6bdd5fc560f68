import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActionInputError } from '../../action/src/action-inputs.ts';
import { inputs } from '../action/fixtures.ts';

const watcher = { step: 'list-subports', platform: '15_arm64', 'build-id': 'w-1', 'ports-sha': '70b44a41bbbb627007b18ae0551cddb24c009bf2', portlist: 'curl' };

test('the action refuses a plain-http controller-url: the OIDC token would cross the network readable', () => {
  for (const url of ['http://farm.example.org', 'http://farm.example.org:8080/', 'http://10.0.0.5', 'http://127.0.0.1.evil.example', 'http://localhost.evil.example', 'http://[::2]', 'ftp://farm.example.org', 'farm.example.org']) {
    assert.throws(
      () => inputs({ ...watcher, 'controller-url': url }),
      (error: unknown) => {
        assert.ok(error instanceof ActionInputError, String(error));
        assert.match(error.message, new RegExp(`^bad action input: input "controller-url" \\(${JSON.stringify(url).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\) must be (an https:// URL|the https:// URL of the portfarm controller).*PORTFARM_CONTROLLER_URL`));
        return true;
      },
      url,
    );
  }
  assert.throws(() => inputs({ ...watcher, 'controller-url': 'http://farm.example.org:8080/farm' }), {
    message: /set PORTFARM_CONTROLLER_URL to https:\/\/farm\.example\.org:8080\/farm \(plain http is allowed only to loopback: 127\.0\.0\.0\/8, \[::1\], localhost\)/,
  });
});

test('https anywhere, and http to loopback only (the demo, tests, a controller on the runner\'s host), are accepted', () => {
  for (const url of ['https://farm.example.org', 'https://farm.example.org:8443/x/', 'http://127.0.0.1:8080', 'http://127.8.9.10', 'http://[::1]:8080', 'http://localhost:3000', 'http://LOCALHOST']) {
    assert.equal(inputs({ ...watcher, 'controller-url': url })['controller-url'], url);
  }
});
