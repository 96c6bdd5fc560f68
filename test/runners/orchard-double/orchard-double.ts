import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A double of Orchard's controller REST API (cirruslabs/orchard api/openapi.yaml and
 * internal/controller/api_vms*.go), written from its published shapes and status codes:
 * basic auth with a service account (401 without a body), `POST /v1/vms` (200 VM, 409 duplicate,
 * 412 empty name or image, 400 bad JSON), `GET /v1/vms[?filter=worker=<name>]`,
 * `GET|DELETE /v1/vms/{name}` (404 without a body), `GET /v1/workers`, `GET /v1/vms/{name}/ip` (200 `{ip}`,
 * 408 not running yet, 417 terminal state). Time is not simulated by timers: every request that
 * reads a VM advances it one step (scheduled → pulled/cloned → running), so a test controls
 * progress by the number of polls.
 */

export interface OrchardDoubleWorker {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Orchard's `org.cirruslabs.tart-vms` resource: macOS VMs at once (default 2, Apple's licence). */
  readonly tartVms?: number;
}

/** What the worker does with a VM's startup script; resolves with the script's exit code. */
export type StartupScriptHook = (script: { readonly scriptContent: string; readonly env: Readonly<Record<string, string>> }, vmName: string, signal: AbortSignal) => Promise<number> | number;

export interface OrchardDoubleOptions {
  /** Images the workers can pull; any other fails the VM with "failed to pull the VM: ...". */
  readonly images: readonly string[];
  readonly workers: readonly OrchardDoubleWorker[];
  readonly serviceAccount: { readonly name: string; readonly token: string };
  /** Requests that read a VM before it runs (after it was scheduled), default 2. */
  readonly pollsToRun?: number;
  readonly onStartupScript?: StartupScriptHook;
  /** Called as a VM is created (before the answer), for tests that order VMs against other events. */
  readonly onVmCreated?: (name: string) => void;
}

interface StoredVm {
  readonly resource: Record<string, unknown> & { name: string; uid: string; image: string; labels: Record<string, string> };
  status: 'pending' | 'running' | 'failed';
  statusMessage: string;
  worker: string;
  polls: number;
  ip: string;
  /** Aborted when the VM is deleted: ends its startup script. */
  readonly life: AbortController;
}

export interface OrchardDouble {
  readonly url: string;
  /** `METHOD /path` of every request, in order (query strings included). */
  readonly requests: string[];
  /** VM names that exist, sorted. */
  vmNames(): string[];
  /** The stored resource as `GET /v1/vms/{name}` would answer it. */
  vm(name: string): Record<string, unknown> | undefined;
  /** VM names whose startup script is running now, sorted. */
  runningScripts(): string[];
  /** The next `count` requests answer `status` (e.g. 503 while the controller restarts). */
  failNextRequests(count: number, status: number): void;
  /** The VM of this name (now or when created) fails with `message` instead of running (e.g. "VM exited unexpectedly"). */
  failVm(name: string, message: string): void;
  /** The next `count` VMs created fail with `message` instead of running (names unknown in advance). */
  failNextVms(count: number, message: string): void;
  /** Faults applied so far: VMs failed by `failNextVms`, requests answered by `failNextRequests`. */
  faultsInjected(): { readonly vms: number; readonly requests: number };
  /** The worker loses power: every VM on it vanishes (its startup script dies with it); the worker comes back empty. Returns their names. */
  loseWorker(worker: string): string[];
  close(): Promise<void>;
}

export async function startOrchardDouble(options: OrchardDoubleOptions): Promise<OrchardDouble> {
  const vms = new Map<string, StoredVm>();
  const scripts = new Set<string>();
  const requests: string[] = [];
  const failures = new Map<string, string>();
  const pollsToRun = options.pollsToRun ?? 2;
  const expectedAuth = `Basic ${Buffer.from(`${options.serviceAccount.name}:${options.serviceAccount.token}`).toString('base64')}`;
  let injected: { count: number; status: number } | undefined;
  let failNext: { count: number; message: string } | undefined;
  const applied = { vms: 0, requests: 0 };
  let nextIp = 2;

  const view = (vm: StoredVm): Record<string, unknown> => ({
    ...vm.resource,
    status: vm.status,
    ...(vm.statusMessage === '' ? {} : { status_message: vm.statusMessage }),
    ...(vm.worker === '' ? {} : { worker: vm.worker }),
    conditions: [
      { type: 'scheduled', state: String(vm.worker !== '') },
      ...(vm.status === 'running' ? [{ type: 'running', state: 'true' }] : []),
    ],
  });

  const tartVmsOn = (worker: string): number =>
    [...vms.values()].filter((vm) => vm.worker === worker && vm.status !== 'failed').length;

  const runStartupScript = (vm: StoredVm): void => {
    const script = vm.resource['startup_script'] as { script_content?: string; env?: Record<string, string> } | undefined;
    if (script === undefined) return;
    const hook = options.onStartupScript ?? ((_s, _n, signal: AbortSignal) => idleUntilAborted(signal));
    scripts.add(vm.resource.name);
    void Promise.resolve(hook({ scriptContent: script.script_content ?? '', env: script.env ?? {} }, vm.resource.name, vm.life.signal))
      .then((exitCode) => {
        // The worker runs the script over SSH; a failing script fails the VM (base.go RunScript → SetErr).
        if (exitCode !== 0 && !vm.life.signal.aborted) {
          vm.status = 'failed';
          vm.statusMessage = `VM failed: failed to run startup script: Process exited with status ${exitCode}`;
        }
      })
      .finally(() => {
        scripts.delete(vm.resource.name);
      });
  };

  /** One step of the scheduler and the worker, taken each time the VM is read. */
  const advance = (vm: StoredVm): void => {
    if (vm.status !== 'pending') return;
    if (vm.worker === '') {
      const worker = options.workers.find(
        (w) => Object.entries(vm.resource.labels).every(([k, v]) => w.labels?.[k] === v) && tartVmsOn(w.name) < (w.tartVms ?? 2),
      );
      if (worker === undefined) return;
      vm.worker = worker.name;
      vm.statusMessage = 'pulling VM image...';
      return;
    }
    if (!options.images.includes(vm.resource.image)) {
      vm.status = 'failed';
      vm.statusMessage = `failed to pull the VM: tart command returned non-zero exit code: "Error: ${vm.resource.image}: manifest unknown"`;
      return;
    }
    vm.polls += 1;
    if (vm.polls < pollsToRun) {
      vm.statusMessage = 'cloning VM...';
      return;
    }
    const failure = failures.get(vm.resource.name);
    if (failure !== undefined) {
      vm.status = 'failed';
      vm.statusMessage = failure;
      return;
    }
    vm.status = 'running';
    vm.resource['started_at'] = new Date().toISOString();
    vm.statusMessage = vm.resource['startup_script'] === undefined ? 'VM started' : 'VM started, running startup script...';
    runStartupScript(vm);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://orchard.invalid');
    requests.push(`${req.method ?? ''} ${url.pathname}${url.search}`);
    if (injected !== undefined && injected.count > 0) {
      injected.count -= 1;
      applied.requests += 1;
      reply(res, injected.status);
      return;
    }
    if (req.headers.authorization !== expectedAuth) {
      reply(res, 401);
      return;
    }
    const body = await readBody(req);
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    if (parts[0] === 'v1' && parts[1] === 'workers' && parts.length === 2 && req.method === 'GET') {
      reply(res, 200, options.workers.map((w) => ({ name: w.name, labels: w.labels ?? {}, resources: { 'org.cirruslabs.tart-vms': w.tartVms ?? 2 } })));
      return;
    }
    if (parts[0] !== 'v1' || parts[1] !== 'vms') {
      reply(res, 404);
      return;
    }
    const name = parts[2];
    if (name === undefined) {
      if (req.method === 'POST') createVm(body, res);
      else if (req.method === 'GET') listVms(url, res);
      else reply(res, 404);
      return;
    }
    const vm = vms.get(name);
    if (vm === undefined) {
      reply(res, 404);
      return;
    }
    if (parts.length === 3 && req.method === 'GET') {
      advance(vm);
      reply(res, 200, view(vm));
    } else if (parts.length === 3 && req.method === 'DELETE') {
      vms.delete(name);
      vm.life.abort(new Error(`VM "${name}" was deleted`));
      reply(res, 200);
    } else if (parts.length === 4 && parts[3] === 'ip' && req.method === 'GET') {
      advance(vm);
      // The real controller holds the request up to `wait` seconds; the double answers at once.
      if (vm.status === 'failed') reply(res, 417, { message: `VM is in a terminal state '${vm.status}'` });
      else if (vm.status !== 'running') reply(res, 408, { message: `VM is not running on '${vm.worker}' worker` });
      else reply(res, 200, { ip: vm.ip });
    } else {
      reply(res, 404);
    }
  };

  const createVm = (body: string, res: ServerResponse): void => {
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      reply(res, 400, { message: 'invalid JSON was provided' });
      return;
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      reply(res, 400, { message: 'invalid JSON was provided' });
      return;
    }
    const fields = input as Record<string, unknown>;
    const name = typeof fields['name'] === 'string' ? fields['name'] : '';
    const image = typeof fields['image'] === 'string' ? fields['image'] : '';
    if (name === '') {
      reply(res, 412, { message: 'VM name is empty' });
      return;
    }
    if (!/^[A-Za-z0-9:_.-]+$/.test(name)) {
      reply(res, 412, { message: 'VM name name contains restricted characters, please only use [A-Za-z0-9:-_.]' });
      return;
    }
    if (image === '') {
      reply(res, 412, { message: 'VM image is empty' });
      return;
    }
    if (vms.has(name)) {
      reply(res, 409, { message: 'VM with this name already exists' });
      return;
    }
    const labels = isStringRecord(fields['labels']) ? fields['labels'] : {};
    const vm: StoredVm = {
      resource: {
        ...fields,
        name,
        image,
        labels,
        uid: randomUUID(),
        createdAt: new Date().toISOString(),
        os: 'darwin',
        arch: 'arm64',
        runtime: 'tart',
        powerState: 'running',
        imagePullPolicy: fields['imagePullPolicy'] ?? 'IfNotPresent',
        restart_policy: fields['restart_policy'] ?? 'Never',
        resources: { 'org.cirruslabs.tart-vms': 1 },
        generation: 0,
        observedGeneration: 0,
      },
      status: 'pending',
      statusMessage: '',
      worker: '',
      polls: 0,
      ip: `192.168.64.${nextIp++}`,
      life: new AbortController(),
    };
    vms.set(name, vm);
    options.onVmCreated?.(name);
    if (failNext !== undefined && failNext.count > 0) {
      failNext.count -= 1;
      applied.vms += 1;
      failures.set(name, failNext.message);
    }
    reply(res, 200, view(vm));
  };

  const listVms = (url: URL, res: ServerResponse): void => {
    const filter = url.searchParams.get('filter');
    const worker = filter?.startsWith('worker=') === true ? filter.slice('worker='.length) : undefined;
    if (filter !== null && worker === undefined) {
      reply(res, 412, { message: `unsupported filter path: ${filter}` });
      return;
    }
    const all = [...vms.values()];
    for (const vm of all) advance(vm);
    reply(res, 200, all.filter((vm) => worker === undefined || vm.worker === worker).map(view));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    vmNames: () => [...vms.keys()].sort(),
    vm: (name) => {
      const vm = vms.get(name);
      return vm === undefined ? undefined : view(vm);
    },
    runningScripts: () => [...scripts].sort(),
    failNextRequests: (count, status) => {
      injected = { count, status };
    },
    failVm: (name, message) => {
      failures.set(name, message);
    },
    failNextVms: (count, message) => {
      failNext = { count: (failNext?.count ?? 0) + count, message };
    },
    faultsInjected: () => ({ ...applied }),
    loseWorker: (worker) => {
      const lost = [...vms.values()].filter((vm) => vm.worker === worker);
      for (const vm of lost) {
        vms.delete(vm.resource.name);
        vm.life.abort(new Error(`worker ${worker} lost power`));
      }
      return lost.map((vm) => vm.resource.name);
    },
    close: () => {
      for (const vm of vms.values()) vm.life.abort(new Error('the Orchard double closed'));
      server.closeAllConnections();
      return new Promise((resolve, reject) => {
        server.close((error) => {
          if (error === undefined) resolve();
          else reject(error);
        });
      });
    },
  };
}

function reply(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function idleUntilAborted(signal: AbortSignal): Promise<number> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(0);
    else signal.addEventListener('abort', () => { resolve(0); }, { once: true });
  });
}
