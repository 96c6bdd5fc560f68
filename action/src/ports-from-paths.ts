import { partitionPortNames, type RejectedPortName } from '../../controller/model/port-name.ts';

/** Ports a source of names yielded, and the names that are not port names (reported, never passed on). */
export interface NamedPorts {
  readonly ports: string[];
  readonly rejected: RejectedPortName[];
}

/**
 * The ports a set of changed paths touches, as buildbot's portwatcher computes `fullportlist`:
 * `<category>/<port>/Portfile` and `<category>/<port>/files/...` name the port directory.
 * Paths under `_resources/` or at the top level are not ports. Order of first appearance. A
 * pull request can add any directory name (`net/--archive-site=x/Portfile`), so each name is
 * checked as the controller checks port names before it can reach mpbb's command line.
 */
export function portsFromPaths(paths: readonly string[]): NamedPorts {
  const names: string[] = [];
  for (const path of paths) {
    const match = /^([^/_.][^/]*)\/([^/]+)\/(Portfile$|files\/)/.exec(path.trim());
    const port = match?.[2];
    if (port !== undefined && !names.includes(port)) names.push(port);
  }
  const { valid, rejected } = partitionPortNames(names);
  return { ports: valid, rejected };
}
