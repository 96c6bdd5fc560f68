import { maintainerAddress } from './maintainer-address.ts';
import type { GithubAddresses } from './maintainer-address.ts';

export interface MailRecipients {
  /** The port's maintainers with an address; the builds list when there are none. */
  readonly to: readonly string[];
  /** The configured builds list (when maintainers are in `to`). */
  readonly cc: readonly string[];
  /** Maintainers that could not be mailed, with why (named in the mail so the list sees them). */
  readonly unresolved: readonly string[];
  readonly openMaintainer: boolean;
}

export function mailRecipients(maintainers: readonly string[], buildsList: readonly string[], githubAddresses: GithubAddresses = {}): MailRecipients {
  const to: string[] = [];
  const unresolved: string[] = [];
  let openMaintainer = false;
  for (const entry of maintainers) {
    const resolved = maintainerAddress(entry, githubAddresses);
    if (resolved.kind === 'address' && !to.includes(resolved.address)) to.push(resolved.address);
    else if (resolved.kind === 'open') openMaintainer = true;
    else if (resolved.kind === 'unknown') unresolved.push(`${resolved.handle} (${resolved.why})`);
  }
  const list = buildsList.filter((address) => !to.includes(address));
  return to.length === 0 ? { to: list, cc: [], unresolved, openMaintainer } : { to, cc: list, unresolved, openMaintainer };
}
