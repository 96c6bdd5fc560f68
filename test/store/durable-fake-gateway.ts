import { DatabaseSync } from 'node:sqlite';
import type { DispatchRequest, RunGateway, RunSummary } from '../../controller/queue/run-gateway.ts';

/**
 * A GitHub that outlives the controller: runs live in their own SQLite file, so a controller
 * killed with SIGKILL finds them again after restart, exactly like real workflow runs. No
 * uniqueness on build_id: a double dispatch must show up as two rows.
 */
export class DurableFakeGateway implements RunGateway {
  readonly db: DatabaseSync;
  /** Called at every I/O boundary, so a test can crash the process exactly there. */
  readonly #point: (name: string) => void;

  constructor(path: string, point: (name: string) => void = () => undefined) {
    this.#point = point;
    this.db = new DatabaseSync(path);
    this.db.exec(`pragma journal_mode = wal;
      create table if not exists runs (run_id integer primary key autoincrement, build_id text not null, kind text not null,
        port text, status text not null, conclusion text)`);
  }

  dispatch(request: DispatchRequest, _signal: AbortSignal): Promise<{ readonly runId: number }> {
    this.#point('before dispatch');
    const result = this.db
      .prepare(`insert into runs (build_id, kind, port, status) values (?, ?, ?, 'queued')`)
      .run(request.buildId, request.kind, request.port);
    this.#point('after dispatch');
    return Promise.resolve({ runId: Number(result.lastInsertRowid) });
  }

  cancel(runId: number, _signal: AbortSignal): Promise<{ readonly conclusion: string | null }> {
    this.#point('before cancel');
    this.db.prepare(`update runs set status = 'completed', conclusion = 'cancelled' where run_id = ? and status = 'queued'`).run(runId);
    this.#point('after cancel');
    const row = this.db.prepare(`select conclusion from runs where run_id = ?`).get(runId) as { conclusion: string | null } | undefined;
    return Promise.resolve({ conclusion: row?.conclusion ?? null });
  }

  listRuns(_since: Date, _signal: AbortSignal): Promise<readonly RunSummary[]> {
    return Promise.resolve(
      this.db
        .prepare('select run_id, build_id, status, conclusion from runs order by run_id')
        .all()
        .map((r) => ({
          runId: Number(r.run_id),
          buildId: String(r.build_id),
          status: r.status === 'queued' ? 'queued' : r.status === 'in_progress' ? 'in_progress' : 'completed',
          conclusion: r.conclusion === null ? null : String(r.conclusion),
          triggeredByApp: true,
        })),
    );
  }
}
