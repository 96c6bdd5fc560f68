import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPortsGraph } from '../../controller/ports/create-ports-graph.ts';
import { expandSubports } from '../../controller/ports/expand-subports.ts';
import { loadPortsGraph } from '../../controller/ports/load-ports-graph.ts';
import { UserError } from '../../controller/errors/user-error.ts';
import { port } from '../queue/queue-helpers.ts';

const fixture = new URL('../fixtures/macports/ports.json', import.meta.url).pathname;

test('the vendored fixture loads: every dependency has a lower rank (the build graph is acyclic)', async () => {
  const graph = await loadPortsGraph(fixture);
  assert.equal(graph.names.length > 1000, true);
  assert.deepEqual(graph.cycles, []);
  graph.deps.forEach((deps, id) => {
    for (const dep of deps) assert.ok((graph.rank[dep] ?? 0) < (graph.rank[id] ?? 0), `${graph.names[dep] ?? ''} before ${graph.names[id] ?? ''}`);
  });
});

test('cycles are reported with their members in build order, independent of input order', () => {
  const entries = [port('r-x', ['r-y']), port('r-y', ['r-z']), port('r-z', ['r-x']), port('base'), port('top', ['r-y', 'base'])];
  const one = createPortsGraph(entries);
  const two = createPortsGraph([...entries].reverse());
  assert.deepEqual(one.cycles, [['r-x', 'r-y', 'r-z']]);
  assert.deepEqual(two.cycles, [['r-x', 'r-y', 'r-z']]);
  const order = (g: typeof one): string[] => [...g.names].sort((a, b) => (g.rank[g.ids.get(a) ?? 0] ?? 0) - (g.rank[g.ids.get(b) ?? 0] ?? 0));
  assert.deepEqual(order(one), order(two));
  assert.deepEqual(order(one).slice(-1), ['top']);
});

test('names resolve case-insensitively, unknown deps are listed, subports expand in build order', () => {
  const graph = createPortsGraph([port('py-foo', ['Python313', 'gone-port'], ['py313-foo']), port('python313')]);
  // A subport without its own evaluation has the main port's deps (as MacPorts evaluates it).
  assert.deepEqual(graph.unknownDeps, [
    { port: 'py-foo', dep: 'gone-port' },
    { port: 'py313-foo', dep: 'gone-port' },
  ]);
  assert.deepEqual(expandSubports(graph, ['PY-FOO', 'brand-new']), ['py-foo', 'py313-foo', 'brand-new']);
});

test('malformed ports files are refused with the file, the entry and the fix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'portfarm-ports-'));
  const cases: [string, string][] = [
    ['{"name":', 'is not valid JSON; pass the ports.json of the MacPorts data set'],
    ['{"name":"x"}', 'the top level Invalid input: expected array, received object; expected an array of {name, subports, depends, subport_depends} objects (see data README)'],
    ['[{"name":"ok","depends":{}},{"subports":[]}]', 'entry 1.name Invalid input: expected string, received undefined; expected an array of {name, subports, depends, subport_depends} objects (see data README)'],
    ['[{"name":"../etc","depends":{}}]', 'entry 0: port name "../etc" contains "/"; give the port\'s name (e.g. curl), not its path'],
  ];
  for (const [i, [text, message]] of cases.entries()) {
    const path = join(dir, `bad-${String(i)}.json`);
    writeFileSync(path, text);
    await assert.rejects(loadPortsGraph(path), (e: unknown) => e instanceof UserError && e.message === `${path}${message.startsWith('is') ? ' ' : ': '}${message}`);
  }
  await assert.rejects(loadPortsGraph(join(dir, 'missing.json')), /cannot read ports file .*missing\.json; pass the ports\.json of the MacPorts data set to --ports/);
});
