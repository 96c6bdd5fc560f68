import type { BuildId } from '../model/build-id.ts';
import { VM_PREFIX } from './backends/vm-backend.ts';

const VM_NAME = /^portfarm-([a-z0-9][a-z0-9-]{0,39})-(\d{1,3})-([a-z0-9]{4})$/;

/**
 * The VM name is also the runner name, so a VM and its registration pair up by name after a
 * crash with no state file. The nonce keeps names unique across controller restarts (a
 * leftover registration named like a new runner would answer 409).
 */
export function vmName(buildId: BuildId, attempt: number, nonce: string): string {
  return `${VM_PREFIX}${buildId}-${attempt}-${nonce}`;
}

/** `portfarm-<buildId>-<attempt>-<nonce>` → its parts; undefined for names portfarm did not make. */
export function parseVmName(name: string): { readonly buildId: BuildId; readonly attempt: number } | undefined {
  const match = VM_NAME.exec(name);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { buildId: match[1], attempt: Number(match[2]) };
}

/** Four lowercase base-36 characters. */
export function randomNonce(): string {
  return Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
}
