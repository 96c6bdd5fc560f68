import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoGithubAddresses } from '../../controller/demo/demo-github-addresses.ts';
import { FAILING } from '../../controller/demo/demo-scenario.ts';
import { buildFailureMail } from '../../controller/mail/build-failure-mail.ts';
import { loadPortFacts } from '../../controller/ports/load-port-facts.ts';

const facts = loadPortFacts(join(import.meta.dirname, '..', '..', 'controller', 'demo', 'data', 'ports.json'));

test('demo: the failing port\'s @handle maintainers get an address, so its failure mail reaches them, not only the builds list', () => {
  const maintainers = facts.maintainersOf(FAILING.port);
  const handles = maintainers.filter((m) => m.startsWith('@'));
  assert.ok(handles.length > 0, `the demo's failing port ${FAILING.port} has a GitHub-handle maintainer: ${maintainers.join(', ')}`);
  const mail = buildFailureMail(
    { port: FAILING.port, version: facts.versionOf(FAILING.port), platform: '15_arm64', buildId: 'd-1', phase: FAILING.phase, logTail: '', logUrl: 'https://build.example.org/x', maintainers, portsRevision: undefined },
    { from: 'farm@example.org', buildsList: ['builds@example.org'], githubAddresses: demoGithubAddresses(maintainers) },
  );
  assert.deepEqual(mail.to, handles.map((h) => `${h.slice(1).toLowerCase()}@maintainers.example.org`));
  assert.deepEqual(mail.cc, ['builds@example.org']);
  assert.doesNotMatch(mail.text, /Not mailed/);
});

test('demo addresses: one per handle, groups and case handled, other entries ignored', () => {
  assert.deepEqual(demoGithubAddresses(['{ryandesign @RyanDesign}', '@jmroot', 'openmaintainer', 'domain.org:user', '@jmroot']), {
    ryandesign: 'ryandesign@maintainers.example.org',
    jmroot: 'jmroot@maintainers.example.org',
  });
});
