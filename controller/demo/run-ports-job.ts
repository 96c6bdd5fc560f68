import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { collectStepLogs } from './collect-step-logs.ts';
import { loadWorkflow, simulateJob, type ParsedWorkflow, type StepOutcome, type StepToRun } from '../../test/workflow/simulate-job.ts';

export interface PortsJobEnvironment {
  /** The repository checkout (action/dist, the mpbb double, node_modules/.bin). */
  readonly root: string;
  /** A fresh folder per job: the VM's disk. */
  readonly vmDir: string;
  /** Where each step's log is archived (`<logDir>/<step>.txt`): logs outlive the run. */
  readonly logDir: string;
  readonly controllerUrl: string;
  /** GET here (plus `&audience=`) answers `{value: <OIDC token>}` for this run. */
  readonly tokenUrl: string;
  readonly portsJson: string;
  readonly runId: number;
  /** `port:phase` pairs the mpbb double fails (`MPBB_DOUBLE_FAIL`). */
  readonly failures: readonly string[];
  readonly deployCommand: string;
  readonly distfilesDir: string;
  /** More variables for every action step (e.g. the mpbb double's `MPBB_DOUBLE_UPLOADED`). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface PortsJobResult {
  /** Step name → what it ended as; steps whose `if:` was false are absent. */
  readonly outcomes: ReadonlyMap<string, 'success' | 'failure'>;
  readonly status: 'success' | 'failure' | 'cancelled';
  /** The job summaries the steps wrote, in step order (empty ones left out). */
  readonly summaries: readonly string[];
  /** What `upload-artifact` would upload: `<artifact>: public|private/<file>`. */
  readonly uploaded: readonly string[];
  /** Each failed step with the last lines of its output, for messages. */
  readonly failedSteps: readonly string[];
  /** The job's `outputs:` (the PR list job's `ports`, which the build matrix is made of). */
  readonly jobOutputs: Readonly<Record<string, string>>;
}

/** The job a runner was given: which workflow file and job, with the inputs and contexts GitHub sent. */
export interface JobToRun {
  /** `ports.yml` (a dispatched watcher/builder) or `ports-pr.yml` (a pull request's list or build job). */
  readonly workflowFile: string;
  readonly jobKey: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** `github` (with the PR event), `vars`, `matrix`, `strategy`, `needs`, as the runner receives them. */
  readonly context: Readonly<Record<string, unknown>>;
}

const workflows = new Map<string, Promise<ParsedWorkflow>>();
let actionDefaults: Readonly<Record<string, string>> | undefined;

/** The `default:` of every input in action.yml: a runner fills these in before the action starts. */
function loadActionDefaults(root: string): Readonly<Record<string, string>> {
  const action = parseYaml(readFileSync(join(root, 'action', 'action.yml'), 'utf8')) as { inputs?: Record<string, { default?: unknown }> };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    const value = input.default;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') defaults[name] = String(value);
  }
  return defaults;
}

/**
 * Executes one job of `.github/workflows/ports.yml` or `ports-pr.yml` as a runner on a fresh
 * VM would: every step's `if:` and `with:` evaluated from the file, `macports/portfarm/action`
 * steps run as the committed action bundle over the mpbb double, `fetch mpbb` replaced by
 * installing the double (no network). What the demo's runners run; the workflow tests check
 * the same files. A pull-request job gets no secrets, no repository variables portfarm sets
 * and no OIDC token (ports-pr.yml asks for none), as on GitHub.
 */
export async function runPortsJob(toRun: JobToRun, env: PortsJobEnvironment): Promise<PortsJobResult> {
  let workflow = workflows.get(toRun.workflowFile);
  if (workflow === undefined) {
    workflow = loadWorkflow(join(env.root, '.github', 'workflows', toRun.workflowFile));
    workflows.set(toRun.workflowFile, workflow);
  }
  const parsed = await workflow;
  const runnerTemp = join(env.vmDir, 'temp');
  mkdirSync(join(runnerTemp, 'mpbb'), { recursive: true });
  mkdirSync(env.logDir, { recursive: true });
  const { inputs } = toRun;
  const pullRequest = toRun.workflowFile !== 'ports.yml';
  const given = toRun.context.github;
  const github = {
    event_name: 'workflow_dispatch',
    server_url: 'https://github.com',
    repository: 'macports/macports-ports',
    ...(typeof given === 'object' && given !== null ? given : {}),
    workspace: join(env.vmDir, 'work'),
    run_id: String(env.runId),
  };
  const context = {
    ...toRun.context,
    github,
    inputs: { platform: '', portname: '', ports_sha: '', build_id: '', portlist: '', ...inputs, force: inputs.force === 'true' },
    vars: pullRequest ? {} : { PORTFARM_CONTROLLER_URL: env.controllerUrl, PORTFARM_DISTFILES_DIR: env.distfilesDir, PORTFARM_DEPLOY_COMMAND: env.deployCommand },
    secrets: pullRequest ? {} : { PORTFARM_DEPLOY_KEY: 'demo-deploy-key' },
    runner: { temp: runnerTemp },
  };
  const idToken = parsed.raw.permissions?.['id-token'] === 'write';
  const outcomes = new Map<string, 'success' | 'failure'>();
  const record: StepRecord = { summaries: [], uploaded: [], failedSteps: [] };
  const job = await simulateJob(parsed, toRun.jobKey, context, async (step: StepToRun): Promise<StepOutcome> => {
    const outcome = await runStep(step, env, runnerTemp, record, { eventName: github.event_name, idToken });
    outcomes.set(step.name, outcome.outcome);
    return outcome;
  });
  // The VM is a folder here: its mpbb logs are copied into the archive before it is destroyed.
  await collectStepLogs(join(github.workspace, 'mpbb-work', 'logs'), env.logDir);
  return { outcomes, status: env.signal.aborted ? 'cancelled' : job.status, ...record, jobOutputs: job.outputs };
}

interface StepRecord {
  readonly summaries: string[];
  readonly uploaded: string[];
  readonly failedSteps: string[];
}

async function runStep(step: StepToRun, env: PortsJobEnvironment, runnerTemp: string, record: StepRecord, run: { readonly eventName: string; readonly idToken: boolean }): Promise<StepOutcome> {
  if (step.run !== undefined) {
    // `fetch mpbb`: the image would clone mpbb; the demo installs the double instead.
    for (const file of ['mpbb', 'mpbb-double.ts', 'port-index.ts']) copyFileSync(join(env.root, 'test', 'mpbb-double', file), join(runnerTemp, 'mpbb', file));
    chmodSync(join(runnerTemp, 'mpbb', 'mpbb'), 0o755);
    return { outcome: 'success' };
  }
  if (step.uses?.startsWith('actions/upload-artifact') === true) {
    // `path:` is the list gather-archives wrote (one archive a line); a missing file fails the step (if-no-files-found: error).
    const paths = (step.with.path ?? '').split('\n').filter((line) => line !== '');
    if (paths.length === 0 || !paths.every((path) => existsSync(path))) return { outcome: 'failure' };
    for (const path of paths) record.uploaded.push(`${step.with.name ?? ''}: ${basename(dirname(path))}/${basename(path)}`);
    return { outcome: 'success' };
  }
  const stepDir = join(env.vmDir, 'steps', String(Date.now()) + Math.random().toString(36).slice(2, 6));
  mkdirSync(stepDir, { recursive: true });
  const outputFile = join(stepDir, 'output');
  const summaryFile = join(stepDir, 'summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const variables: Record<string, string> = {
    PATH: `${join(env.root, 'node_modules', '.bin')}:/usr/bin:/bin`,
    HOME: env.vmDir,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: run.eventName,
    GITHUB_REPOSITORY: 'macports/macports-ports',
    GITHUB_RUN_ID: String(env.runId),
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
    // Only a job whose workflow asks for `id-token: write` can get an OIDC token (ports-pr.yml does not).
    ...(run.idToken ? { ACTIONS_ID_TOKEN_REQUEST_URL: env.tokenUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'demo-runtime-token' } : {}),
    MPBB_DOUBLE_PORTS: env.portsJson,
    ...(env.failures.length > 0 ? { MPBB_DOUBLE_FAIL: env.failures.join(',') } : {}),
    ...env.extraEnv,
    ...step.env,
  };
  actionDefaults ??= loadActionDefaults(env.root);
  for (const [name, value] of Object.entries({ ...actionDefaults, ...step.with })) variables[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const result = await execa('node', [resolve(env.root, 'action', 'dist', 'index.js')], {
    env: variables,
    extendEnv: false,
    reject: false,
    cwd: env.vmDir,
    all: true,
    cancelSignal: env.signal,
  });
  const logName = step.name.replace(/^(builder|watcher):\s*/i, '').replace(/[^A-Za-z0-9._-]+/g, '-').toLowerCase();
  writeFileSync(join(env.logDir, `${logName}.txt`), result.all);
  const outputs: Record<string, string> = {};
  for (const match of readFileSync(outputFile, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[match[1] ?? ''] = match[3] ?? '';
  const summary = readFileSync(summaryFile, 'utf8');
  if (summary !== '') record.summaries.push(summary);
  if (result.exitCode !== 0) record.failedSteps.push(`${step.name}: ${result.all.split('\n').slice(-3).join(' | ')}`);
  return { outcome: result.exitCode === 0 ? 'success' : 'failure', outputs };
}
