import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { buildSite } from '../../../site/build/build-site.ts';
import { readEtaSnapshot } from '../../../site/build/read-eta-snapshot.ts';
import { STATUS_TOKEN_ENV } from '../../tui/status-headers.ts';
import { resolveInSite } from '../../../site/build/resolve-in-site.ts';
import { startSitePreview } from '../../../site/preview/serve-static-site.ts';
import type { Config } from '../../config/config-schema.ts';
import { loadConfig } from '../../config/load-config.ts';
import { Interrupted, interruptionOf } from '../../errors/interrupted.ts';
import { UserError } from '../../errors/user-error.ts';
import type { CliContext } from '../cli-context.ts';
import { SiteOutBefore } from './site-out-before.ts';

interface BuildFlags {
  readonly config?: string;
  readonly ledger?: string;
  readonly out?: string;
  readonly eta?: string;
  readonly etaUrl?: string;
  readonly etaLive?: string;
}

export function registerSite(program: Command, ctx: CliContext): void {
  const site = program.command('site').description('the static site of stable build-log URLs');
  site
    .command('build')
    .description('write the static site from the build ledger')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .option('--ledger <file>', 'build ledger (NDJSON, one build per line)')
    .option('--out <dir>', 'output folder (default: site.out from the config)')
    .option('--eta <file>', "the controller's ETA snapshot (GET /api/eta/snapshot saved to a file): port pages show their pending builds")
    .option('--eta-url <url>', `ask the controller's GET /api/eta/snapshot now (token from ${STATUS_TOKEN_ENV})`)
    .option('--eta-live <url>', "where people ask the live estimate (<controller>/api/eta); default: beside --eta-url")
    .action(async (flags: BuildFlags) => {
      if (flags.ledger === undefined) throw new UserError('site build needs --ledger FILE: the NDJSON build ledger the controller writes');
      const config = loadConfig({ path: flags.config, cwd: ctx.cwd, allowDefaults: true }, ctx.env);
      const out = resolve(ctx.cwd, flags.out ?? config.site.out);
      const before = new SiteOutBefore(out, flags.out ?? shownPath(ctx.cwd, config.site.out));
      try {
        await buildSiteCommand(ctx, { ...flags, ledger: flags.ledger }, config, out);
      } catch (caught) {
        // Ctrl-C or SIGTERM: say what the folder holds now; not an internal error.
        const interrupted = interruptionOf(caught, ctx.signal);
        if (interrupted === undefined) throw caught;
        throw new Interrupted(interrupted.signalName, `site build interrupted by ${interrupted.signalName}; ${before.now()}`, { cause: caught });
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
  site
    .command('serve')
    .description('preview a built site locally, served as GitHub Pages serves it (404.html for unknown paths)')
    .option('--dir <dir>', 'the folder portfarm site build wrote (--out)')
    .option('--port <port>', 'TCP port (0 picks a free one)', '8000')
    .option('--host <host>', 'address to listen on; loopback unless you mean to share the preview', '127.0.0.1')
    .addHelpText(
      'after',
      '\nFiles are served as they are (index.html for a folder, no folder listings, nothing outside --dir);\n' +
        'every other address gets 404.html with status 404, whose router page resolves legacy buildbot URLs.\n' +
        'Prints the URL; Ctrl-C stops it.',
    )
    .action(async (flags: { readonly dir?: string; readonly port: string; readonly host: string }) => {
      if (flags.dir === undefined) throw new UserError('site serve needs --dir DIR: the folder portfarm site build wrote (its --out)');
      const dir = resolve(ctx.cwd, flags.dir);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--dir ${flags.dir} is not a folder; pass the --out folder of portfarm site build`);
      if (!/^\d{1,5}$/.test(flags.port) || Number(flags.port) > 65535) throw new UserError(`--port ${JSON.stringify(flags.port)} must be a TCP port number from 0 to 65535, e.g. --port 8000`);
      if (!existsSync(join(dir, '404.html'))) ctx.stderr.write(`site serve: ${flags.dir} has no 404.html, so unknown addresses get a plain 404; is it a site portfarm site build wrote?\n`);
      const preview = await startSitePreview({ dir, host: flags.host, port: Number(flags.port) }).catch((error: unknown) => {
        throw new UserError(`cannot listen on ${flags.host}:${flags.port}: ${error instanceof Error ? error.message : String(error)}; pick another --port or --host`, { cause: error });
      });
      const loopback = flags.host === 'localhost' || (isIP(flags.host) !== 0 && /^(127\.|::1$)/.test(flags.host));
      ctx.stdout.write(`serving ${flags.dir} at ${preview.url} (Ctrl-C stops)\n`);
      if (!loopback) ctx.stderr.write(`site serve: listening on ${flags.host}, reachable from other machines\n`);
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) done();
        else ctx.signal.addEventListener('abort', () => { done(); }, { once: true });
      });
      await preview.close();
    });
}

/** `site build` once its folder is known: the ETA snapshot, the site, and the lines that say what was done. */
async function buildSiteCommand(ctx: CliContext, flags: BuildFlags & { readonly ledger: string }, config: Config, out: string): Promise<void> {
  const eta = await readEtaSnapshot({
    file: flags.eta === undefined ? undefined : resolve(ctx.cwd, flags.eta),
    url: flags.etaUrl,
    token: nonEmpty(ctx.env[STATUS_TOKEN_ENV]),
    live: flags.etaLive,
    signal: ctx.signal,
  });
  const ledger = resolve(ctx.cwd, flags.ledger);
  if (eta !== undefined) {
    const ports = new Set(eta.snapshot.builds.map((b) => b.port)).size;
    ctx.stderr.write(`site build: ETA snapshot of ${eta.snapshot.generatedAt}: ${String(eta.snapshot.builds.length)} builds pending of ${String(ports)} ports${eta.live === undefined ? '' : `, live answer at ${eta.live}`}\n`);
  }
  const started = performance.now();
  const summary = await buildSite({
    ledgerPath: ledger,
    outDir: out,
    baseUrl: config.site.baseUrl,
    logArchiveUrl: config.site.logArchiveUrl,
    logArchiveDir: config.site.logArchiveDir === undefined ? undefined : resolve(ctx.cwd, config.site.logArchiveDir),
    ...(config.site.jsonWindowDays === undefined ? {} : { jsonWindowDays: config.site.jsonWindowDays }),
    eta,
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
  ctx.stderr.write(
    summary.unchanged === true
      ? `site build: the site was built from this same ledger, config and portfarm; nothing written (${seconds} s)\n`
      : summary.updated === undefined
        ? `site build: done in ${seconds} s\n`
        : `site build: updated in place for the appended lines in ${seconds} s: ${summary.updated.written} files written, ${summary.updated.removed} removed\n`,
  );
  ctx.stdout.write(
    `${summary.unchanged === true ? 'unchanged' : summary.updated === undefined ? 'wrote' : 'updated'} ${flags.out ?? shownPath(ctx.cwd, config.site.out)}: ${summary.builds} builds of ${summary.builders} builders, ${summary.ports} ports, ` +
      `${summary.files} files (${summary.shards} map shards, largest ${summary.largestShard.bytes} bytes; ` +
      `${summary.jsonFiles} JSON files and ${summary.filesLogs} installed-files lists for programs)\n`,
  );
  const first = summary.firstDuplicate;
  if (first !== undefined) {
    ctx.stderr.write(
      `site build: ${summary.duplicates} line${summary.duplicates === 1 ? '' : 's'} repeated a builder and number of an earlier line; the later line was used ` +
        `(first: ${flags.ledger}:${first.line}, ${first.builder} build ${first.number}); remove the line that is wrong\n`,
    );
  }
}

/** A path as the user would type it: relative to the working folder when it is inside it (config paths are absolute once resolved). */
function shownPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
