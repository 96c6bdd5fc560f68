import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { CheckRunRecord, RunRecord } from '../../test/github-double/double-records.ts';
import { startGitHubDouble, type GitHubDouble, type RunnerJobMessage } from '../../test/github-double/github-double.ts';
import { loadPullRequestWorkflow } from '../../test/github-double/pull-request-workflow.ts';
import { startRunnerStandIn, type StepConclusion } from '../../test/github-double/runner-stand-in.ts';
import { startTokenIssuer } from '../../test/handoff/issue-tokens.ts';
import { buildSite } from '../../site/build/build-site.ts';
import type { Config } from '../config/config-schema.ts';
import { DEFAULT_CONFIG } from '../config/default-config.ts';
import { handoffSettings } from '../handoff/handoff-settings.ts';
import { createMailSender } from '../mail/create-mail-sender.ts';
import { loadPortFacts } from '../ports/load-port-facts.ts';
import { loadPortsGraph } from '../ports/load-ports-graph.ts';
import { FakeVmBackend } from '../runners/backends/fake-vm-backend.ts';
import { startController, type RunningController } from '../serve/start-controller.ts';
import { loadDemoCommits, type DemoCommit } from './load-demo-commits.ts';
import { makePortsRepository, type PortsRepository } from './make-ports-repository.ts';
import { runPortsJob, type PortsJobResult } from './run-ports-job.ts';
import { startMailOutbox } from './start-mail-outbox.ts';
import { freePort } from '../net/free-port.ts';

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
  readonly onControllerUrl?: (url: string) => void;
}

/** The demo's figures; `lost`, `duplicated` and the leftovers must be 0. */
export interface DemoSummary {
  readonly commits: number;
  readonly builds: number;
  readonly buildersQueued: number;
  readonly supersededDropped: number;
  readonly watchersCoalesced: number;
  readonly preemptions: number;
  readonly failures: number;
  readonly mailsSent: number;
  readonly checkRuns: number;
  /** Checks the PR author sees per port and platform (GitHub Actions' job checks of ports-pr.yml's builders) and how many failed. */
  readonly prChecks: number;
  readonly prFailures: number;
  /** Those checks: name (`builder 3proxy (15_arm64, PR #…)`), conclusion and the job's log page. */
  readonly prCheckRuns: readonly { readonly name: string; readonly conclusion: string | null; readonly detailsUrl: string | null }[];
  /** Where the PR's list job fetched new distfiles (inside its VM's workspace): never the mirror. */
  readonly quarantine: readonly string[];
  readonly pendingAtEnd: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly leftoverVMs: number;
  readonly leftoverRunners: number;
  readonly apiCalls: number;
  readonly schemaViolations: number;
  readonly site: string;
  readonly outbox: string;
  readonly logs: string;
  readonly ledger: string;
}

/** The port the demo's mpbb double fails, and where: a failure a newcomer can follow to the mail. */
const FAILING = { port: 'mlx', phase: 'install-port' } as const;

/**
 * The contributor's pull request, opened midway: it bumps two ports, and its 3proxy
 * change breaks 3proxy's build (the mpbb double fails it in install-port in the PR's jobs only).
 */
const PULL_REQUEST = {
  number: 29467,
  title: '3proxy: update to 0.9.8; aq: update to 0.6.1',
  branch: 'contributor/3proxy-aq',
  bumps: { '3proxy': '0.9.8', aq: '0.6.1' },
  failing: { port: '3proxy', phase: 'install-port' },
} as const;

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
    const double = await startGitHubDouble({
      port: 0,
      webhookUrl: `http://127.0.0.1:${controllerPort}/webhooks`,
      webhookSecret: secret,
      repo: 'macports/macports-ports',
      defaultBranch: 'master',
      // A pull request starts ports-pr.yml, read from the workflow file.
      pullRequestWorkflows: { 'ports-pr.yml': await loadPullRequestWorkflow(join(ROOT, '.github', 'workflows', 'ports-pr.yml')) },
    });
    stops.push(() => double.close());
    if (double.appPrivateKey === null) throw new Error('the GitHub double made no App key');

    const config: Config = {
      ...DEFAULT_CONFIG,
      github: { ...DEFAULT_CONFIG.github, appId: double.appId, apiUrl: double.url, webhookSecret: secret },
      controller: { host: '127.0.0.1', port: controllerPort },
      state: { path: paths.state },
      // The controller copies each finished build's job log out of GitHub into the archive, beside the runners' own phase logs.
      site: { out: paths.site, baseUrl: DEFAULT_CONFIG.site.baseUrl, logArchiveDir: paths.logs },
      mail: { ...DEFAULT_CONFIG.mail, smtpUrl: outbox.smtpUrl },
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
        const job = jobRunner(vmId, { double, controllerUrl: `http://127.0.0.1:${controllerPort}`, tokenUrl: tokens.url, portsJson, paths, deployCommand, signal });
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
        handoff: handoffSettings({ repository: config.github.repo, issuer: issuer.issuer, jwksUrl: issuer.jwksUrl }),
        ledgerPath: paths.ledger,
        mail: { send: mailSender, settings: { from: config.mail.from, buildsList: config.mail.buildsList } },
        signal: options.signal,
        installationId: double.installationId,
        writeSpacingMs: 0,
        loopIntervalMs: 1000,
        runners: { watchdogIntervalMs: 1000, reconcileIntervalMs: 0 },
        logArchiveBackoffMs: 200,
        logTailOf: (buildId, phase) => readFile(join(paths.logs, buildId, `${phase ?? 'job'}.txt`), 'utf8').then((text) => text.split('\n').slice(-40).join('\n')),
      });
    const controller = await start();
    options.onControllerUrl?.(controller.url);

    // Replay: commits over the first 60 % of the time, the forced rebuild at 40 %.
    const deadline = Date.now() + options.durationSeconds * 1000;
    const replayMs = options.durationSeconds * 600;
    const forceAt = Date.now() + options.durationSeconds * 400;
    // The PR opens once the first master build is done (a newcomer sees the farm working first), at 30–50 % of the time.
    const prAt = Date.now() + options.durationSeconds * 300;
    const prLatest = Date.now() + options.durationSeconds * 500;
    let pushed = 0;
    let forced = false;
    let prOpened = false;
    let before = '0'.repeat(40);
    const progress = setInterval(() => {
      const line = describeProgress(controller, pushed, commits.length, Math.max(0, Math.round((deadline - Date.now()) / 1000)));
      options.onProgress(prOpened ? `${line} | ${describePullRequest(double, portsRepository)}` : line);
    }, 2000);
    progress.unref();
    try {
      const started = Date.now();
      while (Date.now() < deadline && !options.signal.aborted) {
        const due = Math.min(commits.length, Math.floor(((Date.now() - started) / replayMs) * commits.length) + 1);
        for (; pushed < due; pushed++) {
          const commit = commits[pushed];
          if (commit === undefined) break;
          double.push(pushSpec(commit, before));
          before = commit.sha;
        }
        if (!prOpened && Date.now() >= prAt && (controller.stats.finished > 0 || Date.now() >= prLatest)) {
          prOpened = true;
          options.onProgress(`contributor: opens PR #${PULL_REQUEST.number} "${PULL_REQUEST.title}" (its ${PULL_REQUEST.failing.port} change breaks the build); GitHub runs ports-pr.yml on the same hosts`);
          double.pullRequest({
            action: 'opened',
            number: PULL_REQUEST.number,
            title: PULL_REQUEST.title,
            headSha: portsRepository.headSha,
            headRef: PULL_REQUEST.branch,
            baseSha: portsRepository.baseSha,
            changedPaths: portsRepository.changedPaths,
            cloneUrl: portsRepository.cloneUrl,
          });
        }
        if (!forced && Date.now() >= forceAt) {
          forced = true;
          options.onProgress(`maintainer: Actions → ports → Run workflow, platform ${config.platforms[0]?.name ?? ''}, force ticked (full rebuild)`);
          await controller.clients.installation.rest.actions.createWorkflowDispatch({
            owner: 'macports',
            repo: 'macports-ports',
            workflow_id: 'ports.yml',
            ref: 'master',
            inputs: { platform: config.platforms[0]?.name ?? '', force: 'true' },
          });
        }
        await sleep(250, options.signal);
      }
    } finally {
      clearInterval(progress);
    }

    // Stop as after a crash: the controller goes, runs in flight go on on GitHub, and a restart
    // that dispatches nothing recovers the webhooks it missed, adopts busy VMs, lets their runs
    // finish, and reaps every VM and registration left behind.
    const phase = (what: string): void => { options.onProgress(`[${new Date().toISOString().slice(11, 19)}] ${what}`); };
    phase('time is up: stopping the controller and restarting it paused (nothing new is dispatched)');
    const first = { ...controller.stats };
    const apiCallsFirst = controller.clients.apiCalls();
    await controller.close();
    phase('controller stopped');
    const restarted = await start(true);
    await restarted.recovered;
    phase('restarted; missed deliveries asked again; waiting for runs in flight');
    // Runs in flight, and the PR's run until it is done (its later matrix jobs are queued as earlier ones finish).
    const inFlight = (): RunRecord[] => double.runs().filter((r) => r.status === 'in_progress' || (r.event === 'pull_request' && r.status !== 'completed'));
    await waitFor(() => inFlight().length === 0, 180_000, options.signal);
    // A machine too slow to finish them: cancel what is left through the API (the controller sees the
    // jobs complete and tears their VMs down) rather than kill runners under a closing controller.
    for (const run of inFlight()) {
      phase(`run ${run.id} (${run.name}) still in flight: force-cancelling it`);
      await restarted.clients.installation.rest.actions.forceCancelWorkflowRun({ owner: 'macports', repo: 'macports-ports', run_id: run.id }).catch(() => undefined);
    }
    await waitFor(() => inFlight().length === 0, 30_000, options.signal);
    await double.deliveriesSettled();
    await restarted.idle();
    phase('runs settled; waiting for VMs to go');
    await waitFor(() => restarted.runners.leases().length === 0, 30_000, options.signal);
    await restarted.runners.reconcile();
    phase('reconciled');
    runnersStop.abort(new Error('demo over'));
    await restarted.close();
    await double.deliveriesSettled();
    mailSender.close();

    const leftoverVMs = (await Promise.all(config.platforms.flatMap((p) => p.hosts).map((h) => backend.list(h, options.signal)))).flat().length;
    const runs = double.runs();
    const byBuild = new Map<string, number>();
    for (const run of runs) {
      const id = /^\[([a-z0-9-]+)\]/.exec(run.name)?.[1];
      if (id !== undefined) byBuild.set(id, (byBuild.get(id) ?? 0) + 1);
    }
    const duplicated = [...byBuild.values()].filter((n) => n > 1).length;
    const ledger = readFileSync(paths.ledger, { encoding: 'utf8', flag: 'a+' }).split('\n').filter((l) => l.trim() !== '');
    const ledgerLines = ledger.length;
    const recorded = new Set(ledger.map((line) => /\/logs\/([a-z0-9-]+)\//.exec(line)?.[1]));
    // Every run portfarm dispatched that GitHub completed must be in the ledger, once.
    const lostIds = runs.filter((r) => r.status === 'completed').map((r) => /^\[([a-z0-9-]+)\]/.exec(r.name)?.[1]).filter((id): id is string => id !== undefined && !recorded.has(id));
    if (lostIds.length > 0) options.onProgress(`completed on GitHub but not in the ledger: ${lostIds.join(', ')}`);
    phase('building the site');
    const site = await buildSite({ ledgerPath: paths.ledger, outDir: paths.site, baseUrl: config.site.baseUrl, logArchiveDir: paths.logs, onTornLine: () => undefined });
    const prChecks = pullRequestChecks(double, portsRepository).filter((c) => c.status === 'completed');
    if (prOpened) options.onProgress(`${describePullRequest(double, portsRepository)} (GitHub Actions' checks on the PR head; not mailed, nothing deployed)`);
    const pendingAtEnd = restarted.snapshot().queues.reduce((n, q) => n + q.pending.watchers + q.pending.builders + q.pending.pr + (q.running === null ? 0 : 1), 0);
    return {
      commits: pushed,
      builds: ledgerLines,
      // A watcher still running when time is up hands its list to the restarted controller:
      // those builders were queued too (under load, they may be all of them).
      buildersQueued: first.buildersQueued + restarted.stats.buildersQueued,
      supersededDropped: first.supersededDropped + restarted.stats.supersededDropped,
      watchersCoalesced: first.watchersCoalesced + restarted.stats.watchersCoalesced,
      preemptions: first.preemptions + restarted.stats.preemptions,
      failures: first.failures + restarted.stats.failures,
      mailsSent: outbox.count(),
      // portfarm's own check runs (one per port and platform on master commits); GitHub Actions' job checks are not counted here.
      checkRuns: double.checkRuns().filter((c) => c.app === 'portfarm').length,
      prChecks: prChecks.length,
      prFailures: prChecks.filter((c) => c.conclusion === 'failure').length,
      prCheckRuns: prChecks.map((c) => ({ name: c.name, conclusion: c.conclusion, detailsUrl: c.detailsUrl })),
      quarantine: readdirSync(paths.vms).map((vm) => join(paths.vms, vm, 'work', 'distfiles-quarantine')).filter((dir) => existsSync(dir)),
      pendingAtEnd,
      // Every run portfarm dispatched that GitHub completed is in the ledger exactly once.
      lost: lostIds.length,
      duplicated,
      leftoverVMs,
      leftoverRunners: double.runners().length,
      apiCalls: apiCallsFirst + restarted.clients.apiCalls(),
      schemaViolations: double.violations.length,
      site: `${paths.site} (${site.builds} builds, ${site.files} files)`,
      outbox: paths.outbox,
      logs: paths.logs,
      ledger: paths.ledger,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    log.flush();
  }
}

interface StepRunnerContext {
  readonly double: GitHubDouble;
  readonly controllerUrl: string;
  readonly tokenUrl: string;
  readonly portsJson: string;
  readonly paths: { readonly logs: string; readonly vms: string; readonly distfiles: string };
  readonly deployCommand: string;
  readonly signal: AbortSignal;
}

/**
 * The runner stand-in asks step by step; the whole job runs at its first step and each step
 * answers from that; the job's outputs (a PR list job's `ports`) go back when it completes.
 */
function jobRunner(vmId: string, ctx: StepRunnerContext) {
  let job: Promise<PortsJobResult> | undefined;
  const start = (message: RunnerJobMessage): Promise<PortsJobResult> => {
    const pullRequest = message.workflowFile !== 'ports.yml';
    job ??= runPortsJob(message, {
      root: ROOT,
      vmDir: join(ctx.paths.vms, vmId),
      logDir: join(ctx.paths.logs, message.inputs.build_id ?? vmId),
      controllerUrl: ctx.controllerUrl,
      tokenUrl: `${ctx.tokenUrl}?run_id=${message.runId}&sha=${message.inputs.ports_sha ?? ''}`,
      portsJson: ctx.portsJson,
      runId: message.runId,
      // The PR's 3proxy change breaks 3proxy; master's 3proxy builds.
      failures: [`${FAILING.port}:${FAILING.phase}`, ...(pullRequest ? [`${PULL_REQUEST.failing.port}:${PULL_REQUEST.failing.phase}`] : [])],
      deployCommand: ctx.deployCommand,
      distfilesDir: ctx.paths.distfiles,
      signal: ctx.signal,
    });
    return job;
  };
  return {
    runStep: async (step: { readonly name: string }, message: RunnerJobMessage): Promise<StepConclusion> => {
      const { outcomes } = await start(message);
      return outcomes.get(step.name) ?? (step.name === 'Set up job' || step.name === 'Complete job' ? 'success' : 'skipped');
    },
    outputs: async (message: RunnerJobMessage): Promise<Readonly<Record<string, string>>> => (await start(message)).jobOutputs,
  };
}

/** The checks a PR author sees per port and platform: GitHub Actions' check of each ports-pr.yml builder job on the PR head. */
function pullRequestChecks(double: GitHubDouble, repository: PortsRepository): CheckRunRecord[] {
  return double.checkRuns().filter((c) => c.app === 'github-actions' && c.headSha === repository.headSha && c.name.startsWith('builder '));
}

function describePullRequest(double: GitHubDouble, repository: PortsRepository): string {
  const checks = pullRequestChecks(double, repository);
  const done = checks.filter((c) => c.status === 'completed');
  const failed = done.filter((c) => c.conclusion === 'failure').map((c) => c.name.replace(/^builder (\S+) \((\S+),.*$/, '$1 on $2'));
  const run = double.runs().find((r) => r.event === 'pull_request' && r.headSha === repository.headSha);
  const state = run === undefined ? 'no run' : run.status === 'completed' ? `run ${run.conclusion ?? 'done'}` : checks.length === 0 ? 'listing its ports' : 'building';
  return `PR #${PULL_REQUEST.number}: ${state}, ${done.length}/${checks.length} port checks done${failed.length === 0 ? '' : `, failed: ${failed.join(', ')}`}`;
}

/** The job's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): a token for the run that asks. */
async function startTokenEndpoint(issue: Awaited<ReturnType<typeof startTokenIssuer>>['issue']): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://tokens');
    const audience = url.searchParams.get('audience') ?? 'portfarm';
    issue({ audience, claims: { run_id: url.searchParams.get('run_id') ?? '', sha: url.searchParams.get('sha') ?? '' } })
      .then((value) => { res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value })); })
      .catch((error: unknown) => { res.writeHead(500).end(String(error)); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/token`, close: () => new Promise((resolve) => { server.close(() => { resolve(); }); }) };
}

function pushSpec(commit: DemoCommit, before: string) {
  return {
    ref: 'refs/heads/master',
    before,
    after: commit.sha,
    commits: [{ id: commit.sha, message: commit.ports.join(', '), timestamp: commit.time, added: [], removed: [], modified: commit.paths }],
  };
}

function describeProgress(controller: RunningController, pushed: number, total: number, leftSeconds: number): string {
  const queues = controller.snapshot().queues.map((q) => {
    const running = q.running === null ? 'idle' : q.running.port ?? 'watcher';
    return `${q.platform}: ${running}, pending ${q.pending.watchers}w/${q.pending.builders}b`;
  });
  const s = controller.stats;
  return `[${String(leftSeconds).padStart(3)}s left] commits ${pushed}/${total} | ${queues.join(' | ')} | done ${s.finished}, failed ${s.failures}, superseded ${s.supersededDropped}, preempted ${s.preemptions}`;
}


/** Polls `done` every 100 ms until it holds, the time is up or the demo is interrupted. */
async function waitFor(done: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done() && Date.now() < until && !signal.aborted) await sleep(100, signal);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
