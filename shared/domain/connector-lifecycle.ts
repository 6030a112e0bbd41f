/**
 * The lifecycle reducer: folds the normalized events of one account/region into connector views and
 * event-driven findings. It is a pure function of the event SET — events are deduplicated by eventId and
 * sorted by (eventTime, eventId) first — so any permutation or duplication of a stream gives the same result.
 */

import { describeActor, isLambdaServiceText } from './actor.js';
import { compareEvents, contentHash, type EventConflict, type HashedEvent, resolveVariants } from './event-identity.js';
import { FindingBook, type Tracked } from './finding-book.js';
import type {
  ConditionObservedEvent,
  ConnectorObservedEvent,
  ConnectorRef,
  ConnectorView,
  EniCreatedEvent,
  EniObservedEvent,
  EniView,
  Finding,
  MicrovmObservedEvent,
  MicrovmRunEvent,
  NetworkEvent,
  NetworkFacts,
  NormalizedEvent,
} from './model.js';
import { NO_NETWORK_FACTS } from './model.js';
import {
  affectedConnectors,
  describeNetworkChange,
  isolationBreachCandidate,
  natRouteTablesOf,
  networkChangeDirection,
  ruleText,
} from './network-relevance.js';
import { RULES, ruleById } from './rules.js';
import {
  type RememberedRule,
  type RuleMemory,
  rememberRules,
  resolveSecurityGroupChange,
  ruleMemoryOfFacts,
} from './security-group-rules.js';

export interface HyperplaneEniView {
  id: string | null;
  subnetId: string | null;
  functionName: string | null;
  createdAt: string;
}

export interface LifecycleResult {
  connectors: ConnectorView[];
  findings: Finding[];
  hyperplaneEnis: HyperplaneEniView[];
  /** eventIDs seen with different contents, and which content the fold applied. */
  conflicts: EventConflict[];
}

/**
 * Deduplicated by eventId and ordered by eventTime then eventId. Identical copies collapse; copies with
 * different content are a conflict whose winner is the smallest content hash (order-independent).
 */
export function canonicalOrder(events: readonly NormalizedEvent[]): NormalizedEvent[] {
  return canonicalSet(events).ordered;
}

/** canonicalOrder plus the conflicts it resolved. */
export function canonicalSet(events: readonly NormalizedEvent[]): {
  ordered: NormalizedEvent[];
  conflicts: EventConflict[];
} {
  const groups = new Map<string, NormalizedEvent[]>();
  for (const e of events) {
    const group = groups.get(e.eventId);
    if (group) group.push(e);
    else groups.set(e.eventId, [e]);
  }
  const ordered: NormalizedEvent[] = [];
  const hashed: HashedEvent[] = [];
  for (const group of groups.values()) {
    if (group.length === 1) ordered.push(group[0] as NormalizedEvent);
    else for (const event of group) hashed.push({ event, hash: contentHash(event) });
  }
  const { winners, conflicts } = resolveVariants(hashed);
  for (const w of winners) ordered.push(w.event);
  return { ordered: ordered.sort(compareEvents), conflicts };
}

const GONE = new Set(['DELETING', 'DELETED']);
/** connectorId of findings about a whole account/region (monitoring-blind, missed-event). */
export const SCOPE_OWNER = '*';

export function deriveLifecycle(
  events: readonly NormalizedEvent[],
  facts: NetworkFacts = NO_NETWORK_FACTS,
): LifecycleResult {
  const { ordered, conflicts } = canonicalSet(events);
  const fold = new LifecycleFold(identityOf(ordered), facts);
  for (const event of ordered) fold.apply(event);
  return { ...fold.result(), conflicts };
}

/** A connector incarnation: a name can be reused after a delete. */
export interface Incarnation {
  id: string;
  createdAt: string;
}

/**
 * Who is who, as a function of the whole event set (so it does not depend on which event came first):
 * connector incarnations per name and, per ENI, the connector references of its creations, both in
 * canonical order.
 */
export interface Identity {
  incarnations: Map<string, Incarnation[]>;
  eniCreations: Map<string, { ref: ConnectorRef; at: string }[]>;
  /** ENI → connector of the first reconcile observation naming one (used when no creation resolves). */
  eniObserved: Map<string, string>;
}

/** Identity of a canonically ordered event set. */
export function identityOf(ordered: readonly NormalizedEvent[]): Identity {
  const identity: Identity = { incarnations: new Map(), eniCreations: new Map(), eniObserved: new Map() };
  for (const e of ordered) {
    if (e.kind === 'connector.created' && e.connector.id && e.connector.name) {
      const list = identity.incarnations.get(e.connector.name) ?? [];
      list.push({ id: e.connector.id, createdAt: e.eventTime });
      identity.incarnations.set(e.connector.name, list);
    }
    if (e.kind === 'eni.created' && e.eniId) {
      const list = identity.eniCreations.get(e.eniId) ?? [];
      list.push({ ref: e.connector, at: e.eventTime });
      identity.eniCreations.set(e.eniId, list);
    }
    if (e.kind === 'observed.eni' && e.connectorId && !identity.eniObserved.has(e.eniId)) {
      identity.eniObserved.set(e.eniId, e.connectorId);
    }
  }
  return identity;
}

/** A finding with the fold's tracking state (baseline, current path state), as checkpoints store it. */
export type TrackedFinding = Tracked;

/** State the incremental projection restores a fold from (docs/projection.md). */
export interface FoldSeed {
  /** Connector states; the state with `view: null` holds the scope's own findings (owner SCOPE_OWNER). */
  connectors: readonly { view: ConnectorView | null; findings: readonly TrackedFinding[] }[];
  natRouteTables: Readonly<Record<string, readonly string[]>>;
  /** Rule content by `sgr-` id at the checkpoint; absent (older checkpoints, genesis): from the facts. */
  securityGroupRules?: Readonly<Record<string, RememberedRule>>;
}

export class LifecycleFold {
  private readonly connectors = new Map<string, ConnectorView>();
  /** name → connector incarnations (a name can be reused after a delete), by creation time. */
  private readonly incarnations: Map<string, Incarnation[]>;
  private readonly eniOwner = new Map<string, string>();
  private readonly microvmConnectors = new Map<string, Set<string>>();
  /** NAT gateway → route tables that route to it, learned from route events. */
  private readonly natRouteTables = new Map<string, Set<string>>();
  /** Security-group rule content by `sgr-` id (docs/projection.md#security-group-rules). */
  private readonly sgRules: RuleMemory;
  private readonly hyperplane: HyperplaneEniView[] = [];
  private readonly findings = new FindingBook();
  /** Connectors changed since the last takeTouched(). */
  private readonly touched = new Set<string>();

  constructor(
    identity: Identity,
    private readonly facts: NetworkFacts,
    seed?: FoldSeed,
  ) {
    for (const [nat, tables] of natRouteTablesOf(facts)) this.natRouteTables.set(nat, new Set(tables));
    this.sgRules = seed?.securityGroupRules
      ? new Map(Object.entries(seed.securityGroupRules).map(([id, rule]) => [id, { ...rule }]))
      : ruleMemoryOfFacts(facts);
    this.incarnations = identity.incarnations;
    for (const [eniId, creations] of identity.eniCreations) {
      for (const c of creations) {
        const owner = this.resolve(c.ref, c.at);
        if (owner) this.eniOwner.set(eniId, owner);
      }
    }
    for (const [eniId, connectorId] of identity.eniObserved) {
      if (!this.eniOwner.has(eniId)) this.eniOwner.set(eniId, connectorId);
    }
    if (!seed) return;
    for (const s of seed.connectors) {
      if (s.view) this.connectors.set(s.view.id, structuredClone(s.view));
      for (const t of s.findings) this.findings.restore(structuredClone(t));
      for (const use of s.view?.microvms ?? []) {
        const users = this.microvmConnectors.get(use.id) ?? new Set<string>();
        users.add(s.view?.id as string);
        this.microvmConnectors.set(use.id, users);
      }
    }
    for (const [nat, tables] of Object.entries(seed.natRouteTables)) {
      const known = this.natRouteTables.get(nat) ?? new Set<string>();
      for (const t of tables) known.add(t);
      this.natRouteTables.set(nat, known);
    }
  }

  /** The state of one connector (view and its findings), or undefined if the fold has not seen it. */
  connectorState(id: string): { view: ConnectorView | null; findings: TrackedFinding[] } | undefined {
    if (id === SCOPE_OWNER) return { view: null, findings: this.findings.trackedFor(id) };
    const view = this.connectors.get(id);
    return view ? { view, findings: this.findings.trackedFor(id) } : undefined;
  }

  /** The connectors the fold changed (or may have) since the last call. */
  takeTouched(): string[] {
    const ids = [...this.touched];
    this.touched.clear();
    return ids;
  }

  connectorIds(): string[] {
    return [...this.connectors.keys(), SCOPE_OWNER];
  }

  natRoutes(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const [nat, tables] of [...this.natRouteTables].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[nat] = [...tables].sort();
    }
    return out;
  }

  /** The rule memory, by id, for the checkpoint. */
  securityGroupRuleMemory(): Record<string, RememberedRule> {
    return Object.fromEntries([...this.sgRules].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  result(): Omit<LifecycleResult, 'conflicts'> {
    const connectors = [...this.connectors.values()].sort((a, b) =>
      (a.createdAt ?? '') === (b.createdAt ?? '')
        ? a.id.localeCompare(b.id)
        : (a.createdAt ?? '') < (b.createdAt ?? '')
          ? -1
          : 1,
    );
    return { connectors, findings: this.findings.all(), hyperplaneEnis: this.hyperplane };
  }

  apply(event: NormalizedEvent): void {
    switch (event.kind) {
      case 'connector.created':
        this.connectorCreated(event);
        break;
      case 'connector.updated':
        this.connectorUpdated(event);
        break;
      case 'connector.deleted':
        this.connectorDeleted(event);
        break;
      case 'eni.created':
        this.eniCreated(event);
        break;
      case 'eni.deleted':
        this.eniDeleted(event);
        break;
      case 'hyperplane-eni.created':
        this.hyperplane.push({
          id: event.eniId,
          subnetId: event.subnetId,
          functionName: event.functionName,
          createdAt: event.eventTime,
        });
        break;
      case 'microvm.run':
        this.microvmRun(event);
        break;
      case 'microvm.terminated':
        this.microvmTerminated(event);
        break;
      case 'observed.connector':
        this.connectorObserved(event);
        break;
      case 'observed.eni':
        this.eniObserved(event);
        break;
      case 'observed.microvm':
        this.microvmObserved(event);
        break;
      case 'observed.condition':
        this.conditionObserved(event);
        break;
      case 'observed.network':
        break; // the projection reads the facts themselves; this event only makes it fold again

      default:
        this.networkChanged(event);
    }
  }

  /** Resolves a reference to a connector id: ids directly; names to the incarnation alive at `at`. */
  private resolve(ref: ConnectorRef, at: string): string | null {
    if (ref.id) return ref.id;
    if (!ref.name) return null;
    const list = this.incarnations.get(ref.name);
    if (!list || list.length === 0) return null;
    const before = list.filter((i) => i.createdAt <= at);
    return (before[before.length - 1] ?? list[0])?.id ?? null;
  }

  private view(id: string, event: NormalizedEvent, ref?: ConnectorRef): ConnectorView {
    this.touched.add(id);
    let view = this.connectors.get(id);
    if (!view) {
      view = {
        id,
        name: null,
        arn: null,
        account: event.account,
        region: event.region,
        state: 'UNKNOWN',
        stateReason: null,
        lastUpdateStatus: null,
        subnetIds: [],
        securityGroupIds: [],
        vpcId: null,
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
      this.connectors.set(id, view);
    }
    if (ref) {
      view.name = view.name ?? ref.name;
      // A name-form ARN (…:network-connector:<name>) is not the connector's canonical ARN.
      if (!view.arn && ref.arn && !ref.arn.endsWith(`:${ref.name}`)) view.arn = ref.arn;
    }
    return view;
  }

  private log(view: ConnectorView, event: NormalizedEvent, summary: string): void {
    this.touched.add(view.id);
    view.timeline.push({
      at: event.eventTime,
      eventId: event.eventId,
      eventName: event.eventName,
      actor: describeActor(event.actor),
      summary,
    });
  }

  private transition(view: ConnectorView, state: string, event: NormalizedEvent, evidence: string): void {
    this.touched.add(view.id);
    if (view.state === state) return;
    view.state = state as ConnectorView['state'];
    view.transitions.push({ state, at: event.eventTime, eventId: event.eventId, evidence });
    if (state === 'ACTIVE' && !view.activeAt) view.activeAt = event.eventTime;
    if (state === 'ACTIVE') {
      view.stateReason = null;
      this.findings.resolveAll(RULES.connectorFailed.id, view.id, event);
    }
    if (state !== 'PENDING') this.findings.resolveAll(RULES.connectorStuckPending.id, view.id, event);
    if (state === 'FAILED' || state === 'DELETE_FAILED') {
      this.findings.open(RULES.connectorFailed, view, state, event, {
        summary: `${label(view)} is ${state}${view.stateReason ? ` (${view.stateReason})` : ''}`,
        detail: evidence,
      });
    }
  }

  private connectorCreated(event: Extract<NormalizedEvent, { kind: 'connector.created' }>): void {
    const id = event.connector.id as string;
    const view = this.view(id, event, event.connector);
    view.name = event.connector.name ?? view.name;
    view.arn = event.connector.arn ?? view.arn;
    view.createdAt = event.eventTime;
    view.operatorRole = event.operatorRole;
    if (event.config) applyConfig(view, event.config);
    this.log(
      view,
      event,
      `created in ${view.subnetIds.join(', ') || 'unknown subnets'} with ${view.securityGroupIds.join(', ') || 'no security groups'}`,
    );
    view.stateReason = event.stateReason ?? view.stateReason;
    this.transition(view, event.state ?? 'PENDING', event, 'CreateNetworkConnector response');
  }

  private connectorUpdated(event: Extract<NormalizedEvent, { kind: 'connector.updated' }>): void {
    const id = this.resolve(event.connector, event.eventTime);
    if (!id) return;
    const view = this.view(id, event, event.connector);
    if (event.errorCode) {
      this.log(
        view,
        event,
        `update refused: ${event.errorCode}${event.errorMessage ? ` (${event.errorMessage})` : ''}`,
      );
      return;
    }
    if (event.config) applyConfig(view, event.config);
    view.lastUpdateStatus = event.lastUpdateStatus ?? view.lastUpdateStatus;
    this.log(view, event, `updated${event.lastUpdateStatus ? `, LastUpdateStatus ${event.lastUpdateStatus}` : ''}`);
    view.stateReason = event.stateReason ?? view.stateReason;
    if (event.state) this.transition(view, event.state, event, 'UpdateNetworkConnector response');
    if (event.lastUpdateStatus === 'Failed') {
      this.findings.open(RULES.connectorUpdateFailed, view, 'update', event, {
        summary: `update of ${label(view)} failed${event.reasonCode ? ` (${event.reasonCode})` : ''}`,
        detail: `LastUpdateStatus Failed${event.reasonCode ? `, reason ${event.reasonCode}` : ''}`,
      });
    } else if (event.lastUpdateStatus === 'Successful') {
      this.findings.resolveAll(RULES.connectorUpdateFailed.id, view.id, event);
    }
  }

  private connectorDeleted(event: Extract<NormalizedEvent, { kind: 'connector.deleted' }>): void {
    const id = this.resolve(event.connector, event.eventTime);
    if (!id) return;
    const view = this.view(id, event, event.connector);
    if (event.errorCode) {
      this.log(view, event, `delete refused: ${event.errorCode}`);
      return;
    }
    this.log(view, event, 'deleted');
    view.deletedAt = view.deletedAt ?? event.eventTime;
    this.transition(view, event.state ?? 'DELETING', event, 'DeleteNetworkConnector response');
    const inUse = view.microvms.filter((m) => m.runAt <= event.eventTime && m.terminatedAt === null);
    if (inUse.length > 0) {
      const ids = inUse.map((m) => m.id).join(', ');
      this.findings.open(RULES.connectorDeletedWhileInUse, view, 'delete', event, {
        summary: `${label(view)} was deleted by ${describeActor(event.actor)} while ${inUse.length} MicroVM(s) still ran on it (${ids}): they stay RUNNING with broken egress`,
        detail: `deleted while ${ids} still RUNNING`,
      });
    }
    this.settleDeletion(view, event);
  }

  private eniCreated(event: EniCreatedEvent): void {
    const id = this.resolve(event.connector, event.eventTime);
    if (!id) return;
    const view = this.view(id, event, event.connector);
    if (event.dryRun && event.errorCode) {
      const subnet = event.subnetId ?? 'unknown subnet';
      this.log(view, event, `ENI permission check (dry run) in ${subnet} refused: ${event.errorCode}`);
      this.findings.open(RULES.eniCreateFailed, view, `${subnet}|${event.errorCode}`, event, {
        summary: `${label(view)} cannot create its ENIs in ${subnet}: the permission check (dry run) was refused with ${event.errorCode}`,
        detail: event.errorMessage ?? event.errorCode,
      });
      return;
    }
    if (event.dryRun) {
      this.log(view, event, `ENI permission check (dry run) in ${event.subnetId ?? 'unknown subnet'}`);
      return;
    }
    if (event.errorCode) {
      const subnet = event.subnetId ?? 'unknown subnet';
      this.log(view, event, `ENI creation in ${subnet} failed: ${event.errorCode}`);
      this.findings.open(RULES.eniCreateFailed, view, `${subnet}|${event.errorCode}`, event, {
        summary: `${label(view)} could not create its ENI in ${subnet}: ${event.errorCode}`,
        detail: event.errorMessage ?? event.errorCode,
      });
      return;
    }
    if (!event.eniId || view.enis.some((e) => e.id === event.eniId)) return;
    view.enis.push({
      id: event.eniId,
      subnetId: event.subnetId,
      availabilityZone: event.availabilityZone,
      privateIp: event.privateIp,
      purpose: event.purpose,
      createdAt: event.eventTime,
      deletedAt: null,
      createdBy: describeActor(event.actor),
      deletedBy: null,
    });
    view.vpcId = view.vpcId ?? event.vpcId;
    this.log(
      view,
      event,
      `${event.purpose} ENI ${event.eniId} (${event.privateIp ?? 'no IP'}) created in ${event.subnetId ?? '?'}`,
    );
    if (event.purpose === 'production') {
      for (const finding of this.findings.openFor(RULES.eniCreateFailed.id, view.id)) {
        if (finding.subject.startsWith(`${event.subnetId}|`)) this.findings.resolve(finding.fingerprint, event);
      }
      // A production ENI the Lambda service deleted in this subnet has its replacement now.
      for (const finding of this.findings.openFor(RULES.eniDeletedWhileActive.id, view.id)) {
        const old = view.enis.find((e) => e.id === finding.subject);
        if (!old || !isLambdaServiceText(old.deletedBy ?? '') || replacementOf(view, old) === undefined) continue;
        this.log(view, event, `${old.id} replaced by ${event.eniId} in ${event.subnetId ?? '?'} (service replacement)`);
        this.findings.resolve(finding.fingerprint, event);
      }
    }
  }

  private eniDeleted(event: Extract<NormalizedEvent, { kind: 'eni.deleted' }>): void {
    const owner = this.eniOwner.get(event.eniId);
    const view = owner ? this.connectors.get(owner) : undefined;
    const eni = view?.enis.find((e) => e.id === event.eniId);
    if (!view || !eni || eni.deletedAt) return;
    eni.deletedAt = event.eventTime;
    eni.deletedBy = describeActor(event.actor);
    this.log(view, event, `${eni.purpose} ENI ${eni.id} deleted`);
    // The service replacing an ENI: the new one in the same subnet exists already (or arrives later: eniCreated).
    const replacement = isLambdaServiceText(eni.deletedBy ?? '') ? replacementOf(view, eni) : undefined;
    if (replacement) {
      this.log(view, event, `${eni.id} replaced by ${replacement.id} in ${eni.subnetId ?? '?'} (service replacement)`);
    } else if (eni.purpose === 'production' && !GONE.has(view.state) && view.state !== 'FAILED') {
      this.findings.open(RULES.eniDeletedWhileActive, view, eni.id, event, {
        summary: `ENI ${eni.id} of ${label(view)} was deleted by ${describeActor(event.actor)} while the connector is ${view.state}`,
        detail: `${eni.id} in ${eni.subnetId ?? '?'} deleted`,
      });
    }
    this.settleDeletion(view, event);
  }

  /** A deleting connector is gone once every ENI it had is deleted. */
  private settleDeletion(view: ConnectorView, event: NormalizedEvent): void {
    if (view.state !== 'DELETING' || view.enis.length === 0) return;
    if (view.enis.every((e) => e.deletedAt !== null)) {
      this.transition(view, 'DELETED', event, 'all connector ENIs deleted');
    }
  }

  private microvmRun(event: MicrovmRunEvent): void {
    const ids = [...new Set(event.egressConnectors.map((ref) => this.resolve(ref, event.eventTime)))].filter(
      (id): id is string => id !== null,
    );
    const refs = event.egressConnectors.map((r) => r.arn ?? r.id ?? r.name ?? '?').sort();
    // Distinct connectors, not references: one connector named by id-ARN and by name-ARN is one connector.
    const unresolved = event.egressConnectors.filter((ref) => this.resolve(ref, event.eventTime) === null);
    const distinctConnectors = ids.length + new Set(unresolved.map((r) => r.arn ?? r.name ?? '?')).size;
    for (const id of ids) {
      const ref = event.egressConnectors.find((r) => this.resolve(r, event.eventTime) === id);
      const view = this.view(id, event, ref);
      if (distinctConnectors > 1) {
        this.findings.open(RULES.microvmMultipleEgressConnectors, view, refs.join(' + '), event, {
          summary: `a MicroVM run by ${describeActor(event.actor)} named ${event.egressConnectors.length} VPC egress connectors (${refs.map(shortRef).join(', ')})${event.errorCode ? ` and failed with ${event.errorCode}` : ''}`,
          detail: event.errorCode
            ? `RunMicrovm failed: ${event.errorCode}`
            : 'RunMicrovm succeeded with several egress connectors',
        });
      }
      if (event.errorCode || !event.microvmId) {
        this.log(view, event, `MicroVM run failed: ${event.errorCode ?? 'no MicroVM id'}`);
        continue;
      }
      const microvmId = event.microvmId;
      if (!view.microvms.some((m) => m.id === microvmId)) {
        view.microvms.push({
          id: microvmId,
          runAt: event.eventTime,
          terminatedAt: null,
          runBy: describeActor(event.actor),
        });
      }
      const users = this.microvmConnectors.get(microvmId) ?? new Set<string>();
      users.add(id);
      this.microvmConnectors.set(microvmId, users);
      this.log(view, event, `MicroVM ${microvmId} started with this egress connector`);
      if (view.state === 'PENDING' || view.state === 'UNKNOWN') {
        this.transition(
          view,
          'ACTIVE',
          event,
          `MicroVM ${microvmId} ran on it (only ACTIVE connectors can be attached)`,
        );
      }
    }
  }

  private microvmTerminated(event: Extract<NormalizedEvent, { kind: 'microvm.terminated' }>): void {
    for (const id of this.microvmConnectors.get(event.microvmId) ?? []) {
      const view = this.connectors.get(id);
      const use = view?.microvms.find((m) => m.id === event.microvmId);
      if (!view || !use || use.terminatedAt) continue;
      use.terminatedAt = event.eventTime;
      this.log(view, event, `MicroVM ${event.microvmId} terminated`);
      if (view.deletedAt && view.microvms.every((m) => m.terminatedAt !== null || m.runAt > (view.deletedAt ?? ''))) {
        this.findings.resolveAll(RULES.connectorDeletedWhileInUse.id, view.id, event);
      }
    }
  }

  /** What Lambda Core showed reconcile: fills what events missed and moves the state the API reports. */
  private connectorObserved(event: ConnectorObservedEvent): void {
    const id = this.resolve(event.connector, event.eventTime);
    if (!id) return;
    const view = this.view(id, event, event.connector);
    if (!event.present) {
      if (view.state === 'DELETED') return;
      this.log(view, event, 'no longer listed by ListNetworkConnectors (observed by reconcile)');
      view.deletedAt = view.deletedAt ?? event.eventTime;
      this.transition(view, 'DELETED', event, 'ListNetworkConnectors no longer lists it (reconcile)');
      return;
    }
    view.name = view.name ?? event.connector.name;
    view.arn = view.arn ?? event.connector.arn;
    view.createdAt = view.createdAt ?? event.eventTime;
    if (event.config && event.config.subnetIds.length > 0) applyConfig(view, event.config);
    const reason = event.stateReason
      ? `${event.stateReasonCode ? `${event.stateReasonCode}: ` : ''}${event.stateReason}`
      : event.stateReasonCode;
    if (reason) view.stateReason = reason;
    if (event.state && event.state !== view.state) {
      this.log(view, event, `observed ${event.state}${reason ? ` (${reason})` : ''} by reconcile`);
      this.transition(view, event.state, event, `${event.eventName} showed ${event.state} (reconcile)`);
    }
    if (event.lastUpdateStatus && event.lastUpdateStatus !== view.lastUpdateStatus) {
      view.lastUpdateStatus = event.lastUpdateStatus;
      const code = event.lastUpdateStatusReasonCode;
      if (event.lastUpdateStatus === 'Failed') {
        this.findings.open(RULES.connectorUpdateFailed, view, 'update', event, {
          summary: `update of ${label(view)} failed${code ? ` (${code})` : ''}${event.lastUpdateStatusReason ? `: ${event.lastUpdateStatusReason}` : ''}`,
          detail: `LastUpdateStatus Failed${code ? `, reason ${code}` : ''} (seen by reconcile)`,
          source: 'reconcile',
        });
      } else if (event.lastUpdateStatus === 'Successful') {
        this.findings.resolveAll(RULES.connectorUpdateFailed.id, view.id, event);
      }
    }
  }

  /** A connector ENI EC2 showed (or no longer shows) that no CreateNetworkInterface/DeleteNetworkInterface explained. */
  private eniObserved(event: EniObservedEvent): void {
    const owner = this.eniOwner.get(event.eniId) ?? event.connectorId;
    const view = owner ? this.connectors.get(owner) : undefined;
    if (!view) return;
    const eni = view.enis.find((e) => e.id === event.eniId);
    if (event.present) {
      if (eni) return;
      view.enis.push({
        id: event.eniId,
        subnetId: event.subnetId,
        availabilityZone: event.availabilityZone,
        privateIp: event.privateIp,
        purpose: 'production',
        createdAt: event.eventTime,
        deletedAt: null,
        createdBy: 'observed by reconcile',
        deletedBy: null,
      });
      this.log(
        view,
        event,
        `ENI ${event.eniId} (${event.privateIp ?? 'no IP'}) in ${event.subnetId ?? '?'} observed by reconcile`,
      );
      return;
    }
    if (!eni || eni.deletedAt) return;
    eni.deletedAt = event.eventTime;
    eni.deletedBy = 'observed gone by reconcile';
    this.log(view, event, `${eni.purpose} ENI ${eni.id} no longer exists (observed by reconcile)`);
    this.settleDeletion(view, event);
  }

  /** A MicroVM GetMicrovm showed: which connectors it uses, and whether it still runs. */
  private microvmObserved(event: MicrovmObservedEvent): void {
    const ended = !event.present || event.state === 'TERMINATED' || event.state === 'TERMINATING';
    const ids = [...new Set(event.egressConnectors.map((ref) => this.resolve(ref, event.eventTime)))].filter(
      (id): id is string => id !== null,
    );
    for (const id of new Set([...ids, ...(this.microvmConnectors.get(event.microvmId) ?? [])])) {
      const view = this.connectors.get(id) ?? this.view(id, event);
      let use = view.microvms.find((m) => m.id === event.microvmId);
      if (!use) {
        use = {
          id: event.microvmId,
          runAt: event.startedAt ?? event.eventTime,
          terminatedAt: null,
          runBy: 'observed by reconcile',
        };
        view.microvms.push(use);
        const users = this.microvmConnectors.get(event.microvmId) ?? new Set<string>();
        users.add(id);
        this.microvmConnectors.set(event.microvmId, users);
        this.log(
          view,
          event,
          `MicroVM ${event.microvmId} (${event.state ?? '?'}) uses this egress connector (observed by reconcile)`,
        );
        if (!ended && (view.state === 'PENDING' || view.state === 'UNKNOWN')) {
          this.transition(view, 'ACTIVE', event, `MicroVM ${event.microvmId} runs on it (reconcile)`);
        }
      }
      if (ended && !use.terminatedAt) {
        use.terminatedAt = event.eventTime;
        this.log(
          view,
          event,
          `MicroVM ${event.microvmId} ${event.present ? event.state : 'gone'} (observed by reconcile)`,
        );
      }
    }
  }

  /** A condition reconcile judged from the APIs: opens or resolves its finding (source reconcile). */
  private conditionObserved(event: ConditionObservedEvent): void {
    const rule = ruleById(event.rule);
    if (!rule) return;
    const owner = event.connectorId
      ? (this.connectors.get(event.connectorId) ?? this.view(event.connectorId, event))
      : { id: SCOPE_OWNER, account: event.account, region: event.region };
    this.touched.add(owner.id);
    if (event.active) {
      this.findings.open(rule, owner, event.subject, event, {
        summary: event.summary,
        detail: event.detail,
        source: 'reconcile',
        ...(event.severity ? { severity: event.severity } : {}),
      });
    } else {
      const tracked = this.findings.get(rule.id, owner.id, event.subject);
      if (tracked) this.findings.resolve(tracked.fingerprint, event);
    }
  }

  private networkChanged(raw: NetworkEvent): void {
    let event = raw;
    let before = new Map<string, RememberedRule>();
    if (raw.kind === 'network.security-group') {
      const resolved = resolveSecurityGroupChange(raw, this.sgRules, this.facts);
      event = resolved.event;
      before = resolved.before;
      rememberRules(this.sgRules, resolved.event);
    }
    if (event.kind === 'network.route' && event.target?.startsWith('nat-') && event.change !== 'delete') {
      const tables = this.natRouteTables.get(event.target) ?? new Set<string>();
      tables.add(event.routeTableId);
      this.natRouteTables.set(event.target, tables);
    }
    const alive = [...this.connectors.values()].filter((v) => !GONE.has(v.state) && v.state !== 'UNKNOWN');
    const change = withFormerContent(describeNetworkChange(event), before);
    const unverified: ConnectorView[] = [];
    const breach = isolationBreachCandidate(event, this.facts);
    for (const hit of affectedConnectors(event, alive, this.facts, this.natRouteTables)) {
      const view = hit.connector;
      this.log(view, event, `${change.text}${hit.linkKnown ? '' : ' (link to this connector unverified)'}`);
      if (!hit.linkKnown) {
        unverified.push(view);
        continue;
      }
      for (const subject of change.subjects) {
        const existing = this.findings.get(RULES.networkPathChanged.id, view.id, subject.key);
        if (!existing) {
          const restrictive = networkChangeDirection(event) === 'restrictive';
          const severity = breach ? 'critical' : restrictive ? 'high' : 'warning';
          this.findings.open(RULES.networkPathChanged, view, subject.key, event, {
            summary: `${breach ? 'isolation-breach candidate: ' : ''}${subject.text} by ${describeActor(event.actor)}: ${hit.why} of ${label(view)}${breach ? ` — ${breach}` : ''}`,
            detail: `${change.text}; ${hit.why}`,
            severity,
            baseline: subject.baselineBefore,
            current: subject.stateAfter,
          });
          continue;
        }
        this.findings.observe(existing.fingerprint, event, `${change.text}; ${hit.why}`, subject.stateAfter);
      }
    }
    if (unverified.length > 0) this.unverifiedChange(event, change, unverified);
  }

  /** Before facts map the link: one info finding per change (account/region), naming the connectors it may touch. */
  private unverifiedChange(
    event: NetworkEvent,
    change: ReturnType<typeof describeNetworkChange>,
    views: ConnectorView[],
  ): void {
    const owner = { id: SCOPE_OWNER, account: event.account, region: event.region };
    this.touched.add(SCOPE_OWNER);
    // Sorted, so the text does not depend on the order the fold first met the connectors.
    const names = views
      .map((v) => v.name ?? v.id)
      .sort()
      .join(', ');
    for (const subject of change.subjects) {
      const existing = this.findings.get(RULES.networkPathChanged.id, owner.id, subject.key);
      if (existing) {
        this.findings.observe(existing.fingerprint, event, `${change.text}; may touch ${names}`, subject.stateAfter);
        continue;
      }
      this.findings.open(RULES.networkPathChanged, owner, subject.key, event, {
        summary: `${subject.text} by ${describeActor(event.actor)} may touch connector(s) ${names} (link unverified until reconcile maps it)`,
        detail: `${change.text}; link to ${names} unverified`,
        severity: 'info',
        baseline: subject.baselineBefore,
        current: subject.stateAfter,
      });
    }
  }
}

function applyConfig(
  view: ConnectorView,
  config: NonNullable<Extract<NormalizedEvent, { kind: 'connector.created' }>['config']>,
): void {
  view.subnetIds = config.subnetIds;
  view.securityGroupIds = config.securityGroupIds;
  view.networkProtocol = config.networkProtocol ?? view.networkProtocol;
}

/**
 * A live production ENI of the connector in the subnet of `eni` (another one): the service replaces a connector
 * ENI by creating a new one in the same subnet and deleting the old (docs/projection.md#eni-replacement).
 */
function replacementOf(view: ConnectorView, eni: EniView): EniView | undefined {
  if (eni.purpose !== 'production' || eni.subnetId === null) return undefined;
  return view.enis.find(
    (e) => e.id !== eni.id && e.purpose === 'production' && e.subnetId === eni.subnetId && e.deletedAt === null,
  );
}

/** A modified rule's subject says what it was: "… modified on sg-x (was egress tcp/443 to sg-conn)". */
function withFormerContent(
  change: ReturnType<typeof describeNetworkChange>,
  before: ReadonlyMap<string, RememberedRule>,
): ReturnType<typeof describeNetworkChange> {
  if (before.size === 0) return change;
  const was = (key: string) => {
    const id = key.slice(key.lastIndexOf('|') + 1);
    const old = before.get(id);
    return old ? ` (was ${ruleText({ ...old, key: '', ruleId: null })})` : '';
  };
  const subjects = change.subjects.map((s) => ({ ...s, text: `${s.text}${was(s.key)}` }));
  return { text: `${change.text}${[...before.keys()].map((id) => was(id)).join('')}`, subjects };
}

function label(view: ConnectorView): string {
  return view.name ? `connector ${view.name} (${view.id})` : `connector ${view.id}`;
}

function shortRef(ref: string): string {
  return ref.startsWith('arn:') ? (ref.split(':')[6] ?? ref) : ref;
}
