import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, matchesGlob, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { coveringTests, listTestFiles } from './covering-tests.ts';
import { applyMutant, functionSpans, mutateSource, type Mutant } from './mutate-source.ts';
import { isListedEquivalent, staleEquivalents } from './equivalent-mutants.ts';
import { KNOWN_EQUIVALENTS } from './known-equivalents.ts';
import { createSandbox, type Sandbox } from './mutation-sandbox.ts';
import { settledVerdicts } from './previous-results.ts';
import { summarise, type MutantResult, type MutantStatus } from './mutation-score.ts';
import { MUTATION_TARGETS } from './mutation-targets.ts';
import { killRunningTests, runTestsOnce } from './run-tests-once.ts';
import { profileTests, testsFor, type TestProfiles } from './test-profiles.ts';

const USAGE = `npm run test:mutation -- [--files GLOB] [--json] [--concurrency N] [--max-distance N] [--out FILE]
  --files GLOB       only the target files matching GLOB (e.g. 'controller/queue/core/*')
  --json             print {mutants, killed, survived, timedOut, noCoverage, equivalent, score, files} last, on stdout
  --concurrency N    mutants run at once, each in its own copy of the tree (default 1: the machine is shared)
  --max-distance N   a test covers a file when it reaches it within N imports (default 2)
  --max-tests N      take at most N covering tests per file, its own area's first (default 30), besides a target's own list;
                     each runs once alone at the baseline, and a mutant runs only those that ran its place
  --nice N           run the tests under nice -n N (default 10: the machine is shared)
  --out FILE         write every mutant with its status as JSON
  --again FILE       take the killed, timed-out and invalid verdicts of an earlier --out FILE; run the rest
  --lines A-B        only the mutants on lines A to B of each file (A- : from line A on), to finish a file a stopped run left`;

const { values } = parseArgs({
  options: {
    files: { type: 'string' },
    json: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '1' },
    'max-distance': { type: 'string', default: '2' },
    'max-tests': { type: 'string', default: '30' },
    nice: { type: 'string', default: '10' },
    out: { type: 'string' },
    again: { type: 'string' },
    lines: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const concurrency = Number(values.concurrency);
const maxDistance = Number(values['max-distance']);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency ${values.concurrency} must be a whole number ≥ 1`);
if (!Number.isInteger(maxDistance) || maxDistance < 1) throw new Error(`--max-distance ${values['max-distance']} must be a whole number ≥ 1`);
const maxTests = Number(values['max-tests']);
if (!Number.isInteger(maxTests) || maxTests < 1) throw new Error(`--max-tests ${values['max-tests']} must be a whole number ≥ 1`);
const niceness = Number(values.nice);
if (!Number.isInteger(niceness) || niceness < 0 || niceness > 19) throw new Error(`--nice ${values.nice} must be a whole number from 0 to 19`);

const lineRange = /^(\d+)-(\d*)$/.exec(values.lines ?? '0-');
if (lineRange === null) throw new Error(`--lines ${values.lines ?? ''} must be A-B or A- (line numbers), e.g. --lines 94-`);
const fromLine = Number(lineRange[1]);
const toLine = lineRange[2] === '' || lineRange[2] === undefined ? Infinity : Number(lineRange[2]);

const repoRoot = resolve(import.meta.dirname, '..', '..');
const glob = values.files;
const targets = MUTATION_TARGETS.filter((t) => glob === undefined || matchesGlob(t.file, glob) || t.file.startsWith(glob));
if (targets.length === 0) throw new Error(`--files ${glob ?? ''} matches none of the targets in test/mutation/mutation-targets.ts`);
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// Tests that start the whole farm reach every file through many imports; they are not the place to judge one line.
const SLOW_SUITES = ['test/e2e/', 'test/bench/'];
const allTests = listTestFiles(repoRoot).filter((t) => !SLOW_SUITES.some((prefix) => t.startsWith(prefix)));

interface FileJob {
  readonly file: string;
  readonly text: string;
  readonly mutants: readonly Mutant[];
  readonly tests: readonly string[];
}

const jobs: FileJob[] = targets.map((target) => {
  const text = readFileSync(join(repoRoot, target.file), 'utf8');
  const all = mutateSource(target.file, text);
  let mutants = all.filter((m) => m.line >= fromLine && m.line <= toLine);
  if (target.functions !== undefined) {
    const spans = functionSpans(target.file, text, target.functions);
    mutants = mutants.filter((m) => spans.some((s) => m.start >= s.start && m.end <= s.end));
  }
  // Each test file runs once alone at the baseline (a mutant then runs only those that ran its place): a cap keeps that to minutes.
  // A target's own list comes on top: the tests that reach it from further away (the attack tests through the whole controller).
  const near = coveringTests(repoRoot, target.file, allTests, maxDistance).slice(0, maxTests).map((t) => t.file);
  const extra = target.tests ?? [];
  const missing = extra.filter((t) => !existsSync(join(repoRoot, t)));
  if (missing.length > 0) throw new Error(`${target.file}: its tests ${missing.join(', ')} do not exist; update test/mutation/mutation-targets.ts`);
  const tests = [...new Set([...near, ...extra])];
  for (const stale of staleEquivalents(KNOWN_EQUIVALENTS, target.file, text, all)) {
    log(`known-equivalents.ts: no ${stale.operator} mutant on a line with ${JSON.stringify(stale.line)} in ${target.file} any more; update or remove the entry`);
  }
  return { file: target.file, text, mutants, tests };
});
const total = jobs.reduce((n, j) => n + j.mutants.length, 0);
log(`${String(total)} mutants in ${String(jobs.length)} files; ${String(concurrency)} at a time`);

const sandboxes: Sandbox[] = Array.from({ length: concurrency }, () => createSandbox(repoRoot));
const cleanUp = (): void => {
  for (const sandbox of sandboxes) sandbox.remove();
};
const results: MutantResult[] = [];
/** Every verdict so far to --out: a run stopped half-way keeps what it learned (and `--again` picks up from it). */
const writeOut = (): void => {
  if (values.out !== undefined) writeFileSync(values.out, `${JSON.stringify(results.map((r) => ({ file: r.file, status: r.status, ...r.mutant })), null, 1)}\n`);
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killRunningTests();
    cleanUp();
    writeOut();
    process.exit(130);
  });
}

const node = process.execPath;
let done = 0;

/**
 * Baseline per file: each covering test alone, unmutated, under V8 coverage. A test that fails is
 * left out (and reported); the rest say how long they take and which of the file's code they run.
 */
const baselines = new Map<string, Promise<TestProfiles>>();
function baseline(job: FileJob, sandbox: Sandbox): Promise<TestProfiles> {
  let found = baselines.get(job.file);
  if (found === undefined) {
    found = profileTests(sandbox.root, node, job.file, job.tests, niceness, sandbox.env).then((profiles) => {
      for (const { file, output } of profiles.failing) log(`${job.file}: ${file} fails unmutated, left out of its tests:\n${output}`);
      log(`${job.file}: baseline ${profiles.profiles.map((p) => `${p.file} ${String(p.ms)} ms`).join(', ') || '(no test passes)'}`);
      return profiles;
    });
    baselines.set(job.file, found);
  }
  return found;
}
/** Per file, how many of its mutants each test killed: the best killer runs first. */
const kills = new Map<string, Map<string, number>>();

const settled = values.again === undefined ? (): undefined => undefined : settledVerdicts(values.again);
const queue: { job: FileJob; mutant: Mutant }[] = jobs.flatMap((job) => job.mutants.map((mutant) => ({ job, mutant })));
const skippedFiles = new Set<string>();

async function worker(sandbox: Sandbox): Promise<void> {
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { job, mutant } = next;
    let status: MutantStatus;
    let ms = 0;
    let ran = 0;
    let killer = '';
    const earlier = settled(job.file, mutant);
    if (KNOWN_EQUIVALENTS.some((entry) => isListedEquivalent(entry, job.file, job.text, mutant))) status = 'equivalent';
    else if (earlier !== undefined) status = earlier;
    else if (job.tests.length === 0) status = 'no-coverage';
    else {
      const base = await baseline(job, sandbox);
      if (base.profiles.length === 0) {
        if (!skippedFiles.has(job.file)) log(`${job.file}: none of its tests passes unmutated; not scored`);
        skippedFiles.add(job.file);
        continue;
      }
      const fileKills = kills.get(job.file) ?? new Map<string, number>();
      kills.set(job.file, fileKills);
      const chosen = testsFor(base.profiles, mutant, fileKills);
      if (chosen.length === 0) status = 'no-coverage';
      else {
        const path = join(sandbox.root, job.file);
        writeFileSync(path, applyMutant(job.text, mutant));
        try {
          const unmutatedMs = chosen.reduce((sum, p) => sum + p.ms, 0);
          const run = await runTestsOnce(sandbox.root, node, chosen.map((p) => p.file), Math.max(20_000, unmutatedMs * 3 + 10_000), niceness, sandbox.env);
          ms = run.ms;
          status = run.outcome === 'passed' ? 'survived' : run.outcome === 'failed' ? 'killed' : run.outcome;
          if (status === 'killed' && run.failedIn !== undefined) {
            killer = run.failedIn;
            fileKills.set(run.failedIn, (fileKills.get(run.failedIn) ?? 0) + 1);
          }
          ran = chosen.length;
        } finally {
          writeFileSync(path, job.text);
        }
      }
    }
    results.push({ file: job.file, mutant, status });
    done += 1;
    log(`[${String(done)}/${String(total)}] ${mutant.id} ${mutant.operator}: ${JSON.stringify(mutant.original)} → ${JSON.stringify(mutant.replacement)} ${status} (${String(ms)} ms, ${String(ran)} test files${killer === '' ? '' : `, by ${killer}`})`);
  }
}

const started = Date.now();
try {
  for (const job of jobs) log(`${job.file}: ${String(job.mutants.length)} mutants, tests: ${job.tests.join(' ') || '(none)'}`);
  await Promise.all(sandboxes.map(worker));
} finally {
  cleanUp();
}

results.sort((a, b) => a.file.localeCompare(b.file) || a.mutant.start - b.mutant.start);
const summary = summarise(results);
log(`\n${String(Math.round((Date.now() - started) / 1000))} s; survivors:`);
for (const r of results.filter((x) => x.status === 'survived' || x.status === 'no-coverage')) {
  log(`  ${r.status} ${r.file}:${String(r.mutant.line)}:${String(r.mutant.column)} ${r.mutant.operator}: ${JSON.stringify(r.mutant.original)} → ${JSON.stringify(r.mutant.replacement)}`);
}
log(`invalid (did not load): ${String(summary.invalid)}; listed as equivalent (not run): ${String(summary.equivalent)}; files whose tests fail unmutated (not scored): ${[...skippedFiles].join(', ') || 'none'}`);
for (const [file, score] of Object.entries(summary.files)) log(`  ${score.toFixed(3)} ${file}`);
log(`score ${summary.score.toFixed(3)}: ${String(summary.killed)} killed, ${String(summary.timedOut)} timed out, ${String(summary.survived)} survived, ${String(summary.noCoverage)} without a covering test`);
writeOut();
if (values.json) {
  const { mutants, killed, survived, timedOut, noCoverage, equivalent, score, files } = summary;
  process.stdout.write(`${JSON.stringify({ mutants, killed, survived, timedOut, noCoverage, equivalent, score, files })}\n`);
}
