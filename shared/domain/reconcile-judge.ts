/**
 * Reconcile's judgement (docs/reconcile.md): compares what the AWS APIs show (Lambda Core connectors, MicroVMs,
 * the network snapshot, CloudTrail Event history) with what the event log believes, and returns observations —
 * synthetic, idempotent events the projection folds with the real ones. Pure: no I/O, no SDK.
 */

import { refFromIdentifier } from './connector-arn.js';
import type { LifecycleResult } from './connector-lifecycle.js';
import { SCOPE_OWNER } from './connector-lifecycle.js';
import { FindingBook } from './finding-book.js';
import { fingerprintOf } from './fingerprint.js';
import type {
  Actor,
  ConditionObservedEvent,
  ConnectorObservedEvent,
  ConnectorView,
  ObservationEvent,
  Severity,
} from './model.js';
import { OBSERVATION_SOURCE } from './model.js';
import { RULES, type RuleDefinition } from './rules.js';

/** A connector as Lambda Core `GetNetworkConnector` returns it (only the members reconcile reads). */
export interface ObservedConnector {
  Id: string;
  Name: string;
  Arn: string;
  State?: string;
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  /** ISO-8601. */
  LastModified?: string;
  Configuration?: {
    VpcEgressConfiguration?: { SubnetIds?: string[]; SecurityGroupIds?: string[]; NetworkProtocol?: string };
  };
}

/** A MicroVM as `ListMicrovms` / `GetMicrovm` show it. */
export interface ObservedMicrovm {
  microvmId: string;
  /** PENDING | RUNNING | SUSPENDING | SUSPENDED | TERMINATING | TERMINATED (open). */
  state: string;
  /** ISO-8601. */
  startedAt: string | null;
  terminatedAt: string | null;
  /** Connector ARNs from `GetMicrovm.egressNetworkConnectors`; null when only the list item was read. */
  egressNetworkConnectors: string[] | null;
}

/** The part of the network snapshot reconcile reads (structurally the facts area's NetworkSnapshot). */
export interface ReconcileNetwork {
  capturedAt: string;
  subnets: { subnetId: string; vpcId: string; availabilityZone: string; availableIpAddressCount: number }[];
  routeTables: {
    routeTableId: string;
    vpcId: string;
    associations: { routeTableAssociationId: string; main: boolean; subnetId?: string }[];
    routes: { destinationCidrBlock?: string; targetKind: string; targetId: string; state: string }[];
  }[];
  natGateways: { natGatewayId: string; vpcId: string; subnetId?: string; state: string }[];
  networkAcls?: { networkAclId: string; associations: { subnetId: string }[] }[];
  networkInterfaces: {
    networkInterfaceId: string;
    subnetId: string;
    availabilityZone: string;
    privateIpAddresses: string[];
    securityGroupIds: string[];
    interfaceType: string;
    status: string;
    connectorId?: string;
    description?: string;
  }[];
}

/** Thresholds of the judgements (all durations in ms). Defaults: see DEFAULT_RECONCILE_SETTINGS. */
export interface ReconcileSettings {
  /** PENDING longer than this is connector-stuck-pending (the article saw 4–10 min). */
  stuckPendingAfterMs: number;
  /** A deleted connector's ENI still present this long after the delete is eni-leaked-after-delete. */
  eniLeakGraceMs: number;
  /** Free IPs (`AvailableIpAddressCount`) under this in a connector subnet is subnet-ip-exhaustion. */
  subnetFreeIpThreshold: number;
}

export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = Object.freeze({
  stuckPendingAfterMs: 15 * 60_000,
  eniLeakGraceMs: 20 * 60_000,
  subnetFreeIpThreshold: 5,
});

/** A management event found in CloudTrail Event history that the log lacked, now ingested. */
export interface RepairedEvent {
  eventId: string;
  eventName: string;
  eventSource: string;
  /** ISO-8601. */
  eventTime: string;
  /** How late the repair is: reconcile time minus eventTime, ms. */
  lateByMs: number;
}

/** What one run saw, and what the log already believed (the fold of every event and observation so far). */
export interface JudgeInput {
  account: string;
  region: string;
  /** ISO-8601 time of the run. */
  now: string;
  belief: LifecycleResult;
  connectors: ObservedConnector[];
  microvms: ObservedMicrovm[];
  network: ReconcileNetwork | null;
  repaired: RepairedEvent[];
  /** Events of the window EventBridge did deliver (already in the log before this run). */
  deliveredInWindow: number;
  /** Why monitoring is blind, from the trail/rule checks: subject → human text. */
  blindness: Record<string, string>;
  settings: ReconcileSettings;
}

/** A condition the APIs show now: the finding (rule, connectorId, subject) should be open. */
export interface Condition {
  rule: RuleDefinition;
  /** null: the account/region. */
  connectorId: string | null;
  subject: string;
  severity: Severity | null;
  summary: string;
  detail: string;
}

/** Rules whose findings reconcile opens and resolves through condition observations. */
export const CONDITION_RULES: readonly RuleDefinition[] = [
  RULES.connectorStuckPending,
  RULES.eniLeakedAfterDelete,
  RULES.singleAzConnector,
  RULES.subnetIpExhaustion,
  RULES.missedEvent,
  RULES.monitoringBlind,
  RULES.natGatewayCrossAz,
];

const RECONCILE_ACTOR: Actor = {
  type: 'EgressWatchReconcile',
  arn: null,
  name: 'egress-watch reconcile',
  sessionName: null,
  invokedBy: null,
  accountId: null,
};

const LIVE_MICROVM = new Set(['PENDING', 'RUNNING', 'SUSPENDING', 'SUSPENDED']);

/**
 * Compares what the APIs show with what the log believes and returns the observations to append: connectors,
 * ENIs and MicroVMs no event explained, and the opening/closing of every reconcile condition. Pure: the same
 * input gives the same observations (same eventIDs), so a retried run appends nothing twice.
 */
export function judgeReconcile(input: JudgeInput): { observations: ObservationEvent[]; conditions: Condition[] } {
  const observations: ObservationEvent[] = [];
  const base = observationBase(input);
  const views = new Map(input.belief.connectors.map((v) => [v.id, v]));
  const listed = new Map(input.connectors.map((c) => [c.Id, c]));

  // Connectors: state, reasons and configuration the log does not know.
  for (const c of input.connectors) {
    const view = views.get(c.Id);
    const config = c.Configuration?.VpcEgressConfiguration;
    const stateDiffers =
      c.State !== undefined && view?.state !== c.State && !(c.State === 'PENDING' && view?.state === 'ACTIVE');
    const updateDiffers =
      c.LastUpdateStatus !== undefined &&
      c.LastUpdateStatus !== 'InProgress' &&
      view?.lastUpdateStatus !== c.LastUpdateStatus;
    const configDiffers =
      config?.SubnetIds !== undefined && view !== undefined && !sameSet(view.subnetIds, config.SubnetIds);
    if (view && !stateDiffers && !updateDiffers && !configDiffers) continue;
    const observed: ConnectorObservedEvent = {
      ...base(
        'GetNetworkConnector',
        c.LastModified ?? input.now,
        c.Id,
        c.State ?? '',
        c.StateReasonCode ?? '',
        c.LastUpdateStatus ?? '',
        c.LastUpdateStatusReasonCode ?? '',
        c.LastModified ?? '',
        (config?.SubnetIds ?? []).join(','),
      ),
      kind: 'observed.connector',
      connector: { id: c.Id, name: c.Name, arn: c.Arn },
      present: true,
      state: c.State ?? null,
      stateReason: c.StateReason ?? null,
      stateReasonCode: c.StateReasonCode ?? null,
      lastUpdateStatus: c.LastUpdateStatus ?? null,
      lastUpdateStatusReason: c.LastUpdateStatusReason ?? null,
      lastUpdateStatusReasonCode: c.LastUpdateStatusReasonCode ?? null,
      config: config
        ? {
            subnetIds: config.SubnetIds ?? [],
            securityGroupIds: config.SecurityGroupIds ?? [],
            networkProtocol: config.NetworkProtocol ?? null,
            computeTypes: [],
          }
        : null,
      lastModified: c.LastModified ?? null,
    };
    observations.push(observed);
  }
  for (const view of input.belief.connectors) {
    if (listed.has(view.id) || view.state === 'DELETED' || view.state === 'UNKNOWN') continue;
    observations.push({
      ...base('ListNetworkConnectors', input.now, view.id, 'gone'),
      kind: 'observed.connector',
      connector: { id: view.id, name: view.name, arn: view.arn },
      present: false,
      state: null,
      stateReason: null,
      stateReasonCode: null,
      lastUpdateStatus: null,
      lastUpdateStatusReason: null,
      lastUpdateStatusReasonCode: null,
      config: null,
      lastModified: null,
    });
  }

  // Connector ENIs (EC2 tag aws:lambda:networkConnectorId).
  const network = input.network;
  if (network) {
    const known = new Map<string, { connectorId: string; deleted: boolean }>();
    for (const view of input.belief.connectors)
      for (const eni of view.enis) known.set(eni.id, { connectorId: view.id, deleted: eni.deletedAt !== null });
    const present = new Set<string>();
    for (const eni of network.networkInterfaces) {
      if (!eni.connectorId) continue;
      present.add(eni.networkInterfaceId);
      const k = known.get(eni.networkInterfaceId);
      if (k && !k.deleted) continue;
      observations.push({
        ...base('DescribeNetworkInterfaces', input.now, eni.networkInterfaceId, 'present'),
        kind: 'observed.eni',
        eniId: eni.networkInterfaceId,
        connectorId: eni.connectorId,
        present: true,
        subnetId: eni.subnetId,
        availabilityZone: eni.availabilityZone,
        privateIp: eni.privateIpAddresses[0] ?? null,
        status: eni.status,
      });
    }
    for (const [eniId, k] of known) {
      if (k.deleted || present.has(eniId)) continue;
      observations.push({
        ...base('DescribeNetworkInterfaces', input.now, eniId, 'gone'),
        kind: 'observed.eni',
        eniId,
        connectorId: k.connectorId,
        present: false,
        subnetId: null,
        availabilityZone: null,
        privateIp: null,
        status: null,
      });
    }
  }

  // MicroVMs: which connectors each live MicroVM uses, and which the log still thinks run.
  const uses = new Map<string, { connectors: Set<string>; ended: boolean }>();
  for (const view of input.belief.connectors) {
    for (const m of view.microvms) {
      const u = uses.get(m.id) ?? { connectors: new Set<string>(), ended: true };
      u.connectors.add(view.id);
      u.ended = u.ended && m.terminatedAt !== null;
      uses.set(m.id, u);
    }
  }
  for (const vm of input.microvms) {
    const live = LIVE_MICROVM.has(vm.state);
    const belief = uses.get(vm.microvmId);
    const refs = (vm.egressNetworkConnectors ?? []).map(refFromIdentifier);
    const ids = refs.map((r) => r.id).filter((id): id is string => id !== null);
    const missing = ids.some((id) => !belief?.connectors.has(id));
    if (live && !missing && belief && !belief.ended) continue;
    if (!live && (belief ? belief.ended && !missing : refs.length === 0)) continue;
    const ended = !live;
    observations.push({
      ...base(
        'GetMicrovm',
        ended ? (vm.terminatedAt ?? input.now) : (vm.startedAt ?? input.now),
        vm.microvmId,
        ended ? 'ended' : 'live',
        ids.sort().join(','),
      ),
      kind: 'observed.microvm',
      microvmId: vm.microvmId,
      present: true,
      state: vm.state,
      startedAt: vm.startedAt === null ? null : new Date(vm.startedAt).toISOString(),
      egressConnectors: refs,
    });
  }
  const listedVms = new Set(input.microvms.map((m) => m.microvmId));
  for (const [id, u] of uses) {
    if (u.ended || listedVms.has(id)) continue;
    observations.push({
      ...base('ListMicrovms', input.now, id, 'gone'),
      kind: 'observed.microvm',
      microvmId: id,
      present: false,
      state: null,
      startedAt: null,
      egressConnectors: [],
    });
  }

  if (network) {
    const version = fingerprintOf(
      JSON.stringify([
        network.routeTables.map((t) => [
          t.routeTableId,
          t.associations,
          t.routes.map((r) => [r.destinationCidrBlock, r.targetId]),
        ]),
        (network.networkAcls ?? []).map((a) => [a.networkAclId, a.associations.map((x) => x.subnetId)]),
      ]),
    );
    observations.push({
      ...base('DescribeRouteTables', network.capturedAt, 'network', version),
      kind: 'observed.network',
      version,
      capturedAt: network.capturedAt,
    });
  }

  const conditions = judgeConditions(input, views);
  observations.push(...conditionObservations(input, conditions, base));
  return { observations, conditions };
}

function judgeConditions(input: JudgeInput, views: ReadonlyMap<string, ConnectorView>): Condition[] {
  const out: Condition[] = [];
  const now = Date.parse(input.now);
  const s = input.settings;
  const subnets = new Map((input.network?.subnets ?? []).map((n) => [n.subnetId, n]));
  for (const c of input.connectors) {
    const view = views.get(c.Id);
    const name = `connector ${c.Name} (${c.Id})`;
    const subnetIds = c.Configuration?.VpcEgressConfiguration?.SubnetIds ?? view?.subnetIds ?? [];
    if (c.State === 'PENDING') {
      const since = view?.createdAt ?? c.LastModified ?? input.now;
      const pendingMs = now - Date.parse(since);
      if (pendingMs > s.stuckPendingAfterMs) {
        out.push({
          rule: RULES.connectorStuckPending,
          connectorId: c.Id,
          subject: 'pending',
          severity: null,
          summary: `${name} has been PENDING for ${minutes(pendingMs)} (threshold ${minutes(s.stuckPendingAfterMs)}; provisioning usually takes 4–10 min): MicroVMs cannot attach to it — check its subnets' free IPs, security groups and the operator role`,
          detail: `GetNetworkConnector: State PENDING since ${since}${c.StateReason ? `, StateReason ${c.StateReason}` : ''}`,
        });
      }
    }
    if (c.State === 'DELETING' || c.State === 'DELETED' || c.State === 'FAILED') continue;
    const zones = new Set(subnetIds.map((id) => subnets.get(id)?.availabilityZone).filter((z): z is string => !!z));
    if (zones.size === 1 && subnetIds.every((id) => subnets.has(id))) {
      out.push({
        rule: RULES.singleAzConnector,
        connectorId: c.Id,
        subject: 'az',
        severity: null,
        summary: `${name} has all its subnets in ${[...zones][0]}: an outage of that Availability Zone cuts every MicroVM's egress through it — add a subnet in another AZ`,
        detail: `subnets ${subnetIds.join(', ')} all in ${[...zones][0]}`,
      });
    }
    for (const id of subnetIds) {
      const subnet = subnets.get(id);
      if (!subnet || subnet.availableIpAddressCount >= s.subnetFreeIpThreshold) continue;
      out.push({
        rule: RULES.subnetIpExhaustion,
        connectorId: c.Id,
        subject: id,
        severity: subnet.availableIpAddressCount === 0 ? 'high' : null,
        summary: `subnet ${id} of ${name} has ${subnet.availableIpAddressCount} free IP address(es) (threshold ${s.subnetFreeIpThreshold}): every connector needs one ENI per subnet, so new or updated connectors there will FAIL with SubnetOutOfIPAddresses`,
        detail: `DescribeSubnets: AvailableIpAddressCount ${subnet.availableIpAddressCount} in ${id} (${subnet.availabilityZone})`,
      });
    }
    out.push(...natCrossAz(input.network, c, subnetIds, name));
  }

  // ENIs of connectors that are gone: leaked after the grace period.
  if (input.network) {
    const listed = new Set(input.connectors.filter((c) => c.State !== 'DELETED').map((c) => c.Id));
    for (const eni of input.network.networkInterfaces) {
      if (!eni.connectorId || listed.has(eni.connectorId)) continue;
      const view = views.get(eni.connectorId);
      const deletedAt = view?.deletedAt ?? null;
      if (!deletedAt || now - Date.parse(deletedAt) < s.eniLeakGraceMs) continue;
      out.push({
        rule: RULES.eniLeakedAfterDelete,
        connectorId: eni.connectorId,
        subject: eni.networkInterfaceId,
        severity: null,
        summary: `ENI ${eni.networkInterfaceId} (${eni.privateIpAddresses[0] ?? 'no IP'}) of deleted ${view?.name ? `connector ${view.name} (${eni.connectorId})` : `connector ${eni.connectorId}`} is still in ${eni.subnetId} ${minutes(now - Date.parse(deletedAt))} after the delete: it holds an IP and blocks deleting the subnet and its security groups`,
        detail: `DescribeNetworkInterfaces: ${eni.networkInterfaceId} ${eni.status}, connector deleted at ${deletedAt}`,
      });
    }
  }

  // Events CloudTrail recorded that EventBridge never delivered.
  if (input.repaired.length > 0) {
    const listedText = input.repaired
      .slice(0, 10)
      .map((r) => `${r.eventName} ${r.eventId} (${r.eventSource}, ${minutes(r.lateByMs)} late)`)
      .join(', ');
    const more = input.repaired.length > 10 ? ` and ${input.repaired.length - 10} more` : '';
    out.push({
      rule: RULES.missedEvent,
      connectorId: null,
      subject: 'cloudtrail-eventbridge',
      severity: null,
      summary: `${input.repaired.length} CloudTrail event(s) never reached egress-watch through EventBridge and were repaired from CloudTrail LookupEvents: ${listedText}${more}`,
      detail: `repaired from LookupEvents: ${listedText}${more}`,
    });
    if (input.deliveredInWindow === 0) {
      out.push({
        rule: RULES.monitoringBlind,
        connectorId: null,
        subject: 'no-delivery',
        severity: null,
        summary: `no event of the last reconcile window reached egress-watch through EventBridge, although CloudTrail recorded ${input.repaired.length} change(s): the ingest path (trail, EventBridge rules, ingest function) is not delivering`,
        detail: `${input.repaired.length} repaired, 0 delivered in the window`,
      });
    }
  }
  for (const [subject, text] of Object.entries(input.blindness)) {
    out.push({
      rule: RULES.monitoringBlind,
      connectorId: null,
      subject,
      severity: null,
      summary: `monitoring is blind in ${input.region}: ${text}`,
      detail: text,
    });
  }
  return out;
}

/** Seed 004: connector subnets whose default route goes to a NAT gateway in another AZ (cross-AZ dependency). */
function natCrossAz(
  network: ReconcileNetwork | null,
  c: ObservedConnector,
  subnetIds: string[],
  name: string,
): Condition[] {
  if (!network) return [];
  const out: Condition[] = [];
  const subnets = new Map(network.subnets.map((n) => [n.subnetId, n]));
  const nats = new Map(network.natGateways.map((n) => [n.natGatewayId, n]));
  const mainOf = new Map<string, string>();
  const explicit = new Map<string, string>();
  for (const t of network.routeTables)
    for (const a of t.associations) {
      if (a.main) mainOf.set(t.vpcId, t.routeTableId);
      else if (a.subnetId) explicit.set(a.subnetId, t.routeTableId);
    }
  const tables = new Map(network.routeTables.map((t) => [t.routeTableId, t]));
  for (const id of subnetIds) {
    const subnet = subnets.get(id);
    if (!subnet) continue;
    const table = tables.get(explicit.get(id) ?? mainOf.get(subnet.vpcId) ?? '');
    const route = table?.routes.find((r) => r.destinationCidrBlock === '0.0.0.0/0' && r.targetKind === 'nat-gateway');
    const nat = route ? nats.get(route.targetId) : undefined;
    const natZone = nat?.subnetId ? subnets.get(nat.subnetId)?.availabilityZone : undefined;
    if (!nat || !natZone || natZone === subnet.availabilityZone) continue;
    out.push({
      rule: RULES.natGatewayCrossAz,
      connectorId: c.Id,
      subject: id,
      severity: null,
      summary: `subnet ${id} (${subnet.availabilityZone}) of ${name} sends internet egress through NAT gateway ${nat.natGatewayId} in ${natZone}: an outage of ${natZone} cuts it and cross-AZ traffic is billed — add a NAT gateway in ${subnet.availabilityZone}`,
      detail: `${table?.routeTableId}: 0.0.0.0/0 → ${nat.natGatewayId} (${natZone})`,
    });
  }
  return out;
}

/** Builds the common fields of an observation; the eventID is a hash of the identity parts. */
type ObservationBase = (
  eventName: string,
  eventTime: string,
  ...identity: string[]
) => Omit<
  ConditionObservedEvent,
  'kind' | 'rule' | 'connectorId' | 'subject' | 'active' | 'severity' | 'summary' | 'detail'
>;

/** The common fields of a reconcile observation of `scope`. */
function observationBase(scope: { account: string; region: string }): ObservationBase {
  return (eventName: string, eventTime: string, ...identity: string[]) => ({
    eventId: `obs-${fingerprintOf('observation', eventName, ...identity)}${fingerprintOf(...identity, eventName)}`,
    eventTime: new Date(eventTime).toISOString(),
    eventName,
    eventSource: OBSERVATION_SOURCE,
    account: scope.account,
    region: scope.region,
    actor: RECONCILE_ACTOR,
    errorCode: null,
    errorMessage: null,
  });
}

/** The `monitoring-blind` subject of an account/region that reconcile could not read at all. */
export const UNREACHABLE_SUBJECT = 'unreachable';

/**
 * An account/region reconcile could not read (role missing, access denied, the API failing after its
 * retries): the observation that opens `monitoring-blind` (subject `unreachable`) for that scope, or none
 * when that finding is already open. Nothing else is judged or cleared: what cannot be read is not known to
 * be gone. The next successful reconcile of the scope clears it (its conditions no longer include it).
 */
export function judgeUnreachable(input: {
  account: string;
  region: string;
  /** ISO-8601 time of the run. */
  now: string;
  belief: LifecycleResult;
  /** Why: `cannot assume arn:…: AccessDenied: …`. */
  reason: string;
}): ConditionObservedEvent[] {
  const condition: Condition = {
    rule: RULES.monitoringBlind,
    connectorId: null,
    subject: UNREACHABLE_SUBJECT,
    severity: null,
    summary: `monitoring is blind in ${input.account}/${input.region}: reconcile cannot read this account/region (${input.reason}); its connectors, MicroVMs and network are not checked until it can`,
    detail: input.reason,
  };
  const fingerprint = FindingBook.fingerprint(condition.rule.id, SCOPE_OWNER, condition.subject);
  if (input.belief.findings.some((f) => f.fingerprint === fingerprint && f.status === 'open')) return [];
  return [openingOf(condition, input.now, observationBase(input))];
}

/** The observation that opens (or refreshes) a condition's finding. */
function openingOf(c: Condition, now: string, base: ObservationBase): ConditionObservedEvent {
  return {
    ...base('Reconcile', now, c.rule.id, c.connectorId ?? SCOPE_OWNER, c.subject, 'active', now),
    kind: 'observed.condition',
    rule: c.rule.id,
    connectorId: c.connectorId,
    subject: c.subject,
    active: true,
    severity: c.severity,
    summary: c.summary,
    detail: c.detail,
  };
}

function conditionObservations(
  input: JudgeInput,
  conditions: Condition[],
  base: ObservationBase,
): ConditionObservedEvent[] {
  const out: ConditionObservedEvent[] = [];
  const findings = new Map(input.belief.findings.map((f) => [f.fingerprint, f]));
  const wanted = new Set<string>();
  for (const c of conditions) {
    const owner = c.connectorId ?? SCOPE_OWNER;
    const fingerprint = FindingBook.fingerprint(c.rule.id, owner, c.subject);
    wanted.add(fingerprint);
    const existing = findings.get(fingerprint);
    // Open findings get fresh evidence only when the condition says something new (missed events do).
    if (existing?.status === 'open' && c.rule.id !== RULES.missedEvent.id) continue;
    out.push(openingOf(c, input.now, base));
  }
  const ruleIds = new Set(CONDITION_RULES.map((r) => r.id));
  for (const f of input.belief.findings) {
    if (f.status !== 'open' || !ruleIds.has(f.rule) || wanted.has(f.fingerprint) || f.source !== 'reconcile') continue;
    if (f.subject === undefined) continue;
    out.push({
      ...base('Reconcile', input.now, f.fingerprint, 'cleared', input.now),
      kind: 'observed.condition',
      rule: f.rule,
      connectorId: f.connectorId === SCOPE_OWNER ? null : f.connectorId,
      subject: f.subject,
      active: false,
      severity: null,
      summary: `${f.rule} cleared`,
      detail: 'the condition no longer holds (reconcile)',
    });
  }
  return out;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function minutes(ms: number): string {
  return `${Math.round(ms / 60_000)} min`;
}
