import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from './write-json-atomic.ts';

const progressSchema = z.strictObject({
  platform: z.string(),
  version: z.int().positive(),
  from: z.string(),
  vmId: z.string(),
  /** True when prepare cloned the VM itself (and so destroys it after sealing). */
  ownsVm: z.boolean(),
  cloned: z.boolean(),
  phase: z.enum(['recipe', 'sealing', 'sealed']),
  steps: z.record(z.string(), z.enum(['skipped', 'applied', 'failed'])),
  startedAt: z.string(),
  updatedAt: z.string(),
});

/** How far one `image prepare` got: what a rerun resumes from (the same VM and version). */
export type PrepareProgress = z.infer<typeof progressSchema>;

export function prepareProgressPath(stateDir: string, platform: string): string {
  return join(stateDir, 'image-prepare', `${platform}.json`);
}

export function readPrepareProgress(path: string): PrepareProgress | null {
  if (!existsSync(path)) return null;
  const parsed = progressSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`prepare progress ${path} is unreadable (${parsed.error.message}); delete it to start over`);
  return parsed.data;
}

export function writePrepareProgress(path: string, progress: PrepareProgress): void {
  writeJsonAtomic(path, progress);
}

export function clearPrepareProgress(path: string): void {
  rmSync(path, { force: true });
}
