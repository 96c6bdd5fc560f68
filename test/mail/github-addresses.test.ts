import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../controller/config/config-error.ts';
import { parseConfig } from '../../controller/config/load-config.ts';
import { buildFailureMail } from '../../controller/mail/build-failure-mail.ts';
import { mailFromConfig } from '../../controller/mail/mail-from-config.ts';

const BASE = [
  'github: { appId: 1, privateKeyPath: /k.pem, repo: macports/macports-ports }',
  'platforms:',
  '  - { name: 15_arm64, image: base, backend: fake, hosts: [{ name: h, address: 127.0.0.1 }] }',
].join('\n');

const failure = {
  port: 'openssl3', version: '3.5.0_0', platform: '15_arm64', buildId: 'b-1', phase: 'install-port', logTail: 'error', logUrl: 'https://build.macports.org/builders/x/builds/1',
  maintainers: ['@larryv', '@neverpanic', 'openmaintainer'], portsRevision: undefined,
};

test('mail.githubAddresses: handles with or without @, any case; the failure mail goes to their addresses', () => {
  const config = parseConfig(`${BASE}\nmail:\n  smtpUrl: smtp://127.0.0.1:1\n  buildsList: [builds@example.org]\n  githubAddresses: { "@LarryV": larryv@example.org, neverpanic: cal@example.org }\n`, 't.yaml', {});
  assert.deepEqual(config.mail.githubAddresses, { larryv: 'larryv@example.org', neverpanic: 'cal@example.org' });
  const mail = mailFromConfig(config.mail);
  assert.ok(mail !== null);
  try {
    const built = buildFailureMail(failure, mail.settings);
    assert.deepEqual(built.to, ['larryv@example.org', 'cal@example.org']);
    assert.deepEqual(built.cc, ['builds@example.org']);
    assert.doesNotMatch(built.text, /Not mailed/);
  } finally {
    mail.send.close();
  }
});

test('a handle without an address is named in the mail with how an operator adds one', () => {
  const config = parseConfig(`${BASE}\nmail: { smtpUrl: "smtp://127.0.0.1:1", githubAddresses: { larryv: larryv@example.org } }\n`, 't.yaml', {});
  const mail = mailFromConfig(config.mail);
  assert.ok(mail !== null);
  try {
    assert.match(buildFailureMail(failure, mail.settings).text, /Not mailed: {2}@neverpanic \(no e-mail address known for this GitHub handle; an operator adds one under mail\.githubAddresses in the config \(neverpanic: name@example\.org\)\)/);
  } finally {
    mail.send.close();
  }
  assert.deepEqual(parseConfig(BASE, 't.yaml', {}).mail.githubAddresses, {}, 'default: none');
});

test('a bad handle or address in mail.githubAddresses is refused, naming the key', () => {
  assert.throws(() => parseConfig(`${BASE}\nmail: { githubAddresses: { "not a handle": a@example.org, jmroot: nope } }\n`, 't.yaml', {}), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /mail\.githubAddresses.*must be a GitHub handle/);
    assert.match(e.message, /mail\.githubAddresses\.jmroot.*must be the e-mail address of that GitHub handle/);
    return true;
  });
});
