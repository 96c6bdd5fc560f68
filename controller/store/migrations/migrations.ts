import { migration0001 } from './0001-queue.ts';

/** Numbered migrations, applied in order; only ever appended to (a shipped one never changes). */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [{ version: 1, sql: migration0001 }];
