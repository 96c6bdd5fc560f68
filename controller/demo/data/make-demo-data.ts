// Regenerates the demo's vendored slice of real MacPorts data (commits + the ports they touch)
// from the full data set. Run: npx node controller/demo/data/make-demo-data.ts [DATA_DIR] [COMMITS]
// The output is committed; `npm start` never reads outside the repository.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Commit { readonly sha: string; readonly time: string; readonly ports: readonly string[]; readonly files_changed: number }
interface PortEntry { readonly name: string; readonly subports: readonly string[] }

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.argv[2] ?? join(here, '..', '..', '..', '..', 'shared', 'data', 'macports');
const count = Number(process.argv[3] ?? '80');

const commits = readFileSync(join(dataDir, 'commits.ndjson'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .slice(0, count)
  .map((line) => JSON.parse(line) as Commit);
const ports = JSON.parse(readFileSync(join(dataDir, 'ports.json'), 'utf8')) as PortEntry[];
const byName = new Map(ports.map((p) => [p.name.toLowerCase(), p]));
const wanted = new Set(commits.flatMap((c) => c.ports.map((p) => p.toLowerCase())));
const subset = ports.filter((p) => wanted.has(p.name.toLowerCase()));
const missing = [...wanted].filter((name) => !byName.has(name));

writeFileSync(join(here, 'commits.ndjson'), commits.map((c) => JSON.stringify(c)).join('\n') + '\n');
writeFileSync(join(here, 'ports.json'), JSON.stringify(subset) + '\n');
process.stderr.write(
  `wrote ${commits.length} commits (${commits.at(-1)?.time ?? '?'} .. ${commits[0]?.time ?? '?'}) and ${subset.length} ports` +
    `${missing.length > 0 ? `; not in ports.json (removed since): ${missing.join(', ')}` : ''}\n`,
);
