import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masterGroupProblems, type RunnerGroupFacts } from '../../controller/github/verify-runner-group.ts';

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
