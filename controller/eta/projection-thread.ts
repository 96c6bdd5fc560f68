import { Worker } from 'node:worker_threads';
import type { PortsGraph } from '../ports/ports-graph.ts';
import type { ProjectionJob } from './projection-job.ts';
import type { ProjectedRun } from './project-queue.ts';

/** Projects a job away from the caller's event loop (ProjectionThread; a test may give its own). */
export interface QueueProjector {
  project(job: ProjectionJob, graph: PortsGraph | null): Promise<ProjectedRun[]>;
  close(): Promise<void>;
}

export interface WorkerRequest {
  readonly seq: number;
  readonly graphId: number;
  /** Sent only when the worker does not have this graph yet. */
  readonly graph?: PortsGraph | null;
  readonly job: ProjectionJob;
}

export type WorkerReply = { readonly seq: number; readonly runs: ProjectedRun[]; readonly error?: undefined } | { readonly seq: number; readonly error: string; readonly runs?: undefined };

interface Waiting {
  readonly resolve: (runs: ProjectedRun[]) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A worker thread for the ETA's projections: a full rebuild's queue (40,000 builds) takes a
 * second or two to project, which the controller's event loop must not wait through. The job is
 * copied to the worker (structured clone) and the runs come back; the ports graph goes once per
 * graph. A worker that dies fails the jobs it held and is started again for the next one.
 */
export class ProjectionThread implements QueueProjector {
  #worker: Worker | undefined;
  #workerGraph: PortsGraph | null | undefined;
  readonly #graphIds = new WeakMap<PortsGraph, number>();
  #nextGraphId = 1;
  #seq = 0;
  readonly #waiting = new Map<number, Waiting>();
  #closed = false;

  async project(job: ProjectionJob, graph: PortsGraph | null): Promise<ProjectedRun[]> {
    if (this.#closed) throw new Error('the ETA projection thread is closed');
    const worker = this.#start();
    const seq = ++this.#seq;
    const graphId = this.#graphId(graph);
    const request: WorkerRequest = { seq, graphId, job, ...(this.#workerGraph === graph ? {} : { graph }) };
    const answer = new Promise<ProjectedRun[]>((resolve, reject) => this.#waiting.set(seq, { resolve, reject }));
    worker.postMessage(request);
    // Held while a job is out, so the process lives to read the answer; idle, it keeps nothing alive.
    worker.ref();
    this.#workerGraph = graph;
    return answer;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
    this.#fail(new Error('the ETA projection thread was closed'));
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(new URL('./projection-worker.ts', import.meta.url));
    // The controller's exit must not wait for it.
    worker.unref();
    worker.on('message', (reply: WorkerReply) => {
      const waiting = this.#waiting.get(reply.seq);
      if (waiting === undefined) return;
      this.#waiting.delete(reply.seq);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.error === undefined) waiting.resolve(reply.runs);
      else waiting.reject(new Error(`ETA projection failed in its worker: ${reply.error}`));
    });
    const gone = (error: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#workerGraph = undefined;
      this.#fail(error);
    };
    worker.on('error', gone);
    worker.on('exit', (code) => { gone(new Error(`the ETA projection worker exited (code ${String(code)})`)); });
    this.#worker = worker;
    this.#workerGraph = undefined;
    return worker;
  }

  #graphId(graph: PortsGraph | null): number {
    if (graph === null) return 0;
    let id = this.#graphIds.get(graph);
    if (id === undefined) {
      id = this.#nextGraphId++;
      this.#graphIds.set(graph, id);
    }
    return id;
  }

  #fail(error: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(error);
  }
}
