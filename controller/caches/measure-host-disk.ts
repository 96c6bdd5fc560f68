import type { HostShell } from '../images/host-shell.ts';
import { quoteShell } from '../images/quote-shell.ts';
import type { HostRef } from '../runners/backends/vm-backend.ts';

/** `df -Pk PATH` (POSIX format, the same on macOS and Linux) → total and available bytes. */
export function parseDf(stdout: string): { readonly totalBytes: number; readonly freeBytes: number } {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  const fields = line.trim().split(/\s+/);
  const total = Number(fields[1]);
  const free = Number(fields[3]);
  if (fields.length < 6 || !Number.isFinite(total) || !Number.isFinite(free)) throw new Error(`df printed no POSIX line: ${JSON.stringify(line)}`);
  return { totalBytes: total * 1024, freeBytes: free * 1024 };
}

/** `du -sk PATH…` → bytes per path (a missing path counts 0). */
export function parseDu(stdout: string): ReadonlyMap<string, number> {
  const sizes = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^(\d+)\s+(.+)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) sizes.set(match[2], Number(match[1]) * 1024);
  }
  return sizes;
}

/**
 * Measures a host: free space of the filesystem holding `root`, and what each of portfarm's
 * folders holds. Note: du counts APFS clones (tart) at full size although they share blocks,
 * so `clones` over-states; df's free space is what admission decides on.
 */
export async function measureHostDisk(
  shell: HostShell,
  host: HostRef,
  paths: { readonly root: string; readonly folders: readonly string[] },
  signal: AbortSignal,
): Promise<{ readonly totalBytes: number; readonly freeBytes: number; readonly folders: ReadonlyMap<string, number> }> {
  const df = await shell.run(host, ['df', '-Pk', paths.root], signal);
  if (df.exitCode !== 0) throw new Error(`df on ${host.name} failed (exit ${df.exitCode}): ${df.stderr.trim()}`);
  const script = paths.folders.map((f) => `du -sk ${quoteShell(f)} 2>/dev/null || echo "0 ${f.replaceAll('"', '')}"`).join('\n');
  const du = paths.folders.length === 0 ? { exitCode: 0, stdout: '', stderr: '' } : await shell.run(host, ['/bin/sh', '-c', script], signal);
  return { ...parseDf(df.stdout), folders: parseDu(du.stdout) };
}
