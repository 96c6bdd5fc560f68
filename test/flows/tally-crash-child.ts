/**
 * The controller's side of a long list, in its own process so it can die at a crash point
 * (PORTFARM_CRASH_AT: list-accepted, ledger-written#<n>): a watcher hands over 60 ports, its
 * run is recorded, then its builders build and are recorded one by one, the summary flushed
 * after each. argv: <dir> (state.db and ledger.ndjson there outlive the process).
 */
import { buildPorts, finishWatcher, handOver, openTallyRig, startWatcher } from './tally-crash-rig.ts';

const rig = openTallyRig(process.argv[2] ?? '');
const watcher = await startWatcher(rig);
process.stdout.write(`${JSON.stringify({ watcher })}\n`);
await handOver(rig, watcher);
await finishWatcher(rig, watcher);
await buildPorts(rig);
process.stdout.write('no crash\n');
