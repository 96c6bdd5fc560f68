import { partitionPortNames, type RejectedPortName } from '../model/port-name.ts';

/** The ports a push touches, and the directory names in it that are not port names (reported, never queued). */
export interface ChangedPorts {
  readonly ports: string[];
  readonly rejected: RejectedPortName[];
}

/**
 * The ports a set of changed paths touches: `<category>/<port>/...` → `port`. Paths outside
 * a port directory (`_resources/`, `.github/`, top-level files, a bare category) touch none.
 * Anyone with push access can commit any directory name (`net/--archive-site=x/`), and the
 * names travel to the watcher's `portlist` input and on to mpbb, so each is checked as a port
 * name; the others are returned for the log rather than dropped unseen. Sorted and unique.
 */
export function changedPorts(paths: Iterable<string>): ChangedPorts {
  const names = new Set<string>();
  for (const path of paths) {
    const [category, port, ...rest] = path.split('/');
    if (category === undefined || port === undefined || rest.length === 0) continue;
    if (category.startsWith('_') || category.startsWith('.')) continue;
    names.add(port);
  }
  const { valid, rejected } = partitionPortNames([...names].sort());
  return { ports: valid, rejected };
}
