import { RunnerRegistryError, type JitConfig, type JitConfigRequest, type RegisteredRunner, type RunnerRegistry } from '../../controller/runners/runner-registry.ts';

interface StoredRunner {
  id: number;
  name: string;
  status: 'online' | 'offline';
  busy: boolean;
  labels: string[];
}

/**
 * The repository's runner registrations as GitHub keeps them, in memory: 409 on a duplicate
 * name, deleting a missing runner is a 404 the client treats as done, and an ephemeral runner
 * removes itself after its one job (`finishJob`).
 */
export class InMemoryRunnerRegistry implements RunnerRegistry {
  readonly #runners = new Map<number, StoredRunner>();
  #nextId = 1;
  /** Every call, in order, e.g. `generate portfarm-b1-1-abcd`, `delete 3`. */
  readonly calls: string[] = [];
  #answersToLose = 0;

  generateJitConfig(request: JitConfigRequest, _signal: AbortSignal): Promise<JitConfig> {
    this.calls.push(`generate ${request.name}`);
    if ([...this.#runners.values()].some((r) => r.name === request.name)) {
      return Promise.reject(new RunnerRegistryError(`generate-jitconfig for runner ${request.name} failed: GitHub answered 409`, { retryable: false, status: 409 }));
    }
    const runner: StoredRunner = { id: this.#nextId++, name: request.name, status: 'offline', busy: false, labels: [...request.labels] };
    this.#runners.set(runner.id, runner);
    if (this.#answersToLose > 0) {
      this.#answersToLose -= 1;
      return Promise.reject(new RunnerRegistryError(`generate-jitconfig for runner ${request.name} failed: the request timed out`, { retryable: true }));
    }
    const encodedJitConfig = Buffer.from(JSON.stringify({ id: runner.id, name: runner.name, labels: runner.labels })).toString('base64');
    return Promise.resolve({ runner: { ...runner }, encodedJitConfig });
  }

  listRunners(_signal: AbortSignal): Promise<readonly RegisteredRunner[]> {
    return Promise.resolve([...this.#runners.values()].map((r) => ({ ...r, labels: [...r.labels] })));
  }

  deleteRunner(id: number, _signal: AbortSignal): Promise<void> {
    this.calls.push(`delete ${id}`);
    this.#runners.delete(id);
    return Promise.resolve();
  }

  /** The next `times` registrations are made, but their answers are lost (a timeout, a reset connection). */
  loseNextAnswers(times: number): void {
    this.#answersToLose = times;
  }

  /** Seeds a registration (an orphan from a previous life). */
  add(name: string, labels: readonly string[], state: { status: 'online' | 'offline'; busy: boolean }): number {
    const id = this.#nextId++;
    this.#runners.set(id, { id, name, labels: [...labels], ...state });
    return id;
  }

  setState(id: number, state: Partial<{ status: 'online' | 'offline'; busy: boolean }>): void {
    const runner = this.#runners.get(id);
    if (runner !== undefined) Object.assign(runner, state);
  }

  /** The runner ran its one job: an ephemeral runner unregisters itself. */
  finishJob(id: number): void {
    this.#runners.delete(id);
  }

  names(): string[] {
    return [...this.#runners.values()].map((r) => r.name).sort();
  }
}

export function decodeJitConfig(encoded: string): { id: number; name: string; labels: string[] } {
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as { id: number; name: string; labels: string[] };
}
