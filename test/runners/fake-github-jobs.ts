import { setMaxListeners } from 'node:events';
import { buildLabel } from '../../controller/model/build-id.ts';
import type { RecordedRun } from '../../controller/runners/job-identity.ts';
import type { RunnerManager } from '../../controller/runners/runner-manager.ts';
import { decodeJitConfig, type InMemoryRunnerRegistry } from './in-memory-runner-registry.ts';

export interface Job {
  readonly jobId: number;
  readonly runId: number;
  /** The build id its label names ('' for none). */
  readonly buildId: string;
  /** Whether the controller recorded this job's run as its build's (false: someone else's run, e.g. a pull request's). */
  readonly recorded: boolean;
  readonly labels: readonly string[];
  state: 'queued' | 'in_progress' | 'completed';
  runnerName: string | null;
  conclusion: string | null;
}

/** How the runner stand-ins behave (tests flip these to drive failure paths). */
export interface RunnerBehaviour {
  /** false: the runner never shows online (actions/runner#3621). */
  comesOnline: boolean;
  /** false: online but never takes a job. */
  takesJobs: boolean;
  /** false: jobs stay in progress until `complete(buildId)`. */
  autoComplete: boolean;
  /**
   * Set: the `completed` webhook arrives this many ms after the runner exits, as GitHub's often
   * does (its webhooks are not ordered with the runner's process). Unset: just before it exits.
   */
  completedAfterExitMs?: number;
}

/**
 * GitHub's job routing in miniature, until the GitHub double (issue 5) lands: queued jobs,
 * runner stand-ins started by the fake VM backend, a job offered to an online runner whose
 * labels include all of its labels, workflow_job events fed to the manager.
 */
export class FakeGithubJobs {
  readonly jobs: Job[] = [];
  readonly behaviour: RunnerBehaviour = { comesOnline: true, takesJobs: true, autoComplete: true };
  readonly #registry: InMemoryRunnerRegistry;
  #manager: RunnerManager | undefined;
  readonly #changed = new EventTarget();
  #nextJobId = 100;

  constructor(registry: InMemoryRunnerRegistry) {
    this.#registry = registry;
    // One listener per waiting runner stand-in; a hundred are normal in the benchmark.
    setMaxListeners(0, this.#changed);
  }

  attach(manager: RunnerManager): void {
    this.#manager = manager;
  }

  /** A `ports` run's job is queued: runs-on [self-hosted, <platform>, portfarm-build-<id>]; its run is recorded for the build. */
  queue(buildId: string, platform: string, options: { readonly deliver?: boolean } = {}): Job {
    return this.#add({ buildId, labels: ['self-hosted', platform, buildLabel(buildId)], recorded: true }, options.deliver ?? true);
  }

  /**
   * A job of a run the controller never recorded (anyone's pull request can start one) with
   * whatever labels it chose: a live build's label, or only a platform's.
   */
  queueForeign(labels: readonly string[]): Job {
    const buildId = labels.map((l) => /^portfarm-build-(.+)$/.exec(l)?.[1]).find((b) => b !== undefined) ?? '';
    return this.#add({ buildId, labels, recorded: false }, true);
  }

  /** The manager's `recordedRunOf`: the run of the build's recorded job. */
  readonly recordedRunOf = (buildId: string): RecordedRun | null => {
    const job = this.jobs.find((j) => j.recorded && j.buildId === buildId);
    return job === undefined ? null : { runId: job.runId, runAttempt: null };
  };

  /** Sends one job event as GitHub would (tests forge a foreign job's events with it). */
  emit(job: Job, action: 'queued' | 'in_progress' | 'completed', runner?: { id: number; name: string }): ReturnType<RunnerManager['handleWorkflowJob']> | undefined {
    return this.#emit(job, action, runner);
  }

  /** `deliver: false`: the job exists (its run is recorded) but its `queued` event has not come yet; `emit` sends it. */
  #add(spec: { buildId: string; labels: readonly string[]; recorded: boolean }, deliver: boolean): Job {
    const jobId = this.#nextJobId++;
    const job: Job = { jobId, runId: jobId * 10, ...spec, state: 'queued', runnerName: null, conclusion: null };
    this.jobs.push(job);
    if (deliver) this.#emit(job, 'queued');
    this.#changed.dispatchEvent(new Event('change'));
    return job;
  }

  /** Cancels a job (GitHub sends `completed` with conclusion cancelled). */
  cancel(buildId: string): void {
    const job = this.#job(buildId);
    job.state = 'completed';
    job.conclusion = 'cancelled';
    this.#emit(job, 'completed');
    this.#changed.dispatchEvent(new Event('change'));
  }

  /** Ends a job that is in progress (with `autoComplete` off). */
  complete(buildId: string): void {
    const job = this.#job(buildId);
    job.state = 'completed';
    job.conclusion = 'success';
    this.#changed.dispatchEvent(new Event('change'));
  }

  /** Another runner (not one this manager started) takes the queued job: GitHub sends `in_progress` naming it. */
  takeElsewhere(buildId: string, runner: { readonly id: number; readonly name: string }): void {
    const job = this.#job(buildId);
    job.state = 'in_progress';
    job.runnerName = runner.name;
    this.#emit(job, 'in_progress', runner);
    this.#changed.dispatchEvent(new Event('change'));
  }

  /** The runner stand-in: what `run.sh --jitconfig X` does in a VM. Resolves with its exit code. */
  readonly runnerStandIn = async (encodedJitConfig: string, _vmId: string, signal: AbortSignal): Promise<number> => {
    const config = decodeJitConfig(encodedJitConfig);
    if (!this.behaviour.comesOnline) return this.#until(signal, () => false).then(() => 143);
    this.#registry.setState(config.id, { status: 'online' });
    if (!this.behaviour.takesJobs) return this.#until(signal, () => false).then(() => 143);
    let job: Job | undefined;
    const found = await this.#until(signal, () => {
      job = this.jobs.find((j) => j.state === 'queued' && j.labels.every((l) => config.labels.includes(l)));
      return job !== undefined;
    });
    if (!found || job === undefined) return 143;
    const taken = job;
    taken.state = 'in_progress';
    taken.runnerName = config.name;
    this.#registry.setState(config.id, { busy: true });
    this.#emit(taken, 'in_progress', config);
    if (this.behaviour.autoComplete) {
      taken.state = 'completed';
      taken.conclusion = 'success';
    } else if (!(await this.#until(signal, () => taken.state === 'completed'))) return 143;
    this.#registry.finishJob(config.id);
    const late = this.behaviour.completedAfterExitMs;
    if (late === undefined) this.#emit(taken, 'completed', config);
    else setTimeout(() => this.#emit(taken, 'completed', config), late);
    return 0;
  };

  #job(buildId: string): Job {
    const job = this.jobs.find((j) => j.recorded && j.buildId === buildId);
    if (job === undefined) throw new Error(`no recorded job for build ${buildId}`);
    return job;
  }

  #emit(job: Job, action: 'queued' | 'in_progress' | 'completed', runner?: { id: number; name: string }): ReturnType<RunnerManager['handleWorkflowJob']> | undefined {
    return this.#manager?.handleWorkflowJob({
      action,
      jobId: job.jobId,
      runId: job.runId,
      runAttempt: 1,
      labels: job.labels,
      runnerId: runner?.id ?? null,
      runnerName: runner?.name ?? null,
      conclusion: action === 'completed' ? job.conclusion : null,
    });
  }

  /** Resolves true when `ready()` holds (checked on every change), false when `signal` aborts first. */
  #until(signal: AbortSignal, ready: () => boolean): Promise<boolean> {
    return new Promise((resolve) => {
      if (ready()) {
        resolve(true);
        return;
      }
      if (signal.aborted) {
        resolve(false);
        return;
      }
      const onChange = (): void => {
        if (!ready()) return;
        cleanup();
        resolve(true);
      };
      const onAbort = (): void => {
        cleanup();
        resolve(false);
      };
      const cleanup = (): void => {
        this.#changed.removeEventListener('change', onChange);
        signal.removeEventListener('abort', onAbort);
      };
      this.#changed.addEventListener('change', onChange);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
