/**
 * Which watcher's list a summary tally counts, and when it finished (flows/list-summaries.ts):
 * the tally begins in the transaction that accepts the list, and the same list handed over
 * again (the watcher retrying after a lost answer or a controller restart) leaves it as it is
 * instead of starting it over, even once every port finished: a finished tally keeps its row
 * (its ports go) for a while. Tallies begun before this migration have no origin (null).
 */
export const migration0007 = `
alter table list_summary add column origin text;
alter table list_summary add column finished_at integer;
`;
