import { after, before } from 'node:test';
import { startGitHubDouble, type GitHubDouble, type GitHubDoubleOptions } from './github-double.ts';

/**
 * One GitHub double for a test file: started before its tests, closed after them, and every
 * request it saw checked against GitHub's schema. Call at the top level; the answer gives the
 * running double inside a test.
 */
export function doublePerFile(options: GitHubDoubleOptions = {}): () => GitHubDouble {
  let double: GitHubDouble | undefined;
  before(async () => {
    double = await startGitHubDouble(options);
  });
  after(async () => {
    if (double === undefined) return;
    await double.close();
    double.assertNoViolations();
  });
  return () => {
    if (double === undefined) throw new Error('the GitHub double is started in before(): use it inside a test');
    return double;
  };
}
