import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { maintainerAddress } from '../../controller/mail/maintainer-address.ts';
import { mailRecipients } from '../../controller/mail/mail-recipients.ts';

const LIST = ['macports-builds@lists.macports.org'];

test('MacPorts maintainer rules: handle, domain.tld:user, address, @github, groups, flags', () => {
  assert.deepEqual(maintainerAddress('ryandesign'), { kind: 'address', address: 'ryandesign@macports.org', handle: 'ryandesign' });
  assert.deepEqual(maintainerAddress('gmail.com:someone.else'), { kind: 'address', address: 'someone.else@gmail.com', handle: 'gmail.com:someone.else' });
  assert.deepEqual(maintainerAddress('dev@example.org'), { kind: 'address', address: 'dev@example.org', handle: 'dev@example.org' });
  assert.deepEqual(maintainerAddress('{ryandesign @ryandesign}'), { kind: 'address', address: 'ryandesign@macports.org', handle: 'ryandesign' });
  assert.deepEqual(maintainerAddress('@jmroot', { jmroot: 'jmr@macports.org' }), { kind: 'address', address: 'jmr@macports.org', handle: '@jmroot' });
  assert.deepEqual(maintainerAddress('@Schamschula'), { kind: 'unknown', handle: '@Schamschula', why: 'no e-mail address known for this GitHub handle; an operator adds one under mail.githubAddresses in the config (schamschula: name@example.org)' });
  assert.deepEqual(maintainerAddress('(email)@gmail.com'), { kind: 'unknown', handle: '(email)@gmail.com', why: 'the address is redacted in the ports data' });
  assert.deepEqual(maintainerAddress('openmaintainer'), { kind: 'open' });
  assert.deepEqual(maintainerAddress('nomaintainer'), { kind: 'none' });
});

test('recipients for real ports of the fixture: maintainers in To and the builds list in Cc; nomaintainer → the list alone', () => {
  const { ports } = JSON.parse(readFileSync('test/fixtures/mpbb/ports.json', 'utf8')) as { ports: { name: string; maintainers: string[] }[] };
  const maintainers = (name: string) => ports.find((port) => port.name === name)?.maintainers ?? [];
  assert.deepEqual(maintainers('unrar'), ['nomaintainer']);
  assert.deepEqual(mailRecipients(maintainers('unrar'), LIST), { to: LIST, cc: [], unresolved: [], openMaintainer: false });
  assert.deepEqual(maintainers('openssl3'), ['@larryv', '@neverpanic', 'openmaintainer']);
  assert.deepEqual(mailRecipients(maintainers('openssl3'), LIST, { larryv: 'larryv@macports.org', neverpanic: 'cal@macports.org' }), {
    to: ['larryv@macports.org', 'cal@macports.org'],
    cc: LIST,
    unresolved: [],
    openMaintainer: true,
  });
  assert.deepEqual(mailRecipients(maintainers('openssl3'), LIST, { larryv: 'larryv@macports.org' }), {
    to: ['larryv@macports.org'],
    cc: LIST,
    unresolved: ['@neverpanic (no e-mail address known for this GitHub handle; an operator adds one under mail.githubAddresses in the config (neverpanic: name@example.org))'],
    openMaintainer: true,
  });
});
