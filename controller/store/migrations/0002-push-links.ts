/**
 * Push links (`before` → `after` of each push received, for ordering late deliveries) and the
 * per-delivery notes moved out of `meta`, both with their time so that old rows can be pruned.
 */
export const migration0002 = `
create table push_link (
  before text primary key,
  after text not null,
  received_at integer not null
) strict;
create index push_link_age on push_link (received_at);
create table delivery_note (
  key text primary key,
  build_id text not null,
  received_at integer not null
) strict;
create index delivery_note_age on delivery_note (received_at);
insert into delivery_note (key, build_id, received_at)
  select substr(key, length('delivery:') + 1), value, cast(unixepoch('subsec') * 1000 as integer) from meta where key like 'delivery:%';
delete from meta where key like 'delivery:%';
`;
