/**
 * The incremental projection's pure part (docs/projection.md): which connectors a stretch of the log touches,
 * and the fold of that stretch (the "tail") from a checkpoint, with the checkpoints it passes. The fold of a
 * checkpoint plus its tail equals deriveLifecycle over the whole event set; the property tests check that.
 */
import {
  type FoldSeed,
  type HyperplaneEniView,
  type Identity,
  LifecycleFold,
  SCOPE_OWNER,
  type TrackedFinding,
} from './connector-lifecycle.js';
import {
  compareEvents,
  type EventConflict,
  type HashedEvent,
  hashText,
  resolveVariants,
  stableStringify,
} from './event-identity.js';
import type {
  ConnectorRef,
  ConnectorView,
  NetworkEvent,
  NetworkFacts,
  NormalizedEvent,
  SecurityGroupChangedEvent,
} from './model.js';
import { affectedConnectors } from './network-relevance.js';
import { type RememberedRule, resolveSecurityGroupChange, ruleMemoryOfFacts } from './security-group-rules.js';

/** Sort key before every event key: the checkpoint of the empty log. */
export const GENESIS = 'EVT#';

/** One log item: its sort key (`EVT#<eventTime>#<eventId>#<hash>`), the event and its content hash. */
export interface LoggedEvent {
  key: string;
  hash: string;
  event: NormalizedEvent;
}

/**
 * One connector's full fold state: its view and its findings with their tracking state. The subject
 * SCOPE_OWNER ('*') has no view: it holds the findings about the whole account/region.
 */
export interface ConnectorState {
  view: ConnectorView | null;
  findings: TrackedFinding[];
}

/** What network events are routed by: the connectors alive at a checkpoint, without their history. */
export interface AliveConnector {
  id: string;
  state: ConnectorView['state'];
  subnetIds: string[];
  securityGroupIds: string[];
  vpcId: string | null;
}

/**
 * The scope-wide part of the fold state at a checkpoint: the state after every event whose key sorts before
 * `at`. Connector states live in their own items (one per connector and checkpoint where it changed).
 */
export interface CoreCheckpoint {
  /** `EVT#<yyyy-mm-ddThh>` (an hour boundary) or GENESIS. */
  at: string;
  /** Log items (all content variants) whose key sorts before `at`: grows with the event set. */
  basis: number;
  natRouteTables: Record<string, string[]>;
  /** Security-group rule content by `sgr-` id (absent in older checkpoints: from the facts). */
  securityGroupRules?: Record<string, RememberedRule>;
  alive: AliveConnector[];
  /** eventID → winning content hash, for every conflict the folds have seen. */
  conflicts: Record<string, string>;
  /** Hash of the NetworkFacts the checkpoint was folded with. */
  factsHash: string;
}

/**
 * Hash of what the fold reads from network facts: the link maps and the snapshot without its capture time
 * (which changes with every collection). A checkpoint folded with other facts is re-folded.
 */
export function linkFactsHash(facts: NetworkFacts): string {
  const { capturedAt: _capturedAt, gaps: _gaps, ...network } = (facts.snapshot ?? {}) as Record<string, unknown>;
  return hashText(
    stableStringify({
      routeTableOfSubnet: facts.routeTableOfSubnet,
      subnetOfRouteTableAssociation: facts.subnetOfRouteTableAssociation,
      networkAclOfSubnet: facts.networkAclOfSubnet,
      network,
    }),
  );
}

/** The empty state. */
export function genesisCheckpoint(factsHash: string): CoreCheckpoint {
  return { at: GENESIS, basis: 0, natRouteTables: {}, alive: [], conflicts: {}, factsHash };
}

/** Checkpoint boundaries are hours of eventTime: `EVT#2026-11-30T10:05:00.000Z#…` → `EVT#2026-11-30T10`. */
export function checkpointOf(key: string): string {
  return key.slice(0, GENESIS.length + 13);
}

/** The names, ENIs and MicroVMs whose index entries a fold of `events` needs. */
export function subjectsOf(events: readonly NormalizedEvent[]): {
  names: string[];
  enis: string[];
  microvms: string[];
} {
  const names = new Set<string>();
  const enis = new Set<string>();
  const microvms = new Set<string>();
  for (const e of events) {
    for (const ref of refsOf(e)) if (ref.name) names.add(ref.name);
    if ((e.kind === 'eni.created' || e.kind === 'eni.deleted' || e.kind === 'observed.eni') && e.eniId) {
      enis.add(e.eniId);
    }
    if (e.kind === 'microvm.terminated' || e.kind === 'observed.microvm') microvms.add(e.microvmId);
  }
  return { names: [...names].sort(), enis: [...enis].sort(), microvms: [...microvms].sort() };
}

/** Connector references an event carries. */
export function refsOf(e: NormalizedEvent): ConnectorRef[] {
  switch (e.kind) {
    case 'connector.created':
    case 'connector.updated':
    case 'connector.deleted':
    case 'eni.created':
    case 'observed.connector':
      return [e.connector];
    case 'microvm.run':
    case 'observed.microvm':
      return e.egressConnectors;
    default:
      return [];
  }
}

/** Every connector id a reference may denote (all incarnations of a name: a superset is harmless). */
function candidates(ref: ConnectorRef, identity: Identity): string[] {
  if (ref.id) return [ref.id];
  if (!ref.name) return [];
  return (identity.incarnations.get(ref.name) ?? []).map((i) => i.id);
}

function isNetwork(e: NormalizedEvent): e is NetworkEvent {
  return e.kind.startsWith('network.');
}

/**
 * The connectors whose state a fold of `events` from `core` can change: those the events name (directly, via
 * ENIs or MicroVMs) and the alive ones a network event links to. Cost: the events and the alive connectors.
 */
export function connectorsToLoad(
  events: readonly NormalizedEvent[],
  core: CoreCheckpoint,
  identity: Identity,
  microvmConnectors: ReadonlyMap<string, ReadonlySet<string>>,
  facts: NetworkFacts,
): string[] {
  const ids = new Set<string>([SCOPE_OWNER]);
  const nat = new Map<string, Set<string>>();
  for (const [gw, tables] of Object.entries(core.natRouteTables)) nat.set(gw, new Set(tables));
  for (const e of events) {
    if (e.kind === 'network.route' && e.target?.startsWith('nat-') && e.change !== 'delete') {
      const tables = nat.get(e.target) ?? new Set<string>();
      tables.add(e.routeTableId);
      nat.set(e.target, tables);
    }
  }
  const alive = core.alive.map(aliveView);
  // Every content any rule id had (checkpoint or facts, and this batch): a superset of what the fold will use.
  const memory = new Map(
    Object.entries(core.securityGroupRules ?? Object.fromEntries(ruleMemoryOfFacts(facts))).map(([id, r]) => [id, [r]]),
  );
  for (const e of events) {
    if (e.kind !== 'network.security-group') continue;
    for (const r of e.rules)
      if (r.ruleId) memory.set(r.ruleId, [...(memory.get(r.ruleId) ?? []), { ...r, groupId: e.groupId }]);
  }
  for (const e of events) {
    for (const ref of refsOf(e)) for (const id of candidates(ref, identity)) ids.add(id);
    if (e.kind === 'eni.deleted' || e.kind === 'observed.eni') {
      for (const c of identity.eniCreations.get(e.eniId) ?? []) {
        for (const id of candidates(c.ref, identity)) ids.add(id);
      }
      const observed = identity.eniObserved.get(e.eniId);
      if (observed) ids.add(observed);
      if (e.kind === 'observed.eni' && e.connectorId) ids.add(e.connectorId);
    }
    if (e.kind === 'microvm.terminated' || e.kind === 'observed.microvm') {
      for (const id of microvmConnectors.get(e.microvmId) ?? []) ids.add(id);
    }
    if (e.kind === 'observed.condition' && e.connectorId) ids.add(e.connectorId);
    if (!isNetwork(e)) continue;
    const linked =
      e.kind === 'network.security-group'
        ? resolveSecurityGroupChange(
            { ...e, referencedGroupIds: [...e.referencedGroupIds, ...formerPeers(e, memory)] },
            new Map(),
            facts,
          ).event
        : e;
    for (const hit of affectedConnectors(linked, alive, facts, nat)) ids.add(hit.connector.id);
  }
  return [...ids].sort();
}

/** Groups any known content of a modified rule referenced. */
function formerPeers(e: SecurityGroupChangedEvent, memory: ReadonlyMap<string, { peer: string | null }[]>): string[] {
  if (e.change !== 'modify') return [];
  return e.rules.flatMap((r) =>
    (r.ruleId ? (memory.get(r.ruleId) ?? []) : []).flatMap((m) => (m.peer?.startsWith('sg-') ? [m.peer] : [])),
  );
}

function aliveView(a: AliveConnector): ConnectorView {
  return {
    id: a.id,
    name: null,
    arn: null,
    account: '',
    region: '',
    state: a.state,
    stateReason: null,
    lastUpdateStatus: null,
    subnetIds: a.subnetIds,
    securityGroupIds: a.securityGroupIds,
    vpcId: a.vpcId,
    networkProtocol: null,
    operatorRole: null,
    createdAt: null,
    activeAt: null,
    deletedAt: null,
    transitions: [],
    enis: [],
    microvms: [],
    timeline: [],
  };
}

const GONE = new Set(['DELETING', 'DELETED', 'UNKNOWN']);

function aliveOf(view: ConnectorView | null): AliveConnector | null {
  if (!view || GONE.has(view.state)) return null;
  return {
    id: view.id,
    state: view.state,
    subnetIds: [...view.subnetIds],
    securityGroupIds: [...view.securityGroupIds],
    vpcId: view.vpcId,
  };
}

export interface TailFoldInput {
  core: CoreCheckpoint;
  /** Every log item with key ≥ core.at (all variants, any order). */
  tail: readonly LoggedEvent[];
  identity: Identity;
  /** Connector states at core.at, for every connector connectorsToLoad named that has one. */
  states: ReadonlyMap<string, ConnectorState>;
  /** eventID → winning hash from the eventID index (all variants, authoritative); overrides core.conflicts. */
  conflicts: Readonly<Record<string, string>>;
  facts: NetworkFacts;
  factsHash: string;
}

export interface CheckpointWrite {
  core: CoreCheckpoint;
  /** Connectors whose state differs from their previous checkpoint (copy-on-write). */
  connectors: ConnectorState[];
}

export interface TailFoldResult {
  checkpoints: CheckpointWrite[];
  /** State after the whole tail: every connector the fold loaded or met. */
  head: { basis: number; connectors: ConnectorState[] };
  hyperplane: { key: string; eni: HyperplaneEniView }[];
  /** Conflicts among the tail's events (all variants in the tail). */
  conflicts: EventConflict[];
  /** eventID → winning hash, everything this fold knows. */
  conflictWinners: Record<string, string>;
}

/** Folds the tail from its checkpoint, emitting a checkpoint at each hour boundary it crosses. */
export function foldTail(input: TailFoldInput): TailFoldResult {
  const { core } = input;
  const resolved = resolveVariants(input.tail.map((l): HashedEvent & { key: string } => l) as HashedEvent[]);
  const winners = mergeWinners(core.conflicts, input.conflicts, resolved.conflicts);
  const keyOf = new Map<NormalizedEvent, string>();
  for (const l of input.tail) keyOf.set(l.event, l.key);
  const ordered = (resolved.winners as (HashedEvent & { key: string })[])
    .filter((w) => (winners[w.event.eventId] ?? w.hash) === w.hash)
    .map((w) => ({ key: keyOf.get(w.event) as string, event: w.event }))
    // The canonical fold order (eventTime, same-second rank, eventId); the key only breaks exact ties.
    .sort((a, b) => compareEvents(a.event, b.event) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rawKeys = input.tail.map((l) => l.key).sort();

  const seed: FoldSeed = {
    connectors: [...input.states.values()],
    natRouteTables: core.natRouteTables,
    ...(core.securityGroupRules ? { securityGroupRules: core.securityGroupRules } : {}),
  };
  const fold = new LifecycleFold(input.identity, input.facts, seed);
  const written = new Map<string, string>();
  for (const [id, s] of input.states) written.set(id, stableStringify(s));
  const alive = new Map(core.alive.map((a) => [a.id, a]));
  const checkpoints: CheckpointWrite[] = [];
  const hyperplaneKeys: string[] = [];
  let raw = 0;

  const emit = (at: string) => {
    while (raw < rawKeys.length && (rawKeys[raw] as string) < at) raw++;
    const changed: ConnectorState[] = [];
    for (const id of fold.takeTouched().sort()) {
      const state = fold.connectorState(id) as ConnectorState;
      const text = stableStringify(state);
      if (written.get(id) !== text) {
        written.set(id, text);
        changed.push(structuredClone(state));
      }
      const a = aliveOf(state.view);
      if (a) alive.set(id, a);
      else alive.delete(id);
    }
    checkpoints.push({
      core: {
        at,
        basis: core.basis + raw,
        natRouteTables: fold.natRoutes(),
        securityGroupRules: fold.securityGroupRuleMemory(),
        alive: [...alive.values()].sort((x, y) => (x.id < y.id ? -1 : 1)),
        conflicts: { ...winners },
        factsHash: input.factsHash,
      },
      connectors: changed,
    });
  };

  // A checkpoint at every hour that holds a log item (any variant), so no older checkpoint there survives.
  const boundaries = [...new Set(rawKeys.map(checkpointOf))].filter((at) => at > core.at).sort();
  let next = 0;
  const emitUpTo = (limit: string) => {
    while (next < boundaries.length && (boundaries[next] as string) <= limit) {
      emit(boundaries[next] as string);
      next++;
    }
  };
  for (const { key, event } of ordered) {
    emitUpTo(checkpointOf(key));
    if (event.kind === 'hyperplane-eni.created') hyperplaneKeys.push(key);
    fold.apply(event);
  }
  emitUpTo('\uffff');
  const result = fold.result();
  return {
    checkpoints,
    head: {
      basis: core.basis + rawKeys.length,
      connectors: fold.connectorIds().map((id) => fold.connectorState(id) as ConnectorState),
    },
    hyperplane: result.hyperplaneEnis.map((eni, i) => ({ key: hyperplaneKeys[i] as string, eni })),
    conflicts: resolved.conflicts,
    conflictWinners: winners,
  };
}

/**
 * eventID → winning hash from several partial views of the variants (checkpoint, eventID index, a stretch of
 * the log): the winner is the smallest hash of the union, so the smallest of the partial winners.
 */
export function mergeWinners(
  ...views: (Readonly<Record<string, string>> | readonly EventConflict[])[]
): Record<string, string> {
  const out: Record<string, string> = {};
  const offer = (eventId: string, hash: string) => {
    const known = out[eventId];
    if (known === undefined || hash < known) out[eventId] = hash;
  };
  for (const view of views) {
    if (Array.isArray(view)) for (const c of view as readonly EventConflict[]) offer(c.eventId, c.winner);
    else for (const [eventId, hash] of Object.entries(view as Record<string, string>)) offer(eventId, hash);
  }
  return out;
}
