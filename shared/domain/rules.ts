/**
 * The rule catalog. Rule ids are stable API: alerts, suppressions and reports key on them. Add ids; never
 * rename one. `source` says which part of egress-watch raises it.
 */
import type { Severity } from './model.js';

export interface RuleDefinition {
  id: string;
  severity: Severity;
  source: 'events' | 'reconcile' | 'canary';
  title: string;
}

export const RULES = {
  connectorFailed: { id: 'connector-failed', severity: 'high', source: 'events', title: 'Connector FAILED' },
  connectorStuckPending: {
    id: 'connector-stuck-pending',
    severity: 'high',
    source: 'reconcile',
    title: 'Connector stuck in PENDING',
  },
  connectorUpdateFailed: {
    id: 'connector-update-failed',
    severity: 'high',
    source: 'events',
    title: 'Connector update failed',
  },
  connectorDeletedWhileInUse: {
    id: 'connector-deleted-while-in-use',
    severity: 'critical',
    source: 'events',
    title: 'Connector deleted while MicroVMs still use it',
  },
  eniCreateFailed: {
    id: 'eni-create-failed',
    severity: 'high',
    source: 'events',
    title: 'Connector ENI could not be created',
  },
  eniDeletedWhileActive: {
    id: 'eni-deleted-while-active',
    severity: 'high',
    source: 'events',
    title: 'Connector ENI deleted while the connector is in service',
  },
  eniLeakedAfterDelete: {
    id: 'eni-leaked-after-delete',
    severity: 'warning',
    source: 'reconcile',
    title: 'Connector ENI left behind after the connector was deleted',
  },
  microvmMultipleEgressConnectors: {
    id: 'microvm-multiple-egress-connectors',
    severity: 'warning',
    source: 'events',
    title: 'MicroVM run names more than one VPC egress connector',
  },
  networkPathChanged: {
    id: 'network-path-changed',
    severity: 'warning',
    source: 'events',
    title: "A change touched a connector's security groups, subnets or routes",
  },
  missedEvent: { id: 'missed-event', severity: 'warning', source: 'reconcile', title: 'An event was missed' },
  monitoringBlind: { id: 'monitoring-blind', severity: 'high', source: 'reconcile', title: 'Monitoring is blind' },
  reachabilityDrift: { id: 'reachability-drift', severity: 'high', source: 'canary', title: 'Reachability drift' },
  egressIpDrift: { id: 'egress-ip-drift', severity: 'warning', source: 'canary', title: 'Egress IP drift' },
  isolationBreach: { id: 'isolation-breach', severity: 'critical', source: 'canary', title: 'Isolation breach' },
  singleAzConnector: { id: 'single-az-connector', severity: 'info', source: 'reconcile', title: 'Connector in one AZ' },
  subnetIpExhaustion: {
    id: 'subnet-ip-exhaustion',
    severity: 'warning',
    source: 'reconcile',
    title: 'Connector subnet running out of IPs',
  },
  natGatewayCrossAz: {
    id: 'nat-gateway-cross-az',
    severity: 'warning',
    source: 'reconcile',
    title: 'Connector subnet routes to a NAT gateway in another AZ',
  },
} as const satisfies Record<string, RuleDefinition>;

export type RuleId = (typeof RULES)[keyof typeof RULES]['id'];

export const RULE_IDS: readonly RuleId[] = Object.values(RULES).map((r) => r.id);

const BY_ID = new Map<string, RuleDefinition>(Object.values(RULES).map((r) => [r.id, r]));

/** The catalog entry of a rule id, or undefined for an id the catalog does not know. */
export function ruleById(id: string): RuleDefinition | undefined {
  return BY_ID.get(id);
}
