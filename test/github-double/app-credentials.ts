import { generateKeyPairSync } from 'node:crypto';
import { importSPKI, jwtVerify } from 'jose';

/** A GitHub App's key pair as GitHub hands it out: the private key as a PKCS#1 PEM, like the downloaded `.pem`. */
export interface AppKeyPair {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

/** A fresh RSA key pair for a test App (2048 bits, as GitHub issues). */
export function createAppKeyPair(): AppKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Verifies an App JWT as GitHub does: RS256, signed by the App's key, `iss` the App id
 * (number or string), `iat`/`exp` present and at most 10 minutes apart. Returns the reason
 * it is refused, or undefined when it is good.
 */
export async function explainBadAppJwt(token: string, publicKeyPem: string, appId: number, now: Date): Promise<string | undefined> {
  try {
    const key = await importSPKI(publicKeyPem, 'RS256');
    const { payload } = await jwtVerify(token, key, { algorithms: ['RS256'], currentDate: now, clockTolerance: 60 });
    if (String(payload.iss) !== String(appId)) return `'Issuer' claim ('iss') must be the App id ${appId}, was ${String(payload.iss)}`;
    if (payload.iat === undefined || payload.exp === undefined) return "'iat' and 'exp' claims are required";
    if (payload.exp - payload.iat > 600 + 60) return "'Expiration time' claim ('exp') is too far in the future";
    return undefined;
  } catch (err) {
    return `A JSON web token could not be decoded (${err instanceof Error ? err.message : String(err)})`;
  }
}
