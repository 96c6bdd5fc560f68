import type { DatabaseSync } from 'node:sqlite';
import type { BuildersPlan, PlannedBuilder } from '../../queue/core/plan-builders.ts';
import { prepared } from './prepared.ts';

/** A list being turned into builders: its plan and the first item not queued yet. */
export interface IntakeRow {
  readonly plan: BuildersPlan;
  readonly next: number;
}

/** Keeps a list's plan from its acceptance on (one row; the items as one JSON text). */
export function insertIntake(db: DatabaseSync, plan: BuildersPlan, next: number): number {
  return Number(
    prepared(db, `insert into port_list_intake (origin, platform, seq, ports_revision, builder_class, pr_number, items, next) values (?, ?, ?, ?, ?, ?, ?, ?)`).run(
      plan.origin, plan.platform, plan.seq, plan.portsRevision, plan.builderClass, plan.prNumber, JSON.stringify(plan.items), next,
    ).changes,
  );
}

/** Moves the list's cursor from `from` to `to`; 0 rows when another writer moved it (the slice must not go down twice). */
export function advanceIntake(db: DatabaseSync, origin: string, from: number, to: number): number {
  return Number(prepared(db, `update port_list_intake set next = ? where origin = ? and next = ?`).run(to, origin, from).changes);
}

/** The list's last slice, from `from`, is down. */
export function deleteIntake(db: DatabaseSync, origin: string, from: number): number {
  return Number(prepared(db, `delete from port_list_intake where origin = ? and next = ?`).run(origin, from).changes);
}

function isItem(value: unknown): value is PlannedBuilder {
  return Array.isArray(value) && value.length === 3 && typeof value[0] === 'string' && typeof value[1] === 'number' && typeof value[2] === 'number';
}

/** Lists not yet wholly queued on a platform, oldest first. */
export function selectIntakes(db: DatabaseSync, platform: string): IntakeRow[] {
  return prepared(db, `select origin, platform, seq, ports_revision, builder_class, pr_number, items, next from port_list_intake where platform = ? order by seq`)
    .all(platform)
    .map((row) => {
      const items: unknown = JSON.parse(String(row.items));
      if (!Array.isArray(items) || !items.every(isItem)) throw new Error(`port list intake of ${String(row.origin)}: its items are not [port, listIndex, rank] triples; the state database is damaged`);
      return {
        plan: {
          origin: String(row.origin),
          platform: String(row.platform),
          seq: Number(row.seq),
          portsRevision: String(row.ports_revision),
          builderClass: Number(row.builder_class) === 1 ? 1 : 0,
          prNumber: row.pr_number === null ? null : Number(row.pr_number),
          items,
        },
        next: Number(row.next),
      };
    });
}
