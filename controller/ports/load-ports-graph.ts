import { readTextFile } from '../io/read-text-file.ts';
import { createPortsGraph } from './create-ports-graph.ts';
import { parsePortsJson } from './parse-ports-json.ts';
import type { PortsGraph } from './ports-graph.ts';

/** Reads and validates a ports.json (the full data set or a trimmed fixture) into a graph. */
export async function loadPortsGraph(path: string, signal?: AbortSignal): Promise<PortsGraph> {
  const text = await readTextFile(path, 'ports file', 'pass the ports.json of the MacPorts data set to --ports', signal);
  return createPortsGraph(parsePortsJson(text, path));
}
