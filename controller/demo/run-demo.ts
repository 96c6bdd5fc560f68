import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { RunRecord } from '../../test/github-double/double-records.ts';
import { startGitHubDouble } from '../../test/github-double/github-double.ts';
import { loadPullRequestWorkflow } from '../../test/github-double/pull-request-workflow.ts';
import { startRunnerStandIn } from '../../test/github-double/runner-stand-in.ts';
import { REPOSITORY_ID, startTokenIssuer } from '../../test/handoff/issue-tokens.ts';
import { buildSite } from '../../site/build/build-site.ts';
import type { Config } from '../config/config-schema.ts';
import { DEFAULT_CONFIG } from '../config/default-config.ts';
import { handoffSettings } from '../handoff/handoff-settings.ts';
import { createMailSender } from '../mail/create-mail-sender.ts';
import { loadPortFacts } from '../ports/load-port-facts.ts';
import { loadPortsGraph } from '../ports/load-ports-graph.ts';
import { FakeVmBackend } from '../runners/backends/fake-vm-backend.ts';
import { startController, type RunningController } from '../serve/start-controller.ts';
import { demoJobRunner } from './demo-job-runner.ts';
import { demoGithubAddresses } from './demo-github-addresses.ts';
import { DemoNarrator } from './demo-narrator.ts';
import { MAINTAINER, playScenario, PULL_REQUEST, type ScenarioProgress } from './demo-scenario.ts';
import { lostBuilds, summarizeDemo, type DemoSummary } from './demo-summary.ts';
import { loadDemoCommits } from './load-demo-commits.ts';
import { makePortsRepository } from './make-ports-repository.ts';
import { runOnUntilBuilt } from './run-on-until-built.ts';
import { startMailOutbox } from './start-mail-outbox.ts';
import { startTokenEndpoint } from './start-token-endpoint.ts';
import { waitFor } from './wait-for.ts';
import { freePort } from '../net/free-port.ts';

export type { DemoSummary } from './demo-summary.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DATA = join(ROOT, 'controller', 'demo', 'data');

export interface DemoOptions {
  readonly workDir: string;
  readonly durationSeconds: number;
  /** Simulated VM boot time (a real Mac VM boots in 15–40 s; the demo compresses time). */
  readonly bootMs: number;
  readonly version: string;
  readonly signal: AbortSignal;
  /** One line of progress; the CLI prints it (plain) or shows the TUI instead. */
  readonly onProgress: (line: string) => void;
  /** Called once the controller listens (the TUI connects to it). */
  /** The controller's URL and the status token its status API takes (random per demo). */
  readonly onControllerUrl?: (url: string, statusToken: string) => void;
}

/**
 * `npm start`: the whole farm on one machine, offline. The GitHub double (checked against
 * GitHub's OpenAPI schema) stands in for GitHub, the fake VM backend for the Macs, and the
 * runner stand-in runs the real `ports.yml` steps with the real action over the mpbb double.
 * Real MacPorts commits are replayed on two platforms, a maintainer forces a full rebuild
 * midway, one port fails and its maintainers are mailed; then the controller is restarted to
 * show nothing is left behind, and the static site is written from the ledger.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const { workDir } = options;
  const paths = {
    state: join(workDir, 'state', 'portfarm.sqlite'),
    ledger: join(workDir, 'state', 'ledger.ndjson'),
    site: join(workDir, 'site'),
    outbox: join(workDir, 'outbox'),
    logs: join(workDir, 'logs'),
    vms: join(workDir, 'vms'),
    distfiles: join(workDir, 'distfiles'),
    packages: join(workDir, 'packages'),
    portsRepository: join(workDir, 'ports.git'),
  };
  for (const dir of [dirname(paths.state), paths.logs, paths.vms, paths.distfiles, paths.packages]) mkdirSync(dir, { recursive: true });
  const log = pino({ level: 'info', base: { service: 'portfarm-demo' } }, pino.destination({ dest: join(workDir, 'controller.log'), sync: false }));
  const portsJson = join(DATA, 'ports.json');
  const portEntries = JSON.parse(readFileSync(portsJson, 'utf8')) as { name: string; category: string; version: string }[];
  const categories = new Map(portEntries.map((p) => [p.name, p.category]));
  // A real git repository of the ports tree with the contributor's PR branch on it.
  const portsRepository = makePortsRepository(paths.portsRepository, portEntries, PULL_REQUEST.bumps, PULL_REQUEST.branch);
  // About one commit every 4 s: a watcher and its builders take seconds here, as minutes on a farm.
  const commits = (await loadDemoCommits(join(DATA, 'commits.ndjson'), (port) => categories.get(port) ?? 'sysutils')).slice(0, Math.max(6, Math.round(options.durationSeconds / 4)));
  const facts = loadPortFacts(portsJson);
  const graph = await loadPortsGraph(portsJson, options.signal);

  const deployCommand = join(workDir, 'deploy.sh');
  writeFileSync(deployCommand, `#!/bin/sh\n# The demo's deploy: copy the staged public archives to the "packages server".\ncp "$1"/* "${paths.packages}/" 2>/dev/null || true\n`);
  chmodSync(deployCommand, 0o755);

  const stops: (() => Promise<void>)[] = [];
  try {
    const issuer = await startTokenIssuer();
    stops.push(issuer.close);
    const tokens = await startTokenEndpoint(issuer.issue);
    stops.push(tokens.close);
    const outbox = await startMailOutbox(paths.outbox);
    stops.push(() => outbox.close());
    const controllerPort = await freePort();
    const secret = randomBytes(20).toString('hex');
    const statusToken = randomBytes(20).toString('hex');
    const double = await startGitHubDouble({
      port: 0,
      webhookUrl: `http://127.0.0.1:${controllerPort}/webhooks`,
      webhookSecret: secret,
      repo: 'macports/macports-ports',
      defaultBranch: 'master',
      // A pull request starts ports-pr.yml, read from the workflow file.
      pullRequestWorkflows: { 'ports-pr.yml': await loadPullRequestWorkflow(join(ROOT, '.github', 'workflows', 'ports-pr.yml')) },
      // Only someone with write access may force a full rebuild.
      collaborators: { [MAINTAINER]: 'maintain' },
    });
    stops.push(() => double.close());
    if (double.appPrivateKey === null) throw new Error('the GitHub double made no App key');

    const config: Config = {
      ...DEFAULT_CONFIG,
      github: { ...DEFAULT_CONFIG.github, appId: double.appId, apiUrl: double.url, webhookSecret: secret },
      controller: { ...DEFAULT_CONFIG.controller, host: '127.0.0.1', port: controllerPort, statusToken },
      state: { path: paths.state },
      // The controller copies each finished build's job log out of GitHub into the archive, beside the runners' own phase logs.
      site: { out: paths.site, baseUrl: DEFAULT_CONFIG.site.baseUrl, logArchiveDir: paths.logs },
      // The ports' @handle maintainers get (made-up) addresses: the failure mail shows the real mail path.
      mail: { ...DEFAULT_CONFIG.mail, smtpUrl: outbox.smtpUrl, githubAddresses: demoGithubAddresses(portEntries.flatMap((p) => facts.maintainersOf(p.name))) },
      source: 'embedded defaults (demo)',
    };
    const runnersStop = new AbortController();
    const backend = new FakeVmBackend({
      images: config.platforms.map((p) => p.image),
      bootMs: options.bootMs,
      cloneMs: 100,
      onRunnerStart: (encodedJitConfig, vmId, vmLife) => {
        // The job's processes die with the VM, or when the demo ends.
        const signal = AbortSignal.any([vmLife, runnersStop.signal]);
        const job = demoJobRunner(vmId, { root: ROOT, controllerUrl: `http://127.0.0.1:${controllerPort}`, tokenUrl: tokens.url, portsJson, paths, deployCommand, signal });
        const runner = startRunnerStandIn({ encodedJitConfig, signal, runStep: job.runStep, outputs: job.outputs });
        return runner.exited.then((exit) => (exit.conclusion === 'success' ? 0 : 1));
      },
    });
    const mailSender = createMailSender(outbox.smtpUrl);
    const start = (paused = false): Promise<RunningController> =>
      startController({
        paused,
        config,
        version: options.version,
        log,
        privateKey: double.appPrivateKey ?? '',
        backends: { fake: backend },
        graph,
        ports: facts,
        handoff: handoffSettings({ repository: config.github.repo, repositoryId: REPOSITORY_ID, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }),
        ledgerPath: paths.ledger,
        mail: { send: mailSender, settings: { from: config.mail.from, buildsList: config.mail.buildsList, githubAddresses: config.mail.githubAddresses } },
        signal: options.signal,
        installationId: double.installationId,
        writeSpacingMs: 0,
        loopIntervalMs: 1000,
        runners: { watchdogIntervalMs: 1000, reconcileIntervalMs: 0 },
        logArchiveBackoffMs: 200,
        logTailOf: (buildId, phase) => readFile(join(paths.logs, buildId, `${phase ?? 'job'}.txt`), 'utf8').then((text) => text.split('\n').slice(-40).join('\n')),
      });
    const controller = await start();
    options.onControllerUrl?.(controller.url, statusToken);

    // The scenario: commits over the first 60 % of the time, the PR and the forced rebuild midway.
    const narrator = new DemoNarrator(options.onProgress, double, portsRepository);
    const progress: ScenarioProgress = { pushed: 0, prOpened: false, deadline: Date.now() + options.durationSeconds * 1000 };
    const stopFollowing = narrator.follow(controller, progress, commits.length);
    try {
      await playScenario({ controller, double, config, commits, portsRepository, durationSeconds: options.durationSeconds, signal: options.signal, say: narrator.say }, progress);
      await runOnUntilBuilt({ ledgerPath: paths.ledger, platforms: config.platforms.map((p) => p.name), perPlatform: 2, limitMs: Math.max(120_000, options.durationSeconds * 2000), signal: options.signal, say: narrator.say });
    } finally {
      stopFollowing();
    }

    // Stop as after a crash: the controller goes, runs in flight go on on GitHub, and a restart
    // that dispatches nothing recovers the webhooks it missed, adopts busy VMs, lets their runs
    // finish, and reaps every VM and registration left behind.
    narrator.phase('time is up: stopping the controller and restarting it paused (nothing new is dispatched)');
    const first = { stats: { ...controller.stats }, apiCalls: controller.clients.apiCalls() };
    await controller.close();
    narrator.phase('controller stopped');
    const restarted = await start(true);
    await restarted.recovered;
    narrator.phase('restarted; missed deliveries asked again; waiting for runs in flight');
    // Runs in flight, and the PR's run until it is done (its later matrix jobs are queued as earlier ones finish).
    const inFlight = (): RunRecord[] => double.runs().filter((r) => r.status === 'in_progress' || (r.event === 'pull_request' && r.status !== 'completed'));
    await waitFor(() => inFlight().length === 0, 180_000, options.signal);
    // A machine too slow to finish them: cancel what is left through the API (the controller sees the
    // jobs complete and tears their VMs down) rather than kill runners under a closing controller.
    for (const run of inFlight()) {
      narrator.phase(`run ${run.id} (${run.name}) still in flight: force-cancelling it`);
      await restarted.clients.installation.rest.actions.forceCancelWorkflowRun({ owner: 'macports', repo: 'macports-ports', run_id: run.id }).catch(() => undefined);
    }
    await waitFor(() => inFlight().length === 0, 30_000, options.signal);
    await double.deliveriesSettled();
    await restarted.idle();
    narrator.phase('runs settled; waiting for VMs to go');
    await waitFor(() => restarted.runners.leases().length === 0, 30_000, options.signal);
    await restarted.runners.reconcile();
    narrator.phase('reconciled');
    runnersStop.abort(new Error('demo over'));
    await restarted.close();
    await double.deliveriesSettled();
    mailSender.close();

    const leftoverVMs = (await Promise.all(config.platforms.flatMap((p) => p.hosts).map((h) => backend.list(h, options.signal)))).flat().length;
    const lostIds = lostBuilds(double, paths.ledger);
    if (lostIds.length > 0) options.onProgress(`completed on GitHub but not in the ledger: ${lostIds.join(', ')}`);
    narrator.phase('building the site');
    const site = await buildSite({ ledgerPath: paths.ledger, outDir: paths.site, baseUrl: config.site.baseUrl, logArchiveDir: paths.logs, onTornLine: () => undefined, onUnsafeUrl: (bad) => { options.onProgress(`ledger line ${bad.line} skipped: ${bad.problem}`); } });
    const prChecks = narrator.pullRequestChecks().filter((c) => c.status === 'completed');
    if (progress.prOpened) options.onProgress(`${narrator.describePullRequest()} (GitHub Actions' checks on the PR head; not mailed, nothing deployed)`);
    return summarizeDemo({ double, first, restarted, pushed: progress.pushed, leftoverVMs, mailsSent: outbox.count(), prChecks, site, paths });
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    log.flush();
  }
}
