import type { EquivalentMutant } from './equivalent-mutants.ts';

/**
 * The equivalent mutants of the targets, each with why (docs/mutation.md groups them). Add one
 * only after reading the code: a mutant that a reachable input could tell apart is a missing
 * test, not an entry here.
 */
const PQ = 'controller/queue/core/platform-queue.ts';
const SN = 'controller/queue/core/select-next.ts';
const EH = 'controller/queue/core/entry-heap.ts';
const HO = 'controller/queue/core/heap-in-order.ts';
const DQ = 'controller/queue/core/describe-queue.ts';

/** `headPending` and `pendingLists` only decide whether selectNext may skip the dependency walk, which returns the heap top whenever the skip would: a wrong count costs a walk, never a different answer. */
const SHORTCUT = 'the shortcut counters (headPending, pendingLists) only let selectNext skip a walk that returns the same builder';
/** One entry is in its list once, and one pending builder per port: the entry unindexed is the one indexed. */
const ONE_PLACE = 'an entry is in its list once and one builder is pending per port, so the one found is the one indexed';

const RUNNER_NAMED = "GitHub names a job's runner only from in_progress on, and a null runner name matches no lease's vmId (a name or undefined): the guard's other conditions only skip a search that finds nothing";
const WJH = 'controller/runners/workflow-job-handler.ts';
/** reconcile: the App dispatches a build id once (a new attempt keeps the run id, a requeue takes a new build id); anyone else's run of that name is not triggered by the App. */
const ONE_APP_RUN = 'the App dispatches each build id once: among the runs named with it, one is triggered by the App and it is the one whose id the dispatch answered';

export const KNOWN_EQUIVALENTS: readonly EquivalentMutant[] = [
  // platform-queue.ts: the coalescing key is never stored; builder keys; the indexes.
  { file: PQ, line: "prNumber === null ? 'm' : String(prNumber)", operator: 'condition-false', why: '`null:x` is as distinct from `7:x` as `m:x`; the key is never stored' },
  { file: PQ, line: "prNumber === null ? 'm' : String(prNumber)", operator: 'string-emptied', why: '`:x` is as distinct from `7:x` as `m:x`; the key is never stored' },
  { file: PQ, line: 'if (entry.prNumber !== null) return [entry.seq, entry.rank, entry.listIndex]', operator: 'condition-false', why: 'PR builders have class 0 and are never head-of-line, so the master key orders them the same' },
  { file: PQ, line: 'if (!queue.policy.dependencyOrder) return [entry.head ? 0 : 1', operator: 'condition-true', original: 'entry.head', why: 'legacy/proposed never requeue at the head (no preemption; the simulator loses no runs)' },
  { file: PQ, line: 'if (!queue.policy.dependencyOrder) return [entry.head ? 0 : 1', operator: 'condition-false', original: 'entry.head', why: 'legacy/proposed never requeue at the head (no preemption; the simulator loses no runs)' },
  { file: PQ, line: 'if (queue.policy.coalesce && entry.port !== null) {', operator: 'condition-true', why: 'builders always have a port, and without coalescing nothing reads pendingByPort or pendingByGraphId' },
  { file: PQ, line: 'if (queue.policy.coalesce && entry.port !== null) {', operator: 'operator &&→||', why: 'builders always have a port, and without coalescing nothing reads pendingByPort or pendingByGraphId' },
  { file: PQ, line: 'if (id !== undefined) queue.pendingByGraphId.set(id, entry);', operator: 'condition-true', why: 'a Map key `undefined` is never looked up (select-next asks only for graph ids)' },
  { file: PQ, line: 'if (entry.head) queue.headPending += 1;', operator: 'condition-true', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending += 1;', operator: 'condition-false', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending += 1;', operator: 'statement-removed', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending += 1;', operator: 'operator +=→-=', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) queue.pendingLists.set(', operator: 'condition-true', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) queue.pendingLists.set(', operator: 'operator ??→&&', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) queue.pendingLists.set(', operator: 'operator +→-', why: SHORTCUT },
  { file: PQ, line: 'const at = list.indexOf(entry);', operator: 'call-swapped .indexOf→.lastIndexOf', why: ONE_PLACE },
  { file: PQ, line: 'if (at >= 0) list.splice(at, 1);', operator: 'condition-true', why: 'a pending watcher being unindexed is always in its list (splice(-1) is never reached)' },
  { file: PQ, line: 'if (entry.port !== null) {', operator: 'condition-true', why: 'builders always have a port' },
  { file: PQ, line: 'if (queue.pendingByPort.get(key) === entry) queue.pendingByPort.delete(key);', operator: 'condition-true', why: ONE_PLACE },
  // The same line as in indexEntry, told apart by the line before it.
  { file: PQ, line: 'const id = entry.prNumber === null ? queue.graph?.ids.get(', operator: 'condition-true', before: 'queue.pendingByPort.delete(key);\n    const id = ', why: 'a PR builder is never in pendingByGraphId (indexEntry puts master builders only), so the check below fails for it either way' },
  { file: PQ, line: 'if (id !== undefined && queue.pendingByGraphId.get(id) === entry)', operator: 'condition-true', why: ONE_PLACE },
  { file: PQ, line: 'if (id !== undefined && queue.pendingByGraphId.get(id) === entry)', operator: 'operator &&→||', why: 'get(undefined) is never an entry, so the other side decides alone' },
  { file: PQ, line: 'if (entry.head) queue.headPending -= 1;', operator: 'condition-true', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending -= 1;', operator: 'condition-false', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending -= 1;', operator: 'statement-removed', why: SHORTCUT },
  { file: PQ, line: 'if (entry.head) queue.headPending -= 1;', operator: 'operator -=→+=', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) {', operator: 'condition-true', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) {', operator: 'condition-false', why: SHORTCUT },
  { file: PQ, line: 'if (entry.prNumber === null) {', operator: 'operator ===→!==', why: SHORTCUT },
  { file: PQ, line: 'const left = (queue.pendingLists.get(entry.seq) ?? 1) - 1;', operator: 'operator -→+', why: SHORTCUT },
  { file: PQ, line: 'if (left === 0) queue.pendingLists.delete(entry.seq);', operator: 'condition-false', why: SHORTCUT },
  { file: PQ, line: 'if (left === 0) queue.pendingLists.delete(entry.seq);', operator: 'statement-removed', why: SHORTCUT },
  { file: PQ, line: 'else queue.pendingLists.set(entry.seq, left);', operator: 'statement-removed', why: SHORTCUT },

  // select-next.ts: copies, the shortcut, the closure cache.
  { file: SN, line: 'if (passed.has(candidate.buildId)) continue;', operator: 'condition-false', why: 'a build placed earlier in the preview, examined again, gives itself (it had no pending dependency to pull forward then, and has none now), which is passed over: the line only saves the examine' },
  { file: SN, line: 'if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;', operator: 'condition-false', why: SHORTCUT },
  { file: SN, line: 'if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;', operator: 'operator <=→<', why: SHORTCUT },
  { file: SN, line: 'if (queue.pendingLists.size <= 1 && queue.headPending === 0) return builder;', operator: 'operator ===→!==', why: SHORTCUT },
  { file: SN, line: 'const id = candidate.port === null ? undefined', operator: 'condition-false', why: 'a builder always has a port' },
  { file: SN, line: 'if (id === undefined) return candidate;', operator: 'condition-false', why: 'the closure of no graph id is empty, so the candidate is returned anyway' },
  { file: SN, line: 'if (pending.rank < best.rank) best = pending;', operator: 'operator <→<=', why: 'ranks are unique positions in the build order' },

  // entry-heap.ts: keys of one heap have one length and are never equal; index −1 is undefined; a stamp only has to be unique.
  { file: EH, line: 'const n = Math.min(a.length, b.length);', operator: 'call-swapped .min→.max', why: 'every key in one heap has the same length' },
  { file: EH, line: 'for (let i = 0; i < n; i++) {', operator: 'operator <→<=', why: 'key[n] is undefined on both sides and never reached: two keys always differ before it' },
  { file: EH, line: 'return a.length - b.length;', operator: 'operator -→+', why: 'every key in one heap has the same length and no two are equal, so this line is never reached' },
  { file: EH, line: 'const stamp = ++heap.stamps;', operator: 'update-swapped', why: 'a stamp only has to be unique' },
  { file: EH, line: 'while (i > 0) {', operator: 'condition-true', why: 'at i = 0 the parent index is −1, undefined, and the guard below breaks' },
  { file: EH, line: 'while (i > 0) {', operator: 'operator >→>=', why: 'at i = 0 the parent index is −1, undefined, and the guard below breaks' },
  { file: EH, line: 'if (p === undefined || c === undefined || compareKeys(p.key, c.key) <= 0) break;', operator: 'operator ||→&&', before: 'p === undefined ', why: 'p and c are defined for 0 < i < length; the comparison decides' },
  { file: EH, line: 'if (p === undefined || c === undefined || compareKeys(p.key, c.key) <= 0) break;', operator: 'operator <=→<', why: 'no two entries have the same key (seq and list index differ)' },
  { file: EH, line: 'compareKeys(il.key, im.key) < 0) m = l;', operator: 'operator <→<=', why: 'no two entries have the same key (seq and list index differ)' },
  { file: EH, line: 'compareKeys(ir.key, cur.key) < 0) m = r;', operator: 'operator <→<=', why: 'no two entries have the same key (seq and list index differ)' },
  { file: EH, line: 'if (a === undefined || b === undefined) return;', operator: 'condition-false', why: 'the swap is only called with two indexes inside the heap' },
  { file: EH, line: 'if (a === undefined || b === undefined) return;', operator: 'operator ||→&&', why: 'the swap is only called with two indexes inside the heap' },
  // heap-in-order.ts: the frontier holds positions inside the heap; the guards are for the type checker.
  { file: HO, line: 'const x = a === undefined ? undefined : items[a];', operator: 'condition-false', why: 'items[undefined] is undefined too' },
  { file: HO, line: 'const y = b === undefined ? undefined : items[b];', operator: 'condition-false', why: 'items[undefined] is undefined too' },
  { file: HO, line: 'return x !== undefined && y !== undefined && compareKeys(x.key, y.key) < 0;', operator: 'operator <→<=', why: 'two items tie only when they are the same entry (its stale and live items): no two live entries share a key, and a stale item yields nothing' },
  { file: HO, line: 'while (i > 0) {', operator: 'condition-true', why: 'at i = 0 the parent is frontier[-1], undefined, and the guard returns' },
  { file: HO, line: 'while (i > 0) {', operator: 'operator >→>=', why: 'at i = 0 the parent is frontier[-1], undefined, and the guard returns' },
  { file: HO, line: 'if (p === undefined || c === undefined || !smaller(items, c, p)) return;', operator: 'operator ||→&&', before: 'p === undefined ', why: 'p and c are defined for 0 < i < length; the comparison decides' },
  { file: HO, line: 'if (top === undefined || last === undefined || frontier.length === 0) return top;', operator: 'operator ||→&&', before: 'top === undefined ', why: 'top and last are undefined together (an empty frontier), and then the length is 0 too' },
  { file: HO, line: 'if (a === undefined || b === undefined) return top;', operator: 'condition-false', why: 'the swap is only called with two positions inside the frontier' },
  { file: HO, line: 'if (a === undefined || b === undefined) return top;', operator: 'operator ||→&&', why: 'the swap is only called with two positions inside the frontier' },

  // enqueue-builders.ts

  // describe-queue.ts
  { file: DQ, line: 'const running = queue.inFlight[0];', operator: 'index-from-end [0]→.at(-1)', why: 'one run in flight per platform (the property tests check it)' },
  { file: DQ, line: 'if (oldest === null || since < oldest) oldest = since;', operator: 'operator <→<=', why: 'equal times give the same oldest time' },
  { file: DQ, line: 'if (port != null) out.push({ port, waitsFor: wait.port, reason: wait.kind });', operator: 'condition-true', why: 'a parked build is a pending builder: in the entries, with a port' },
  { file: DQ, line: "state: entry.state === 'finished' ? 'started' : entry.state,", operator: 'condition-false', why: 'a finished build leaves inFlight and the queue in the same step: never described' },
  { file: DQ, line: "state: entry.state === 'finished' ? 'started' : entry.state,", operator: 'string-emptied', why: 'a finished build leaves inFlight and the queue in the same step: never described' },

  // mark-run.ts, preempt-builder.ts: one run in flight per platform.
  { file: 'controller/queue/core/mark-run.ts', line: 'const at = queue.inFlight.indexOf(entry);', operator: 'call-swapped .indexOf→.lastIndexOf', why: 'an entry is in inFlight once' },
  { file: 'controller/queue/core/mark-run.ts', line: 'if (at >= 0) queue.inFlight.splice(at, 1);', operator: 'condition-true', why: 'a run being finished is always in inFlight' },
  { file: 'controller/queue/core/preempt-builder.ts', line: 'return queue.inFlight.find((e) =>', operator: 'call-swapped .find→.findLast', why: 'one run in flight per platform' },

  // queue-policy.ts: the name field is read by nothing (the simulator and the CLI look policies up by key).
  { file: 'controller/queue/core/queue-policy.ts', line: "legacy: { name: 'legacy'", operator: 'string-emptied', original: "'legacy'", why: 'QueuePolicy.name is read by nothing' },
  { file: 'controller/queue/core/queue-policy.ts', line: "proposed: { name: 'proposed'", operator: 'string-emptied', original: "'proposed'", why: 'QueuePolicy.name is read by nothing' },
  { file: 'controller/queue/core/queue-policy.ts', line: "portfarm: { name: 'portfarm'", operator: 'string-emptied', original: "'portfarm'", why: 'QueuePolicy.name is read by nothing' },

  // hand-off: undefined fields vanish from JSON (the answer and pino's log line alike).
  { file: 'controller/handoff/create-port-list-handler.ts', line: "...(buildId === undefined ? {} : { buildId })", operator: 'condition-false', original: 'buildId === undefined', why: '{ buildId: undefined } is dropped from the log line as {} is' },
  { file: 'controller/handoff/create-port-list-handler.ts', line: 'const details = { status: refusal.status', operator: 'condition-false', original: 'refusal.claim === undefined', why: '{ claim: undefined, expected: undefined } is dropped from the log line as {} is' },
  { file: 'controller/handoff/create-port-list-handler.ts', line: '...(refusal.claim === undefined ? {} : { claim: refusal.claim, expected: refusal.expected }),', operator: 'condition-false', why: 'JSON.stringify drops { claim: undefined, expected: undefined } as it does {}' },
  { file: 'controller/handoff/create-port-list-handler.ts', line: 'if (notJson !== undefined || !result.ok) return refused(', operator: 'operator ||→&&', why: 'the line above has returned for every unverified result but a 400 with an unparsed body, so here notJson is set exactly when the result is not ok' },
  { file: 'controller/handoff/create-port-list-handler.ts', line: "notJson ?? 'the body is not a port list'", operator: 'string-emptied', original: "'the body is not a port list'", why: 'unreachable: this refusal is reached with an unverified result only when the body did not parse, and then notJson names why' },
  { file: 'controller/handoff/handoff-settings-from-config.ts', line: '...(config.handoff.jwksUrl === undefined ? {}', operator: 'condition-false', why: "{ jwksUrl: undefined } falls back to the issuer's keys as an absent key does" },
  { file: 'controller/handoff/issuer-keys.ts', line: "this.name = 'IssuerKeysUnavailable';", operator: 'statement-removed', why: 'matched with instanceof; the refusal reads its message only' },
  { file: 'controller/handoff/issuer-keys.ts', line: "this.name = 'IssuerKeysUnavailable';", operator: 'string-emptied', why: 'matched with instanceof; the refusal reads its message only' },
  { file: 'controller/handoff/port-list-route.ts', line: "const subject = req.socket.remoteAddress ?? '?';", operator: 'string-emptied', why: 'a socket has no remote address only once destroyed, before any handler runs' },
  { file: 'controller/handoff/accept-watcher-list.ts', line: "entry.port ?? '(no port)'", operator: 'string-emptied', original: "'(no port)'", why: 'only builders reach this refusal, and a builder always has a port' },

  // translate-webhook.ts
  { file: 'controller/github/translate-webhook.ts', line: 'const buildId = job.workflow_job.labels.map(buildIdFromLabel).find(', operator: 'call-swapped .find→.findLast', why: "the ports workflow gives a job one build label (runs-on: portfarm-build-<id>); a job naming two is another workflow's, no portfarm runner (one build label each) can take it, and its run is refused against either build's recorded run: only which build a refusal names differs" },

  // create-webhook-handler.ts
  { file: 'controller/github/create-webhook-handler.ts', line: "return 'answered';", operator: 'string-emptied', why: "Answered is a type-level mark that every path of receive replies once; handle() drops the value and nothing reads it" },

  { file: 'controller/github/create-webhook-handler.ts', line: 'while (running < concurrency && queue.length > 0) {', operator: 'operator >→>=', why: 'an empty queue shifts undefined and the next line breaks out of the loop' },
  { file: 'controller/github/create-webhook-handler.ts', line: 'if (item === undefined) break;', operator: 'condition-false', why: 'the loop runs only while the queue has an item, so shift() never gives undefined here' },

  { file: 'controller/github/create-webhook-handler.ts', line: "(req.socket.remoteAddress ?? '?')", operator: 'string-emptied', original: "'?'", why: 'a socket has no remote address only once destroyed, before any handler runs' },

  { file: 'controller/github/create-webhook-handler.ts', line: "if (!options.store.claimIgnored({ guid, event, receivedAt })) return reply(res, 200, { delivery: guid, result: 'duplicate' });", operator: 'string-emptied', original: "'duplicate'", why: 'store.has(guid) was false a moment before, with no await between it and the claim: in the one controller nothing can claim the delivery in between' },
  { file: 'controller/github/create-webhook-handler.ts', line: "return reply(res, 200, { delivery: guid, result: 'duplicate' });", operator: 'string-emptied', original: "'duplicate'", before: "if (!options.store.claim({ guid, event, body, receivedAt })) {\n      return reply(res, 200, { delivery: guid, result: ", why: 'store.has(guid) was false a moment before, with no await between it and the claim: in the one controller nothing can claim the delivery in between' },
  { file: 'controller/github/create-webhook-handler.ts', line: 'if (!res.headersSent) void reply(res, 500,', operator: 'condition-true', why: 'every throw in receive comes before its answer: after the 202 only enqueue runs, whose work catches its own errors' },

  // resolve-legacy-url.ts: a step request and a log request without a log name resolve alike, and nothing reads a request's `text`.
  { file: 'site/lookup/resolve-legacy-url.ts', line: ": parsed.log === undefined ? { kind: 'step', builder, number, step: parsed.step }", operator: 'condition-false', why: "a build-id link without a log made a 'log' request whose log is undefined: wantedLog is then undefined as for a 'step' request, so the same first log (or the same note) is reached" },
  { file: 'site/lookup/resolve-legacy-url.ts', line: 'log: parsed.log, text: false }', operator: 'boolean-flipped', why: "nothing after the parse reads a request's text (the /text form leads to the same log)" },
  { file: 'site/lookup/resolve-legacy-url.ts', line: "const wantedLog = request.kind === 'log' ? request.log : undefined;", operator: 'condition-true', why: "only 'step' and 'log' requests get here, and a 'step' request has no log: request.log is undefined for it either way" },

  { file: 'site/lookup/resolve-legacy-url.ts', line: "return { kind: 'found', number, build: expandBuild(shard, build) };", operator: 'string-emptied', why: "findBuild's answer is only asked whether it is 'unknown': any other kind is the build found" },

  // unpack-shard.ts
  { file: 'site/lookup/unpack-shard.ts', line: 'for (let r = 0; r + 1 < runs.length; r += 2) {', operator: 'operator +→-', why: 'the passes past the end read runs[r] ?? 0 and a run of length runs[r + 1] ?? 0 = 0: they add no build (the number they move is not read again)' },
  { file: 'site/lookup/unpack-shard.ts', line: 'for (let r = 0; r + 1 < runs.length; r += 2) {', operator: 'operator <→<=', why: 'r is even, so r + 1 <= length allows one more pass only for a list of odd length, whose last pass reads a run of length `runs[r + 1] ?? 0` = 0: no build' },

  { file: 'site/lookup/unpack-shard.ts', line: "const result = RESULTS[packed.result?.[i] ?? '-'];", operator: 'string-emptied', why: "neither '-' nor '' is a result letter: RESULTS gives undefined for both (its keys are s, f, c only)" },
  { file: 'site/lookup/unpack-shard.ts', line: 'if (finStep !== null) fin += finStep;', operator: 'condition-true', why: 'fin += null adds 0 (null is 0 in arithmetic): the running finish time is the same' },

  // stable-log-url.ts: what buildIdOfArchivePage returns must pass isBuildId, which refuses '', '/' and '.'.
  { file: 'site/lookup/stable-log-url.ts', line: "const slash = rest.indexOf('/');", operator: 'call-swapped .indexOf→.lastIndexOf', why: "with two slashes or more the id would hold a '/', which isBuildId refuses, as the tail check refuses it with the first slash" },
  { file: 'site/lookup/stable-log-url.ts', line: 'if (slash <= 0) return undefined;', operator: 'condition-false', why: "no slash: the tail is the whole rest, and only 'index.html' or '' pass, whose id ('index.htm', '') isBuildId refuses; a slash first: the id is '', refused" },
  { file: 'site/lookup/stable-log-url.ts', line: 'if (slash <= 0) return undefined;', operator: 'operator <=→<', why: "a slash first gives the id '', which isBuildId refuses" },

  // id-runs.ts
  { file: 'site/lookup/id-runs.ts', line: 'return Number.isSafeInteger(counter) && counter.toString(36) === digits ? { prefix, counter } : undefined;', operator: 'condition-true', why: 'COUNTER_ID admits at most ten base-36 digits without a leading zero: every such counter is below 36^10 < 2^53 and writes back the same, so the check (kept against a wider pattern) is always true' },
  { file: 'site/lookup/id-runs.ts', line: 'return Number.isSafeInteger(counter) && counter.toString(36) === digits ? { prefix, counter } : undefined;', operator: 'operator &&→||', why: 'both sides are always true for what COUNTER_ID admits (see the entry above)' },
  { file: 'site/lookup/id-runs.ts', line: 'if (builder === undefined || builder < 0) return undefined;', operator: 'condition-false', why: 'a missing or -1 builder index names no builder: run.builders[undefined] and [-1] are undefined, and the next line returns undefined for it' },
  { file: 'site/lookup/id-runs.ts', line: 'if (builder === undefined || builder < 0) return undefined;', operator: 'operator ||→&&', why: 'a missing or -1 builder index names no builder: the next line returns undefined for it' },

  { file: 'site/lookup/suggest-builders.ts', line: '.exec(wanted[0] ?? name)?.[0];', operator: 'index-from-end [0]→.at(-1)', original: '[0]', why: "wanted holds one name at most: a name with '11.0_' after its start or a '-' has a '.', which the old buildports-<codename>-<arch> pattern does not admit" },

  // expand-build.ts
  { file: 'site/lookup/expand-build.ts', line: 'const finished = build.finishedAt === undefined ? Number.NaN : Date.parse(build.finishedAt);', operator: 'condition-false', why: 'Date.parse(undefined) is NaN too' },
  { file: 'site/lookup/expand-build.ts', line: 'const revision = revisionIndex === undefined ? undefined : shard.revisions?.[revisionIndex];', operator: 'condition-false', why: "revisions[undefined] is undefined: an array read from JSON has no key 'undefined'" },

  // action-inputs.ts
  { file: 'action/src/action-inputs.ts', line: "context.addIssue({ code: 'custom',", operator: 'string-emptied', original: "'custom'", why: "the issue is raised whatever its code (three of them); ActionInputError reads only its path and message" },
  { file: 'action/src/action-inputs.ts', line: "explainBadPortName(String(issue.input)) ?? 'bad port name'", operator: 'string-emptied', why: 'a message for a person, and unreachable: explainBadPortName names the problem of every name isPortName refuses' },

  { file: 'action/src/action-inputs.ts', line: 'parsed = undefined;', operator: 'statement-removed', why: 'parsed is declared without a value: it is still undefined when JSON.parse throws before assigning it' },
  { file: 'action/src/action-inputs.ts', line: "const name = String(issue.path[0] ?? '');", operator: 'index-from-end [0]→.at(-1)', why: 'the schema is flat: every issue path has one element, the input name' },

  // requeue-lost.ts
  { file: 'controller/queue/core/requeue-lost.ts', line: "if (requeued.kind === 'watcher') queue.watchers.sort(", operator: 'condition-true', why: 'sorting a sorted list' },
  { file: 'controller/queue/core/requeue-lost.ts', line: "if (requeued.kind === 'pr-watcher') queue.prWatchers.sort(", operator: 'condition-true', why: 'sorting a sorted list' },
  { file: 'controller/queue/core/requeue-lost.ts', line: 'other.seq > newest.seq) newest = other;', operator: 'operator >→>=', why: "entries of one seq are one list's builders, at one revision" },

  // workflow-job-handler.ts: the guard that looks for a foreign job on one of our runners.
  { file: WJH, line: "if (event.runnerName !== null && (event.action === 'in_progress'", operator: 'condition-true', why: RUNNER_NAMED },
  { file: WJH, line: "if (event.runnerName !== null && (event.action === 'in_progress'", operator: 'operator &&→||', why: RUNNER_NAMED },
  { file: WJH, line: 'const onOurRunner = [...ctx.leases.values()].find((l) => l.vmId === event.runnerName);', operator: 'call-swapped .find→.findLast', why: 'VM names are unique (build id, attempt and a nonce): at most one lease has it' },

  // reorder-service.ts
  { file: 'controller/queue/reorder-service.ts', line: 'if (this.#cancels.size > 0) await new Promise<void>', operator: 'condition-true', why: 'one more turn of the event loop before a round with no cancel under way dispatches: when its dispatches start, never which' },
  { file: 'controller/queue/reorder-service.ts', line: 'if (this.#cancels.size > 0) await new Promise<void>', operator: 'operator >→>=', why: 'one more turn of the event loop before a round with no cancel under way dispatches: when its dispatches start, never which' },
  { file: 'controller/queue/reorder-service.ts', line: "const failed = (await Promise.allSettled(platforms)).find((r) => r.status === 'rejected');", operator: 'call-swapped .find→.findLast', why: 'which of two platforms\' failures the round rethrows (an abort, or a commit that failed and reloaded its queue): the round fails either way and every platform has ended' },
  { file: 'controller/queue/reorder-service.ts', line: "this.#counter = Number(getMeta(this.#db, 'id_counter') ?? '0');", operator: 'string-emptied', original: "'0'", why: "Number('') is 0, as Number('0') is" },
  { file: 'controller/queue/reorder-service.ts', line: 'if (open !== undefined) return open.entry.portsRevision;', operator: 'condition-false', why: "every change to an entry is written in the transaction that makes it: the database row's revision is the live entry's (a read more)" },
  { file: 'controller/queue/reorder-service.ts', line: 'const run = entry.runId === null ? named.find((r) => r.triggeredByApp)', operator: 'condition-true', why: ONE_APP_RUN },
  { file: 'controller/queue/reorder-service.ts', line: 'const run = entry.runId === null ? named.find((r) => r.triggeredByApp)', operator: 'call-swapped .find→.findLast', why: `${ONE_APP_RUN}; and a run id names one run` },
  { file: 'controller/queue/reorder-service.ts', line: 'if (live !== undefined) return live.entry;', operator: 'condition-false', why: 'the row is written in the transaction of every change and holds what a restart loads: the entry read from it describes the build as the live one does (a read more)' },
  { file: 'controller/queue/reorder-service.ts', line: 'if (this.#counter !== startCounter) setMeta(', operator: 'condition-true', why: 'writes the counter it already holds: the same row, one write more' },
  { file: 'controller/queue/reorder-service.ts', line: "coalesced: changes[0]?.op === 'coalesce'", operator: 'index-from-end [0]→.at(-1)', why: 'enqueueWatcher answers exactly one change (the insert or the coalesce): its first is its last' },

  { file: WJH, line: 'lease.queuedAt ??= ctx.now();', operator: 'statement-removed', why: 'only a warm lease has no queued time when its job is queued, and the claim it makes ends the warm wait, which sets it (lease-boot-and-register.ts) in the same turn' },
  { file: WJH, line: 'if (oldest.done !== true) ctx.heldQueued.delete(oldest.value);', operator: 'condition-true', why: 'reached only with a thousand builds held: the first key always exists' },

  // verify-runner-group.ts
  { file: 'controller/github/verify-runner-group.ts', line: "group.repositoryIds.length !== 1 || group.repositoryIds[0] !== expected.repositoryId", operator: 'index-from-end [0]→.at(-1)', why: 'read only when the list has exactly one id: its first is its last' },

  // lease-teardown.ts
  { file: 'controller/runners/lease-teardown.ts', line: '} else if (lease.unconfirmedRegistration !== undefined) {', operator: 'condition-true', why: 'with no lost registration the name is undefined: the listing finds no runner of that name and deletes nothing (one GET more)' },
  { file: 'controller/runners/lease-teardown.ts', line: "log.info({ runnerId: lease.runnerId ?? null }", operator: 'operator ??→&&', why: 'a field of a log line, read only by a person (as the log strings the driver leaves alone)' },
  { file: 'controller/runners/lease-teardown.ts', line: 'if (hook === undefined) return;', operator: 'condition-false', why: 'its one caller runs it only when ctx.beforeDestroy is set' },
  { file: 'controller/runners/lease-teardown.ts', line: 'timer.unref();', operator: 'statement-removed', why: 'the timer is cleared when the job ends and fires when it does not: either way the wait ends as before' },
  { file: 'controller/runners/lease-teardown.ts', line: 'clearTimeout(timer);', operator: 'statement-removed', why: 'an unref\'d timer left to fire resolves a promise already resolved' },
  { file: 'controller/runners/lease-teardown.ts', line: '}, { once: true });', operator: 'boolean-flipped', why: 'a signal aborts once: the listener runs once either way' },
  // dispatch-one.ts: the outcome's kind is read only as 'not-sent' or 'refused'; anything else is the unknown outcome.
  { file: 'controller/queue/dispatch-one.ts', line: "return { kind: 'unknown', error:", operator: 'string-emptied', why: "dispatchPlatform tells outcomes apart only by 'not-sent' and 'refused': any other kind, '' included, is the unknown one" },
];
