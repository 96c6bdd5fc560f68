import { execa } from 'execa';

/** A small real qcow2 base image (qemu-img, Debian qemu-utils). */
export async function createQcow2Base(path: string): Promise<void> {
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', path, '64M']);
}
