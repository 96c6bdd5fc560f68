// The ETA's worker thread (started by ProjectionThread): projects platform queues off the
// controller's event loop. It keeps the last ports graph it was sent; a job names its graph.
import { parentPort } from 'node:worker_threads';
import type { PortsGraph } from '../ports/ports-graph.ts';
import { runProjectionJob } from './projection-job.ts';
import type { WorkerReply, WorkerRequest } from './projection-thread.ts';

const port = parentPort;
if (port === null) throw new Error('projection-worker.ts runs as a worker thread (ProjectionThread starts it)');

let graph: { readonly id: number; readonly graph: PortsGraph | null } | undefined;

port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    if (request.graph !== undefined) graph = { id: request.graphId, graph: request.graph };
    if (graph?.id !== request.graphId) throw new Error(`projection worker has graph ${String(graph?.id)}, the job needs ${String(request.graphId)}`);
    reply = { seq: request.seq, runs: runProjectionJob(request.job, graph.graph) };
  } catch (caught) {
    reply = { seq: request.seq, error: caught instanceof Error ? (caught.stack ?? caught.message) : String(caught) };
  }
  port.postMessage(reply);
});
