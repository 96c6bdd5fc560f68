import type { AddressInfo, Server } from 'node:net';

/** Starts `server` on `host:port` (0: any free port); rejects with the listen error (EADDRINUSE, EACCES) instead of crashing. */
export async function listenOn(server: Server, port: number, host: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
