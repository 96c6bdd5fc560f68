import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A test file and how many import edges separate it from the source file it covers (1: it imports the file itself). */
export interface CoveringTest {
  readonly file: string;
  readonly distance: number;
}

/** Every `*.test.ts` under `testDir`, repository-relative with `/`, sorted. */
export function listTestFiles(root: string, testDir = 'test'): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts')) out.push(path);
    }
  };
  walk(testDir);
  return out.sort();
}

/**
 * The repository-relative files `file` imports by a relative specifier (static, re-export or
 * `import('…')` with a literal): what the module graph walks. Package imports are not ours.
 */
export function relativeImports(root: string, file: string, text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const { fileName } of info.importedFiles) {
    if (!fileName.startsWith('.')) continue;
    const target = resolve(root, dirname(file), fileName);
    if (!existsSync(target)) continue;
    out.push(relative(root, target).split(sep).join('/'));
  }
  return out;
}

/**
 * The tests that load `source` through their imports, at most `maxDistance` edges away: the
 * tests of its own area first (test/queue/ for controller/queue/), then the nearest. A test that reaches a queue function only through the whole controller (serve,
 * e2e) exercises it too, but slowly and weakly: the distance limit keeps a file's run to the
 * tests written for its area.
 */
export function coveringTests(root: string, source: string, tests: readonly string[], maxDistance: number): CoveringTest[] {
  const importsOf = new Map<string, string[]>();
  const imports = (file: string): string[] => {
    let found = importsOf.get(file);
    if (found === undefined) {
      found = file.endsWith('.ts') || file.endsWith('.tsx') ? relativeImports(root, file, readFileSync(join(root, file), 'utf8')) : [];
      importsOf.set(file, found);
    }
    return found;
  };
  const out: CoveringTest[] = [];
  for (const test of tests) {
    // Breadth first from the test: the first time `source` is reached is its distance.
    let frontier = [test];
    const seen = new Set(frontier);
    for (let distance = 1; distance <= maxDistance && frontier.length > 0; distance += 1) {
      const next: string[] = [];
      for (const file of frontier) {
        for (const target of imports(file)) {
          if (seen.has(target)) continue;
          seen.add(target);
          next.push(target);
        }
      }
      if (next.includes(source)) {
        out.push({ file: test, distance });
        break;
      }
      frontier = next;
    }
  }
  const area = testAreaOf(source);
  const rank = (t: CoveringTest): number => (t.file.startsWith(area) ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.distance - b.distance || a.file.localeCompare(b.file));
}

/** Where a source file's own tests live: `controller/queue/core/x.ts` → `test/queue/`, `site/lookup/x.ts` → `test/site/`. */
export function testAreaOf(source: string): string {
  const parts = source.split('/');
  const area = parts[0] === 'controller' ? parts[1] : parts[0];
  return `test/${area ?? ''}/`;
}
