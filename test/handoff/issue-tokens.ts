import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { JWTPayload } from 'jose';

/** The GitHub double's id for macports/macports-ports: what a `ports` job's token says as `repository_id`. */
export const REPOSITORY_ID = 4242_0001;

/**
 * A stand-in for GitHub's OIDC issuer on 127.0.0.1: a key pair, its JWKS served over HTTP at
 * `/.well-known/jwks`, and tokens with the claims a `ports` job's token carries.
 */
export async function startTokenIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'portfarm-test-key', alg: 'RS256', use: 'sig' };
  let jwksRequests = 0;
  let jwksFailures = 0;
  const server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks') {
      jwksRequests += 1;
      if (jwksFailures > 0) {
        // An outage at the issuer: GitHub's JWKS endpoint answering 5xx.
        jwksFailures -= 1;
        response.writeHead(500, { 'content-type': 'text/plain' }).end('internal server error');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    response.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    repository: 'macports/macports-ports',
    repository_id: String(REPOSITORY_ID),
    repository_owner: 'macports',
    ref: 'refs/heads/master',
    sha: '70b44a41bbbb627007b18ae0551cddb24c009bf2',
    run_id: '9100200300',
    run_attempt: '1',
    event_name: 'workflow_dispatch',
    workflow: 'ports',
    workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master',
    job_workflow_ref: 'macports/macports-ports/.github/workflows/ports.yml@refs/heads/master',
    runner_environment: 'self-hosted',
    ...overrides,
  });

  /** A signed token; `expiresInSeconds` negative makes an expired one, `notBeforeInSeconds` positive one not valid yet. */
  const issue = async (options: { audience?: string; issuer?: string; expiresInSeconds?: number; notBeforeInSeconds?: number; claims?: JWTPayload; key?: CryptoKey } = {}): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    const expires = now + (options.expiresInSeconds ?? 300);
    return new SignJWT(claims(options.claims))
      .setProtectedHeader({ alg: 'RS256', kid: 'portfarm-test-key', typ: 'JWT' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? 'portfarm')
      .setSubject('repo:macports/macports-ports:ref:refs/heads/master')
      .setIssuedAt(Math.min(now, expires - 60))
      .setNotBefore(options.notBeforeInSeconds === undefined ? Math.min(now, expires - 60) : now + options.notBeforeInSeconds)
      .setExpirationTime(expires)
      .sign(options.key ?? privateKey);
  };

  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks`,
    issue,
    jwksRequests: () => jwksRequests,
    /** The next `times` JWKS requests answer 500. */
    failJwks: (times: number) => {
      jwksFailures = times;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => {
          done();
        });
      }),
  };
}
