import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PortVersion {
  readonly name: string;
  readonly category: string;
  readonly version: string;
}

export interface PortsRepository {
  /** `file://…`: what the PR's `head.repo.clone_url` says, and what the runners clone. */
  readonly cloneUrl: string;
  /** The default branch's commit the PR is based on. */
  readonly baseSha: string;
  /** The PR branch's commit: the base with `bumps` applied to the Portfiles. */
  readonly headSha: string;
  /** The files the PR changes (`net/sslh/Portfile`), as GitHub lists them. */
  readonly changedPaths: readonly string[];
}

/**
 * A real git repository of the demo's ports tree (one `Portfile` per port) with a PR branch
 * that bumps some ports' versions, so a pull request's runners clone a real head commit and
 * list the ports it changed with `git diff base head`, as on a real farm.
 */
export function makePortsRepository(dir: string, ports: readonly PortVersion[], bumps: Readonly<Record<string, string>>, branch: string): PortsRepository {
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]): string =>
    execFileSync('git', ['-c', 'user.name=portfarm demo', '-c', 'user.email=demo@portfarm.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  const write = (port: PortVersion, version: string): string => {
    const path = join(port.category, port.name, 'Portfile');
    mkdirSync(join(dir, port.category, port.name), { recursive: true });
    writeFileSync(join(dir, path), `name ${port.name}\nversion ${version}\n`);
    return path;
  };
  git('init', '--quiet', '--initial-branch=master');
  for (const port of ports) write(port, port.version);
  git('add', '--all');
  git('commit', '--quiet', '--message', 'ports tree');
  const baseSha = git('rev-parse', 'HEAD');
  git('checkout', '--quiet', '-b', branch);
  const changedPaths: string[] = [];
  for (const port of ports) {
    const version = bumps[port.name];
    if (version !== undefined) changedPaths.push(write(port, version));
  }
  git('add', '--all');
  git('commit', '--quiet', '--message', Object.entries(bumps).map(([name, version]) => `${name}: update to ${version}`).join(', '));
  const headSha = git('rev-parse', 'HEAD');
  git('checkout', '--quiet', 'master');
  return { cloneUrl: `file://${dir}`, baseSha, headSha, changedPaths };
}
