import { isPortName } from '../model/port-name.ts';

/**
 * The ports a set of changed paths touches: `<category>/<port>/...` → `port`. Paths outside
 * a port directory (`_resources/`, `.github/`, top-level files, a bare category) touch none.
 * Sorted and unique.
 */
export function changedPorts(paths: Iterable<string>): string[] {
  const ports = new Set<string>();
  for (const path of paths) {
    const [category, port, ...rest] = path.split('/');
    if (category === undefined || port === undefined || rest.length === 0) continue;
    if (category.startsWith('_') || category.startsWith('.')) continue;
    if (isPortName(port)) ports.add(port);
  }
  return [...ports].sort();
}
