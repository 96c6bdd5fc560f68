/**
 * The ports a set of changed paths touches, as buildbot's portwatcher computes `fullportlist`:
 * `<category>/<port>/Portfile` and `<category>/<port>/files/...` name the port directory.
 * Paths under `_resources/` or at the top level are not ports. Order of first appearance.
 */
export function portsFromPaths(paths: readonly string[]): string[] {
  const ports: string[] = [];
  for (const path of paths) {
    const match = /^([^/_.][^/]*)\/([^/]+)\/(Portfile$|files\/)/.exec(path.trim());
    const port = match?.[2];
    if (port !== undefined && !ports.includes(port)) ports.push(port);
  }
  return ports;
}
