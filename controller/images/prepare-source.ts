import { UserError } from '../errors/user-error.ts';

/** What `--from` names: a VM to prepare in place, or an image to clone a preparation VM from. */
export interface PrepareSource {
  readonly kind: 'vm' | 'image';
  readonly name: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:/-]{0,127}$/;

/** `vm:NAME` or `image:NAME`; a bare NAME is an image (the usual case: a fresh macOS install). */
export function parsePrepareSource(text: string): PrepareSource {
  const match = /^(vm|image):(.*)$/.exec(text);
  const kind = match?.[1] === 'vm' ? 'vm' : 'image';
  const name = match?.[2] ?? text;
  if (!NAME.test(name)) {
    throw new UserError(`--from ${JSON.stringify(text)} is not a VM or image name; use vm:<name> for a running VM or image:<name> (or just <name>) for an image to clone`);
  }
  return { kind, name };
}

/** The VM prepare clones for itself. Not `portfarm-…`: the runner manager reaps those as orphans. */
export function preparationVmId(platform: string, version: number): string {
  return `imageprep-${platform}-v${version}`;
}
