import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Where the OS takes the local ports of outgoing connections (and of `listen(0)`) from. */
function ephemeralLow(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && Number.isInteger(low) && low > 11_000) return low;
  } catch {
    // Not Linux: macOS and the BSDs start theirs at 49152, the IANA range.
  }
  return 32_768;
}

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => { resolve(null); });
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => { resolve(typeof address === 'object' && address !== null ? address.port : null); });
    });
  });
}

/**
 * A TCP port on loopback that nothing listens on right now, for a server whose URL must be known
 * before it starts (and that may start again on it after a crash). It is taken below the OS's
 * range for outgoing connections: a port from that range (what `listen(0)` gives) can be handed
 * to any client socket between this answer and the server's listen, which failed a test farm's
 * start with EADDRINUSE. Falls back to a port the OS picks when 200 tries find none free.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let i = 0; i < 200; i += 1) {
    const candidate = 10_000 + Math.floor(Math.random() * (low - 10_000));
    const port = await tryListen(candidate);
    if (port !== null) return port;
  }
  const any = await tryListen(0);
  if (any === null) throw new Error('no free TCP port on 127.0.0.1');
  return any;
}
