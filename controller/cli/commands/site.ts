import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSite } from '../../../site/build/build-site.ts';
import { resolveInSite } from '../../../site/build/resolve-in-site.ts';
import { loadConfig } from '../../config/load-config.ts';
import { UserError } from '../../errors/user-error.ts';
import type { CliContext } from '../cli-context.ts';

interface BuildFlags {
  readonly config?: string;
  readonly ledger?: string;
  readonly out?: string;
}

export function registerSite(program: Command, ctx: CliContext): void {
  const site = program.command('site').description('the static site of stable build-log URLs');
  site
    .command('build')
    .description('write the static site from the build ledger')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .option('--ledger <file>', 'build ledger (NDJSON, one build per line)')
    .option('--out <dir>', 'output folder (default: site.out from the config)')
    .action(async (flags: BuildFlags) => {
      if (flags.ledger === undefined) throw new UserError('site build needs --ledger FILE: the NDJSON build ledger the controller writes');
      const config = loadConfig({ path: flags.config, cwd: ctx.cwd, allowDefaults: true }, ctx.env);
      const out = resolve(ctx.cwd, flags.out ?? config.site.out);
      const ledger = resolve(ctx.cwd, flags.ledger);
      const started = performance.now();
      const summary = await buildSite({
        ledgerPath: ledger,
        outDir: out,
        baseUrl: config.site.baseUrl,
        logArchiveUrl: config.site.logArchiveUrl,
        logArchiveDir: config.site.logArchiveDir === undefined ? undefined : resolve(ctx.cwd, config.site.logArchiveDir),
        signal: ctx.signal,
        onProgress: (lines) => ctx.stderr.write(`site build: ${lines.toLocaleString('en')} builds read\n`),
        onTornLine: (torn) =>
          ctx.stderr.write(
            `site build: ${torn.path}:${torn.line}: skipped a torn last line (${torn.bytes} bytes, no newline: an append was interrupted); the next append repairs it\n`,
          ),
        onUnsafeUrl: (bad) =>
          ctx.stderr.write(`site build: ${bad.path}:${bad.line}: skipped, not on the site: ${bad.problem}; fix or remove that line\n`),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      ctx.stderr.write(`site build: done in ${seconds} s\n`);
      ctx.stdout.write(
        `wrote ${flags.out ?? config.site.out}: ${summary.builds} builds of ${summary.builders} builders, ${summary.ports} ports, ` +
          `${summary.files} files (${summary.shards} map shards, largest ${summary.largestShard.bytes} bytes)\n`,
      );
      const first = summary.firstDuplicate;
      if (first !== undefined) {
        ctx.stderr.write(
          `site build: ${summary.duplicates} line${summary.duplicates === 1 ? '' : 's'} repeated a builder and number of an earlier line; the later line was used ` +
            `(first: ${flags.ledger}:${first.line}, ${first.builder} build ${first.number}); remove the line that is wrong\n`,
        );
      }
    });
  site
    .command('resolve')
    .description('print the URL a browser ends up at for a legacy buildbot path')
    .argument('<path>', 'a legacy path, e.g. /builders/ports-10.15_x86_64-builder/builds/32503')
    .option('--site <dir>', 'a site written by portfarm site build')
    .action(async (path: string, flags: { readonly site?: string }) => {
      if (flags.site === undefined) throw new UserError('site resolve needs --site DIR: a folder written by portfarm site build');
      const result = await resolveInSite(resolve(ctx.cwd, flags.site), path);
      if (result.note !== undefined) ctx.stderr.write(`note: ${result.note}\n`);
      ctx.stdout.write(`${result.output}\n`);
    });
}
