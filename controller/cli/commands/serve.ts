import type { Command } from 'commander';
import { pino } from 'pino';
import packageJson from '../../../package.json' with { type: 'json' };
import { loadConfig } from '../../config/load-config.ts';
import { loadAppPrivateKey } from '../../github/load-app-private-key.ts';
import { handoffSettingsFromConfig } from '../../handoff/handoff-settings-from-config.ts';
import { mailFromConfig } from '../../mail/mail-from-config.ts';
import { loadPortsGraph } from '../../ports/load-ports-graph.ts';
import { createBackends } from '../../serve/create-backends.ts';
import { startController } from '../../serve/start-controller.ts';
import { loadPortFacts } from '../../ports/load-port-facts.ts';
import { join, resolve } from 'node:path';
import type { CliContext } from '../cli-context.ts';

interface ServeOptions {
  readonly config?: string;
  readonly ports?: string;
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('run the controller: webhooks, reorder service, runner manager, status API')
    .option('-c, --config <file>', 'config file (default: ./portfarm.config.yaml)')
    .option('--ports <file>', 'ports.json of the ports tree, for dependency order and maintainers (default: list order only)')
    .addHelpText('after', '\nRoutes: POST /webhooks, POST /api/port-list, GET /api/status, GET /api/events, GET /metrics, GET /healthz.\nStops gracefully on the first SIGINT/SIGTERM, at once on the second.')
    .action(async (options: ServeOptions) => {
      const config = loadConfig({ path: options.config, cwd: ctx.cwd }, ctx.env);
      // Before anything is read or created: without github.repositoryId no hand-off can be checked.
      const handoff = handoffSettingsFromConfig(config);
      const log = pino({ base: { service: 'portfarm' } }, pino.destination(2));
      const privateKey = loadAppPrivateKey(resolve(ctx.cwd, config.github.privateKeyPath));
      const portsPath = options.ports === undefined ? undefined : resolve(ctx.cwd, options.ports);
      const graph = portsPath === undefined ? null : await loadPortsGraph(portsPath, ctx.signal);
      const facts = portsPath === undefined ? { maintainersOf: () => [], versionOf: () => undefined } : loadPortFacts(portsPath);
      const mail = mailFromConfig(config.mail);
      const controller = await startController({
        config: {
          ...config,
          state: { path: resolve(ctx.cwd, config.state.path) },
          images: { ...config.images, registryPath: resolve(ctx.cwd, config.images.registryPath ?? join(config.state.path, '..', 'images.sqlite')) },
          caches: {
            ...config.caches,
            quarantineDir: resolve(ctx.cwd, config.caches.quarantineDir),
            ...(config.caches.mirrorDir === undefined ? {} : { mirrorDir: resolve(ctx.cwd, config.caches.mirrorDir) }),
          },
        },
        version: packageJson.version,
        log,
        privateKey,
        backends: createBackends(config),
        graph,
        ports: facts,
        handoff,
        ledgerPath: join(resolve(ctx.cwd, config.state.path), '..', 'ledger.ndjson'),
        mail,
        signal: ctx.signal,
      });
      ctx.stderr.write(`portfarm: controller for ${config.github.repo} listening on ${controller.url} (webhooks at ${config.controller.publicUrl ?? controller.url}/webhooks)\n`);
      await new Promise<void>((done) => {
        if (ctx.signal.aborted) done();
        else ctx.signal.addEventListener('abort', () => { done(); }, { once: true });
      });
      ctx.stderr.write('portfarm: stopping (again to force)\n');
      await controller.close();
      mail?.send.close();
    });
}
