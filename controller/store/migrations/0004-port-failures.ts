/**
 * The lane of a dispatched run (its concurrency group, platforms[].parallelBuilds), and the
 * ports whose last build on a platform failed: their dependents are held as blocked until
 * they build (docs/scheduling.md), and a restart must not forget that and hand the dependents
 * a VM each. One row per platform and port (lower case); a success deletes it.
 */
export const migration0004 = `
alter table queue_entry add column lane integer;
create table port_failure (
  platform text not null,
  port text not null,
  name text not null,
  ports_revision text not null,
  build_id text not null,
  primary key (platform, port)
) strict;
`;
