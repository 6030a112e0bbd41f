// Synthetic EventBridge events for unit tests, built by cloning a real fixture under events/ and changing only
// the fields a test is about. Every built event gets a fresh eventID (ingest dedupes on it).

import type { NormalizedEvent } from '../../shared/domain/model.js';
import { normalizeEvent } from '../../shared/domain/normalize.js';
import { type FixtureSource, loadFixture } from './fixtures.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const ALLOWED = { allowedAccounts: new Set([ACCOUNT]) };

/** The connector the single-event fixtures describe (events/README.md). */
export const PAYMENTS = {
  id: 'nc-f02609ef-5a36-4a4c-9703-fa382c8868bd',
  name: 'payments-egress',
  securityGroupId: 'sg-0c2c1fe868a5cdd77',
  subnetA: 'subnet-0f05f37810742ecab',
  subnetB: 'subnet-0d80922d003f0ee01',
  productionEni: 'eni-0f2d3d18f1caf5516',
  validationEni: 'eni-03614f992624ca031',
  microvm: 'mvm-3c88e2db-e180-4cb8-afbb-f447641c1e2b',
  routeTable: 'rtb-04ad2a409860da6c6',
} as const;

export interface RawDetail {
  eventID: string;
  eventTime: string;
  eventName: string;
  userIdentity: Record<string, unknown>;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  [key: string]: unknown;
}

export interface RawEnvelope {
  id: string;
  time: string;
  account: string;
  region: string;
  detail: RawDetail;
  [key: string]: unknown;
}

let sequence = 0;

/** A UUID-shaped id that no fixture uses. */
export function freshEventId(): string {
  sequence += 1;
  return `00000000-0000-4000-8000-${sequence.toString(16).padStart(12, '0')}`;
}

/** `2026-06-24T01:00:00Z` plus `minutes`. */
export function at(minutes: number): string {
  return new Date(Date.UTC(2026, 5, 24, 1, 0, 0) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

export function connectorArn(idOrName: string, region: string = REGION): string {
  return `arn:aws:lambda:${region}:${ACCOUNT}:network-connector:${idOrName}`;
}

/** A deep copy of a fixture with a fresh eventID/envelope id and, when given, a new time. */
const fixtureCache = new Map<string, unknown>();

export function cloneFixture(source: FixtureSource, variant: string, time?: string): RawEnvelope {
  const key = `${source}/${variant}`;
  if (!fixtureCache.has(key)) fixtureCache.set(key, loadFixture(source, variant));
  const raw = structuredClone(fixtureCache.get(key)) as RawEnvelope;
  const id = freshEventId();
  raw.id = id;
  raw.detail.eventID = id;
  if (time !== undefined) {
    raw.time = time;
    raw.detail.eventTime = time;
  }
  return raw;
}

function withError(raw: RawEnvelope, errorCode: string | undefined, errorMessage = `${errorCode} (synthetic)`) {
  if (errorCode === undefined) return raw;
  raw.detail.errorCode = errorCode;
  raw.detail.errorMessage = errorMessage;
  raw.detail.responseElements = null;
  return raw;
}

/** An assumed-role identity such as NetworkTeam/bob (replaces the fixture's caller). */
export function assumedRole(role: string, session: string, invokedBy?: string): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE0000000000:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE0000000000',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
    },
    ...(invokedBy ? { invokedBy } : {}),
  };
}

export interface ConnectorSpec {
  id: string;
  name: string;
  subnetIds?: string[];
  securityGroupIds?: string[];
}

function connectorBody(spec: ConnectorSpec, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    Arn: connectorArn(spec.id),
    Name: spec.name,
    Id: spec.id,
    Configuration: {
      VpcEgressConfiguration: {
        SubnetIds: spec.subnetIds ?? [PAYMENTS.subnetA],
        SecurityGroupIds: spec.securityGroupIds ?? [PAYMENTS.securityGroupId],
        NetworkProtocol: 'IPv4',
        AssociatedComputeResourceTypes: ['MicroVm'],
      },
    },
    OperatorRole: `arn:aws:iam::${ACCOUNT}:role/NetworkConnectorOperatorRole`,
    ...extra,
  };
}

export function createConnector(spec: ConnectorSpec, time: string, state = 'PENDING'): RawEnvelope {
  const raw = cloneFixture('lambda', 'create-network-connector', time);
  const body = connectorBody(spec, { State: state });
  raw.detail.requestParameters = {
    Name: spec.name,
    Configuration: body.Configuration,
    OperatorRole: body.OperatorRole,
    ClientToken: raw.id,
  };
  raw.detail.responseElements = body;
  return raw;
}

export interface UpdateResponse {
  State?: string;
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
}

export function updateConnector(spec: ConnectorSpec, time: string, response: UpdateResponse): RawEnvelope {
  const raw = cloneFixture('lambda', 'update-network-connector', time);
  const body = connectorBody(spec, { ...response });
  raw.detail.requestParameters = { Identifier: spec.id, Configuration: body.Configuration, ClientToken: raw.id };
  raw.detail.responseElements = body;
  return raw;
}

/** DeleteNetworkConnector naming the connector by `identifier` (id, name or ARN). */
export function deleteConnector(spec: ConnectorSpec, time: string, identifier: string = spec.id): RawEnvelope {
  const raw = cloneFixture('lambda', 'delete-network-connector', time);
  raw.detail.requestParameters = { Identifier: identifier };
  raw.detail.responseElements = connectorBody(spec, { State: 'DELETING' });
  return raw;
}

export interface EniSpec {
  connector: ConnectorSpec;
  eniId: string;
  subnetId: string;
  privateIp: string;
  purpose?: 'production' | 'validation';
  errorCode?: string;
}

/** A connector ENI created by the operator role (validation = session `request-validation-session`). */
export function createConnectorEni(spec: EniSpec, time: string): RawEnvelope {
  const raw = cloneFixture('ec2', 'create-network-interface-connector-production', time);
  const session = spec.purpose === 'validation' ? 'request-validation-session' : '417203950386';
  raw.detail.userIdentity = assumedRole(
    'NetworkConnectorOperatorRole',
    session,
    'network-connectors.lambda.amazonaws.com',
  );
  const tags = [
    { key: 'aws:lambda:networkConnectorName', value: spec.connector.name },
    { key: 'aws:lambda:networkConnectorId', value: spec.connector.id },
  ];
  const groups = {
    items: (spec.connector.securityGroupIds ?? [PAYMENTS.securityGroupId]).map((groupId) => ({ groupId })),
  };
  raw.detail.requestParameters = {
    subnetId: spec.subnetId,
    description: `AWS Lambda network connector ${spec.connector.id}`,
    groupSet: groups,
    tagSpecificationSet: { items: [{ resourceType: 'network-interface', tags }] },
    operator: { principal: 'network-connectors.lambda.amazonaws.com' },
  };
  raw.detail.responseElements = {
    requestId: raw.detail.requestID,
    networkInterface: {
      networkInterfaceId: spec.eniId,
      subnetId: spec.subnetId,
      vpcId: 'vpc-099c9d16a9352e20b',
      availabilityZone: spec.subnetId === PAYMENTS.subnetB ? 'us-east-1b' : 'us-east-1a',
      interfaceType: 'lambda',
      privateIpAddress: spec.privateIp,
      groupSet: groups,
      tagSet: { items: tags },
      operator: { managed: true, principal: 'network-connectors.lambda.amazonaws.com' },
    },
  };
  return withError(raw, spec.errorCode);
}

/** DeleteNetworkInterface by the Lambda service role, or by `by` (e.g. a human's assumed role). */
export function deleteEni(eniId: string, time: string, by?: Record<string, unknown>): RawEnvelope {
  const raw = cloneFixture('ec2', 'delete-network-interface-connector', time);
  raw.detail.requestParameters = { networkInterfaceId: eniId };
  if (by) raw.detail.userIdentity = by;
  return raw;
}

export interface RunSpec {
  microvmId: string;
  /** Connector ARNs (id- or name-form) passed as egressNetworkConnectors. */
  connectors: string[];
  errorCode?: string;
}

export function runMicrovm(spec: RunSpec, time: string): RawEnvelope {
  const raw = cloneFixture('lambda', 'run-microvm', time);
  const request = raw.detail.requestParameters ?? {};
  raw.detail.requestParameters = { ...request, egressNetworkConnectors: spec.connectors };
  raw.detail.responseElements = {
    ...(raw.detail.responseElements ?? {}),
    microvmId: spec.microvmId,
    endpoint: `${spec.microvmId}.lambda-microvm.${REGION}.on.aws`,
    egressNetworkConnectors: spec.connectors,
  };
  return withError(raw, spec.errorCode);
}

export function terminateMicrovm(microvmId: string, time: string): RawEnvelope {
  const raw = cloneFixture('lambda', 'terminate-microvm', time);
  raw.detail.requestParameters = { microvmIdentifier: microvmId };
  return raw;
}

export interface SgReferenceSpec {
  /** The target's group whose ingress rule references the connector group. */
  groupId: string;
  referencedGroupId: string;
  port: number;
}

/** bob revokes (or re-authorizes) "tcp/<port> from <referencedGroupId>" on `groupId`. */
export function securityGroupReference(
  change: 'revoke' | 'authorize',
  spec: SgReferenceSpec,
  time: string,
): RawEnvelope {
  const variant =
    change === 'revoke'
      ? 'revoke-security-group-ingress-sg-reference'
      : 'authorize-security-group-ingress-sg-reference';
  const raw = cloneFixture('ec2', variant, time);
  raw.detail.requestParameters = {
    groupId: spec.groupId,
    ipPermissions: {
      items: [
        {
          ipProtocol: 'tcp',
          fromPort: spec.port,
          toPort: spec.port,
          groups: { items: [{ groupId: spec.referencedGroupId }] },
          ipRanges: {},
          ipv6Ranges: {},
          prefixListIds: {},
        },
      ],
    },
  };
  raw.detail.responseElements = { requestId: raw.detail.requestID, _return: true };
  return raw;
}

/** A rule id for (seed, port): `sgr-0…` (17 hex digits after `sgr-`). */
export function ruleIdOf(seed: number, port: number): string {
  return `sgr-0${String(seed).padStart(4, '0')}${String(port).padStart(12, '0')}`;
}

/** `securityGroupReference` with the rule id in the response's rule set (authorize) or revoked set. */
export function securityGroupReferenceWithId(
  change: 'revoke' | 'authorize',
  spec: SgReferenceSpec,
  ruleId: string,
  time: string,
): RawEnvelope {
  const raw = securityGroupReference(change, spec, time);
  const rule = {
    groupId: spec.groupId,
    securityGroupRuleId: ruleId,
    isEgress: false,
    ipProtocol: 'tcp',
    fromPort: spec.port,
    toPort: spec.port,
    referencedGroupInfo: { groupId: spec.referencedGroupId },
  };
  const set = change === 'authorize' ? 'securityGroupRuleSet' : 'revokedSecurityGroupRuleSet';
  raw.detail.responseElements = { requestId: raw.detail.requestID, _return: true, [set]: { items: [rule] } };
  return raw;
}

/** ModifySecurityGroupRules of `ruleId` on `groupId`: new content tcp/`port` from `peer` (a group or a CIDR). */
export function modifySecurityGroupRule(
  groupId: string,
  ruleId: string,
  port: number,
  peer: string,
  time: string,
): RawEnvelope {
  const raw = cloneFixture('ec2', 'modify-security-group-rules', time);
  const content = { IpProtocol: 'tcp', FromPort: port, ToPort: port };
  raw.detail.requestParameters = {
    ModifySecurityGroupRulesRequest: {
      GroupId: groupId,
      SecurityGroupRule: {
        SecurityGroupRuleId: ruleId,
        SecurityGroupRule: peer.startsWith('sg-')
          ? { ...content, ReferencedGroupId: peer }
          : { ...content, CidrIpv4: peer },
      },
    },
  };
  return raw;
}

export function routeChange(change: 'create' | 'delete', routeTableId: string, time: string): RawEnvelope {
  const raw = cloneFixture('ec2', change === 'create' ? 'create-route-nat' : 'delete-route', time);
  raw.detail.requestParameters = {
    ...(raw.detail.requestParameters ?? {}),
    routeTableId,
  };
  return raw;
}

/** Normalizes raw events and insists every one is accepted (a test's arrangement must not silently shrink). */
export function normalizeAll(raws: readonly unknown[]): NormalizedEvent[] {
  return raws.map((raw, index) => {
    const result = normalizeEvent(raw, ALLOWED);
    if (result.outcome !== 'accepted') {
      throw new Error(`event #${index} was not accepted: ${JSON.stringify(result)}`);
    }
    return result.event;
  });
}
