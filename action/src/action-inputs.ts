import { z } from 'zod';
import { isBuildId } from '../../controller/model/build-id.ts';
import { explainBadPortName, isPortName } from '../../controller/model/port-name.ts';
import { PLATFORM_NAME } from '../../controller/model/platform-name.ts';
import { parseArchiveDigests } from './archive-digests.ts';
import { controllerUrlProblem } from './controller-url-problem.ts';

export const STEPS = ['cleanup', 'selfupdate', 'checkout', 'list-subports', 'mirror-distfiles', 'install-dependencies', 'install-port', 'gather-archives', 'deploy', 'build-ports'] as const;
export type StepName = (typeof STEPS)[number];
const BUILDER_STEPS: readonly StepName[] = ['install-dependencies', 'install-port', 'gather-archives', 'deploy'];

const SHA = /^[0-9a-f]{7,40}$/;
const flag = (name: string) =>
  z.enum(['true', 'false', ''], { error: `must be "true" or "false" (input "${name}")` }).transform((value) => value === 'true');
const optionalUrl = z.union([z.literal(''), z.url({ error: 'must be an http(s) URL or empty' })]);
const optionalSha = z.union([z.literal(''), z.string().regex(SHA, { error: 'must be a git commit sha (7 to 40 lowercase hex digits) or empty' })]);

/** Port names separated by white space or commas, each checked like the controller checks them. */
const portList = z
  .string()
  .transform((value) => value.split(/[\s,]+/).filter((name) => name !== ''))
  .superRefine((names, context) => {
    for (const name of names) {
      const problem = explainBadPortName(name);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }
  });

/** A whole number input, or '' when not given. */
const optionalCount = (what: string) =>
  z
    .string()
    .regex(/^(\d{1,6})?$/, { error: `must be ${what} (a whole number) or empty` })
    .transform((value) => (value === '' ? undefined : Number(value)));

/** `["15_arm64", "14_x86_64"]` (the PR platforms, as the workflow's matrix gets them) or ''. */
const platformList = z.string().transform((value, context) => {
  if (value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((p) => typeof p === 'string' && PLATFORM_NAME.test(p))) {
    context.addIssue({ code: 'custom', message: 'must be a JSON list of platform names, e.g. ["15_arm64", "14_x86_64"] (the PORTFARM_PR_PLATFORMS variable)' });
    return z.NEVER;
  }
  return parsed as string[];
});

/** One schema for every input of action.yml, keyed by the input's own name so messages name it. */
export const actionInputsSchema = z
  .strictObject({
    step: z.enum(STEPS, { error: `must be one of ${STEPS.join(', ')}` }),
    platform: z.string().regex(PLATFORM_NAME, { error: 'is not a platform name; use <macOS major>[.<minor>]_<arch>, e.g. 15_arm64 or 10.15_x86_64' }),
    'build-id': z.string().refine(isBuildId, { error: 'must be a portfarm build id: lowercase letters, digits and "-", at most 40, as the controller dispatches it' }),
    port: z.string().refine((value) => value === '' || isPortName(value), { error: (issue) => explainBadPortName(String(issue.input)) ?? 'bad port name' }),
    mpbb: z.string().min(1, { error: 'must be the path of mpbb' }),
    'work-dir': z.string(),
    prefix: z.string().startsWith('/', { error: 'must be an absolute path, e.g. /opt/local' }),
    'ports-sha': optionalSha,
    'ports-url': z.url({ error: 'must be the git URL of the ports repository' }),
    portlist: portList,
    force: flag('force'),
    'changed-since': optionalSha,
    'hand-off': flag('hand-off'),
    'controller-url': z.string().superRefine((value, context) => {
      const problem = value === '' ? undefined : controllerUrlProblem(value);
      if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
    }),
    audience: z.string().min(1, { error: 'must name the audience the controller expects, e.g. portfarm' }),
    'archive-site': z.url({ error: 'must be a URL' }),
    'archive-site-private': z.url({ error: 'must be a URL' }),
    'mirrordb-url': optionalUrl,
    'distfiles-dir': z.string(),
    'staging-dir': z.string(),
    'deploy-command': z.string(),
    'archive-digests': z.string(),
    'site-url': z.url({ error: 'must be the URL of the portfarm site' }),
    'matrix-platforms': platformList,
    'ports-file': z.string(),
    chunk: optionalCount('the chunk this job builds, from 0'),
    chunks: optionalCount('how many chunks the list is cut into'),
  })
  .superRefine((inputs, context) => {
    const need = (name: keyof typeof inputs, why: string): void => {
      context.addIssue({ code: 'custom', path: [name], message: why });
    };
    if (BUILDER_STEPS.includes(inputs.step) && inputs.port === '') need('port', `is required for step ${inputs.step}: give the port this builder builds`);
    if (inputs.step === 'list-subports' && inputs['hand-off']) {
      if (inputs['controller-url'] === '') need('controller-url', 'is required to hand the port list to the controller (set the PORTFARM_CONTROLLER_URL repository variable), or set hand-off: "false"');
      if (inputs['ports-sha'] === '') need('ports-sha', 'is required to hand the port list to the controller: the builders build exactly this ports revision');
    }
    if (inputs['changed-since'] !== '' && inputs['ports-sha'] === '') need('ports-sha', 'is required with changed-since: the ports changed between the two commits are listed');
    if (inputs.step === 'build-ports') {
      if (inputs['ports-file'] === '') need('ports-file', 'is required to build ports: the JSON list list-subports wrote (its ports-file output, passed on as an artifact)');
      if (inputs.chunks === undefined || inputs.chunks < 1) need('chunks', 'is required to build ports: how many chunks the list is cut into (the list job\'s chunk-count output), at least 1');
      else if (inputs.chunk === undefined || inputs.chunk >= inputs.chunks) need('chunk', `is required to build ports: the chunk this job builds, from 0 to ${String(inputs.chunks - 1)} (matrix.chunk)`);
    }
    if (inputs.step === 'deploy') {
      if (inputs['deploy-command'] === '') need('deploy-command', 'is required to deploy: the program that signs and publishes the staged archives (set PORTFARM_DEPLOY_COMMAND)');
      if (inputs['staging-dir'] === '') need('staging-dir', 'is required to deploy: the directory gather-archives staged into');
      const digests = parseArchiveDigests(inputs['archive-digests']);
      if (typeof digests === 'string') need('archive-digests', digests);
    }
  });

export type ActionInputs = z.output<typeof actionInputsSchema>;

/** A bad input, named with the fix; permanent. */
export class ActionInputError extends Error {
  readonly retryable = false;
  constructor(message: string) {
    super(message);
    this.name = 'ActionInputError';
  }
}

/** Reads every input through `getInput` (core.getInput in main.ts) and validates them together. */
export function readActionInputs(getInput: (name: string) => string): ActionInputs {
  const raw = Object.fromEntries(Object.keys(actionInputsSchema.shape).map((name) => [name, getInput(name)]));
  const parsed = actionInputsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return `input "${name}" (${JSON.stringify(raw[name] ?? '')}) ${issue.message}`;
  });
  throw new ActionInputError(`bad action input${problems.length > 1 ? 's' : ''}: ${problems.join('; ')} (fix the step's \`with:\` in the workflow)`);
}
