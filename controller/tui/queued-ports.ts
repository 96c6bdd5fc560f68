import type { StatusSnapshot } from '../status/status-snapshot.ts';

/**
 * The ports a queue's details list, in the order shown (the running build, those waiting for a
 * dependency, the next ones), each once: what ↑↓ choose from and enter asks the estimate of.
 * Master and PR builders alike; watchers build no port.
 */
export function queuedPortsOf(snapshot: StatusSnapshot | null, queueIndex: number): string[] {
  const queue = snapshot?.queues[queueIndex];
  if (queue === undefined) return [];
  const ports = new Set<string>();
  if (queue.running?.port != null) ports.add(queue.running.port);
  for (const wait of queue.waiting) ports.add(wait.port);
  for (const entry of queue.next) if (entry.port !== null) ports.add(entry.port);
  return [...ports];
}
