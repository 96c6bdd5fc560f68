import { createTransport } from 'nodemailer';
import { coerceError } from '../errors/coerce-error.ts';
import type { FailureMail } from './build-failure-mail.ts';

/** A mail that was not delivered; connection problems and 4xx answers are retryable, 5xx refusals are not. */
export class MailError extends Error {
  readonly retryable: boolean;
  readonly responseCode: number | undefined;
  constructor(message: string, options: { retryable: boolean; responseCode: number | undefined; cause: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'MailError';
    this.retryable = options.retryable;
    this.responseCode = options.responseCode;
  }
}

export interface MailReceipt {
  readonly messageId: string;
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
}

export type SendFailureMail = (mail: FailureMail) => Promise<MailReceipt>;

function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((entry: unknown) => {
    if (typeof entry === 'string') return entry;
    const address = (entry as { address?: unknown }).address;
    return typeof address === 'string' ? address : '';
  });
}

/** Sends failure mail through the SMTP server of config `mail.smtpUrl` (smtp:// or smtps://) with nodemailer. */
export function createMailSender(smtpUrl: string): SendFailureMail & { close(): void } {
  const transport = createTransport(smtpUrl);
  const send = async (mail: FailureMail): Promise<MailReceipt> => {
    try {
      const info = await transport.sendMail({ from: mail.from, to: [...mail.to], cc: [...mail.cc], subject: mail.subject, text: mail.text, headers: { ...mail.headers } });
      return { messageId: info.messageId, accepted: addresses(info.accepted), rejected: addresses(info.rejected) };
    } catch (caught) {
      const error = coerceError(caught);
      const responseCode = (error as { responseCode?: unknown }).responseCode;
      const code = typeof responseCode === 'number' ? responseCode : undefined;
      const retryable = code === undefined || code < 500;
      throw new MailError(
        `could not send "${mail.subject}" to ${[...mail.to, ...mail.cc].join(', ')} through ${smtpUrl.replace(/\/\/[^@/]*@/, '//***@')}: ${error.message} (${retryable ? 'retryable: the farm will try again' : 'permanent: the server refused it; check the addresses and mail.smtpUrl'})`,
        { retryable, responseCode: code, cause: error },
      );
    }
  };
  return Object.assign(send, { close: () => { transport.close(); } });
}
