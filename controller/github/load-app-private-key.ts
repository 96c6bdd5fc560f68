import { readFileSync } from 'node:fs';
import { UserError } from '../errors/user-error.ts';

/** Reads the App's `.pem`; a missing or non-PEM file is a user error with the fix in the message. */
export function loadAppPrivateKey(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read the GitHub App private key at ${path}; download it from the App's settings (Private keys → Generate) and set github.privateKeyPath`, { cause: err });
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(text)) {
    throw new UserError(`${path} is not a PEM private key (no "-----BEGIN RSA PRIVATE KEY-----" line); give github.privateKeyPath the .pem GitHub generated for the App`);
  }
  return text;
}
