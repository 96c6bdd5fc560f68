import { basename, matchesGlob } from 'node:path';
import { evaluateTemplate, evaluateValue, isTrue, type ExpressionContext, type JobStatus } from '../workflow/evaluate-expression.ts';
import { loadWorkflow, type ParsedWorkflow, type RawJob } from '../workflow/simulate-job.ts';

/** What `needs.<job>` gives a later job: its result and outputs. */
export interface NeedResult {
  readonly result: 'success' | 'failure' | 'cancelled' | 'skipped';
  readonly outputs: Readonly<Record<string, string>>;
}

/** One job a runner will run: a plain job, or one combination of a matrix. */
export interface JobInstance {
  readonly jobKey: string;
  readonly name: string;
  readonly runsOn: readonly string[];
  /** `{}` for a job without a matrix. */
  readonly matrix: Readonly<Record<string, unknown>>;
  readonly strategy: { readonly 'job-index': number; readonly 'job-total': number; readonly 'max-parallel': number; readonly 'fail-fast': boolean };
  /** Step names as the job's page lists them (`Set up job` … `Complete job`); the runner evaluates their `if:`. */
  readonly steps: readonly string[];
}

/** A job whose needs are met: skipped by its `if:` (or a failed need), or its instances, at most `maxParallel` at a time. */
export type JobPlan =
  | { readonly jobKey: string; readonly skipped: true; readonly name: string }
  | { readonly jobKey: string; readonly skipped: false; readonly instances: readonly JobInstance[]; readonly maxParallel: number };

/**
 * A workflow started by `pull_request` (ports-pr.yml), read from its file: the official
 * parser checks it and normalises its `if:`s, and `@actions/expressions` evaluates every
 * expression the double needs — run name, concurrency, `paths` filter, job names, `runs-on`,
 * `needs`, job `if:` and the `strategy.matrix` (expanded from the `needs` outputs, first key
 * outermost, as GitHub orders combinations).
 */
export interface PullRequestWorkflow {
  readonly file: string;
  readonly name: string;
  readonly path: string;
  /** Whether a PR whose changed files are `paths` starts this workflow (`on.pull_request.paths`). */
  triggers(paths: readonly string[]): boolean;
  runName(context: ExpressionContext): string;
  concurrency(context: ExpressionContext): { readonly group: string; readonly cancelInProgress: boolean } | null;
  /** Job ids in file order. */
  readonly jobKeys: readonly string[];
  needsOf(jobKey: string): readonly string[];
  /** Plans a job whose needs have all finished, from the run's context and their results. */
  plan(jobKey: string, context: ExpressionContext, needs: Readonly<Record<string, NeedResult>>): JobPlan;
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Every combination of the matrix's lists, first key outermost (GitHub's order). */
function combinations(matrix: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    if (!Array.isArray(values)) throw new Error(`matrix.${key} is not a list: ${JSON.stringify(values)}`);
    out = out.flatMap((combo) => values.map((value: unknown) => ({ ...combo, [key]: value })));
  }
  return out;
}

function pathsFilter(workflow: ParsedWorkflow): readonly string[] | null {
  const on = workflow.raw.on;
  if (typeof on !== 'object' || on === null || !('pull_request' in on)) throw new Error(`${workflow.raw.name ?? 'workflow'} has no pull_request trigger`);
  const trigger = (on as { pull_request?: { paths?: unknown } }).pull_request;
  const paths = trigger?.paths;
  return Array.isArray(paths) ? paths.map(String) : null;
}

/** Reads a `pull_request` workflow file for the double (throws on anything the official parser reports). */
export async function loadPullRequestWorkflow(path: string): Promise<PullRequestWorkflow> {
  const parsed = await loadWorkflow(path);
  const { raw } = parsed;
  const paths = pathsFilter(parsed);
  const jobOf = (jobKey: string): RawJob => {
    const job = raw.jobs[jobKey];
    if (job === undefined) throw new Error(`${path} has no job ${jobKey}`);
    return job;
  };
  const withEnv = (context: ExpressionContext): ExpressionContext => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.env ?? {})) env[key] = evaluateTemplate(String(value), context);
    return { ...context, env };
  };
  return {
    file: basename(path),
    name: raw.name ?? basename(path),
    path: `.github/workflows/${basename(path)}`,
    triggers: (changed) => paths === null || changed.some((file) => paths.some((glob) => matchesGlob(file, glob))),
    runName: (context) => evaluateTemplate(raw['run-name'] ?? raw.name ?? basename(path), context),
    concurrency: (context) => ({ group: evaluateTemplate(raw.concurrency.group, context), cancelInProgress: raw.concurrency['cancel-in-progress'] }),
    jobKeys: Object.keys(raw.jobs),
    needsOf: (jobKey) => asList(jobOf(jobKey).needs),
    plan(jobKey, runContext, needs) {
      const job = jobOf(jobKey);
      const context = withEnv({ ...runContext, needs });
      const needResults = Object.values(needs).map((n) => n.result);
      // A job's `if:` without a status function means `success() && (…)`: any need that did not succeed skips it.
      const status: JobStatus = needResults.includes('cancelled') ? 'cancelled' : needResults.every((r) => r === 'success') ? 'success' : 'failure';
      const condition = parsed.conditions.get(jobKey)?.job ?? 'success()';
      if (!isTrue(condition, context, status)) return { jobKey, skipped: true, name: jobKey };
      const strategy = job.strategy ?? {};
      const matrix: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(strategy.matrix ?? {})) matrix[key] = evaluateValue(value, context);
      const combos = strategy.matrix === undefined ? [{}] : combinations(matrix);
      const maxParallel = strategy['max-parallel'] ?? combos.length;
      const steps = ['Set up job', ...job.steps.map((step, i) => step.name ?? step.run ?? step.uses ?? `step ${i}`), 'Complete job'];
      const instances = combos.map((combo, index): JobInstance => {
        const jobStrategy = { 'job-index': index, 'job-total': combos.length, 'max-parallel': maxParallel, 'fail-fast': strategy['fail-fast'] ?? true };
        const jobContext = { ...context, matrix: combo, strategy: jobStrategy };
        return {
          jobKey,
          name: job.name === undefined ? jobKey : evaluateTemplate(job.name, jobContext),
          runsOn: asList(job['runs-on']).map((label) => evaluateTemplate(label, jobContext)),
          matrix: combo,
          strategy: jobStrategy,
          steps,
        };
      });
      return { jobKey, skipped: false, instances, maxParallel };
    },
  };
}
