import { abortReason } from '../abortable-sleep.ts';
import { VmBackendError } from './vm-backend.ts';

/** The parts of Orchard's `VM` resource (pkg/resource/v1) portfarm reads. */
export interface OrchardVm {
  readonly name: string;
  readonly image?: string;
  /** pending (scheduling, pulling, cloning) → running, or failed (terminal). */
  readonly status?: 'pending' | 'running' | 'failed';
  readonly status_message?: string;
  /** The worker the scheduler assigned; empty until scheduled. */
  readonly worker?: string;
  /** Labels the VM requires of its worker. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The body of `POST /v1/vms` (VMMeta + VMSpec of api/openapi.yaml). */
export interface OrchardVmCreate {
  readonly name: string;
  readonly image: string;
  readonly cpu?: number;
  readonly memory?: number;
  readonly headless: boolean;
  readonly restart_policy: 'Never';
  readonly labels?: Readonly<Record<string, string>>;
  readonly username?: string;
  readonly password?: string;
  readonly startup_script?: { readonly script_content: string; readonly env?: Readonly<Record<string, string>> };
}

export interface OrchardApiOptions {
  /** The controller's URL, e.g. `https://orchard.example.org:6120` (the API lives under `/v1`). */
  readonly url: string;
  /** Service account name and token (HTTP basic auth); needs the `compute:read`, `compute:write` roles. */
  readonly serviceAccountName: string;
  readonly serviceAccountToken: string;
}

export interface OrchardResponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * Orchard's REST API, one call per method: answers status and parsed body for the caller to
 * interpret; network failures and 5xx become retryable errors, 401 a permanent one naming the fix.
 */
export class OrchardApi {
  readonly #base: string;
  readonly #authorization: string;

  constructor(options: OrchardApiOptions) {
    this.#base = `${options.url.replace(/\/+$/, '')}/v1`;
    this.#authorization = `Basic ${Buffer.from(`${options.serviceAccountName}:${options.serviceAccountToken}`).toString('base64')}`;
  }

  createVm(vm: OrchardVmCreate, signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('POST', '/vms', signal, vm);
  }

  getVm(name: string, signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('GET', `/vms/${encodeURIComponent(name)}`, signal);
  }

  /** `wait`: seconds the controller may hold the request until the VM runs. */
  getVmIp(name: string, waitSeconds: number, signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('GET', `/vms/${encodeURIComponent(name)}/ip?wait=${waitSeconds}`, signal);
  }

  deleteVm(name: string, signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('DELETE', `/vms/${encodeURIComponent(name)}`, signal);
  }

  listVms(signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('GET', '/vms', signal);
  }

  /** Workers with their `labels` (pkg/resource/v1/worker.go). */
  listWorkers(signal: AbortSignal): Promise<OrchardResponse> {
    return this.#request('GET', '/workers', signal);
  }

  async #request(method: string, path: string, signal: AbortSignal, body?: unknown): Promise<OrchardResponse> {
    throwIfAborted(signal);
    const what = `Orchard ${method} /v1${path.replace(/\?.*$/, '')}`;
    let response: Response;
    try {
      response = await fetch(`${this.#base}${path}`, {
        method,
        headers: { authorization: this.#authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (error) {
      throwIfAborted(signal);
      throw new VmBackendError(`${what}: could not reach the Orchard controller at ${this.#base} (is it running, and is the URL right?)`, {
        retryable: true,
        cause: error,
      });
    }
    const text = await response.text().catch((error: unknown) => {
      throwIfAborted(signal);
      throw new VmBackendError(`${what}: the answer broke off`, { retryable: true, cause: error });
    });
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status === 401) {
      throw new VmBackendError(
        `${what} answered 401 ${orchardMessage(parsed) || 'Unauthorized'}: check the service account name and token, and that it has the compute:read and compute:write roles`,
        { retryable: false },
      );
    }
    if (response.status >= 500) {
      throw new VmBackendError(`${what} answered ${response.status} ${orchardMessage(parsed)}`.trimEnd(), { retryable: true });
    }
    return { status: response.status, body: parsed };
  }
}

/** Rejects with the signal's reason (not a network error) once the caller gave up. */
function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortReason(signal);
}

/** Orchard's error body is `{"message": "..."}` (internal/controller/errorresponse.go); many errors have no body. */
export function orchardMessage(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'message' in body && typeof body.message === 'string') return body.message;
  return typeof body === 'string' ? body.trim().slice(0, 200) : '';
}

/** A VM resource from a 200 answer, or an error naming what came instead. */
export function asOrchardVm(body: unknown, what: string): OrchardVm {
  if (typeof body === 'object' && body !== null && 'name' in body && typeof body.name === 'string') return body as OrchardVm;
  throw new VmBackendError(`${what}: Orchard answered something that is not a VM resource; is the URL an Orchard controller?`, { retryable: false });
}
