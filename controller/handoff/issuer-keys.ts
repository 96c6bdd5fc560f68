import { createRemoteJWKSet, errors } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { coerceError } from '../model/coerce-error.ts';

/**
 * The issuer's keys could not be had (its JWKS answered 5xx or garbage, timed out, or the
 * network failed): the controller's problem for a while, not the token's, so the hand-off
 * answers 503 and the watcher retries instead of failing for good.
 */
export class IssuerKeysUnavailable extends Error {
  constructor(jwksUrl: string, cause: Error) {
    super(`could not fetch the issuer's keys from ${jwksUrl}: ${cause.message}`, { cause });
    this.name = 'IssuerKeysUnavailable';
  }
}

/**
 * What a key lookup says about the token itself: its `kid` or `alg` matches no key the issuer
 * published. Everything else a lookup throws is about reaching the issuer.
 */
function blamesTheToken(error: Error): boolean {
  return error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported;
}

/**
 * The key lookup `jwtVerify` uses, from the issuer's JWKS (cached by jose), with every failure
 * to get the keys turned into `IssuerKeysUnavailable`: jose reports a JWKS 5xx as a plain
 * JOSEError, indistinguishable from a bad signature without this.
 */
export function issuerKeys(jwksUrl: string, lookup: JWTVerifyGetKey = createRemoteJWKSet(new URL(jwksUrl))): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await lookup(header, token);
    } catch (caught) {
      const error = coerceError(caught);
      if (blamesTheToken(error)) throw error;
      throw new IssuerKeysUnavailable(jwksUrl, error);
    }
  };
}
