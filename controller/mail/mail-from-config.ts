import type { Config } from '../config/config-schema.ts';
import type { MailSettings } from './build-failure-mail.ts';
import { createMailSender } from './create-mail-sender.ts';

/** The failure mail as the config sets it up (null without `mail.smtpUrl`): sender, from, builds list, GitHub handles' addresses. */
export function mailFromConfig(mail: Config['mail']): { readonly send: ReturnType<typeof createMailSender>; readonly settings: MailSettings } | null {
  if (mail.smtpUrl === undefined) return null;
  return { send: createMailSender(mail.smtpUrl), settings: { from: mail.from, buildsList: mail.buildsList, githubAddresses: mail.githubAddresses } };
}
