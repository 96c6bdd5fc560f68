/** What one `maintainers` entry of a Portfile means for mail. */
export type MaintainerAddress =
  | { readonly kind: 'address'; readonly address: string; readonly handle: string }
  | { readonly kind: 'open' }
  | { readonly kind: 'none' }
  | { readonly kind: 'unknown'; readonly handle: string; readonly why: string };

/** GitHub handle (without @, lowercase) → e-mail address, for maintainers known only by their GitHub handle. */
export type GithubAddresses = Readonly<Record<string, string>>;

const LOCAL = /^[A-Za-z0-9._+-]+$/;
const DOMAIN = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

function single(entry: string, githubAddresses: GithubAddresses): MaintainerAddress {
  if (entry === 'openmaintainer') return { kind: 'open' };
  if (entry === 'nomaintainer') return { kind: 'none' };
  if (entry.startsWith('@')) {
    const address = githubAddresses[entry.slice(1).toLowerCase()];
    return address === undefined
      ? { kind: 'unknown', handle: entry, why: `no e-mail address known for this GitHub handle; an operator adds one under mail.githubAddresses in the config (${entry.slice(1).toLowerCase()}: name@example.org)` }
      : { kind: 'address', address, handle: entry };
  }
  if (entry.startsWith('(email)@')) return { kind: 'unknown', handle: entry, why: 'the address is redacted in the ports data' };
  const obfuscated = /^([^:@\s]+):([^:@\s]+)$/.exec(entry);
  if (obfuscated?.[1] !== undefined && obfuscated[2] !== undefined && DOMAIN.test(obfuscated[1]) && LOCAL.test(obfuscated[2])) {
    return { kind: 'address', address: `${obfuscated[2]}@${obfuscated[1]}`, handle: entry };
  }
  const plain = /^([^@\s]+)@([^@\s]+)$/.exec(entry);
  if (plain?.[1] !== undefined && plain[2] !== undefined && LOCAL.test(plain[1]) && DOMAIN.test(plain[2])) return { kind: 'address', address: entry, handle: entry };
  if (LOCAL.test(entry)) return { kind: 'address', address: `${entry}@macports.org`, handle: entry };
  return { kind: 'unknown', handle: entry, why: 'not a MacPorts handle, domain.tld:user, an address or a GitHub handle' };
}

/**
 * MacPorts' maintainer rules: `foo` is foo@macports.org, `domain.tld:user` is user@domain.tld,
 * `@handle` is a GitHub handle (mailed only if its address is known), `openmaintainer` and
 * `nomaintainer` are flags, not people. A group `{ryandesign @ryandesign}` is one person: the
 * first member with an address wins.
 */
export function maintainerAddress(entry: string, githubAddresses: GithubAddresses = {}): MaintainerAddress {
  const trimmed = entry.trim();
  const group = /^\{(.*)\}$/.exec(trimmed)?.[1];
  if (group === undefined) return single(trimmed, githubAddresses);
  const members = group.split(/\s+/).filter(Boolean).map((member) => single(member, githubAddresses));
  return members.find((member) => member.kind === 'address') ?? members[0] ?? { kind: 'unknown', handle: trimmed, why: 'an empty maintainer group' };
}
