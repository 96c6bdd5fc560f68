import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface MailOutbox {
  /** `smtp://127.0.0.1:<port>` for the controller's mail sender. */
  readonly smtpUrl: string;
  readonly dir: string;
  /** Messages received so far. */
  readonly count: () => number;
  close(): Promise<void>;
}

/**
 * A real SMTP server on loopback that files every message it receives as `<n>.eml` in `dir`:
 * the demo's failure mail goes through nodemailer and SMTP like a farm's would, and a newcomer
 * can open what the maintainers would have received.
 */
export async function startMailOutbox(dir: string): Promise<MailOutbox> {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        count += 1;
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        writeFileSync(join(dir, `${String(count).padStart(4, '0')}.eml`), `X-Envelope-To: ${to}\r\n${Buffer.concat(chunks).toString('utf8')}`);
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    dir,
    count: () => count,
    close: () => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }),
  };
}
