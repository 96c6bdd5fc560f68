import { readFile } from 'node:fs/promises';
import { coerceError } from '../errors/coerce-error.ts';
import { UserError } from '../errors/user-error.ts';
import { createPortsGraph } from './create-ports-graph.ts';
import { parsePortsJson } from './parse-ports-json.ts';
import type { PortsGraph } from './ports-graph.ts';

/** Reads and validates a ports.json (the full data set or a trimmed fixture) into a graph. */
export async function loadPortsGraph(path: string, signal?: AbortSignal): Promise<PortsGraph> {
  let text: string;
  try {
    text = await readFile(path, signal === undefined ? { encoding: 'utf8' } : { encoding: 'utf8', signal });
  } catch (caught) {
    const error = coerceError(caught);
    if (error.name === 'AbortError') throw error;
    throw new UserError(`cannot read ports file ${path}; pass the ports.json of the MacPorts data set to --ports`, { cause: error });
  }
  return createPortsGraph(parsePortsJson(text, path));
}
