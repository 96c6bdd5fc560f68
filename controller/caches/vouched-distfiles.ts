import type { BuildKind } from '../model/build-kind.ts';
import type { PortDistfiles } from '../model/port-distfiles.ts';
import type { PortList } from '../model/port-list.ts';

/**
 * The checksums an accepted port list may teach the controller: only a master watcher's (a PR
 * watcher evaluated unreviewed Portfiles), and only for ports it listed (a list vouches for
 * nothing else). What is returned is what a builder of each port may later add to the mirror.
 */
export function vouchedDistfiles(list: PortList, watcherKind: BuildKind | undefined): readonly PortDistfiles[] {
  if (watcherKind !== 'watcher' || list.distfiles === undefined) return [];
  const listed = new Set(list.ports.map((port) => port.toLowerCase()));
  return list.distfiles.filter((entry) => listed.has(entry.port.toLowerCase()));
}
