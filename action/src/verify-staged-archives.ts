import type { ArchiveDigests } from './archive-digests.ts';
import type { DistributableListing } from './list-distributable-archives.ts';

/**
 * What is wrong with the archives the deploy job downloaded, against the digests the builder
 * job reported: every promised archive present with its digest, nothing else. Empty = deploy.
 */
export function verifyStagedArchives(expected: ArchiveDigests, staged: DistributableListing): string[] {
  const problems = staged.refused.map((entry) => `${entry.name}: ${entry.why}`);
  const found = new Map(staged.archives.map((archive) => [archive.name, archive.sha256]));
  for (const [name, sha256] of Object.entries(expected)) {
    const actual = found.get(name);
    if (actual === undefined) problems.push(`${name}: missing (the builder reported it)`);
    else if (actual !== sha256) problems.push(`${name}: sha256 ${actual}, the builder reported ${sha256}`);
  }
  for (const name of found.keys()) if (!Object.hasOwn(expected, name)) problems.push(`${name}: not reported by the builder`);
  return problems;
}
