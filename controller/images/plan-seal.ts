import type { BackendName } from '../config/config-schema.ts';
import { UserError } from '../errors/user-error.ts';
import { quoteShell as q } from './quote-shell.ts';
import type { RecipeStep } from './recipe-step.ts';

export interface SealRequest {
  readonly backend: BackendName;
  /** The prepared VM. */
  readonly vmId: string;
  /** `15_arm64-base@v3`. */
  readonly imageName: string;
  /** libvirt: folder of the read-only base images on the host. */
  readonly imagesDir: string;
  /** libvirt connection URI. */
  readonly libvirtUri: string;
}

/** Where a sealed libvirt base lives: `<imagesDir>/<imageName>.qcow2`. */
export function libvirtBasePath(imagesDir: string, imageName: string): string {
  return `${imagesDir.replace(/\/+$/, '')}/${imageName}.qcow2`;
}

/**
 * Sealing as host-side check/apply steps (run with `/bin/sh -eu -c` on the VM's host):
 *  - tart: stop the VM (tart stop succeeds on a stopped VM) and clone it to the versioned name;
 *    portfarm only ever clones from that name, never boots it, so it stays as sealed.
 *  - libvirt: power the domain off, flatten its disk (whatever backing chain it has) into one
 *    standalone qcow2, mode 0444; VMs get copy-on-write overlays on top of it.
 * A rerun skips a seal that is already done; a half-written base never has the final name.
 */
export function planSeal(request: SealRequest): readonly RecipeStep[] {
  const { vmId, imageName } = request;
  switch (request.backend) {
    case 'tart':
      return [
        {
          id: 'seal-tart',
          title: `seal ${vmId} as the tart image ${imageName}`,
          check: `tart get ${q(imageName)} >/dev/null 2>&1`,
          apply: [`tart stop ${q(vmId)}`, `tart clone ${q(vmId)} ${q(imageName)}`].join('\n'),
          manual: null,
        },
      ];
    case 'libvirt': {
      const base = libvirtBasePath(request.imagesDir, imageName);
      const virsh = `virsh -c ${q(request.libvirtUri)}`;
      return [
        {
          id: 'stop-vm',
          title: `power off ${vmId}`,
          check: `test "$(${virsh} domstate ${q(vmId)})" != running`,
          apply: `${virsh} destroy ${q(vmId)}`,
          manual: null,
        },
        {
          id: 'seal-qcow2',
          title: `flatten the disk of ${vmId} into the read-only base ${base}`,
          check: `test -f ${q(base)} && test "$(stat -c %a ${q(base)})" = 444 && qemu-img check -q ${q(base)}`,
          apply: [
            `disk="$(${virsh} domblklist ${q(vmId)} --details | awk '$1 == "file" && $2 == "disk" { print $4; exit }')"`,
            'test -n "$disk"',
            `mkdir -p ${q(request.imagesDir)}`,
            `rm -f ${q(`${base}.tmp`)}`,
            `qemu-img convert -O qcow2 "$disk" ${q(`${base}.tmp`)}`,
            `chmod 0444 ${q(`${base}.tmp`)}`,
            `mv -f ${q(`${base}.tmp`)} ${q(base)}`,
          ].join('\n'),
          manual: null,
        },
      ];
    }
    case 'orchard':
    case 'fake':
      throw new UserError(
        `backend ${request.backend} cannot seal images: prepare on a tart or libvirt host ` +
          '(an Orchard worker is a tart host; push the sealed tart image to the registry Orchard pulls from)',
      );
  }
}

/** Deleting a garbage-collected image version on its host. */
export function planImageDelete(request: Omit<SealRequest, 'vmId'>): RecipeStep {
  switch (request.backend) {
    case 'tart':
      return {
        id: 'delete-tart',
        title: `delete the tart image ${request.imageName}`,
        check: `! tart get ${q(request.imageName)} >/dev/null 2>&1`,
        apply: `tart delete ${q(request.imageName)}`,
        manual: null,
      };
    case 'libvirt': {
      const base = libvirtBasePath(request.imagesDir, request.imageName);
      return { id: 'delete-qcow2', title: `delete ${base}`, check: `test ! -e ${q(base)}`, apply: `rm -f ${q(base)}`, manual: null };
    }
    case 'orchard':
    case 'fake':
      throw new UserError(`backend ${request.backend} holds no sealed images portfarm can delete`);
  }
}
