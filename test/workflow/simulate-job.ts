import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { workflowParser } from './load-workflow-parser.ts';
import { evaluateTemplate, isTrue } from './evaluate-expression.ts';
import type { ExpressionContext, JobStatus } from './evaluate-expression.ts';

export interface StepRecord {
  readonly name: string;
  readonly id: string | undefined;
  readonly uses: string | undefined;
  readonly ran: boolean;
  /** The step's `with:` after expression evaluation (only for steps that ran). */
  readonly with: Readonly<Record<string, string>>;
  /** Secrets the step's `env:` references, by env name. */
  readonly env: Readonly<Record<string, string>>;
}

export interface JobRecord {
  readonly ran: boolean;
  readonly runsOn: readonly string[];
  readonly steps: readonly StepRecord[];
  readonly status: JobStatus;
  /** The job's `outputs:` evaluated after its steps (what `needs.<job>.outputs` gives later jobs). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** A step whose `if:` held, with its inputs evaluated: what a runner would execute. */
export interface StepToRun {
  readonly name: string;
  readonly id: string | undefined;
  readonly uses: string | undefined;
  readonly run: string | undefined;
  readonly with: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
}

export interface StepOutcome {
  readonly outcome: 'success' | 'failure';
  readonly outputs?: Readonly<Record<string, string>>;
}

interface RawStep {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
export interface RawJob {
  name?: string;
  needs?: string | string[];
  if?: string;
  'runs-on': string | string[];
  env?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  strategy?: { matrix?: Record<string, unknown>; 'max-parallel'?: number; 'fail-fast'?: boolean };
  steps: RawStep[];
}
export interface RawWorkflow {
  name?: string;
  on?: unknown;
  'run-name'?: string;
  env?: Record<string, unknown>;
  concurrency: { group: string; 'cancel-in-progress': boolean };
  permissions?: Record<string, string>;
  jobs: Record<string, RawJob>;
}

export interface ParsedWorkflow {
  readonly raw: RawWorkflow;
  readonly text: string;
  /** Job id → [job if, step ifs] as the official parser normalised them (`success() && (...)`). */
  readonly conditions: ReadonlyMap<string, { readonly job: string; readonly steps: readonly string[] }>;
}

/** Parses a workflow with `@actions/workflow-parser` (failing on any error it reports) and with `yaml` for the raw values. */
export async function loadWorkflow(path: string): Promise<ParsedWorkflow> {
  const text = readFileSync(path, 'utf8');
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = workflowParser;
  const parsed = parseWorkflow({ name: path, content: text }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((error) => error.message);
  if (errors.length > 0 || parsed.value === undefined) throw new Error(`${path} does not parse: ${errors.join('; ')}`);
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  if (template.errors !== undefined && template.errors.length > 0) {
    throw new Error(`${path} does not convert: ${template.errors.map((error) => error.Message).join('; ')}`);
  }
  const conditions = new Map<string, { job: string; steps: string[] }>();
  for (const job of template.jobs) {
    if (job.type !== 'job') continue;
    conditions.set(job.id.value, { job: job.if.expression, steps: job.steps.map((step) => step.if?.expression ?? 'success()') });
  }
  return { raw: parseYaml(text) as RawWorkflow, text, conditions };
}

function evaluateRecord(record: Record<string, unknown> | undefined, context: ExpressionContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) out[key] = evaluateTemplate(String(value), context);
  return out;
}

/**
 * Runs a job's steps the way the runner decides them: each step's `if:` is evaluated with the
 * job status so far and the outputs of the steps before it; `outcomeOf` says how a step that
 * runs ends. Nothing is executed: this checks which steps run, and with what inputs.
 */
export async function simulateJob(
  workflow: ParsedWorkflow,
  jobId: string,
  context: ExpressionContext,
  outcomeOf: (step: StepToRun) => StepOutcome | Promise<StepOutcome> = () => ({ outcome: 'success' }),
): Promise<JobRecord> {
  const job = workflow.raw.jobs[jobId];
  const conditions = workflow.conditions.get(jobId);
  if (job === undefined || conditions === undefined) throw new Error(`no job ${jobId}`);
  const workflowEnv = evaluateRecord(workflow.raw.env, context);
  const jobEnv = evaluateRecord(job.env, { ...context, env: workflowEnv });
  const env = { ...workflowEnv, ...jobEnv };
  const labels = Array.isArray(job['runs-on']) ? job['runs-on'] : [job['runs-on']];
  const runsOn = labels.map((label) => evaluateTemplate(label, { ...context, env }));
  if (!isTrue(conditions.job, context, needsStatus(context))) return { ran: false, runsOn, steps: [], status: 'success', outputs: {} };

  const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
  const records: StepRecord[] = [];
  let status: JobStatus = 'success';
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.run ?? step.uses ?? `step ${index}`;
    const stepContext = { secrets: {}, ...context, env, steps };
    const ran = isTrue(conditions.steps[index] ?? 'success()', stepContext, status);
    const secretEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env ?? {})) secretEnv[key] = String(value);
    const withValues = ran ? evaluateRecord(step.with, stepContext) : {};
    records.push({ name, id: step.id, uses: step.uses, ran, with: withValues, env: secretEnv });
    if (!ran) {
      if (step.id !== undefined) steps[step.id] = { outputs: {}, outcome: 'skipped' };
      continue;
    }
    const result = await outcomeOf({ name, id: step.id, uses: step.uses, run: step.run, with: withValues, env: { ...env, ...evaluateRecord(step.env, stepContext) } });
    if (step.id !== undefined) steps[step.id] = { outputs: { ...result.outputs }, outcome: result.outcome };
    if (result.outcome === 'failure') status = 'failure';
  }
  return { ran: true, runsOn, steps: records, status, outputs: evaluateRecord(job.outputs, { ...context, env, steps }) };
}

/** A job's `success()`/`failure()` look at the jobs it needs, as on GitHub: any failed need makes it `failure`. */
function needsStatus(context: ExpressionContext): JobStatus {
  const needs = typeof context.needs === 'object' && context.needs !== null ? Object.values(context.needs) : [];
  const results = needs.map((need: unknown) => (typeof need === 'object' && need !== null && 'result' in need ? need.result : 'success'));
  if (results.includes('cancelled')) return 'cancelled';
  return results.includes('failure') ? 'failure' : 'success';
}
