/**
 * What the summary checks count and how many failure checks each commit has, kept across a
 * restart (flows/list-summaries.ts, flows/check-publishing.ts): a summary check goes on from
 * "12,345 of 41,548 built" instead of starting from zero, and a commit's failure checks stay
 * under `checks.failureChecksPerCommit` whatever restarts came between them.
 */
export const migration0006 = `
create table list_summary (
  head_sha text not null,
  platform text not null,
  forced integer not null,
  changed_at integer not null,
  sent_at integer,
  dirty integer not null,
  primary key (head_sha, platform)
) strict;
create table list_summary_port (
  head_sha text not null,
  platform text not null,
  port text not null,
  state text not null,
  failing_phase text,
  log_url text,
  primary key (head_sha, platform, port)
) strict, without rowid;
create table failure_check (
  head_sha text not null,
  external_id text not null,
  primary key (head_sha, external_id)
) strict, without rowid;
`;
