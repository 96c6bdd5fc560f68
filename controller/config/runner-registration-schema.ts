import { z } from 'zod';

/**
 * Where the farm's JIT runners are registered (`github.runnerRegistration`).
 *
 * `repository` (default): with the ports repository. GitHub then gives a runner any queued job of
 * the repository whose labels are a subset of the runner's, so a pull request's job that asks for
 * `runs-on: [self-hosted]` can take a farm VM; portfarm only destroys that VM when it sees it.
 *
 * `organization`: with the repository's owner organisation, master builds' runners into a runner
 * group restricted to `<repo>/.github/workflows/ports.yml@refs/heads/<branch>` and visible only
 * to the ports repository (GitHub then never gives them another workflow's job, a pull request's
 * included), pull-request builds' runners into a separate group. Needs the App's organisation
 * permission "Self-hosted runners: read and write". Checked at start (check-runner-groups.ts).
 */
export const runnerRegistrationSchema = z.discriminatedUnion(
  'scope',
  [
    z.strictObject({ scope: z.literal('repository') }),
    z.strictObject({
      scope: z.literal('organization'),
      masterGroupId: z
        .int({ error: 'must be the id of the runner group for master builds (gh api orgs/ORG/actions/runner-groups --jq ".runner_groups[] | {id, name}")' })
        .positive({ error: 'must be positive' }),
      pullRequestGroupId: z
        .int({ error: 'must be the id of a second runner group, for pull-request builds (never the master group)' })
        .positive({ error: 'must be positive' }),
      /** Start even if the master group is not restricted to ports.yml on the dispatch branch and to this repository (logged as an error at every start). */
      allowUnrestrictedGroup: z.boolean({ error: 'must be true or false' }).default(false),
    }),
  ],
  { error: 'scope must be repository or organization' },
);

export type RunnerRegistrationConfig = z.infer<typeof runnerRegistrationSchema>;
