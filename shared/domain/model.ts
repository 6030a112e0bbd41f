/**
 * The vocabulary of egress-watch: normalized CloudTrail events, the connector view the lifecycle reducer
 * derives from them, and findings. Pure types; no I/O.
 */

/** Who made a call, reduced to what an on-call engineer needs to read. */
export interface Actor {
  /** IAMUser | AssumedRole | AWSService | Root | … (open). */
  type: string;
  arn: string | null;
  /** Role name for assumed roles, user name for users. */
  name: string | null;
  sessionName: string | null;
  /** The service that called on the customer's behalf (userIdentity.invokedBy). */
  invokedBy: string | null;
  accountId: string | null;
}

/** How an event names a connector: by id, by name (ARN whose last segment is a name), or both. */
export interface ConnectorRef {
  id: string | null;
  name: string | null;
  arn: string | null;
}

export interface ConnectorConfig {
  subnetIds: string[];
  securityGroupIds: string[];
  networkProtocol: string | null;
  computeTypes: string[];
}

interface EventBase {
  eventId: string;
  /** ISO-8601, normalized to milliseconds precision with Z. */
  eventTime: string;
  eventName: string;
  eventSource: string;
  account: string;
  region: string;
  actor: Actor;
  errorCode: string | null;
  errorMessage: string | null;
}

export interface ConnectorCreatedEvent extends EventBase {
  kind: 'connector.created';
  connector: ConnectorRef;
  config: ConnectorConfig | null;
  operatorRole: string | null;
  state: string | null;
  /** "SubnetOutOfIPAddresses: …" when the response explains a FAILED state. */
  stateReason: string | null;
}

export interface ConnectorUpdatedEvent extends EventBase {
  kind: 'connector.updated';
  connector: ConnectorRef;
  config: ConnectorConfig | null;
  state: string | null;
  stateReason: string | null;
  lastUpdateStatus: string | null;
  reasonCode: string | null;
}

export interface ConnectorDeletedEvent extends EventBase {
  kind: 'connector.deleted';
  connector: ConnectorRef;
  state: string | null;
}

export type EniPurpose = 'validation' | 'production';

export interface EniCreatedEvent extends EventBase {
  kind: 'eni.created';
  connector: ConnectorRef;
  purpose: EniPurpose;
  dryRun: boolean;
  eniId: string | null;
  subnetId: string | null;
  vpcId: string | null;
  availabilityZone: string | null;
  privateIp: string | null;
  securityGroupIds: string[];
}

export interface EniDeletedEvent extends EventBase {
  kind: 'eni.deleted';
  eniId: string;
}

/** Classic Lambda (VpcConfig) Hyperplane ENIs: recognised and kept apart, never attributed to a connector. */
export interface HyperplaneEniEvent extends EventBase {
  kind: 'hyperplane-eni.created';
  eniId: string | null;
  subnetId: string | null;
  functionName: string | null;
}

export interface MicrovmRunEvent extends EventBase {
  kind: 'microvm.run';
  microvmId: string | null;
  imageArn: string | null;
  egressConnectors: ConnectorRef[];
}

export interface MicrovmTerminatedEvent extends EventBase {
  kind: 'microvm.terminated';
  microvmId: string;
}

export interface SecurityGroupRuleChange {
  /** Stable key of the rule's meaning (direction, protocol, ports, peer), or the sgr- id when only that is known. */
  key: string;
  direction: 'ingress' | 'egress' | 'unknown';
  protocol: string | null;
  fromPort: number | null;
  toPort: number | null;
  /** CIDR, prefix list or referenced group id. */
  peer: string | null;
  ruleId: string | null;
}

export interface SecurityGroupChangedEvent extends EventBase {
  kind: 'network.security-group';
  change: 'authorize' | 'revoke' | 'modify';
  /** `sg-` id; empty when the call named the group only by `groupName` (then the fold resolves it via facts). */
  groupId: string;
  /** The `groupName` of a call made by name (default VPC, CloudFormation); absent when the id was given. */
  groupName?: string;
  rules: SecurityGroupRuleChange[];
  /** Groups referenced by the changed rules (a target SG allowing the connector SG references it). */
  referencedGroupIds: string[];
}

export interface RouteChangedEvent extends EventBase {
  kind: 'network.route';
  change: 'create' | 'delete' | 'replace';
  routeTableId: string;
  destination: string;
  /** e.g. nat-…, igw-…, local, or null for a delete */
  target: string | null;
}

export interface RouteTableAssociationChangedEvent extends EventBase {
  kind: 'network.route-table-association';
  associationId: string;
  routeTableId: string;
  newAssociationId: string | null;
}

export interface NatGatewayDeletedEvent extends EventBase {
  kind: 'network.nat-gateway-deleted';
  natGatewayId: string;
}

export interface NaclEntryChangedEvent extends EventBase {
  kind: 'network.nacl-entry';
  change: 'create' | 'replace' | 'delete';
  networkAclId: string;
  ruleNumber: number;
  egress: boolean;
  ruleAction: string | null;
  cidr: string | null;
}

export type NetworkEvent =
  | SecurityGroupChangedEvent
  | RouteChangedEvent
  | RouteTableAssociationChangedEvent
  | NatGatewayDeletedEvent
  | NaclEntryChangedEvent;

/**
 * Reconcile observations (see docs/reconcile.md): what the AWS APIs showed that no event explained, written
 * into the same event log as synthetic events (`eventSource` `egress-watch.reconcile`, stable `eventID`
 * `obs-<sha256 prefix>` of what was observed), so the projection folds events and observations together.
 */
export const OBSERVATION_SOURCE = 'egress-watch.reconcile';

/** A connector as Lambda Core `GetNetworkConnector` showed it, or its absence from `ListNetworkConnectors`. */
export interface ConnectorObservedEvent extends EventBase {
  kind: 'observed.connector';
  connector: ConnectorRef;
  /** false: `ListNetworkConnectors` no longer lists it (deleted). */
  present: boolean;
  state: string | null;
  stateReason: string | null;
  stateReasonCode: string | null;
  lastUpdateStatus: string | null;
  lastUpdateStatusReason: string | null;
  lastUpdateStatusReasonCode: string | null;
  config: ConnectorConfig | null;
  /** ISO-8601 `LastModified` from the API, when it gave one. */
  lastModified: string | null;
}

/** A connector ENI as EC2 `DescribeNetworkInterfaces` showed it (tag aws:lambda:networkConnectorId), or its absence. */
export interface EniObservedEvent extends EventBase {
  kind: 'observed.eni';
  eniId: string;
  connectorId: string | null;
  present: boolean;
  subnetId: string | null;
  availabilityZone: string | null;
  privateIp: string | null;
  /** EC2 `Status`: available | in-use | … */
  status: string | null;
}

/** A MicroVM as `GetMicrovm` showed it: its state and the connectors it egresses through. */
export interface MicrovmObservedEvent extends EventBase {
  kind: 'observed.microvm';
  microvmId: string;
  present: boolean;
  state: string | null;
  /** ISO-8601 `startedAt`. */
  startedAt: string | null;
  egressConnectors: ConnectorRef[];
}

/**
 * A condition reconcile judged from the APIs (stuck PENDING, subnet IPs, leaked ENI, missed events, blind
 * monitoring, …): `active` opens the finding `rule` for (connectorId, subject), inactive resolves it.
 * connectorId null: the finding is about the account/region (connectorId `*`).
 */
export interface ConditionObservedEvent extends EventBase {
  kind: 'observed.condition';
  rule: string;
  connectorId: string | null;
  subject: string;
  active: boolean;
  severity: Severity | null;
  summary: string;
  detail: string;
}

/**
 * The network facts' links (route tables, NACLs, NAT routes of subnets) changed: the projection folds the log
 * again with the stored facts. `version` is a hash of those links; the eventID derives from it.
 */
export interface NetworkObservedEvent extends EventBase {
  kind: 'observed.network';
  version: string;
  /** ISO-8601 capture time of the snapshot. */
  capturedAt: string;
}

export type ObservationEvent =
  | ConnectorObservedEvent
  | EniObservedEvent
  | MicrovmObservedEvent
  | ConditionObservedEvent
  | NetworkObservedEvent;

export type NormalizedEvent =
  | ObservationEvent
  | ConnectorCreatedEvent
  | ConnectorUpdatedEvent
  | ConnectorDeletedEvent
  | EniCreatedEvent
  | EniDeletedEvent
  | HyperplaneEniEvent
  | MicrovmRunEvent
  | MicrovmTerminatedEvent
  | NetworkEvent;

export type EventKind = NormalizedEvent['kind'];

/** What normalizing one EventBridge event gives. */
export type NormalizeResult =
  | { outcome: 'accepted'; event: NormalizedEvent }
  | { outcome: 'ignored'; eventId: string; reason: string }
  | { outcome: 'rejected'; eventId: string | null; error: string };

/**
 * A network connector's `State` as the Lambda Core API reports it (enum `NetworkConnectorState` of the
 * Lambda Core API model lambda-core/2026-04-30). One name for the concept across the product, the adapter
 * (which also tolerates values added later) and the lab.
 */
export type NetworkConnectorState = 'PENDING' | 'ACTIVE' | 'INACTIVE' | 'FAILED' | 'DELETING' | 'DELETE_FAILED';

/** Why a connector is FAILED or an update failed (`StateReasonCode`, Lambda Core API model lambda-core/2026-04-30). */
export type NetworkConnectorReasonCode =
  | 'DisallowedByVpcEncryptionControl'
  | 'Ec2RequestLimitExceeded'
  | 'InsufficientRolePermissions'
  | 'InternalError'
  | 'InvalidSecurityGroup'
  | 'InvalidSubnet'
  | 'SubnetOutOfIPAddresses';

/**
 * The state of a connector *view*: the API state, or DELETED once a delete was seen, or UNKNOWN when only
 * indirect events (ENIs, MicroVM runs) name the connector.
 */
export type ConnectorState = NetworkConnectorState | 'DELETED' | 'UNKNOWN';

export interface StateTransition {
  state: string;
  at: string;
  eventId: string;
  /** Why we believe it: 'CreateNetworkConnector response', 'MicroVM ran on it', … */
  evidence: string;
}

export interface EniView {
  id: string;
  subnetId: string | null;
  availabilityZone: string | null;
  privateIp: string | null;
  purpose: EniPurpose;
  createdAt: string;
  deletedAt: string | null;
  createdBy: string;
  deletedBy: string | null;
}

export interface MicrovmUse {
  id: string;
  runAt: string;
  terminatedAt: string | null;
  runBy: string;
}

export interface TimelineEntry {
  at: string;
  eventId: string;
  eventName: string;
  actor: string;
  summary: string;
}

export interface ConnectorView {
  id: string;
  name: string | null;
  arn: string | null;
  account: string;
  region: string;
  state: ConnectorState;
  stateReason: string | null;
  lastUpdateStatus: string | null;
  subnetIds: string[];
  securityGroupIds: string[];
  vpcId: string | null;
  networkProtocol: string | null;
  operatorRole: string | null;
  createdAt: string | null;
  activeAt: string | null;
  deletedAt: string | null;
  transitions: StateTransition[];
  enis: EniView[];
  microvms: MicrovmUse[];
  timeline: TimelineEntry[];
}

export type Severity = 'critical' | 'high' | 'warning' | 'info';
export type FindingStatus = 'open' | 'resolved';

export interface Evidence {
  eventId: string;
  eventName: string;
  at: string;
  actor: string;
  detail: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  status: FindingStatus;
  connectorId: string;
  account: string;
  region: string;
  fingerprint: string;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
  summary: string;
  evidence: Evidence[];
  /** Who raised it: the event projection (default), reconcile observations, or the canary. */
  source?: 'events' | 'reconcile' | 'canary';
  /** What the finding tracks within its rule and connector (set on reconcile findings, so they can be resolved). */
  subject?: string;
}

export type { NetworkFacts } from './network-facts.js';
export { NO_NETWORK_FACTS } from './network-facts.js';
