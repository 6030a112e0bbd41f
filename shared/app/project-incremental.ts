/**
 * Use case: the incremental projection of one account/region (docs/projection.md). A batch of new log items
 * costs reads and writes proportional to the batch, the stretch of the log since the checkpoint before its
 * earliest event, and the connectors it touches — not to the whole log.
 *
 * Steps: take the scope's lease; index the batch (eventID variants, names, ENIs, MicroVMs); find how far back
 * it reaches (its earliest event, or earlier when it adds a conflicting variant, a first incarnation of a
 * name already referenced, or a second creation of an ENI); load the checkpoint before that, the log after it
 * and the states of the connectors concerned; fold (pure, shared/domain/incremental-projection.ts); write the
 * checkpoints, then the outputs, each conditioned on its basis (the size of the event set it was computed
 * from), so a retry rewrites whatever an interrupted run left behind and a smaller set never overwrites a
 * larger one.
 */

import { type Identity, type Incarnation, identityOf, SCOPE_OWNER } from '../domain/connector-lifecycle.js';
import { compareEvents, type EventConflict, hashText, resolveVariants } from '../domain/event-identity.js';
import type { ConnectorState, CoreCheckpoint, LoggedEvent } from '../domain/incremental-projection.js';
import {
  checkpointOf,
  connectorsToLoad,
  foldTail,
  GENESIS,
  genesisCheckpoint,
  linkFactsHash,
  mergeWinners,
  refsOf,
  subjectsOf,
} from '../domain/incremental-projection.js';
import type { ConnectorRef, ConnectorView, Finding, NormalizedEvent } from '../domain/model.js';
import type { FindingChange, Logger, MonitorStore, Scope, StateItem } from '../ports.js';
import { silentLogger } from '../ports.js';

/** Tunables of the projection; defaults suit AWS. */
export interface ProjectionOptions {
  /** Checkpoints older than this (and superseded) expire; the log expires this long after ingest. Seconds. */
  horizonSeconds: number;
  /** How long a projector holds a scope (ms): longer than the project function's time-out (60 s). */
  leaseMs: number;
  /** How long another projector waits for the lease (ms) before failing (the stream then retries). */
  leaseWaitMs: number;
}

export const DEFAULT_PROJECTION_OPTIONS: ProjectionOptions = {
  horizonSeconds: 7 * 86_400,
  leaseMs: 70_000,
  leaseWaitMs: 40_000,
};

export interface IncrementalDeps {
  store: MonitorStore;
  logger?: Logger;
  now?: () => number;
  options?: Partial<ProjectionOptions>;
  /** Lease owner id (tests give concurrent projectors distinct ids). */
  owner?: string;
  /** Waits between lease attempts (ms); tests may yield instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BatchProjection {
  scope: Scope;
  /** Log items folded (the tail since the checkpoint). */
  events: number;
  /** Connectors whose state was recomputed. */
  connectors: number;
  findings: number;
  /** Where the fold started (checkpoint key). */
  from: string;
  changes: FindingChange[];
  conflicts: EventConflict[];
}

const sk = (s: Scope) => `${s.account}#${s.region}`;
export const keysOf = {
  core: (s: Scope) => `PROJ#${sk(s)}`,
  lease: (s: Scope) => `LEASE#${sk(s)}`,
  snapshot: (s: Scope, id: string) => `SNAP#${sk(s)}#${id}`,
  eventId: (s: Scope, id: string) => `IDX#${sk(s)}#EVID#${id}`,
  name: (s: Scope, name: string) => `IDX#${sk(s)}#NAME#${name}`,
  eni: (s: Scope, eni: string) => `IDX#${sk(s)}#ENI#${eni}`,
  microvm: (s: Scope, id: string) => `IDX#${sk(s)}#MVM#${id}`,
  views: (s: Scope) => `VIEWS#${sk(s)}`,
  hyperplane: (s: Scope) => `HP#${sk(s)}`,
  conflicts: (s: Scope) => `CONFLICT#${sk(s)}`,
};

interface HeadItem {
  findingStatus: Record<string, string>;
  hashes: Record<string, string>;
}

/**
 * Projects one scope. `batch` is the log keys that are new (a stream batch), or 'all' to re-fold everything
 * the log still holds (replay, repair). Throws when the lease cannot be taken or DynamoDB fails; a retry
 * converges.
 */
export async function projectBatch(
  deps: IncrementalDeps,
  scope: Scope,
  batch: readonly string[] | 'all',
): Promise<BatchProjection> {
  const options = { ...DEFAULT_PROJECTION_OPTIONS, ...deps.options };
  const now = deps.now ?? Date.now;
  const owner = deps.owner ?? `${now()}-${Math.random().toString(36).slice(2)}`;
  const leasePk = keysOf.lease(scope);
  const deadline = now() + options.leaseWaitMs;
  for (let attempt = 0; ; attempt++) {
    if (await deps.store.acquireLease(leasePk, owner, now(), now() + options.leaseMs)) break;
    if (now() > deadline) throw new Error(`scope ${sk(scope)} is being projected by another projector`);
    await (deps.sleep ?? sleep)(Math.min(500, 10 * 2 ** attempt) * (0.5 + Math.random()));
  }
  try {
    return await project({ ...deps, logger: deps.logger ?? silentLogger }, options, now, scope, batch);
  } finally {
    await deps.store.releaseLease(leasePk, owner).catch(() => undefined);
  }
}

async function project(
  deps: IncrementalDeps & { logger: Logger },
  options: ProjectionOptions,
  now: () => number,
  scope: Scope,
  batch: readonly string[] | 'all',
): Promise<BatchProjection> {
  const { store } = deps;
  const facts = await store.loadNetworkFacts(scope);
  const factsHash = linkFactsHash(facts);
  const batchItems = batch === 'all' ? await store.readLog(scope, GENESIS) : await store.getLog(scope, batch);

  // 1. Index the batch (idempotent) and find how far back it reaches.
  await store.putItems(indexEntries(scope, batchItems));
  const all = batch === 'all';
  let reach = all ? GENESIS : (batchItems.map((b) => b.key).sort()[0] ?? null);
  const variantWinners: Record<string, string> = {};
  let batchConflicts: EventConflict[];
  if (all) {
    // The batch is the whole log: its variants are all there.
    batchConflicts = resolveVariants(batchItems).conflicts;
    for (const c of batchConflicts) variantWinners[c.eventId] = c.winner;
  } else {
    batchConflicts = await variantsFromIndex(store, scope, batchItems, variantWinners);
    for (const c of batchConflicts) {
      const variantKeys = c.variants.map((v) => `EVT#${v.eventTime}#${c.eventId}#${v.hash}`).sort();
      reach = minKey(reach, variantKeys[0] ?? null);
    }
    reach = minKey(reach, await identityReach(store, scope, batchItems, variantWinners));
  }

  // 2. The checkpoint before it, and the log since.
  let core = await findCheckpoint(store, scope, reach ?? GENESIS);
  if (core && core.factsHash !== factsHash) core = await findCheckpoint(store, scope, GENESIS);
  const fresh = core === null;
  const start = core ?? genesisCheckpoint(factsHash);
  const tail = all && start.at === GENESIS ? [...batchItems] : await store.readLog(scope, start.at);
  const inTail = new Set(tail.map((t) => t.key));
  // Older than the oldest checkpoint kept (beyond the horizon): folded at that checkpoint.
  for (const b of batchItems) if (!inTail.has(b.key) && b.key < start.at) tail.push(b);

  // 3. Who is who, and which connectors the tail concerns.
  const winners = mergeWinners(start.conflicts, variantWinners, resolveVariants(tail).conflicts);
  const isWinner = (eventId: string, hash: string) => (winners[eventId] ?? hash) === hash;
  const events = tail.filter((t) => isWinner(t.event.eventId, t.hash)).map((t) => t.event);
  // From the start of the log, the tail is the whole set: identity comes from it (as in the full fold).
  const { identity, microvmConnectors } =
    start.at === GENESIS
      ? { identity: identityOf([...events].sort(compareEvents)), microvmConnectors: new Map<string, Set<string>>() }
      : await loadIdentity(store, scope, events, isWinner);
  const ids = connectorsToLoad(events, start, identity, microvmConnectors, facts);
  const { states, snapshots } = fresh
    ? { states: new Map<string, ConnectorState>(), snapshots: new Map() }
    : await loadStates(store, scope, ids, start.at);
  const heads = await loadHeads(store, scope, ids);

  // 4. Fold.
  const result = foldTail({
    core: start,
    tail,
    identity,
    states,
    conflicts: variantWinners,
    facts,
    factsHash,
  });

  // 5. Checkpoints: connector snapshots first, then the core (a core is only read once its connectors exist).
  const horizon = options.horizonSeconds;
  const cores = fresh ? [start, ...result.checkpoints.map((c) => c.core)] : result.checkpoints.map((c) => c.core);
  const byConnector = new Map<string, { at: string; basis: number; state: ConnectorState }[]>();
  for (const c of result.checkpoints) {
    for (const state of c.connectors) {
      const id = state.view?.id ?? SCOPE_OWNER;
      const list = byConnector.get(id) ?? [];
      list.push({ at: c.core.at, basis: c.core.basis, state });
      byConnector.set(id, list);
    }
  }
  const snapshotWrites: (StateItem & { basis: number })[] = [];
  const staleSnapshots: { pk: string; sk: string; basis: number }[] = [];
  for (const id of new Set([...byConnector.keys(), ...snapshots.keys()])) {
    const list = byConnector.get(id) ?? [];
    const pk = keysOf.snapshot(scope, id);
    const loaded = snapshots.get(id);
    if (loaded?.current && list[0]) {
      snapshotWrites.push({ ...loaded.current, ttl: expiry(list[0].at, horizon) });
    }
    list.forEach((s, i) => {
      const next = list[i + 1];
      snapshotWrites.push({
        pk,
        sk: s.at,
        basis: s.basis,
        body: JSON.stringify(s.state),
        ...(next ? { ttl: expiry(next.at, horizon) } : {}),
      });
    });
    const kept = new Set(list.map((s) => s.at));
    for (const later of loaded?.later ?? []) {
      if (!kept.has(later.sk)) staleSnapshots.push({ pk, sk: later.sk, basis: later.basis ?? 0 });
    }
  }
  await forEachLimited(snapshotWrites, 8, (w) => store.putIfNotNewer(w));
  await forEachLimited(staleSnapshots, 8, (d) => store.deleteIfNotNewer(d.pk, d.sk, d.basis));
  const coreWrites = cores.map((c, i) => {
    const next = cores[i + 1];
    return coreItem(scope, c, next ? expiry(next.at, horizon) : undefined);
  });
  if (!fresh && cores[0]) coreWrites.unshift(coreItem(scope, start, expiry(cores[0].at, horizon)));
  await forEachLimited(coreWrites, 8, (w) => store.putIfNotNewer(w));
  const emitted = new Set(cores.map((c) => c.at));
  const staleCores = (await store.queryItems(keysOf.core(scope), { gt: start.at })).filter((c) => !emitted.has(c.sk));
  await forEachLimited(staleCores, 8, (c) => store.deleteIfNotNewer(c.pk, c.sk, result.head.basis));

  // 6. Outputs: hyperplane ENIs, findings, then each connector's head item (last, so a retry sees what is behind).
  const basis = result.head.basis;
  await store.putItems(
    result.hyperplane.map((h) => ({ pk: keysOf.hyperplane(scope), sk: h.key, body: JSON.stringify(h.eni) })),
  );
  const changes: FindingChange[] = [];
  let findingCount = 0;
  await forEachLimited(result.head.connectors, 8, async (state) => {
    const subject = state.view?.id ?? SCOPE_OWNER;
    const previous = heads.get(subject) ?? { findingStatus: {}, hashes: {} };
    const findings = state.findings.map((t) => t.finding);
    findingCount += findings.length;
    changes.push(...findingChanges(previous.findingStatus, findings));
    const hashes: Record<string, string> = {};
    const writes: (StateItem & { basis: number })[] = [];
    for (const f of findings) {
      const body = JSON.stringify(f);
      const h = hashText(body);
      hashes[`FINDING#${f.fingerprint}`] = h;
      if (previous.hashes[`FINDING#${f.fingerprint}`] === h) continue;
      writes.push(findingItem(scope, f, body, basis));
      writes.push({ pk: keysOf.views(scope), sk: `FINDING#${f.fingerprint}`, body, basis });
    }
    const viewBody = JSON.stringify(state.view);
    hashes.CONN = hashText(viewBody);
    if (state.view && previous.hashes.CONN !== hashes.CONN) {
      writes.push(connectorItem(scope, state.view, viewBody, basis));
    }
    await forEachLimited(writes, 4, (w) => store.putIfNotNewer(w));
    for (const fp of Object.keys(previous.findingStatus)) {
      if (hashes[`FINDING#${fp}`]) continue;
      await store.deleteIfNotNewer(`FINDING#${fp}`, 'META', basis);
      await store.deleteIfNotNewer(keysOf.views(scope), `FINDING#${fp}`, basis);
    }
    const head: HeadItem = {
      findingStatus: Object.fromEntries(findings.map((f) => [f.fingerprint, f.status])),
      hashes,
    };
    await store.putIfNotNewer({
      pk: keysOf.views(scope),
      sk: headKey(subject),
      body: viewBody,
      basis,
      attributes: { head: JSON.stringify(head) },
    });
  });

  // 7. Conflicts: recorded once per losing variant, and quarantined with the reason.
  for (const conflict of batchConflicts) {
    for (const variant of conflict.variants) {
      if (variant.hash === conflict.winner) continue;
      const recorded = await store.putIfAbsent({
        pk: keysOf.conflicts(scope),
        sk: `${conflict.eventId}#${variant.hash}`,
        body: JSON.stringify(conflict),
      });
      if (!recorded) continue;
      const loser = tail.find((t) => t.event.eventId === conflict.eventId && t.hash === variant.hash);
      await store.quarantine({
        eventId: conflict.eventId,
        error: `conflicting content for eventID ${conflict.eventId}: variant ${variant.hash} (${variant.eventName} at ${variant.eventTime}) lost to ${conflict.winner}, the smallest content hash`,
        raw: JSON.stringify(loser?.event ?? variant),
        receivedAt: new Date(now()).toISOString(),
      });
      deps.logger.warn('conflicting content for one eventID', { eventId: conflict.eventId, winner: conflict.winner });
    }
  }
  await store.putItems([{ pk: 'SCOPES', sk: sk(scope), body: JSON.stringify(scope), attributes: { ...scope } }]);
  return {
    scope,
    events: tail.length,
    connectors: result.head.connectors.length,
    findings: findingCount,
    from: start.at,
    changes,
    conflicts: batchConflicts,
  };
}

/** An eventID index entry: one stored variant of an eventID. */
interface EventMark {
  eventId: string;
  hash: string;
  at: string;
  name: string;
  kind: string;
}

/** Conflicts among the variants the eventID index holds for the batch's eventIDs (all variants ever stored). */
async function variantsFromIndex(
  store: MonitorStore,
  scope: Scope,
  batchItems: readonly LoggedEvent[],
  winners: Record<string, string>,
): Promise<EventConflict[]> {
  const variantsOf = await queryMany(
    store,
    [...new Set(batchItems.map((b) => b.event.eventId))].map((id) => keysOf.eventId(scope, id)),
  );
  const conflicts: EventConflict[] = [];
  for (const items of variantsOf.values()) {
    if (items.length < 2) continue;
    const marks = items
      .map((i) => JSON.parse(i.body) as EventMark)
      .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
    const first = marks[0] as EventMark;
    winners[first.eventId] = first.hash;
    conflicts.push({
      eventId: first.eventId,
      winner: first.hash,
      variants: marks.map((m) => ({ hash: m.hash, eventTime: m.at, eventName: m.name, kind: m.kind })),
    });
  }
  return conflicts.sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
}

/** Index entries of new log items: eventID variants, connector names, ENI creations, MicroVM runs. */
function indexEntries(scope: Scope, items: readonly LoggedEvent[]): StateItem[] {
  const out: StateItem[] = [];
  for (const { key, hash, event: e } of items) {
    const mark: EventMark = { eventId: e.eventId, hash, at: e.eventTime, name: e.eventName, kind: e.kind };
    out.push({ pk: keysOf.eventId(scope, e.eventId), sk: key, body: JSON.stringify(mark) });
    if (e.kind === 'connector.created' && e.connector.id && e.connector.name) {
      out.push({
        pk: keysOf.name(scope, e.connector.name),
        sk: `INC#${key}`,
        body: JSON.stringify({ ...mark, id: e.connector.id }),
      });
    }
    for (const ref of refsOf(e)) {
      if (!ref.id && ref.name) out.push({ pk: keysOf.name(scope, ref.name), sk: `REF#${key}`, body: '{}' });
    }
    if (e.kind === 'eni.created' && e.eniId) {
      out.push({ pk: keysOf.eni(scope, e.eniId), sk: key, body: JSON.stringify({ ...mark, ref: e.connector }) });
    }
    if (e.kind === 'observed.eni' && e.connectorId) {
      out.push({ pk: keysOf.eni(scope, e.eniId), sk: key, body: JSON.stringify({ ...mark, observed: e.connectorId }) });
    }
    if (e.kind === 'observed.microvm') {
      out.push({
        pk: keysOf.microvm(scope, e.microvmId),
        sk: key,
        body: JSON.stringify({ ...mark, refs: e.egressConnectors }),
      });
    }
    if (e.kind === 'microvm.run' && e.microvmId && !e.errorCode) {
      out.push({
        pk: keysOf.microvm(scope, e.microvmId),
        sk: key,
        body: JSON.stringify({ ...mark, refs: e.egressConnectors }),
      });
    }
  }
  return out;
}

/** How far back a batch's identity changes reach (docs/projection.md, "rewinds"). */
async function identityReach(
  store: MonitorStore,
  scope: Scope,
  batch: readonly LoggedEvent[],
  winners: Record<string, string>,
): Promise<string | null> {
  let reach: string | null = null;
  const isWinner = (m: { eventId: string; hash: string }) => (winners[m.eventId] ?? m.hash) === m.hash;
  const names = new Set<string>();
  const enis = new Set<string>();
  for (const { event: e } of batch) {
    if (e.kind === 'connector.created' && e.connector.id && e.connector.name) names.add(e.connector.name);
    if (e.kind === 'eni.created' && e.eniId) enis.add(e.eniId);
    if (e.kind === 'observed.eni' && e.connectorId) enis.add(e.eniId);
  }
  const nameItems = await queryMany(
    store,
    [...names].map((n) => keysOf.name(scope, n)),
    { prefix: 'INC#' },
  );
  for (const [pk, items] of nameItems) {
    const first = items.find((i) => isWinner(JSON.parse(i.body)));
    if (!first || !batch.some((b) => `INC#${b.key}` === first.sk)) continue;
    // A first incarnation: earlier references by this name now resolve to it.
    const ref = (await store.queryItems(pk, { prefix: 'REF#', limit: 1 }))[0];
    if (ref) reach = minKey(reach, ref.sk.slice('REF#'.length));
  }
  const eniItems = await queryMany(
    store,
    [...enis].map((e) => keysOf.eni(scope, e)),
  );
  for (const items of eniItems.values()) if (items.length > 1) reach = minKey(reach, items[0]?.sk ?? null);
  return reach;
}

async function loadIdentity(
  store: MonitorStore,
  scope: Scope,
  events: readonly NormalizedEvent[],
  isWinner: (eventId: string, hash: string) => boolean,
): Promise<{ identity: Identity; microvmConnectors: Map<string, Set<string>> }> {
  const subjects = subjectsOf(events);
  const [enis, microvms] = await Promise.all([
    queryMany(
      store,
      subjects.enis.map((e) => keysOf.eni(scope, e)),
    ),
    queryMany(
      store,
      subjects.microvms.map((m) => keysOf.microvm(scope, m)),
    ),
  ]);
  type Mark = { eventId: string; hash: string; at: string };
  const eniCreations = new Map<string, { ref: ConnectorRef; at: string }[]>();
  const runs = new Map<string, ConnectorRef[]>();
  const names = new Set(subjects.names);
  const prefix = (kind: string) => `IDX#${scope.account}#${scope.region}#${kind}#`;
  const eniObserved = new Map<string, string>();
  for (const [pk, items] of enis) {
    const eniId = pk.slice(prefix('ENI').length);
    const list = items
      .map((i) => JSON.parse(i.body) as Mark & { ref?: ConnectorRef; observed?: string })
      .filter((m) => isWinner(m.eventId, m.hash));
    const creations = list.filter((m) => m.ref).map((m) => ({ ref: m.ref as ConnectorRef, at: m.at }));
    if (creations.length > 0) eniCreations.set(eniId, creations);
    const observed = list.find((m) => m.observed);
    if (observed?.observed) eniObserved.set(eniId, observed.observed);
    for (const c of creations) if (c.ref.name) names.add(c.ref.name);
  }
  for (const [pk, items] of microvms) {
    const refs = items
      .map((i) => JSON.parse(i.body) as Mark & { refs: ConnectorRef[] })
      .filter((m) => isWinner(m.eventId, m.hash))
      .flatMap((m) => m.refs);
    runs.set(pk.slice(prefix('MVM').length), refs);
    for (const r of refs) if (r.name) names.add(r.name);
  }
  const nameItems = await queryMany(
    store,
    [...names].map((n) => keysOf.name(scope, n)),
    { prefix: 'INC#' },
  );
  const incarnations = new Map<string, Incarnation[]>();
  for (const [pk, items] of nameItems) {
    const list = items
      .map((i) => JSON.parse(i.body) as Mark & { id: string })
      .filter((m) => isWinner(m.eventId, m.hash))
      .map((m) => ({ id: m.id, createdAt: m.at }));
    if (list.length > 0) incarnations.set(pk.slice(prefix('NAME').length), list);
  }
  const microvmConnectors = new Map<string, Set<string>>();
  for (const [microvm, refs] of runs) {
    const ids = new Set<string>();
    for (const r of refs) {
      if (r.id) ids.add(r.id);
      else if (r.name) for (const inc of incarnations.get(r.name) ?? []) ids.add(inc.id);
    }
    microvmConnectors.set(microvm, ids);
  }
  return { identity: { incarnations, eniCreations, eniObserved }, microvmConnectors };
}

/** The latest checkpoint at or before `at`; else the oldest kept (the horizon); null when there is none. */
async function findCheckpoint(store: MonitorStore, scope: Scope, at: string): Promise<CoreCheckpoint | null> {
  const pk = keysOf.core(scope);
  const before = await store.queryItems(pk, { lte: checkpointOf(at), descending: true, limit: 1 });
  const item = before[0] ?? (await store.queryItems(pk, { limit: 1 }))[0];
  return item ? (JSON.parse(item.body) as CoreCheckpoint) : null;
}

function coreItem(scope: Scope, core: CoreCheckpoint, ttl: number | undefined): StateItem & { basis: number } {
  return {
    pk: keysOf.core(scope),
    sk: core.at,
    basis: core.basis,
    body: JSON.stringify(core),
    ...(ttl ? { ttl } : {}),
  };
}

async function loadStates(
  store: MonitorStore,
  scope: Scope,
  ids: readonly string[],
  at: string,
): Promise<{
  states: Map<string, ConnectorState>;
  snapshots: Map<string, { current: (StateItem & { basis: number }) | null; later: StateItem[] }>;
}> {
  const states = new Map<string, ConnectorState>();
  const snapshots = new Map<string, { current: (StateItem & { basis: number }) | null; later: StateItem[] }>();
  await forEachLimited([...ids], 8, async (id) => {
    const pk = keysOf.snapshot(scope, id);
    const [current, later] = await Promise.all([
      store.queryItems(pk, { lte: at, descending: true, limit: 1 }),
      store.queryItems(pk, { gt: at }),
    ]);
    const item = current[0];
    if (item) states.set(id, JSON.parse(item.body) as ConnectorState);
    snapshots.set(id, { current: item ? { ...item, basis: item.basis ?? 0 } : null, later });
  });
  return { states, snapshots };
}

async function loadHeads(store: MonitorStore, scope: Scope, ids: readonly string[]): Promise<Map<string, HeadItem>> {
  const items = await store.getItems(ids.map((id) => ({ pk: keysOf.views(scope), sk: headKey(id) })));
  const heads = new Map<string, HeadItem>();
  for (const item of items) {
    const head = item.attributes?.head;
    if (typeof head === 'string') heads.set(item.sk.slice(item.sk.indexOf('#') + 1), JSON.parse(head) as HeadItem);
  }
  return heads;
}

/** The head item of a subject: `CONN#<id>` (listed as a connector) or `OWNER#*` for the scope's findings. */
function headKey(subject: string): string {
  return subject === SCOPE_OWNER ? `OWNER#${subject}` : `CONN#${subject}`;
}

function connectorItem(scope: Scope, view: ConnectorView, body: string, basis: number): StateItem & { basis: number } {
  return {
    pk: `CONN#${view.id}`,
    sk: 'META',
    body,
    basis,
    attributes: {
      gsi1pk: `SCOPE#${sk(scope)}`,
      gsi1sk: `CONN#${view.id}`,
      state: view.state,
      name: view.name ?? undefined,
    },
  };
}

function findingItem(scope: Scope, finding: Finding, body: string, basis: number): StateItem & { basis: number } {
  return {
    pk: `FINDING#${finding.fingerprint}`,
    sk: 'META',
    body,
    basis,
    attributes: {
      gsi1pk: `SCOPE#${sk(scope)}`,
      gsi1sk: `FINDING#${finding.firstSeen}#${finding.fingerprint}`,
      rule: finding.rule,
      severity: finding.severity,
      status: finding.status,
      connectorId: finding.connectorId,
    },
  };
}

function findingChanges(previous: Record<string, string>, findings: Finding[]): FindingChange[] {
  const changes: FindingChange[] = [];
  for (const finding of findings) {
    const before = previous[finding.fingerprint];
    if (before === finding.status) continue;
    if (before === undefined && finding.status === 'open') changes.push({ change: 'opened', finding });
    else if (before === 'open' && finding.status === 'resolved') changes.push({ change: 'resolved', finding });
    else if (before === 'resolved' && finding.status === 'open') changes.push({ change: 'reopened', finding });
  }
  return changes;
}

async function queryMany(
  store: MonitorStore,
  pks: readonly string[],
  range?: { prefix?: string },
): Promise<Map<string, StateItem[]>> {
  const out = new Map<string, StateItem[]>();
  await forEachLimited([...new Set(pks)], 8, async (pk) => {
    const items = await store.queryItems(pk, range);
    if (items.length > 0) out.set(pk, items);
  });
  return out;
}

/** Epoch seconds: the hour boundary `at` plus the horizon. */
function expiry(at: string, horizonSeconds: number): number {
  const iso = `${at.slice(GENESIS.length)}:00:00Z`;
  const ms = Date.parse(iso);
  return Math.floor((Number.isNaN(ms) ? 0 : ms) / 1000) + horizonSeconds;
}

function minKey(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  let cursor = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (cursor < items.length) await run(items[cursor++] as T);
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
