import { execa } from 'execa';
import { requireTestPart } from '../setup/require-test-part.ts';

/** A small real qcow2 base image (qemu-img, Debian qemu-utils). */
export async function createQcow2Base(path: string): Promise<void> {
  await execa(requireTestPart('qemu-img'), ['create', '-q', '-f', 'qcow2', path, '64M']);
}
