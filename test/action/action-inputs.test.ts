import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inputs } from './fixtures.ts';

const builder = { step: 'install-port', platform: '15_arm64', 'build-id': 'b-1', port: 'curl' };

test('valid inputs parse to typed values', () => {
  const parsed = inputs({ step: 'list-subports', platform: '10.15_x86_64', 'build-id': 'w-9', portlist: 'curl, zlib\npy313-numpy', 'ports-sha': 'abcdef1', 'controller-url': 'https://farm.example.org', force: 'true' });
  assert.deepEqual(parsed.portlist, ['curl', 'zlib', 'py313-numpy']);
  assert.equal(parsed.force, true);
  assert.equal(parsed['hand-off'], true);
});

test('a port name with "/", ".." or white space fails naming the input and the fix', () => {
  assert.throws(() => inputs({ ...builder, port: 'net/curl' }), {
    name: 'ActionInputError',
    // A bad input stays bad: the step fails for good instead of being retried.
    retryable: false,
    message: 'bad action input: input "port" ("net/curl") port name "net/curl" contains "/"; give the port\'s name (e.g. curl), not its path (fix the step\'s `with:` in the workflow)',
  });
  assert.throws(() => inputs({ ...builder, port: 'curl..x' }), { message: /input "port" \("curl\.\.x"\) port name "curl\.\.x" contains "\.\."/ });
  assert.throws(() => inputs({ ...builder, port: 'curl zlib' }), { message: /input "port" \("curl zlib"\) port name "curl zlib" contains white space; give one port per entry/ });
  assert.throws(() => inputs({ step: 'mirror-distfiles', platform: '15_arm64', 'build-id': 'w-1', portlist: 'curl ../etc' }), { message: /input "portlist" \("curl \.\.\/etc"\) port name "\.\.\/etc" contains "\/"/ });
});

test('an unknown platform, step or build id fails naming the input', () => {
  assert.throws(() => inputs({ ...builder, platform: 'macos-15' }), {
    message: 'bad action input: input "platform" ("macos-15") is not a platform name; use <macOS major>[.<minor>]_<arch>, e.g. 15_arm64 or 10.15_x86_64 (fix the step\'s `with:` in the workflow)',
  });
  assert.throws(() => inputs({ ...builder, step: 'install' }), { message: /input "step" \("install"\) must be one of cleanup, selfupdate, checkout, list-subports, mirror-distfiles, install-dependencies, install-port, gather-archives, deploy/ });
  assert.throws(() => inputs({ ...builder, 'build-id': 'B 1' }), { message: /input "build-id" \("B 1"\) must be a portfarm build id/ });
});

test('step-specific requirements: a builder step needs a port, a hand-off needs the controller and the ports revision', () => {
  assert.throws(() => inputs({ ...builder, port: '' }), { message: /input "port" \(""\) is required for step install-port: give the port this builder builds/ });
  assert.throws(() => inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-1', portlist: 'curl' }), {
    message:
      'bad action inputs: input "controller-url" ("") is required to hand the port list to the controller (set the PORTFARM_CONTROLLER_URL repository variable), or set hand-off: "false"; input "ports-sha" ("") is required to hand the port list to the controller: the builders build exactly this ports revision (fix the step\'s `with:` in the workflow)',
  });
  assert.throws(() => inputs({ ...builder, step: 'deploy', port: 'curl', 'staging-dir': '/tmp/s' }), { message: /input "deploy-command" \(""\) is required to deploy/ });
  assert.throws(() => inputs({ ...builder, force: 'yes' }), { message: /input "force" \("yes"\) must be "true" or "false" \(input "force"\)/ });
  assert.throws(() => inputs({ step: 'list-subports', platform: '15_arm64', 'build-id': 'w-1', 'hand-off': 'false', 'changed-since': 'abcdef1' }), {
    message: /input "ports-sha" \(""\) is required with changed-since: the ports changed between the two commits are listed/,
  });
  assert.throws(() => inputs({ ...builder, step: 'deploy', 'deploy-command': '/usr/local/bin/sign-and-push' }), {
    message: /input "staging-dir" \(""\) is required to deploy: the directory gather-archives staged into/,
  });
  assert.throws(() => inputs({ ...builder, 'hand-off': 'no' }), { message: /input "hand-off" \("no"\) must be "true" or "false" \(input "hand-off"\)/ });
});

test('every builder step needs a port, and only those: the watcher steps run without one', () => {
  for (const step of ['install-dependencies', 'install-port', 'gather-archives', 'deploy']) {
    assert.throws(() => inputs({ ...builder, step, port: '' }), { message: new RegExp(`input "port" \\(""\\) is required for step ${step}: give the port this builder builds`) }, step);
  }
  for (const step of ['cleanup', 'selfupdate', 'checkout', 'mirror-distfiles']) {
    assert.equal(inputs({ ...builder, step, port: '' }).port, '', step);
  }
});

test('the MacPorts prefix must be an absolute path: a relative one is refused, naming the input and an example', () => {
  assert.throws(() => inputs({ ...builder, prefix: 'opt/local' }), { message: /input "prefix" \("opt\/local"\) must be an absolute path, e\.g\. \/opt\/local/ });
  assert.equal(inputs({ ...builder, prefix: '/opt/local' }).prefix, '/opt/local');
});

test('shell metacharacters in a port name or port list never reach mpbb: the input is refused, named', () => {
  for (const port of ['curl;reboot', '$(id)', '`id`', 'curl|sh', 'curl&', "curl'", '-rf']) {
    assert.throws(() => inputs({ ...builder, port }), { name: 'ActionInputError', message: new RegExp(`input "port" \\(${JSON.stringify(port).replace(/[$()|`'&.*+?[\]{}\\^-]/g, '\\$&')}\\) port name .* (is not a MacPorts port name|starts with "-": a command would read it as an option)`) });
  }
  assert.throws(() => inputs({ step: 'mirror-distfiles', platform: '15_arm64', 'build-id': 'w-1', portlist: 'curl $(reboot)' }), { message: /input "portlist" .* port name "\$\(reboot\)" is not a MacPorts port name/ });
  assert.throws(() => inputs({ ...builder, 'build-id': '' }), { message: /input "build-id" \(""\) must be a portfarm build id/ });
});

test('capitalised MacPorts port names (R-A3, GraphicsMagick, p5.34-DBI) are valid as port and in the port list', () => {
  assert.equal(inputs({ ...builder, port: 'R-A3' }).port, 'R-A3');
  assert.equal(inputs({ ...builder, port: 'GraphicsMagick' }).port, 'GraphicsMagick');
  const listed = inputs({ step: 'mirror-distfiles', platform: '15_arm64', 'build-id': 'w-1', portlist: 'R-A3, GraphicsMagick p5.34-DBI' });
  assert.deepEqual(listed.portlist, ['R-A3', 'GraphicsMagick', 'p5.34-DBI']);
});
