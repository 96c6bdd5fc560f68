// Benchmark of the static site (issues 9, 20): `npm run bench:site [-- --builds N --append N --ports FILE --samples N --json]`.
// After the whole build, `--append` builds (default 10,000) are appended and `site build` updates the site in place.
// Build URLs are the controller's archive pages (`<id>/index.html`, logs beside it in `<id>/`), as live.
// `--json` prints one JSON object last: files and bytes (people / JSON window / total) beside the
// figures before the columnar shards, 5,000,000 builds extrapolated, time, CPU and peak memory.
// Writes a synthetic ledger of N builds (default 1,000,000) over the real MacPorts port names,
// runs `site build` on it in a child process (time, peak memory), counts what it wrote, then
// serves the site like GitHub Pages and times redirects of random legacy log URLs in Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { requireTestPart } from '../setup/require-test-part.ts';
import { launchChromium } from '../site/launch-chromium.ts';
import { serveArchive, serveSite } from '../site/serve-site.ts';
import { verdict } from './verdict.ts';
import { seededRandom as random } from '../../controller/sim/seeded-random.ts';

const root = join(import.meta.dirname, '..', '..');
const { values: flags } = parseArgs({
  options: {
    builds: { type: 'string', default: '1000000' },
    // Builds appended after the whole build: `site build` then updates the site in place.
    append: { type: 'string', default: '10000' },
    ports: { type: 'string', default: join(root, '..', 'shared', 'data', 'macports', 'ports.json') },
    samples: { type: 'string', default: '200' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const builds = Number(flags.builds);
const appended = Number(flags.append);
const samples = Number(flags.samples);

/** Builders of the farm: per platform a builder, a watcher and base; plus the farm-wide jobs. */
const PLATFORMS = [
  '10.6_i386', '10.6_x86_64', '10.7_x86_64', '10.8_x86_64', '10.9_x86_64', '10.10_x86_64', '10.11_x86_64', '10.12_x86_64',
  '10.13_x86_64', '10.14_x86_64', '10.15_x86_64', '11_arm64', '11_x86_64', '12_arm64', '12_x86_64', '13_arm64', '14_arm64', '15_arm64',
];
const BUILDERS = [
  ...PLATFORMS.flatMap((p) => [`ports-${p}-builder`, `ports-${p}-watcher`, `base-${p}`]),
  'jobs-www', 'jobs-portindex', 'jobs-guide', 'jobs-man', 'jobs-mirror', 'mirror',
];

/** Deterministic PRNG (mulberry32), so every run writes the same ledger. */

/** Writes the first `builds` lines to `path` and the `appended` lines after them to `tailPath`. */
async function writeLedger(path: string, tailPath: string, ports: readonly string[]): Promise<{ sample: { builder: string; number: number; id: string }[] }> {
  const rand = random(9);
  // Legacy builders start where buildbot left off; builds are mostly port builds.
  const next = new Map(BUILDERS.map((b, i) => [b, b.startsWith('ports-10.') || b.startsWith('ports-11_') ? 20_000 + i * 700 : 0]));
  const head = createWriteStream(path, { highWaterMark: 1 << 20 });
  const sample: { builder: string; number: number; id: string }[] = [];
  const portBuilders = BUILDERS.filter((b) => b.endsWith('-builder'));
  let time = Date.parse('2026-01-01T00:00:00Z');
  let chunk = '';
  // What the controller records since the site serves buildbot JSON: start, watcher, commit.
  const watchers = new Map<string, number>();
  const revisions = new Map<string, string>();
  let out = head;
  for (let i = 0; i < builds + appended; i += 1) {
    if (i === builds) {
      out.end(chunk);
      await once(out, 'finish');
      chunk = '';
      out = createWriteStream(tailPath, { highWaterMark: 1 << 20 });
    }
    const r = rand();
    const builder = r < 0.9 ? (portBuilders[Math.floor(rand() * portBuilders.length)] ?? '') : (BUILDERS[Math.floor(rand() * BUILDERS.length)] ?? '');
    const number = next.get(builder) ?? 0;
    next.set(builder, number + 1);
    time += 1000 + Math.floor(rand() * 60_000);
    const platform = /^(?:ports|base)-(.+?)(?:-builder|-watcher)?$/.exec(builder)?.[1];
    const isPort = builder.endsWith('-builder');
    const result = rand() < 0.85 ? 'success' : rand() < 0.8 ? 'failure' : 'cancelled';
    // As the controller's log archive links them: the build page and step logs in a folder named by the build id.
    const id = `k3x9-${(i + 1).toString(36)}`;
    const steps = isPort
      ? ['install-dependencies', 'install-port', 'gather-archives'].map((s) => ({ name: s, logs: [{ name: 'stdio', url: `${id}/${s}/stdio.txt.gz` }] }))
      : [{ name: 'run', logs: [{ name: 'stdio', url: `${id}/run/stdio.txt.gz` }] }];
    // Each watcher checks out a new commit; the builds it lists build that commit.
    if (builder.endsWith('-watcher') && platform !== undefined) {
      watchers.set(platform, number);
      revisions.set(platform, Array.from({ length: 5 }, () => Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')).join(''));
    }
    const watcher = isPort && platform !== undefined ? watchers.get(platform) : undefined;
    const revision = platform === undefined ? undefined : revisions.get(platform);
    const entry = {
      builder,
      number,
      ...(isPort ? { port: ports[Math.floor(rand() * ports.length)] } : {}),
      ...(platform === undefined ? {} : { platform }),
      result,
      finishedAt: new Date(time).toISOString(),
      // Whole seconds, as the controller records it.
      startedAt: new Date(Math.floor(time / 1000) * 1000 - 30_000 - Math.floor(rand() * 1800) * 1000).toISOString(),
      ...(watcher === undefined ? {} : { watcher: { builder: `ports-${platform ?? ''}-watcher`, number: watcher } }),
      ...(result === 'failure' && isPort ? { failedStep: 'install-port' } : {}),
      ...(revision === undefined ? {} : { revision }),
      url: `${id}/index.html`,
      steps,
    };
    chunk += `${JSON.stringify(entry)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
    if (isPort && i < builds && sample.length < samples && rand() < samples / builds * 2) sample.push({ builder, number, id });
  }
  out.end(chunk);
  await once(out, 'finish');
  return { sample };
}

function filesUnder(dir: string): { count: number; largestShard: [string, number]; largestBucket: [string, number]; bytes: number; perBuild: number; json: { count: number; bytes: number } } {
  let count = 0;
  let bytes = 0;
  // What grows with the builds (map shards, range pages, build-id buckets); the rest grows with ports and builders.
  let perBuild = 0;
  const json = { count: 0, bytes: 0 };
  let largestShard: [string, number] = ['', 0];
  let largestBucket: [string, number] = ['', 0];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    count += 1;
    const path = join(entry.parentPath, entry.name);
    const size = statSync(path).size;
    bytes += size;
    const name = relative(dir, path);
    if (/^map\/(?!_ports\/)[^/]+\/\d+\.json$|^builders\/[^/]+\/range\//.test(name)) perBuild += size;
    if (name.startsWith('json/')) {
      json.count += 1;
      json.bytes += size;
    }
    if (name.startsWith('map/_ports/')) {
      if (size > largestBucket[1]) largestBucket = [name, size];
    } else if (name.startsWith('map/') && name !== 'map/_manifest.json' && size > largestShard[1]) largestShard = [name, size];
  }
  return { count, largestShard, largestBucket, bytes, perBuild, json };
}

/** The real CLI's `site build` in a child process, under GNU time for its CPU and peak resident memory. */
async function timedSiteBuild(ledger: string, out: string, config: string): Promise<{ seconds: number; stdout: string; stderr: string; maxRssMb: number; cpu: { user: number; system: number } }> {
  const started = performance.now();
  const child = spawn(requireTestPart('time'), ['-f', 'maxrss_kb=%M cpu_user=%U cpu_sys=%S', process.execPath, join(root, 'controller', 'cli', 'main.ts'), 'site', 'build', '--ledger', ledger, '--out', out, '--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
    if (s.startsWith('site build:')) process.stderr.write(s);
  });
  const [code] = (await once(child, 'exit')) as [number];
  const seconds = (performance.now() - started) / 1000;
  assert.equal(code, 0, stderr);
  const cpu = /cpu_user=([\d.]+) cpu_sys=([\d.]+)/.exec(stderr);
  return {
    seconds,
    stdout,
    stderr,
    maxRssMb: Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024,
    cpu: { user: Number(cpu?.[1] ?? Number.NaN), system: Number(cpu?.[2] ?? Number.NaN) },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

const work = mkdtempSync(join(tmpdir(), 'portfarm-site-bench-'));
try {
  const data = JSON.parse(readFileSync(flags.ports, 'utf8')) as { name: string; subports: string[] }[];
  const ports = [...new Set(data.flatMap((p) => [p.name, ...p.subports]))];
  const ledger = join(work, 'ledger.ndjson');
  let t = performance.now();
  const tail = join(work, 'appended.ndjson');
  const { sample } = await writeLedger(ledger, tail, ports);
  const ledgerMb = statSync(ledger).size / 1e6;
  console.log(`ledger: ${builds.toLocaleString('en')} builds over ${ports.length.toLocaleString('en')} real port names, ${BUILDERS.length} builders, ${ledgerMb.toFixed(0)} MB, written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const archive = await serveArchive();
  const config = join(work, 'portfarm.config.yaml');
  writeFileSync(
    config,
    [
      'github: { appId: 1, privateKeyPath: app.pem, repo: macports/macports-ports }',
      'platforms: [{ name: 15_arm64, image: macos-15-base, hosts: [{ name: mini, address: 127.0.0.1 }] }]',
      `site: { out: site, baseUrl: "https://build.macports.org", logArchiveUrl: "${archive.url}/archive/" }`,
      '',
    ].join('\n'),
  );
  const full = await timedSiteBuild(ledger, join(work, 'site'), config);
  const { seconds, stdout, maxRssMb, cpu } = full;
  const [load1] = loadavg();
  const site = join(work, 'site');
  const written = filesUnder(site);
  console.log(`site build: ${stdout.trim()}`);
  console.log(`  time ${verdict(seconds, '<', 30, 's')}; CPU ${cpu.user} s user + ${cpu.system} s system; load average ${(load1 ?? 0).toFixed(1)} on ${availableParallelism()} cores`);
  console.log(`  peak memory ${maxRssMb.toFixed(0)} MB (RSS of the site build process)`);
  // The JSON window (real files for programs) grows with the builds of the last 14 days, not with the ledger: counted apart.
  const router = written.count - written.json.count;
  console.log(
    `  files written ${written.count.toLocaleString('en')}, ${(written.bytes / 1e6).toFixed(0)} MB in all: for people ${router.toLocaleString('en')} = ${verdict((router / builds) * 100, '<=', 1, '% of builds', 2)}, ` +
      `${((written.bytes - written.json.bytes) / 1e6).toFixed(0)} MB (at 1,000,000 builds before the columnar shards: 3,236 files, 463 MB; before the JSON window 414 MB); ` +
      `JSON window for programs ${written.json.count.toLocaleString('en')} files, ${(written.json.bytes / 1e6).toFixed(0)} MB`,
  );
  console.log(`  largest map shard ${(written.largestShard[1] / 1024).toFixed(0)} KiB (${written.largestShard[0]}); largest port file ${(written.largestBucket[1] / 1024).toFixed(0)} KiB`);

  // The same ledger again: the manifest says the site is this ledger's, so nothing is written.
  t = performance.now();
  const again = spawn(process.execPath, [join(root, 'controller', 'cli', 'main.ts'), 'site', 'build', '--ledger', ledger, '--out', site, '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let againOut = '';
  again.stdout.setEncoding('utf8').on('data', (text: string) => (againOut += text));
  const [againCode] = (await once(again, 'exit')) as [number];
  const unchangedSeconds = (performance.now() - t) / 1000;
  assert.equal(againCode, 0);
  assert.match(againOut, /^unchanged /);
  console.log(`  site build again on the same ledger: nothing written, ${unchangedSeconds.toFixed(1)} s (hashing the ledger)`);

  // New lines appended: the site is updated in place, only the files they touch written.
  let incremental: { builds: number; wallSeconds: number; cpuSeconds: number; peakMb: number; written: number; removed: number } | null = null;
  if (appended > 0) {
    writeFileSync(ledger, readFileSync(tail), { flag: 'a' });
    const update = await timedSiteBuild(ledger, site, config);
    const said = /updated in place for the appended lines in [\d.]+ s: (\d+) files written, (\d+) removed/.exec(update.stderr);
    assert.ok(said !== null, `site build did not update the site in place: ${update.stderr}`);
    incremental = {
      builds: appended,
      wallSeconds: Number(update.seconds.toFixed(1)),
      cpuSeconds: Number((update.cpu.user + update.cpu.system).toFixed(1)),
      peakMb: Math.round(update.maxRssMb),
      written: Number(said[1]),
      removed: Number(said[2]),
    };
    console.log(
      `  ${appended.toLocaleString('en')} builds appended, site updated in place: ${verdict(update.seconds, '<', 10, 's')} wall, CPU ${update.cpu.user} s user + ${update.cpu.system} s system, ` +
        `peak memory ${update.maxRssMb.toFixed(0)} MB, ${incremental.written.toLocaleString('en')} files written, ${incremental.removed.toLocaleString('en')} removed ` +
        `(the whole build above: ${seconds.toFixed(1)} s wall, ${(cpu.user + cpu.system).toFixed(1)} s CPU)`,
    );
  }

  const server = await serveSite(site);
  const browser = await launchChromium();
  const page = await browser.newPage();
  const times: number[] = [];
  const rand = random(5);
  for (const [i, { builder, number, id }] of sample.entries()) {
    // Mix the shapes readers follow: step logs (plain and /text), build pages, case variants, the action's id links.
    const shape = i % 5;
    const path =
      shape === 0 ? `/builders/${builder}/builds/${number}/steps/install-port/logs/stdio`
      : shape === 1 ? `/builders/${builder}/builds/${number}/steps/install-port/logs/stdio/text`
      : shape === 2 ? `/builders/${builder}/builds/${number}`
      : shape === 3 ? `/Builders/${builder.toUpperCase()}/builds/${number}/steps/install-port/logs/stdio/`
      : `/builds/${id}/steps/install-port/logs/stdio`;
    const expected = shape === 2 ? `${archive.url}/archive/${id}/index.html` : `${archive.url}/archive/${id}/install-port/stdio.txt.gz`;
    const started = performance.now();
    await page.goto(`${server.url}${path}?n=${Math.floor(rand() * 1000)}`, { waitUntil: 'commit' });
    await page.waitForURL((url) => url.href.startsWith(expected), { waitUntil: 'commit' });
    times.push(performance.now() - started);
  }
  await browser.close();
  await server.close();
  await archive.close();
  times.sort((a, b) => a - b);
  const peopleBytes = written.bytes - written.json.bytes;
  // The JSON window holds the last 14 days whatever the ledger's length; the rest grows with builds.
  const at5m = Math.round((written.perBuild / builds) * 5_000_000 + (written.bytes - written.perBuild));
  console.log(
    `  at 5,000,000 builds (extrapolated: map shards, range pages and build ids ${(written.perBuild / builds).toFixed(0)} bytes a build, ` +
      `the rest — port pages, builder pages, the 14-day JSON window — as now): ${verdict(at5m / 1e9, '<=', 1, ' GB', 2)}`,
  );
  const report = {
    bench: 'site',
    builds,
    date: new Date().toISOString(),
    load1: Number((load1 ?? 0).toFixed(1)),
    cores: availableParallelism(),
    files: { people: router, json: written.json.count, total: written.count },
    bytes: { people: peopleBytes, json: written.json.bytes, total: written.bytes },
    before: { builds: 1_000_000, peopleFiles: 3236, peopleBytes: 463e6, jsonFiles: 39_258, jsonBytes: 36e6, cpuSeconds: 41.4, peakMb: 681 },
    bytesAt5m: { bytes: at5m, how: 'extrapolated from this run: map shards, range pages and build-id buckets per build times 5,000,000, the rest (port files, builder pages, JSON window) as measured', perBuild: Math.round(written.perBuild / builds) },
    fullBuild: { wallSeconds: Number(seconds.toFixed(1)), cpuSeconds: Number((cpu.user + cpu.system).toFixed(1)), peakMb: Math.round(maxRssMb) },
    unchangedSeconds: Number(unchangedSeconds.toFixed(1)),
    // `--append` builds added to the site above, updated in place.
    incremental,
    largestShardBytes: written.largestShard[1],
    redirectMs: { p50: Math.round(percentile(times, 50)), p95: Math.round(percentile(times, 95)) },
  };
  console.log(
    `redirects in Chromium (legacy URL → archived log, ${times.length} random builds, served on 127.0.0.1): p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${percentile(times, 100).toFixed(0)} ms`,
  );
  if (flags.keep) console.log(`kept ${work}`);
  if (flags.json) console.log(JSON.stringify(report));
} finally {
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
}
