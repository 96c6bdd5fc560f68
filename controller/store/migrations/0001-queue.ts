/**
 * The reorder queue: one row per build (history included; finished rows stay for audit).
 * The partial unique index is the "never two builds of one port queued" rule in the schema.
 */
export const migration0001 = `
create table queue_entry (
  build_id text primary key,
  platform text not null,
  kind text not null check (kind in ('watcher', 'builder', 'pr-watcher', 'pr-builder')),
  port text,
  ports_revision text not null,
  state text not null check (state in ('pending', 'dispatched', 'started', 'finished')),
  seq integer not null,
  enqueued_at integer not null,
  changed_ports text,
  force integer not null check (force in (0, 1)),
  pr_number integer,
  origin text,
  list_index integer not null,
  rank real not null,
  builder_class integer not null check (builder_class in (0, 1)),
  head integer not null check (head in (0, 1)),
  run_id integer,
  dispatched_at integer,
  started_at integer,
  finished_at integer,
  result text check (result in ('success', 'failure', 'cancelled')),
  list_accepted integer not null default 0,
  cancel_requested integer not null default 0
) strict;
create index queue_entry_open on queue_entry (platform, state) where state <> 'finished';
create unique index queue_entry_one_pending_port on queue_entry (platform, coalesce(pr_number, -1), lower(port))
  where state = 'pending' and port is not null;
create table platform_state (
  platform text primary key,
  master_since_last_pr integer not null
) strict;
create table meta (
  key text primary key,
  value text not null
) strict;
`;
