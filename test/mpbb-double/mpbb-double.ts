/**
 * A stand-in for MacPorts' `mpbb` (github.com/macports/mpbb) with the same command line,
 * output shapes and exit codes (2 usage, 3 internal error, 1 a failing port), driven by the
 * trimmed ports fixture instead of a MacPorts installation. State lives in --work-dir like
 * the real tool's (ports tree, logs, requested_port, installed ports).
 *
 * Switches (environment):
 *   MPBB_DOUBLE_PORTS     fixture path (default test/fixtures/mpbb/ports.json)
 *   MPBB_DOUBLE_FAIL      port:subcommand[:exit] entries, comma-separated — that port fails there
 *   MPBB_DOUBLE_UPLOADED  ports whose archives are already on the public server (excluded, not staged)
 *   MPBB_DOUBLE_PRIVATE   ports that are not distributable (staged as private archives)
 *   MPBB_DOUBLE_KNOWN_FAIL ports in the failcache ("known to fail", excluded by list-subports)
 *   MPBB_DOUBLE_CALLS     file each invocation is appended to (argv as JSON, one per line)
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadPortIndex } from './port-index.ts';
import type { IndexEntry, PortIndex } from './port-index.ts';

const PROG = process.argv[1] ?? 'mpbb';
const SUBCOMMANDS = ['checkout', 'cleanup', 'gather-archives', 'help', 'install-dependencies', 'install-port', 'list-subports', 'mirror-distfiles', 'print-info', 'selfupdate', 'show-config-logs', 'test-port'];
const env = process.env;
const list = (value: string | undefined): Set<string> => new Set((value ?? '').split(/[\s,]+/).filter(Boolean).map((name) => name.toLowerCase()));

class Exit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit ${code}`);
    this.code = code;
  }
}

const err = (message: string): void => void process.stderr.write(`${PROG}: error: ${message}\n`);
const out = (line: string): void => void process.stdout.write(`${line}\n`);

function usageError(message: string): never {
  process.stderr.write(`${PROG}: ${message}\nTry \`${PROG} help' for more information.\n`);
  throw new Exit(2);
}

/** getopt --longopt: unknown options are usage errors (exit 2), like mpbb's parseopt. */
function options(args: readonly string[], spec: Record<string, 'string' | 'boolean'>) {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }])),
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, string | boolean | undefined>, positionals };
  } catch (error) {
    return usageError(error instanceof Error ? error.message : String(error));
  }
}

function failure(port: string, subcommand: string): number | undefined {
  for (const entry of (env.MPBB_DOUBLE_FAIL ?? '').split(',').filter(Boolean)) {
    const [name, phase, code] = entry.split(':');
    if (name?.toLowerCase() === port.toLowerCase() && phase === subcommand) return code === undefined ? 1 : Number(code);
  }
  return undefined;
}

function failIfAsked(port: string, subcommand: string, lines: readonly string[], stream: 'stdout' | 'stderr' = 'stdout'): void {
  const code = failure(port, subcommand);
  if (code === undefined) return;
  for (const line of lines) (stream === 'stdout' ? out : (text: string) => void process.stderr.write(`${text}\n`))(line);
  if (code === 3) err(`internal error while running ${subcommand} for '${port}'`);
  throw new Exit(code);
}

/** Dependency order as sort-with-subports.tcl gives it: dependencies first, then input order. */
function sortWithSubports(index: PortIndex, entries: readonly IndexEntry[]): { order: IndexEntry[]; warnings: string[] } {
  const wanted = new Map(entries.map((entry) => [entry.name.toLowerCase(), entry]));
  const order: IndexEntry[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const warnings: string[] = [];
  const visit = (entry: IndexEntry): void => {
    const key = entry.name.toLowerCase();
    if (state.get(key) === 'done') return;
    state.set(key, 'visiting');
    for (const dep of index.dependencies(entry)) {
      const target = wanted.get(dep.toLowerCase());
      if (target === undefined) continue;
      if (state.get(target.name.toLowerCase()) === 'visiting') {
        warnings.push(`Warning: ${entry.name} appears to have a cyclic dependency involving '${dep}'`);
        continue;
      }
      visit(target);
    }
    state.set(key, 'done');
    order.push(entry);
  };
  for (const entry of entries) visit(entry);
  return { order, warnings };
}

function archiveName(entry: IndexEntry, version: string): string {
  return `${entry.name}-${version}_0.darwin_24.arm64.tbz2`;
}

/** Global options come before the subcommand (`--prefix P`, `--work-dir=W`), as getopt with "+" parses them. */
function globalOptions(argv: readonly string[]): { values: Record<string, string>; rest: string[] } {
  const values: Record<string, string> = {};
  let at = 0;
  while (at < argv.length && (argv[at] ?? '').startsWith('--')) {
    const arg = argv[at] ?? '';
    const [flag = '', inline] = arg.split(/=(.*)/s, 2);
    if (flag !== '--prefix' && flag !== '--work-dir') usageError(`unrecognized option '${flag}'`);
    const value = inline ?? argv[at + 1];
    if (value === undefined) usageError(`option '${flag}' requires an argument`);
    values[flag.slice(2)] = value;
    at += inline === undefined ? 2 : 1;
  }
  return { values, rest: argv.slice(at) };
}

/** What a port installs, as `port contents` lists it: made up from the name, the same on every run. */
function installedFiles(port: string): string[] {
  return [`/opt/local/bin/${port}`, `/opt/local/share/doc/${port}/README`, `/opt/local/share/man/man1/${port}.1.gz`];
}

function run(argv: readonly string[]): void {
  const global = globalOptions(argv);
  if (global.rest.length === 0) {
    err('No command specified');
    process.stderr.write(`Try \`${PROG} help' for more information.\n`);
    throw new Exit(2);
  }
  const [subcommand = '', ...args] = global.rest;
  if (!SUBCOMMANDS.includes(subcommand)) {
    err(`Unknown command \`${subcommand}'`);
    process.stderr.write(`Try \`${PROG} help' for more information.\n`);
    throw new Exit(2);
  }
  const workDir = resolve(global.values['work-dir'] ?? process.cwd());
  const logDir = join(workDir, 'logs');
  const index = loadPortIndex(env.MPBB_DOUBLE_PORTS ?? new URL('../fixtures/mpbb/ports.json', import.meta.url).pathname);
  // The version the checked-out Portfile says (a pull request may bump it); the index's otherwise.
  const versionOf = (entry: IndexEntry): string => {
    const portfile = join(workDir, 'ports', entry.port.category, entry.port.name, 'Portfile');
    const found = existsSync(portfile) ? /^version\s+(\S+)/m.exec(readFileSync(portfile, 'utf8'))?.[1] : undefined;
    return found ?? entry.port.version;
  };
  if (env.MPBB_DOUBLE_CALLS !== undefined) appendFileSync(env.MPBB_DOUBLE_CALLS, `${JSON.stringify([subcommand, ...args])}\n`);
  if (failure('*', subcommand) === 3) {
    err(`${subcommand}: port-tclsh: couldn't read file "${join(workDir, 'macports.conf')}": no such file or directory`);
    throw new Exit(3);
  }

  const portArg = (positionals: readonly string[]): IndexEntry => {
    const name = positionals[0];
    if (name === undefined || name === '') {
      err('Must specify a port');
      throw new Exit(1);
    }
    const entry = index.lookup(name);
    if (entry === undefined) {
      process.stderr.write(`port ${name} not found in the index\n`);
      throw new Exit(1);
    }
    return entry;
  };

  switch (subcommand) {
    case 'help':
      out(`usage: ${PROG} [<global options>] <command> [<args>]`);
      return;
    case 'cleanup': {
      options(args, {});
      out('Deactivating all ports');
      out('Removing inactive ports');
      return;
    }
    case 'selfupdate': {
      options(args, {});
      failIfAsked('*', 'selfupdate', ['Updating MacPorts base sources using rsync', 'Error: Failed to update base']);
      out('--->  Updating MacPorts base sources using rsync');
      out('MacPorts base version 2.11.5 installed,');
      out('MacPorts base version 2.11.5 downloaded.');
      out('--->  MacPorts base is already the latest version');
      return;
    }
    case 'checkout': {
      const { values } = options(args, { 'archive-sites': 'string', binpath: 'string', 'jobs-url': 'string', 'ports-branch': 'string', 'ports-commit': 'string', 'ports-url': 'string' });
      failIfAsked('*', 'checkout', [`fatal: unable to access '${String(values['ports-url'])}': Could not resolve host`]);
      const portsDir = join(workDir, 'ports');
      const commit = typeof values['ports-commit'] === 'string' ? values['ports-commit'] : 'HEAD';
      const url = typeof values['ports-url'] === 'string' ? values['ports-url'] : '';
      if (url.startsWith('file://')) {
        // A local ports repository (the demo's, with a PR branch): a real clone at the commit, as mpbb
        // does, so `git diff base..head` in the tree lists what a pull request changed.
        const git = (args: readonly string[]): void => {
          const result = spawnSync('git', args, { encoding: 'utf8' });
          if (result.status !== 0) {
            err(`git ${args.join(' ')} failed: ${result.stderr.trim()}`);
            throw new Exit(1);
          }
        };
        if (!existsSync(join(portsDir, '.git'))) git(['clone', '--quiet', '--no-checkout', url, portsDir]);
        else git(['-C', portsDir, 'fetch', '--quiet', 'origin']);
        git(['-C', portsDir, '-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', commit]);
      } else {
        for (const port of index.ports) {
          mkdirSync(join(portsDir, port.category, port.name), { recursive: true });
          writeFileSync(join(portsDir, port.category, port.name, 'Portfile'), `name ${port.name}\nversion ${port.version}\n`);
        }
      }
      writeFileSync(join(portsDir, '.commit'), `${commit}\n`);
      out(`Checking out ports tree ${String(values['ports-url'] ?? 'https://github.com/macports/macports-ports.git')} at ${commit}`);
      out(`HEAD is now at ${commit.slice(0, 7)}`);
      out('Creating port index in ' + portsDir);
      out(`Total number of ports parsed:\t${index.ports.length}`);
      return;
    }
    case 'list-subports': {
      const { values, positionals } = options(args, { 'archive-site': 'string', 'archive-site-private': 'string', 'include-deps': 'string' });
      if (positionals.length === 0) {
        err('Must specify at least one port');
        throw new Exit(1);
      }
      const uploaded = list(env.MPBB_DOUBLE_UPLOADED);
      const knownFail = list(env.MPBB_DOUBLE_KNOWN_FAIL);
      const entries: IndexEntry[] = [];
      for (const name of positionals) {
        const entry = index.lookup(name);
        if (entry === undefined) {
          process.stderr.write(`port ${name} not found in the index\n`);
          continue;
        }
        for (const subname of [entry.port.name, ...entry.port.subports]) {
          const sub = index.lookup(subname);
          if (sub !== undefined && !entries.includes(sub)) entries.push(sub);
        }
      }
      if (entries.length === 0) {
        err('None of the specified ports were found in the port index.');
        throw new Exit(1);
      }
      // --include-deps (mpbb's default "yes"): dependencies that still need building are listed too.
      if (values['include-deps'] !== 'no') {
        for (let at = 0; at < entries.length; at += 1) {
          const entry = entries[at];
          if (entry === undefined || uploaded.has(entry.name.toLowerCase()) || knownFail.has(entry.name.toLowerCase())) continue;
          for (const dep of index.dependencies(entry)) {
            const target = index.lookup(dep);
            if (target !== undefined && !entries.some((known) => known.name === target.name)) entries.push(target);
          }
        }
      }
      const kept: IndexEntry[] = [];
      for (const entry of entries) {
        if (knownFail.has(entry.name.toLowerCase())) process.stderr.write(`Excluding ${entry.name} because it is known to fail\n`);
        else if (uploaded.has(entry.name.toLowerCase())) process.stderr.write(`Excluding ${entry.name} because it has already been built and uploaded to the public server\n`);
        else kept.push(entry);
      }
      const { order, warnings } = sortWithSubports(index, kept);
      for (const warning of warnings) process.stderr.write(`${warning}\n`);
      for (const entry of order) out(entry.name);
      mkdirSync(logDir, { recursive: true });
      writeFileSync(join(logDir, 'ports-progress.txt'), '');
      return;
    }
    case 'install-dependencies': {
      const { positionals } = options(args, {});
      const entry = portArg(positionals);
      const deps = index.dependencies(entry).map((dep) => index.lookup(dep)).filter((dep) => dep !== undefined);
      // tools/dependencies.tcl tees its progress into logs/dependencies-progress.txt (buildbot's `dependencies` log).
      mkdirSync(logDir, { recursive: true });
      const progress = join(logDir, 'dependencies-progress.txt');
      const tee = (line: string, end = '\n'): void => {
        out(line);
        appendFileSync(progress, `${line}${end}`);
      };
      writeFileSync(progress, '');
      tee(`Installing ${deps.length} dependencies of ${entry.name}:`);
      for (const dep of deps) appendFileSync(progress, `${dep.name} \n`);
      appendFileSync(progress, '\n');
      for (const [position, dep] of deps.entries()) {
        if (failure(dep.name, 'install-port') !== undefined) {
          tee(`Installing dependency (${position + 1} of ${deps.length}) '${dep.name}' ... [FAIL]`);
          process.stderr.write(`Processing dependencies for '${entry.name}' failed, aborting.\n`);
          throw new Exit(1);
        }
        tee(`Installing dependency (${position + 1} of ${deps.length}) '${dep.name}' with variants '' ... [OK]`);
      }
      failIfAsked(entry.name, 'install-dependencies', [`Processing dependencies for '${entry.name}' failed, aborting.`], 'stderr');
      return;
    }
    case 'install-port': {
      const { positionals } = options(args, { source: 'boolean', 'mirrordb-url': 'string', 'mirrordb-credentials-file': 'string' });
      const entry = portArg(positionals);
      mkdirSync(logDir, { recursive: true });
      // mpbb starts each install-port with an empty statistics log; contents and main.log come after a build.
      writeFileSync(join(logDir, 'port-statistics.txt'), '');
      const mainLog = [`:debug:main Starting logging for ${entry.name} @${versionOf(entry)}_0`, `:msg:fetch --->  Fetching distfiles for ${entry.name}`, `:msg:build --->  Building ${entry.name}`];
      out(`--->  Computing dependencies for ${entry.name}`);
      out(`--->  Fetching distfiles for ${entry.name}`);
      out(`--->  Verifying checksums for ${entry.name}`);
      out(`--->  Extracting ${entry.name}`);
      out(`--->  Configuring ${entry.name}`);
      out(`--->  Building ${entry.name}`);
      if (failure(entry.name, 'install-port') !== undefined) {
        const lines = [
          `:info:build ${entry.name}.c:42:10: fatal error: 'openssl/ssl.h' file not found`,
          ':info:build 1 error generated.',
          `:error:build Failed to build ${entry.name}: command execution failed`,
        ];
        writeFileSync(join(logDir, 'main.log'), `${[...mainLog, ...lines].join('\n')}\n`);
        appendFileSync(join(logDir, 'ports-progress.txt'), `Building '${entry.name}' ... [ERROR] maintainers: ${entry.port.maintainers.join(', ')}.\n`);
        for (const line of lines) out(line.replace(/^:\w+:\w+ /, ''));
        out(`Build of '${entry.name}' failed.`);
        failIfAsked(entry.name, 'install-port', []);
      }
      out(`--->  Staging ${entry.name} into destroot`);
      out(`--->  Installing ${entry.name} @${versionOf(entry)}_0`);
      out(`--->  Activating ${entry.name} @${versionOf(entry)}_0`);
      writeFileSync(join(logDir, 'main.log'), `${[...mainLog, `:msg:activate --->  Activating ${entry.name} @${versionOf(entry)}_0`].join('\n')}\n`);
      appendFileSync(join(logDir, 'ports-progress.txt'), `Building '${entry.name}' ... [OK]\n`);
      // `port -q contents <port>` > port-contents.txt (buildbot's `files` log), then the statistics.
      writeFileSync(join(logDir, 'port-contents.txt'), installedFiles(entry.name).map((path) => `  ${path}\n`).join(''));
      writeFileSync(join(logDir, 'port-statistics.txt'), `time:    1s\nworkdir: 1024k\ndestdir: 512k\n`);
      writeFileSync(join(workDir, 'requested_port'), `${entry.name}\n`);
      return;
    }
    case 'gather-archives': {
      const { values } = options(args, { 'archive-site': 'string', 'archive-site-private': 'string', 'staging-dir': 'string' });
      const staging = resolve(typeof values['staging-dir'] === 'string' ? values['staging-dir'] : join(workDir, 'archive-staging'));
      mkdirSync(join(staging, 'public'), { recursive: true });
      mkdirSync(join(staging, 'private'), { recursive: true });
      const requested = join(workDir, 'requested_port');
      const name = existsSync(requested) ? readFileSync(requested, 'utf8').trim() : '';
      const entry = name === '' ? undefined : index.lookup(name);
      if (entry === undefined) return;
      failIfAsked(entry.name, 'gather-archives', [`Failed to look up port '${entry.name}'`]);
      const archive = archiveName(entry, versionOf(entry));
      if (list(env.MPBB_DOUBLE_UPLOADED).has(entry.name.toLowerCase())) {
        out(`Already uploaded public archive: ${archive}`);
        return;
      }
      const kind = list(env.MPBB_DOUBLE_PRIVATE).has(entry.name.toLowerCase()) ? 'private' : 'public';
      out(`Staging ${kind} archive for upload: ${archive}`);
      writeFileSync(join(staging, kind, archive), `archive of ${entry.name} @${versionOf(entry)}\n`);
      return;
    }
    case 'mirror-distfiles': {
      const { values, positionals } = options(args, { 'distfiles-dir': 'string' });
      if (positionals.length === 0) {
        err('Must specify at least one port');
        throw new Exit(1);
      }
      const dir = resolve(typeof values['distfiles-dir'] === 'string' ? values['distfiles-dir'] : join(workDir, 'distfiles'));
      for (const name of positionals) {
        const entry = index.lookup(name);
        if (entry === undefined) {
          process.stderr.write(`port ${name} not found in the index\n`);
          continue;
        }
        failIfAsked(entry.name, 'mirror-distfiles', [`Failed to mirror distfiles of '${entry.name}'`]);
        mkdirSync(join(dir, entry.port.name), { recursive: true });
        writeFileSync(join(dir, entry.port.name, `${entry.port.name}-${versionOf(entry)}.tar.gz`), '');
        out(`Mirroring ${entry.name} @${versionOf(entry)}: ${entry.port.name}-${versionOf(entry)}.tar.gz`);
      }
      return;
    }
    case 'print-info': {
      const { positionals } = options(args, {});
      if (positionals[0] !== undefined) {
        const entry = portArg(positionals);
        out(`portversion=${versionOf(entry)}`);
        out('portrevision=0');
        out('portvariants=');
        out(`portdir=${entry.port.category}/${entry.port.name}`);
        out('portcommit=70b44a41bbbb627007b18ae0551cddb24c009bf2');
      }
      out('macosversion=15.6.1');
      out('xcodeversion=16.4 (16F6)');
      return;
    }
    default:
      err(`\`${subcommand}' is not supported by the mpbb double`);
      throw new Exit(3);
  }
}

try {
  run(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof Exit)) throw error;
  if (error.code !== 0) {
    const subcommand = process.argv.slice(2).find((arg) => SUBCOMMANDS.includes(arg)) ?? '';
    if (SUBCOMMANDS.includes(subcommand)) err(`\`${subcommand}' failed to run successfully`);
  }
  process.exitCode = error.code;
}
