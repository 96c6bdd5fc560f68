import { readFileSync } from 'node:fs';
import { UserError } from '../errors/user-error.ts';

export interface DemoCommit {
  readonly sha: string;
  readonly time: string;
  readonly ports: readonly string[];
  /** `<category>/<port>/Portfile` for each port, as a push payload lists them. */
  readonly paths: readonly string[];
}

interface Row {
  readonly sha?: unknown;
  readonly time?: unknown;
  readonly ports?: unknown;
}

/** Commits of the data set (newest first in the file), oldest first, with Portfile paths from ports.json. */
export function loadDemoCommits(path: string, categoryOf: (port: string) => string = () => 'sysutils'): DemoCommit[] {
  const commits: DemoCommit[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as Row;
    if (typeof row.sha !== 'string' || typeof row.time !== 'string' || !Array.isArray(row.ports)) {
      throw new UserError(`${path}:${index + 1}: not a commit line (needs sha, time, ports)`);
    }
    const ports = row.ports.filter((p): p is string => typeof p === 'string');
    commits.push({ sha: row.sha, time: row.time, ports, paths: ports.map((p) => `${categoryOf(p)}/${p}/Portfile`) });
  });
  return commits.reverse();
}
