import { z } from 'zod';
import { PLATFORM_NAME } from '../model/platform-name.ts';

const VERSION = /^\d+\.\d+\.\d+$/;

/**
 * What the image recipe needs to know, validated once at the CLI boundary. Versions and the
 * runner checksum are required rather than defaulted: a default runner version would be
 * refused by GitHub about 30 days after the next release, and a checksum cannot be guessed.
 */
export const recipeSettingsSchema = z.strictObject({
  platform: z.string().regex(PLATFORM_NAME, { error: 'is not a platform name; use e.g. 15_arm64 or 10.15_x86_64' }),
  runnerVersion: z.string().regex(VERSION, {
    error: 'must be an actions/runner release like 2.330.0 (https://github.com/actions/runner/releases); pass --runner-version',
  }),
  runnerSha256: z.string().regex(/^[0-9a-f]{64}$/, {
    error: 'must be the SHA-256 (64 lowercase hex digits) the actions/runner release notes list for the osx tarball; pass --runner-sha256',
  }),
  macportsVersion: z.string().regex(VERSION, {
    error: 'must be a MacPorts release like 2.11.5 (a tag v<version> of macports/macports-base); pass --macports-version',
  }),
  mirrorUrl: z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the farm mirror, e.g. http://mirror.local:8081/; pass --mirror-url' }),
  toolsPrefix: z.string().regex(/^\/[A-Za-z0-9/_.-]+$/).default('/opt/bblocal'),
  prefix: z.string().regex(/^\/[A-Za-z0-9/_.-]+$/).default('/opt/local'),
  runnerUser: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/).default('runner'),
  /** Below 500 keeps the account off the login window; 550 is unused on a fresh macOS. */
  runnerUid: z.int().min(200).max(60000).default(550),
});

export type RecipeSettings = z.infer<typeof recipeSettingsSchema>;

/** The actions/runner tarball architecture for a platform; GitHub ships no runner for i386 or ppc. */
export function runnerArch(platform: string): 'osx-arm64' | 'osx-x64' | null {
  if (platform.includes('_arm64')) return 'osx-arm64';
  if (platform.includes('_x86_64')) return 'osx-x64';
  return null;
}
