import type { GitHubDouble } from '../../test/github-double/github-double.ts';
import type { Config } from '../config/config-schema.ts';
import type { RunningController } from '../serve/start-controller.ts';
import type { DemoCommit } from './load-demo-commits.ts';
import type { PortsRepository } from './make-ports-repository.ts';
import { sleep } from './wait-for.ts';

/** The port the demo's mpbb double fails, and where: a failure a newcomer can follow to the mail. */
export const FAILING = { port: 'mlx', phase: 'install-port' } as const;

/** The maintainer who forces the full rebuild from the Actions form (the double gives them write access). */
export const MAINTAINER = 'maintainer';

/**
 * The contributor's pull request, opened midway: it bumps two ports, and its 3proxy
 * change breaks 3proxy's build (the mpbb double fails it in install-port in the PR's jobs only).
 */
export const PULL_REQUEST = {
  number: 29467,
  title: '3proxy: update to 0.9.8; aq: update to 0.6.1',
  branch: 'contributor/3proxy-aq',
  bumps: { '3proxy': '0.9.8', aq: '0.6.1' },
  failing: { port: '3proxy', phase: 'install-port' },
} as const;

export interface ScenarioOptions {
  readonly controller: RunningController;
  readonly double: GitHubDouble;
  readonly config: Config;
  readonly commits: readonly DemoCommit[];
  readonly portsRepository: PortsRepository;
  readonly durationSeconds: number;
  readonly signal: AbortSignal;
  /** A line saying what a person in the scenario does (the maintainer, the contributor). */
  readonly say: (line: string) => void;
}

/** How far the scenario got; read by the narrator while it plays and by the summary after. */
export interface ScenarioProgress {
  pushed: number;
  prOpened: boolean;
  readonly deadline: number;
}

/**
 * What happens in the demo, in time: real MacPorts commits pushed over the first 60 % of the
 * time, the contributor's pull request opened once the first master build is done (at 30–50 %),
 * a maintainer's forced full rebuild at 40 %. Resolves when the time is up.
 */
export async function playScenario(options: ScenarioOptions, progress: ScenarioProgress): Promise<void> {
  const { controller, double, config, commits, portsRepository, signal, say } = options;
  const replayMs = options.durationSeconds * 600;
  const forceAt = Date.now() + options.durationSeconds * 400;
  const prAt = Date.now() + options.durationSeconds * 300;
  const prLatest = Date.now() + options.durationSeconds * 500;
  let forced = false;
  let before = '0'.repeat(40);
  const started = Date.now();
  while (Date.now() < progress.deadline && !signal.aborted) {
    const due = Math.min(commits.length, Math.floor(((Date.now() - started) / replayMs) * commits.length) + 1);
    for (; progress.pushed < due; progress.pushed++) {
      const commit = commits[progress.pushed];
      if (commit === undefined) break;
      double.push(pushSpec(commit, before));
      before = commit.sha;
    }
    if (!progress.prOpened && Date.now() >= prAt && (controller.stats.finished > 0 || Date.now() >= prLatest)) {
      progress.prOpened = true;
      say(`contributor: opens PR #${PULL_REQUEST.number} "${PULL_REQUEST.title}" (its ${PULL_REQUEST.failing.port} change breaks the build); GitHub runs ports-pr.yml on the same hosts`);
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
      say(`maintainer: Actions → ports → Run workflow, platform ${config.platforms[0]?.name ?? ''}, force ticked (full rebuild)`);
      // The maintainer's click, not the App's dispatch: GitHub names the maintainer as the run's actor.
      double.startRun({
        workflowFile: 'ports.yml',
        runName: `manual: watcher (full rebuild) on ${config.platforms[0]?.name ?? ''}`,
        event: 'workflow_dispatch',
        headBranch: 'master',
        actor: MAINTAINER,
        inputs: { platform: config.platforms[0]?.name ?? '', force: 'true' },
      });
    }
    await sleep(250, signal);
  }
}

function pushSpec(commit: DemoCommit, before: string) {
  return {
    ref: 'refs/heads/master',
    before,
    after: commit.sha,
    commits: [{ id: commit.sha, message: commit.ports.join(', '), timestamp: commit.time, added: [], removed: [], modified: commit.paths }],
  };
}
