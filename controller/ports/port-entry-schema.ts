import { z } from 'zod';

const depList = z.array(z.string());
const depends = z.object({
  fetch: depList.default([]),
  extract: depList.default([]),
  patch: depList.default([]),
  build: depList.default([]),
  lib: depList.default([]),
  run: depList.default([]),
});

/** The fields of one `ports.json` object the scheduler uses; other fields are allowed and ignored. */
export const portEntrySchema = z.object({
  name: z.string().min(1),
  subports: z.array(z.string().min(1)).default([]),
  depends,
  subport_depends: z.record(z.string(), depends).default({}),
});

export type PortEntry = z.infer<typeof portEntrySchema>;
export type PortDepends = PortEntry['depends'];

/** The dependency kinds that order builds (test deps do not: MacPorts builds without them). */
export const BUILD_DEP_KINDS = ['fetch', 'extract', 'patch', 'build', 'lib', 'run'] as const;
