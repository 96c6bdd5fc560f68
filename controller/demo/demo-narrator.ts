import type { CheckRunRecord } from '../../test/github-double/double-records.ts';
import type { GitHubDouble } from '../../test/github-double/github-double.ts';
import type { RunningController } from '../serve/start-controller.ts';
import { PULL_REQUEST, type ScenarioProgress } from './demo-scenario.ts';
import type { PortsRepository } from './make-ports-repository.ts';

/**
 * The demo's progress lines (the CLI prints them, or shows the TUI instead): every 2 s what
 * the queues do and how far the replay got, the pull request's checks once it is open, and a
 * timestamped line per phase of the shutdown and restart.
 */
export class DemoNarrator {
  readonly #say: (line: string) => void;
  readonly #double: GitHubDouble;
  readonly #repository: PortsRepository;

  constructor(say: (line: string) => void, double: GitHubDouble, repository: PortsRepository) {
    this.#say = say;
    this.#double = double;
    this.#repository = repository;
  }

  /** A line as is (what a person in the scenario does). */
  readonly say = (line: string): void => {
    this.#say(line);
  };

  /** A step of the shutdown and restart, with the time. */
  phase(what: string): void {
    this.#say(`[${new Date().toISOString().slice(11, 19)}] ${what}`);
  }

  /** Progress every 2 s while the scenario plays; call the answer to stop. */
  follow(controller: RunningController, progress: ScenarioProgress, total: number): () => void {
    const timer = setInterval(() => {
      const line = describeProgress(controller, progress.pushed, total, Math.max(0, Math.round((progress.deadline - Date.now()) / 1000)));
      this.#say(progress.prOpened ? `${line} | ${this.describePullRequest()}` : line);
    }, 2000);
    timer.unref();
    return () => { clearInterval(timer); };
  }

  /** The checks a PR author sees per port and platform: GitHub Actions' check of each ports-pr.yml builder job on the PR head. */
  pullRequestChecks(): CheckRunRecord[] {
    return this.#double.checkRuns().filter((c) => c.app === 'github-actions' && c.headSha === this.#repository.headSha && c.name.startsWith('builder '));
  }

  describePullRequest(): string {
    const checks = this.pullRequestChecks();
    const done = checks.filter((c) => c.status === 'completed');
    const failed = done.filter((c) => c.conclusion === 'failure').map((c) => c.name.replace(/^builder (\S+) \((\S+),.*$/, '$1 on $2'));
    const run = this.#double.runs().find((r) => r.event === 'pull_request' && r.headSha === this.#repository.headSha);
    const state = run === undefined ? 'no run' : run.status === 'completed' ? `run ${run.conclusion ?? 'done'}` : checks.length === 0 ? 'listing its ports' : 'building';
    return `PR #${PULL_REQUEST.number}: ${state}, ${done.length}/${checks.length} port checks done${failed.length === 0 ? '' : `, failed: ${failed.join(', ')}`}`;
  }
}

function describeProgress(controller: RunningController, pushed: number, total: number, leftSeconds: number): string {
  const queues = controller.snapshot().queues.map((q) => {
    const running = q.running === null ? 'idle' : q.running.port ?? 'watcher';
    return `${q.platform}: ${running}, pending ${q.pending.watchers}w/${q.pending.builders}b`;
  });
  const s = controller.stats;
  return `[${String(leftSeconds).padStart(3)}s left] commits ${pushed}/${total} | ${queues.join(' | ')} | done ${s.finished}, failed ${s.failures}, superseded ${s.supersededDropped}, preempted ${s.preemptions}`;
}
