/**
 * A watcher's long list (a forced rebuild: 41,548 ports) is turned into builders in slices of
 * their own transactions, so the controller's event loop is never held for the whole list. The
 * plan (every builder to queue, in order) is kept here from the moment the list is accepted
 * until its last slice is down; `next` is the first item not queued yet, advanced in the same
 * transaction as each slice, so a restart resumes there: nothing lost, nothing queued twice.
 */
export const migration0005 = `
create table port_list_intake (
  origin text primary key,
  platform text not null,
  seq integer not null,
  ports_revision text not null,
  builder_class integer not null,
  pr_number integer,
  items text not null,
  next integer not null
) strict;
`;
