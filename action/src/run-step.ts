import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionInputs } from './action-inputs.ts';
import type { Exec } from './exec.ts';
import type { StepReporter } from './step-reporter.ts';
import type { RunContext } from './run-context.ts';
import type { HandOffDeps } from './hand-off-port-list.ts';
import type { StepSummaryInput } from './build-step-summary.ts';
import { buildStepSummary } from './build-step-summary.ts';
import { handOffPortList } from './hand-off-port-list.ts';
import { listAllPorts, listChangedPorts } from './list-changed-ports.ts';
import { listPortDistfiles } from './list-port-distfiles.ts';
import { parseListSubports } from './parse-list-subports.ts';
import { runMpbb, tailOf } from './run-mpbb.ts';
import { clearStepLogs, printStepLogs } from './print-step-logs.ts';
import { stableLogUrl } from '../../site/lookup/stable-log-url.ts';
import { StepFailure } from './step-failure.ts';
import { parseArchiveDigests } from './archive-digests.ts';
import { distributableDir, listDistributableArchives } from './list-distributable-archives.ts';
import { verifyStagedArchives } from './verify-staged-archives.ts';
import { planPullRequestBuilds } from './plan-pull-request-builds.ts';

export interface StepDeps extends HandOffDeps {
  readonly exec: Exec;
  readonly reporter: StepReporter;
  readonly run: RunContext;
  /** Milliseconds; passed in so durations in tests are exact. */
  readonly now: () => number;
}

export interface StepOutcome {
  readonly result: 'success' | 'failure';
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string | undefined;
  readonly failure: StepFailure | undefined;
}

interface Extra {
  list?: NonNullable<StepSummaryInput['list']>;
  archives?: NonNullable<StepSummaryInput['archives']>;
  version?: string;
  summarise?: boolean;
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

function stagedArchives(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
}

/** The list job's outputs for ports-pr.yml's two build jobs: one lists ports (a job each), the other chunks. */
function pullRequestMatrix(ports: readonly string[], platforms: number): Record<string, string> {
  const plan = planPullRequestBuilds(ports.length, platforms);
  return {
    'matrix-ports': JSON.stringify(plan.perPort ? ports : []),
    'matrix-chunks': JSON.stringify(Array.from({ length: plan.chunks }, (_, i) => i)),
    'chunk-count': String(plan.chunks),
  };
}

/**
 * Runs the step the `step` input names: the mpbb call(s), the hand-off for a watcher, the
 * outputs the workflow's conditions read. Failures become a `StepFailure` in the outcome (with
 * a summary saying what failed and how to fix it); anything else is a bug and is thrown.
 */
export async function runStep(inputs: ActionInputs, deps: StepDeps): Promise<StepOutcome> {
  const started = deps.now();
  const port = inputs.port === '' ? undefined : inputs.port;
  const role = port === undefined ? 'watcher' : 'builder';
  const outputs: Record<string, string> = {};
  const extra: Extra = {};
  const mpbb = (subcommand: string, args: readonly string[], quiet = false) =>
    runMpbb({
      exec: deps.exec,
      reporter: deps.reporter,
      mpbb: inputs.mpbb,
      prefix: inputs.prefix,
      workDir: inputs['work-dir'],
      subcommand,
      args,
      port,
      platform: inputs.platform,
      quiet,
    });
  const workDir = inputs['work-dir'] === '' ? process.cwd() : inputs['work-dir'];
  const stagingDir = inputs['staging-dir'] === '' ? join(workDir, 'archive-staging') : inputs['staging-dir'];

  let failure: StepFailure | undefined;
  try {
    switch (inputs.step) {
      case 'cleanup':
        await mpbb('cleanup', []);
        extra.summarise = false;
        break;
      case 'selfupdate':
        await mpbb('selfupdate', []);
        extra.summarise = false;
        break;
      case 'checkout':
        await mpbb('checkout', [`--ports-url=${inputs['ports-url']}`, ...(inputs['ports-sha'] === '' ? [] : [`--ports-commit=${inputs['ports-sha']}`])]);
        break;
      case 'list-subports': {
        const portsDir = join(workDir, 'ports');
        const named = inputs.force
          ? listAllPorts(portsDir)
          : inputs['changed-since'] !== ''
            ? await listChangedPorts(deps.exec, portsDir, inputs['changed-since'], inputs['ports-sha'])
            : { ports: inputs.portlist, rejected: [] };
        // Names from the tree or the diff are whatever was committed: never an argument of mpbb unless a port name.
        for (const { reason } of named.rejected) deps.reporter.warning(`${reason}; it is not listed (rename the directory to the port's name)`, `not a port name (${inputs.platform})`);
        const requested = named.ports;
        let list = parseListSubports('', '');
        if (requested.length === 0) {
          deps.reporter.info('No ports to list (empty portlist, no force, no changed-since): nothing to build.');
        } else {
          const result = await mpbb('list-subports', [`--archive-site=${inputs['archive-site']}`, `--archive-site-private=${inputs['archive-site-private']}`, '--', ...requested], true);
          list = parseListSubports(result.stdout, result.stderr);
          deps.reporter.info(`${list.ports.length} to build, ${list.excluded.length} excluded:`);
          for (const name of list.ports) deps.reporter.info(`  ${name}`);
          for (const entry of list.excluded) deps.reporter.info(`  excluded ${entry.port}: ${entry.reason}`);
          for (const warning of list.warnings) deps.reporter.warning(warning, `mpbb list-subports (${inputs.platform})`);
        }
        outputs.ports = list.ports.join(' ');
        outputs['ports-json'] = JSON.stringify(list.ports);
        outputs.count = String(list.ports.length);
        outputs['excluded-count'] = String(list.excluded.length);
        // The whole list as a file (a job output holds at most 1 MB): ports-pr.yml passes it on as an artifact.
        const portsFile = join(workDir, 'portlist.json');
        writeFileSync(portsFile, JSON.stringify(list.ports));
        outputs['ports-file'] = portsFile;
        if (inputs['matrix-platforms'] !== undefined) Object.assign(outputs, pullRequestMatrix(list.ports, inputs['matrix-platforms'].length));
        let handOff = 'not handed off (hand-off: "false")';
        if (inputs['hand-off']) {
          // What each port's builder may add to the public mirror (checked by the controller's cache server).
          const distfiles = list.ports.length === 0 ? undefined : await listPortDistfiles(deps.exec, deps.reporter, inputs.prefix, list.ports);
          const receipt = await handOffPortList(
            inputs['controller-url'],
            inputs.audience,
            {
              buildId: inputs['build-id'],
              platform: inputs.platform,
              portsRevision: inputs['ports-sha'],
              ports: [...list.ports],
              excluded: [...list.excluded],
              ...(distfiles === undefined ? {} : { distfiles }),
            },
            deps,
            (line) => {
              deps.reporter.info(line);
            },
          );
          handOff = `handed to the controller (HTTP ${receipt.status}${receipt.message === '' ? '' : `: ${receipt.message}`})`;
          deps.reporter.info(`Port list ${handOff}`);
        }
        extra.list = { ...list, handOff };
        break;
      }
      case 'mirror-distfiles':
        if (inputs.portlist.length === 0) {
          deps.reporter.info('No ports to mirror.');
          break;
        }
        await mpbb('mirror-distfiles', [...(inputs['distfiles-dir'] === '' ? [] : [`--distfiles-dir=${inputs['distfiles-dir']}`]), '--', ...inputs.portlist]);
        extra.summarise = false;
        break;
      case 'install-dependencies':
        await clearStepLogs('install-dependencies', workDir);
        try {
          await mpbb('install-dependencies', ['--', inputs.port]);
        } finally {
          await printStepLogs('install-dependencies', workDir, deps.reporter);
        }
        break;
      case 'install-port': {
        try {
          const info = await mpbb('print-info', ['--', inputs.port], true);
          const version = /^portversion=(.+)$/m.exec(info.stdout)?.[1];
          const revision = /^portrevision=(.+)$/m.exec(info.stdout)?.[1];
          if (version !== undefined) extra.version = revision === undefined ? version : `${version}_${revision}`;
        } catch (error) {
          // The version only decorates the summary; the build itself decides the step.
          if (!(error instanceof StepFailure)) throw error;
        }
        await clearStepLogs('install-port', workDir);
        try {
          await mpbb('install-port', [...(inputs['mirrordb-url'] === '' ? [] : [`--mirrordb-url=${inputs['mirrordb-url']}`]), '--', inputs.port]);
        } finally {
          await printStepLogs('install-port', workDir, deps.reporter);
        }
        break;
      }
      case 'gather-archives': {
        await mpbb('gather-archives', [`--archive-site=${inputs['archive-site']}`, `--archive-site-private=${inputs['archive-site-private']}`, `--staging-dir=${stagingDir}`]);
        const distributable = await listDistributableArchives(stagingDir);
        if (distributable.refused.length > 0) {
          // mpbb stages plain archive files only; anything else in public/ was put there by the build.
          throw new StepFailure(
            `refusing to publish ${distributableDir(stagingDir)}: ${distributable.refused.map((entry) => `${entry.name} is ${entry.why}`).join('; ')}. Only archives mpbb staged may be uploaded; find what in the port's build wrote there`,
            { title: `unexpected files among the distributable archives of ${inputs.port}`, phase: 'gather-archives', retryable: false, port },
          );
        }
        const archives = { public: distributable.archives.map((archive) => archive.name), private: stagedArchives(join(stagingDir, 'private')) };
        outputs.archives = String(archives.public.length + archives.private.length);
        outputs['public-archives'] = String(archives.public.length);
        // What the workflow may upload (never the private half) and what the deploy job checks it against.
        outputs['distributable-archives'] = distributable.archives.map((archive) => archive.path).join('\n');
        outputs['archive-digests'] = JSON.stringify(Object.fromEntries(distributable.archives.map((archive) => [archive.name, archive.sha256])));
        extra.archives = archives;
        break;
      }
      case 'build-ports':
        throw new Error('build-ports is a loop over the builder steps: main.ts runs it with buildPortSlice, never runStep');
      case 'deploy': {
        if (PR_EVENTS.has(deps.run.eventName)) {
          throw new StepFailure(`refusing to deploy from a ${deps.run.eventName} run: PR builds never publish archives; remove the deploy step from the PR workflow`, {
            title: 'deploy refused on a pull request',
            phase: 'deploy',
            retryable: false,
            port,
          });
        }
        const expected = parseArchiveDigests(inputs['archive-digests']);
        if (typeof expected === 'string') throw new Error(`archive-digests passed validation but does not parse: ${expected}`);
        const publicDir = distributableDir(stagingDir);
        const staged = await listDistributableArchives(stagingDir);
        const problems = verifyStagedArchives(expected, staged);
        if (problems.length > 0) {
          throw new StepFailure(
            `refusing to deploy ${publicDir}: it is not what the builder job uploaded (${problems.join('; ')}). Nothing was published; re-run the whole workflow so the builder uploads and reports its archives again`,
            { title: `deploy of ${inputs.port} refused: archives do not match their digests`, phase: 'deploy', retryable: false, port },
          );
        }
        const archives = staged.archives.map((archive) => archive.name);
        if (archives.length === 0) {
          deps.reporter.info(`Nothing staged in ${publicDir}: nothing to deploy.`);
          break;
        }
        deps.reporter.info(`${archives.length === 1 ? 'The archive matches its digest' : `All ${archives.length} archives match their digests`} as the builder reported.`);
        deps.reporter.startGroup(`deploy ${archives.length} archive${archives.length === 1 ? '' : 's'}`);
        const result = await deps.exec(inputs['deploy-command'], [publicDir], {
          onLine: (line) => {
            deps.reporter.info(line);
          },
        }).finally(() => {
          deps.reporter.endGroup();
        });
        if (result.exitCode !== 0) {
          throw new StepFailure(
            `deploying ${archives.join(', ')} with ${inputs['deploy-command']} failed (${result.failure?.message ?? `exit ${String(result.exitCode)}`}):\n${tailOf(result)}\nThe archives stay staged; re-run the job (retryable)`,
            { title: `deploy of ${inputs.port} failed (${inputs.platform})`, phase: 'deploy', retryable: true, port, ...(result.failure === undefined ? {} : { cause: result.failure }) },
          );
        }
        extra.archives = { public: archives, private: [] };
        break;
      }
    }
  } catch (error) {
    if (!(error instanceof StepFailure)) throw error;
    failure = error;
  }

  const result = failure === undefined ? 'success' : 'failure';
  outputs.result = result;
  const logUrl = stableLogUrl(inputs['site-url'], inputs['build-id'], inputs.step);
  outputs['log-url'] = logUrl;
  if (failure !== undefined) {
    outputs.retryable = String(failure.retryable);
    outputs['failed-phase'] = failure.phase;
  }
  const summary =
    extra.summarise === false && failure === undefined
      ? undefined
      : buildStepSummary({
          role,
          step: inputs.step,
          platform: inputs.platform,
          buildId: inputs['build-id'],
          port,
          version: extra.version,
          portsRevision: inputs['ports-sha'] === '' ? undefined : inputs['ports-sha'],
          durationMs: deps.now() - started,
          result,
          retryable: failure?.retryable,
          logUrl,
          failure: failure?.message,
          ...(extra.list === undefined ? {} : { list: extra.list }),
          ...(extra.archives === undefined ? {} : { archives: extra.archives }),
        });
  return { result, outputs, summary, failure };
}
