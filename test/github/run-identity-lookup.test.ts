import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GitHubClients } from '../../controller/github/create-github-clients.ts';
import { RunIdentityLookup } from '../../controller/github/run-identity-lookup.ts';

const run = { id: 7, run_attempt: 1, path: '.github/workflows/ports-pr.yml', event: 'pull_request', head_branch: 'p', head_sha: 'a'.repeat(40), repository: { id: 1, full_name: 'o/r' }, actor: { login: 'm' }, triggering_actor: { login: 'm' } };

/** Clients whose getWorkflowRun answers from `answers` in turn (an Error: rejected), counting the asks. */
function clientsAnswering(answers: (object | Error)[]): { clients: Pick<GitHubClients, 'installation' | 'owner' | 'repo'>; asks: () => number } {
  let asks = 0;
  const getWorkflowRun = (): Promise<{ data: unknown }> => {
    const answer = answers[asks] ?? answers.at(-1);
    asks += 1;
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ data: answer });
  };
  const installation = { rest: { actions: { getWorkflowRun } } } as unknown as GitHubClients['installation'];
  return { clients: { installation, owner: 'o', repo: 'r' }, asks: () => asks };
}

test('a failed answer is remembered for failureMemoryMs, then GitHub is asked again; a success for good', async () => {
  let now = 0;
  const { clients, asks } = clientsAnswering([Object.assign(new Error('Bad Gateway'), { status: 502 }), run]);
  const lookup = new RunIdentityLookup(clients, { failureMemoryMs: 60_000, now: () => now });
  const signal = AbortSignal.timeout(5_000);
  await assert.rejects(lookup.get(7, signal), /reading run 7/);
  await assert.rejects(lookup.get(7, signal), /reading run 7/);
  assert.equal(asks(), 1, 'the failure is remembered');
  now = 60_000;
  assert.equal((await lookup.get(7, signal)).path, '.github/workflows/ports-pr.yml');
  now = 10_000_000;
  await lookup.get(7, signal);
  assert.equal(asks(), 2);
});
