import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';

// A tag (`@v1`) or a branch can be moved to other code by whoever controls that repository; a
// commit SHA cannot. Every workflow of ours runs third-party code only at a full commit SHA.

const DIR = '.github/workflows';
const SHA = /^[0-9a-f]{40}$/;

interface Workflow {
  readonly env?: Record<string, unknown>;
  readonly jobs: Record<string, { readonly env?: Record<string, unknown>; readonly steps?: readonly { readonly name?: string; readonly uses?: string; readonly run?: string; readonly env?: Record<string, unknown> }[] }>;
}

const workflows = readdirSync(DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => {
    const text = readFileSync(join(DIR, name), 'utf8');
    return { name, text, parsed: parseYaml(text) as Workflow };
  });

/** `owner/repo[/path]@ref` of every step that uses an action from another repository (not `./…`, not `docker://…`). */
function remoteUses(): { readonly where: string; readonly uses: string }[] {
  return workflows.flatMap(({ name, parsed }) =>
    Object.entries(parsed.jobs).flatMap(([jobId, job]) =>
      (job.steps ?? []).flatMap((step) => (step.uses === undefined || step.uses.startsWith('./') ? [] : [{ where: `${name} / ${jobId} / ${step.name ?? step.uses}`, uses: step.uses }])),
    ),
  );
}

test('every action from another repository is used at a full 40-hex commit SHA', () => {
  const uses = remoteUses();
  assert.ok(uses.length >= 25, `found only ${uses.length} uses:`);
  const unpinned = uses.filter(({ uses: ref }) => !SHA.test(ref.split('@')[1] ?? ''));
  assert.deepEqual(unpinned, []);
});

test('the release each pin stands for is named in a comment on the same line, so a bump can be checked', () => {
  for (const { name, text } of workflows) {
    for (const line of text.split('\n').filter((l) => /^\s*(-\s+)?uses:\s/.test(l) && !/uses:\s+\.\//.test(l))) {
      assert.match(line, /@[0-9a-f]{40} # v\d+(\.\d+)*$/, `${name}: ${line.trim()}`);
    }
  }
});

test('the portfarm action is pinned to one commit across all workflows (a bump changes them together)', () => {
  const refs = new Set(remoteUses().filter(({ uses }) => uses.startsWith('macports/portfarm/action@')).map(({ uses }) => uses));
  assert.equal(refs.size, 1, [...refs].join(', '));
});

test('mpbb is fetched at MPBB_COMMIT, a 40-hex SHA, and the step checks HEAD is that commit', () => {
  const fetches: string[] = [];
  const commits = new Set<unknown>();
  for (const { name, parsed, text } of workflows) {
    if (!text.includes('macports/mpbb')) continue;
    commits.add(parsed.env?.MPBB_COMMIT);
    assert.match(String(parsed.env?.MPBB_COMMIT), SHA, `${name}: MPBB_COMMIT`);
    for (const [jobId, job] of Object.entries(parsed.jobs)) {
      for (const step of job.steps ?? []) {
        if (step.run?.includes('macports/mpbb') !== true) continue;
        fetches.push(`${name}/${jobId}`);
        assert.doesNotMatch(step.run, /git clone/, `${name}/${jobId}: a clone takes whatever the branch points at`);
        assert.match(step.run, /fetch -q --depth 1 https:\/\/github\.com\/macports\/mpbb\.git "\$MPBB_COMMIT"/);
        assert.match(step.run, /test "\$\(git -C "\$RUNNER_TEMP\/mpbb" rev-parse HEAD\)" = "\$MPBB_COMMIT"/);
        assert.equal(step.env?.MPBB_COMMIT ?? job.env?.MPBB_COMMIT, undefined, 'one MPBB_COMMIT per workflow, not overridden');
      }
    }
  }
  assert.deepEqual(fetches.sort(), ['ports-pr.yml/build', 'ports-pr.yml/build-chunk', 'ports-pr.yml/list', 'ports.yml/ports']);
  assert.equal(commits.size, 1, 'ports.yml and ports-pr.yml build with the same mpbb');
});
