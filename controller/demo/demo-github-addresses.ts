import type { GithubAddresses } from '../mail/maintainer-address.ts';

/**
 * The demo's `mail.githubAddresses`: an address for every `@handle` among the maintainers of
 * the ports it builds, so the failure mail in the outbox goes to the port's maintainer the way
 * a farm's would (with `mail.githubAddresses` configured) instead of only to the builds list.
 * The addresses are made up (example.org): nobody is mailed, the outbox is local.
 */
export function demoGithubAddresses(maintainers: Iterable<string>): GithubAddresses {
  const addresses: Record<string, string> = {};
  for (const entry of maintainers) {
    for (const member of entry.replace(/[{}]/g, ' ').split(/\s+/)) {
      if (!/^@[A-Za-z0-9-]+$/.test(member)) continue;
      const handle = member.slice(1).toLowerCase();
      addresses[handle] = `${handle}@maintainers.example.org`;
    }
  }
  return addresses;
}
