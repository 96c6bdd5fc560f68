/**
 * The webhook deliveries join the state schema (the delivery store used to create its table
 * itself, so a database may or may not have it), with a `given-up` state and the retry
 * schedule's attempt count and next attempt, and an index on age so that old rows are pruned
 * with the push records. SQLite cannot change a CHECK in place: the table is rebuilt.
 */
export const migration0003 = `
create table if not exists github_deliveries (
  guid text primary key,
  event text not null,
  body text not null,
  received_at integer not null,
  state text not null,
  error text,
  retryable integer not null default 1
);
create table github_deliveries_v3 (
  guid text primary key,
  event text not null,
  body text not null,
  received_at integer not null,
  state text not null check (state in ('received', 'processed', 'failed', 'given-up')),
  error text,
  retryable integer not null default 1 check (retryable in (0, 1)),
  attempts integer not null default 0,
  next_attempt_at integer
) strict;
insert into github_deliveries_v3 (guid, event, body, received_at, state, error, retryable, attempts, next_attempt_at)
  select guid, event, body, received_at, state, error, retryable, case when state = 'failed' then 1 else 0 end, null from github_deliveries;
drop table github_deliveries;
alter table github_deliveries_v3 rename to github_deliveries;
create index github_deliveries_age on github_deliveries (received_at);
create index github_deliveries_retry on github_deliveries (next_attempt_at) where state = 'failed' and retryable = 1;
`;
