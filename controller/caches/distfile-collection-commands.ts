import { DISTFILES_MARKER } from '../images/create-image-recipe.ts';
import { quoteShell } from '../images/quote-shell.ts';

/** The distfiles folder in a build VM (MacPorts in /opt/local, as the image recipe installs it). */
export const VM_DISTFILES_DIR = '/opt/local/var/macports/distfiles';

/** In the VM: the distfiles newer than the image's marker, i.e. fetched by this build (one relative path a line). */
export function listFetchedDistfilesArgv(): readonly string[] {
  return ['/bin/sh', '-eu', '-c', `cd ${VM_DISTFILES_DIR} && find . -type f -newer ${DISTFILES_MARKER} ! -name '.*' | sed 's|^\\./||' | sort`];
}

/** `find` output → relative paths (blank lines dropped; safety is checked by the plan). */
export function parseFetchedDistfiles(stdout: string): readonly string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/**
 * In the VM: upload each planned file to the cache server under a one-collection grant. The
 * grant decides the destination (mirror or this build's quarantine) on the server side; the VM
 * only ever holds an upload token that cannot write anywhere else. A file the server refuses
 * (HTTP error: curl exit 22; the server has counted and logged why) does not stop the others;
 * any other curl failure (network) fails the collection so it is retried.
 */
export function uploadDistfilesArgv(files: readonly string[], uploadUrl: string): readonly string[] {
  const base = uploadUrl.endsWith('/') ? uploadUrl : `${uploadUrl}/`;
  const lines = files.map((f) => {
    const from = quoteShell(`${VM_DISTFILES_DIR}/${f}`);
    return `rc=0; curl -fsS --retry 2 -T ${from} ${quoteShell(`${base}${f}`)} || rc=$?; if [ "$rc" -eq 22 ]; then echo ${quoteShell(`refused by the cache server: ${f}`)} >&2; elif [ "$rc" -ne 0 ]; then exit "$rc"; fi`;
  });
  return ['/bin/sh', '-eu', '-c', lines.join('\n')];
}
