import { mailRecipients } from './mail-recipients.ts';
import type { GithubAddresses } from './maintainer-address.ts';

/** One failed build, as the controller knows it when the builder's job completes. */
export interface BuildFailure {
  readonly port: string;
  /** `8.21.0_0`, when known. */
  readonly version: string | undefined;
  readonly platform: string;
  readonly buildId: string;
  /** The mpbb step that failed: install-dependencies, install-port, gather-archives, deploy… */
  readonly phase: string;
  readonly logTail: string;
  /** The stable log URL (portfarm site), never a GitHub log link that rots after 90 days. */
  readonly logUrl: string;
  /** The port's `maintainers` entries as in the ports data. */
  readonly maintainers: readonly string[];
  readonly portsRevision: string | undefined;
  /**
   * Builds held because this port failed (their dependency closure holds it), per platform:
   * they get no VM and no mail of their own, so this mail is the only one about them.
   */
  readonly blocks?: readonly { readonly platform: string; readonly count: number }[];
}

export interface MailSettings {
  readonly from: string;
  readonly buildsList: readonly string[];
  readonly githubAddresses?: GithubAddresses;
}

export interface FailureMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
}

const TAIL_LINES = 40;

/** One mail per failed build, port and platform in the subject (seed 002: one mail per failure, not per commit). */
export function buildFailureMail(failure: BuildFailure, settings: MailSettings): FailureMail {
  const recipients = mailRecipients(failure.maintainers, settings.buildsList, settings.githubAddresses);
  const what = failure.version === undefined ? failure.port : `${failure.port} @${failure.version}`;
  const tail = failure.logTail.split('\n').slice(-TAIL_LINES).map((line) => `    ${line}`.trimEnd());
  const maintainers = failure.maintainers.length === 0 ? '(none listed)' : failure.maintainers.join(', ');
  const lines = [
    `${what} failed to build on ${failure.platform} in ${failure.phase}.`,
    '',
    `Port:        ${what}`,
    `Platform:    ${failure.platform}`,
    `Phase:       ${failure.phase}`,
    `Build:       ${failure.buildId}${failure.portsRevision === undefined ? '' : ` (ports ${failure.portsRevision.slice(0, 10)})`}`,
    `Log:         ${failure.logUrl}`,
    `Maintainers: ${maintainers}`,
    ...(recipients.unresolved.length === 0 ? [] : [`Not mailed:  ${recipients.unresolved.join('; ')}`]),
    ...blocksLines(failure),
    '',
    `Last ${tail.length} lines of the log:`,
    '',
    ...tail,
    '',
    '-- ',
    `portfarm, the MacPorts build farm. Sent to the port's maintainers${settings.buildsList.length === 0 ? '' : ` and ${settings.buildsList.join(', ')}`}.`,
    ...(recipients.openMaintainer ? ['This port is openmaintainer: anyone may commit a fix.'] : []),
    '',
  ];
  return {
    from: settings.from,
    to: recipients.to,
    cc: recipients.cc,
    subject: `[portfarm] ${what} failed on ${failure.platform} (${failure.phase})`,
    text: lines.join('\n'),
    headers: { 'X-Portfarm-Port': failure.port, 'X-Portfarm-Platform': failure.platform, 'X-Portfarm-Build': failure.buildId, 'X-Portfarm-Phase': failure.phase },
  };
}

/** "Blocks: 309 ports on 15_arm64, 3 on 14_x86_64 …": what waits for this port, so nobody is mailed about them. */
function blocksLines(failure: BuildFailure): string[] {
  const blocks = (failure.blocks ?? []).filter((b) => b.count > 0);
  if (blocks.length === 0) return [];
  const total = blocks.reduce((sum, b) => sum + b.count, 0);
  const where = blocks.map((b, i) => `${String(b.count)}${i === 0 ? (b.count === 1 ? ' port' : ' ports') : ''} on ${b.platform}`).join(', ');
  return [
    `Blocks:      ${where}`,
    `             (${total === 1 ? 'it depends' : 'they depend'} on ${failure.port}; held without a VM or a mail until ${failure.port} builds)`,
  ];
}
