import { loadCommits } from '../sim/load-commits.ts';

export interface DemoCommit {
  readonly sha: string;
  /** Committer time, ISO 8601, as a push payload carries it. */
  readonly time: string;
  readonly ports: readonly string[];
  /** `<category>/<port>/Portfile` for each port, as a push payload lists them. */
  readonly paths: readonly string[];
}

/** The data set's commits, oldest first (parsed and checked by the simulator's reader), as pushes. */
export async function loadDemoCommits(path: string, categoryOf: (port: string) => string): Promise<DemoCommit[]> {
  return (await loadCommits(path)).map((commit) => ({
    sha: commit.sha,
    time: new Date(commit.time).toISOString(),
    ports: commit.ports,
    paths: commit.ports.map((port) => `${categoryOf(port)}/${port}/Portfile`),
  }));
}
