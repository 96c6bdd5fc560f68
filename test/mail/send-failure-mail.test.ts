import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { buildFailureMail } from '../../controller/mail/build-failure-mail.ts';
import type { BuildFailure } from '../../controller/mail/build-failure-mail.ts';
import { createMailSender } from '../../controller/mail/create-mail-sender.ts';

const failure: BuildFailure = {
  port: 'curl',
  version: '8.21.0_0',
  platform: '15_arm64',
  buildId: 'b-202',
  phase: 'install-port',
  logTail: [
    '--->  Building curl',
    "curl.c:42:10: fatal error: 'openssl/ssl.h' file not found",
    '1 error generated.',
    'Failed to build curl: command execution failed',
    "Build of 'curl' failed.",
  ].join('\n'),
  logUrl: 'https://build.macports.org/builds/b-202/steps/install-port/logs/stdio',
  maintainers: ['@ryandesign', 'openmaintainer'],
  portsRevision: '70b44a41bbbb627007b18ae0551cddb24c009bf2',
};
const settings = { from: 'portfarm <noreply@macports.org>', buildsList: ['macports-builds@lists.macports.org'], githubAddresses: { ryandesign: 'ryandesign@macports.org' } };

test('the failing port\'s mail says how many builds it blocks on which platforms: they get no mail of their own', () => {
  const text = buildFailureMail({ ...failure, blocks: [{ platform: '15_arm64', count: 309 }, { platform: '14_x86_64', count: 3 }] }, settings).text;
  assert.match(text, /\nBlocks: {6}309 ports on 15_arm64, 3 on 14_x86_64\n {13}\(they depend on curl; held without a VM or a mail until curl builds\)\n/);
  assert.doesNotMatch(buildFailureMail({ ...failure, blocks: [] }, settings).text, /Blocks:/, 'nothing blocked: no line');
});

test('the failure mail: port and platform in the subject, phase, log tail and stable log URL in the text', () => {
  assert.deepEqual(buildFailureMail(failure, settings), {
    from: 'portfarm <noreply@macports.org>',
    to: ['ryandesign@macports.org'],
    cc: ['macports-builds@lists.macports.org'],
    subject: '[portfarm] curl @8.21.0_0 failed on 15_arm64 (install-port)',
    text: [
      'curl @8.21.0_0 failed to build on 15_arm64 in install-port.',
      '',
      'Port:        curl @8.21.0_0',
      'Platform:    15_arm64',
      'Phase:       install-port',
      'Build:       b-202 (ports 70b44a41bb)',
      'Log:         https://build.macports.org/builds/b-202/steps/install-port/logs/stdio',
      'Maintainers: @ryandesign, openmaintainer',
      '',
      'Last 5 lines of the log:',
      '',
      '    --->  Building curl',
      "    curl.c:42:10: fatal error: 'openssl/ssl.h' file not found",
      '    1 error generated.',
      '    Failed to build curl: command execution failed',
      "    Build of 'curl' failed.",
      '',
      '-- ',
      "portfarm, the MacPorts build farm. Sent to the port's maintainers and macports-builds@lists.macports.org.",
      'This port is openmaintainer: anyone may commit a fix.',
      '',
    ].join('\n'),
    headers: { 'X-Portfarm-Port': 'curl', 'X-Portfarm-Platform': '15_arm64', 'X-Portfarm-Build': 'b-202', 'X-Portfarm-Phase': 'install-port' },
  });
});

interface Received {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtp(refuse: readonly string[] = []) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuse.includes(address.address)) {
        callback(Object.assign(new Error('5.1.1 no such user here'), { responseCode: 550 }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        received.push({ from, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((done) => { server.close(() => { done(); }); }) };
}

/** The text part of a received message, quoted-printable decoded. */
function bodyOf(raw: string): string {
  const [, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  const decoded = /Content-Transfer-Encoding: quoted-printable/i.test(raw)
    ? body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    : body;
  return decoded.replace(/\r\n/g, '\n');
}

test('sent through a real SMTP server: envelope to maintainers and list, subject and text as built', async (t) => {
  const smtp = await startSmtp();
  t.after(smtp.close);
  const send = createMailSender(smtp.url);
  t.after(() => { send.close(); });
  const mail = buildFailureMail(failure, settings);
  const receipt = await send(mail);
  assert.deepEqual(receipt.accepted, ['ryandesign@macports.org', 'macports-builds@lists.macports.org']);
  assert.deepEqual(receipt.rejected, []);
  assert.equal(smtp.received.length, 1);
  const [message] = smtp.received;
  if (message === undefined) throw new Error('no message received');
  assert.equal(message.from, 'noreply@macports.org');
  assert.deepEqual(message.to, ['ryandesign@macports.org', 'macports-builds@lists.macports.org']);
  assert.match(message.raw, /\r\nSubject: \[portfarm\] curl @8\.21\.0_0 failed on 15_arm64 \(install-port\)\r\n/);
  assert.match(message.raw, /\r\nX-Portfarm-Phase: install-port\r\n/);
  assert.match(message.raw, /\r\nCc: macports-builds@lists\.macports\.org\r\n/);
  assert.equal(bodyOf(message.raw).trimEnd(), mail.text.trimEnd());
});

test('a refused recipient is a permanent failure; an unreachable server is retryable', async (t) => {
  const smtp = await startSmtp(['ryandesign@macports.org', 'macports-builds@lists.macports.org']);
  t.after(smtp.close);
  const send = createMailSender(smtp.url);
  t.after(() => { send.close(); });
  await assert.rejects(send(buildFailureMail(failure, settings)), (error: unknown) => {
    assert.ok(error instanceof Error && 'retryable' in error);
    assert.equal(error.retryable, false);
    assert.match(error.message, /^could not send "\[portfarm\] curl @8\.21\.0_0 failed on 15_arm64 \(install-port\)" to ryandesign@macports\.org, macports-builds@lists\.macports\.org through smtp:\/\/127\.0\.0\.1:\d+: .*550.* \(permanent: the server refused it; check the addresses and mail\.smtpUrl\)$/s);
    return true;
  });
  const down = createMailSender('smtp://127.0.0.1:9');
  t.after(() => { down.close(); });
  await assert.rejects(down(buildFailureMail(failure, settings)), (error: unknown) => {
    assert.ok(error instanceof Error && 'retryable' in error);
    assert.equal(error.retryable, true);
    return true;
  });
});
