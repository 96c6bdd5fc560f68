import { migration0001 } from './0001-queue.ts';
import { migration0002 } from './0002-push-links.ts';
import { migration0003 } from './0003-github-deliveries.ts';
import { migration0004 } from './0004-port-failures.ts';
import { migration0005 } from './0005-port-list-intake.ts';
import { migration0006 } from './0006-check-tallies.ts';
import { migration0007 } from './0007-tally-origin.ts';

/** Numbered migrations, applied in order; only ever appended to (a shipped one never changes). */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  { version: 1, sql: migration0001 },
  { version: 2, sql: migration0002 },
  { version: 3, sql: migration0003 },
  { version: 4, sql: migration0004 },
  { version: 5, sql: migration0005 },
  { version: 6, sql: migration0006 },
  { version: 7, sql: migration0007 },
];
