import type { DispatchRequest, RunGateway, RunSummary } from '../../controller/queue/run-gateway.ts';

/**
 * An in-memory GitHub honouring the RunGateway contract: dispatch creates a queued run,
 * cancel completes a queued run as cancelled (a started one keeps running, as on GitHub
 * when the cancel loses the race), listRuns lists them. `failNextDispatch` simulates a
 * dispatch whose answer is lost after (`after`) or before (`before`) GitHub created the run.
 */
export class FakeRunGateway implements RunGateway {
  readonly runs: { runId: number; request: DispatchRequest; status: RunSummary['status']; conclusion: string | null }[] = [];
  readonly calls: string[] = [];
  failNextDispatch: 'before' | 'after' | null = null;

  dispatch(request: DispatchRequest, _signal: AbortSignal): Promise<{ readonly runId: number }> {
    this.calls.push(`dispatch ${request.buildId}`);
    const failure = this.failNextDispatch;
    this.failNextDispatch = null;
    if (failure === 'before') return Promise.reject(new Error('HTTP 502 from workflow_dispatch'));
    const runId = 1000 + this.runs.length;
    this.runs.push({ runId, request, status: 'queued', conclusion: null });
    if (failure === 'after') return Promise.reject(new Error('socket hang up'));
    return Promise.resolve({ runId });
  }

  cancel(runId: number, _signal: AbortSignal): Promise<{ readonly conclusion: string | null }> {
    this.calls.push(`cancel ${String(runId)}`);
    const run = this.runs.find((r) => r.runId === runId);
    if (run === undefined) return Promise.reject(new Error(`run ${String(runId)} not found`));
    if (run.status === 'queued') {
      run.status = 'completed';
      run.conclusion = 'cancelled';
    }
    return Promise.resolve({ conclusion: run.conclusion });
  }

  listRuns(_since: Date, _signal: AbortSignal): Promise<readonly RunSummary[]> {
    this.calls.push('listRuns');
    return Promise.resolve(this.runs.map((r) => ({ runId: r.runId, buildId: r.request.buildId, status: r.status, conclusion: r.conclusion, triggeredByApp: true })));
  }

  /** What a runner does to the run of `buildId`. */
  advance(buildId: string, status: 'in_progress' | 'completed', conclusion: string | null = null): void {
    const run = this.runs.find((r) => r.request.buildId === buildId);
    if (run === undefined) throw new Error(`no run for ${buildId}`);
    run.status = status;
    run.conclusion = conclusion;
  }
}
