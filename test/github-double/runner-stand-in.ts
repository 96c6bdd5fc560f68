/**
 * A stand-in for the GitHub Actions runner (`run.sh --jitconfig <encoded>`) against the
 * GitHub double: it connects with the JIT config (the runner goes online), waits for the
 * one job the double assigns it, reports each step and the job's conclusion, and exits —
 * ephemeral, like a JIT runner. A fake VM backend calls it when its VM "runs" the runner:
 *
 *   const runner = startRunnerStandIn({ encodedJitConfig });
 *   await runner.online;             // registered runner is now online and idle
 *   const exit = await runner.exited; // { jobId, conclusion: 'success', ... } after its job
 *
 * `runStep` decides each step's conclusion (default: every step succeeds); a step that is
 * skipped by its `if:` is reported skipped without calling it.
 */
import type { RunnerJobMessage } from './github-double.ts';

export type StepConclusion = 'success' | 'failure' | 'skipped';

export interface RunnerStandInOptions {
  readonly encodedJitConfig: string;
  /** Runs one step; its result is the step's conclusion. After a failure the remaining steps are skipped. */
  readonly runStep?: (step: { readonly number: number; readonly name: string }, job: RunnerJobMessage, signal: AbortSignal) => Promise<StepConclusion>;
  /** The job's `outputs:` after its steps (what `needs.<job>.outputs` gives later jobs); default none. */
  readonly outputs?: (job: RunnerJobMessage) => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
  /** Aborting stops the runner: it disconnects (a running job fails, as when a VM dies). */
  readonly signal?: AbortSignal;
}

export interface RunnerExit {
  readonly runnerName: string;
  /** The job it ran, or null when it exited without one (deleted, stopped, refused). */
  readonly jobId: number | null;
  readonly conclusion: 'success' | 'failure' | 'cancelled' | null;
  /** Why it exited without a conclusion (e.g. `runner was deleted`). */
  readonly reason: string | null;
}

export interface RunnerStandIn {
  readonly runnerName: string;
  /** Resolves once the runner is online; rejects when the double refuses the JIT config. */
  readonly online: Promise<void>;
  /** Resolves when the runner process would exit (never rejects). */
  readonly exited: Promise<RunnerExit>;
  /** The job, once the runner has taken one. */
  readonly job: () => RunnerJobMessage | null;
  /** Stops the runner (like killing the VM); resolves with its exit. */
  stop(): Promise<RunnerExit>;
}

interface JitConfig {
  readonly url: string;
  readonly runnerId: number;
  readonly name: string;
  readonly secret: string;
}

/** Decodes an `encoded_jit_config` the double issued; throws a clear error for anything else. */
export function decodeJitConfig(encoded: string): JitConfig {
  try {
    const value = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Partial<JitConfig>;
    if (typeof value.url === 'string' && typeof value.runnerId === 'number' && typeof value.name === 'string' && typeof value.secret === 'string') {
      return { url: value.url, runnerId: value.runnerId, name: value.name, secret: value.secret };
    }
  } catch {
    // fall through to the explanation below
  }
  throw new Error('encoded_jit_config was not issued by the GitHub double (expected the base64 JSON generate-jitconfig returned)');
}

export function startRunnerStandIn(options: RunnerStandInOptions): RunnerStandIn {
  const config = decodeJitConfig(options.encodedJitConfig);
  const stopper = new AbortController();
  const signal = options.signal === undefined ? stopper.signal : AbortSignal.any([stopper.signal, options.signal]);
  const runStep = options.runStep ?? (() => Promise.resolve<StepConclusion>('success'));
  let currentJob: RunnerJobMessage | null = null;
  let markOnline: () => void = () => undefined;
  let refuse: (err: Error) => void = () => undefined;
  const online = new Promise<void>((resolve, reject) => {
    markOnline = resolve;
    refuse = reject;
  });
  // `online` may be ignored by callers that only await `exited`.
  online.catch(() => undefined);

  const call = async (path: string, body: unknown, callSignal: AbortSignal = signal): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${config.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      signal: callSignal,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  const base = `/_runner/${config.runnerId}`;
  const exit = (jobId: number | null, conclusion: RunnerExit['conclusion'], reason: string | null): RunnerExit => ({ runnerName: config.name, jobId, conclusion, reason });

  const life = async (): Promise<RunnerExit> => {
    const connected = await call('/_runner/connect', { runnerId: config.runnerId, name: config.name, secret: config.secret });
    if (connected.status !== 200) {
      const reason = String(connected.json.message);
      refuse(new Error(`runner ${config.name} could not connect: ${reason}`));
      return exit(null, null, reason);
    }
    markOnline();
    const polled = await call(`${base}/job`, undefined);
    if (polled.status !== 200) return exit(null, null, String(polled.json.message));
    const job = polled.json as unknown as RunnerJobMessage;
    currentJob = job;
    let conclusion: 'success' | 'failure' | 'cancelled' = 'success';
    for (const step of job.steps) {
      if (step.skip || conclusion !== 'success') {
        const r = await call(`${base}/steps`, { number: step.number, status: 'completed', conclusion: conclusion === 'cancelled' ? 'cancelled' : 'skipped' });
        if (r.status === 404) return exit(job.jobId, 'cancelled', 'runner was deleted (force-cancelled)');
        continue;
      }
      const started = await call(`${base}/steps`, { number: step.number, status: 'in_progress' });
      if (started.status === 404) return exit(job.jobId, 'cancelled', 'runner was deleted (force-cancelled)');
      if (started.json.cancelRequested === true) {
        conclusion = 'cancelled';
        await call(`${base}/steps`, { number: step.number, status: 'completed', conclusion: 'cancelled' });
        continue;
      }
      const result = await runStep({ number: step.number, name: step.name }, job, signal);
      const done = await call(`${base}/steps`, { number: step.number, status: 'completed', conclusion: result });
      if (done.status === 404) return exit(job.jobId, 'cancelled', 'runner was deleted (force-cancelled)');
      if (result === 'failure') conclusion = 'failure';
      if (done.json.cancelRequested === true && conclusion === 'success') conclusion = 'cancelled';
    }
    await call(`${base}/complete`, { conclusion, outputs: (await options.outputs?.(job)) ?? {} });
    return exit(job.jobId, conclusion, null);
  };

  const exited = life().catch(async (err: unknown): Promise<RunnerExit> => {
    const reason = err instanceof Error ? err.message : String(err);
    refuse(new Error(`runner ${config.name} stopped before it was online: ${reason}`));
    // Stopped (VM killed) or the double went away: tell the double the runner is gone, if it still listens.
    await call(`${base}/disconnect`, {}, AbortSignal.timeout(2000)).catch(() => undefined);
    return exit(currentJob?.jobId ?? null, null, signal.aborted ? 'stopped' : reason);
  });

  return {
    runnerName: config.name,
    online,
    exited,
    job: () => currentJob,
    stop() {
      stopper.abort(new Error('runner stopped'));
      return exited;
    },
  };
}
