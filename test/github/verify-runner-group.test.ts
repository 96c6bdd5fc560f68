import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masterGroupProblems, pullRequestGroupProblems, type RunnerGroupFacts } from '../../controller/github/verify-runner-group.ts';

const expected = { repository: 'macports/macports-ports', repositoryId: 42, workflow: 'ports.yml', branch: 'master' };
const group: RunnerGroupFacts = { id: 3, name: 'portfarm', visibility: 'selected', restrictedToWorkflows: true, selectedWorkflows: ['macports/macports-ports/.github/workflows/ports.yml@refs/heads/master'], allowsPublicRepositories: false, repositoryIds: [42] };

test('a master group that allows other workflows is refused with the one entry it must allow, written out', () => {
  const problems = masterGroupProblems({ ...group, selectedWorkflows: ['macports/macports-ports/.github/workflows/*'] }, expected);
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /it must allow exactly one, macports\/macports-ports\/\.github\/workflows\/ports\.yml@refs\/heads\/master \(no other file/);
});

test('a master group not restricted to workflows names the entry to select', () => {
  const [problem] = masterGroupProblems({ ...group, restrictedToWorkflows: false, selectedWorkflows: [] }, expected);
  assert.match(problem ?? '', /Selected workflows, only macports\/macports-ports\/\.github\/workflows\/ports\.yml@refs\/heads\/master$/);
});

test('the pull requests\' group must be visible to this repository alone: visible to all, or to it and another, is refused', () => {
  const prGroup: RunnerGroupFacts = { ...group, id: 4, name: 'portfarm-pr', restrictedToWorkflows: false, selectedWorkflows: [] };
  assert.deepEqual(pullRequestGroupProblems(prGroup, 3, expected), []);
  for (const bad of [{ visibility: 'all', repositoryIds: [42] }, { visibility: 'selected', repositoryIds: [42, 7] }, { visibility: 'selected', repositoryIds: [7] }]) {
    const problems = pullRequestGroupProblems({ ...prGroup, ...bad }, 3, expected);
    assert.equal(problems.length, 1, JSON.stringify(bad));
    assert.match(problems[0] ?? '', /must be visible to macports\/macports-ports \(id 42\) alone/);
  }
});
