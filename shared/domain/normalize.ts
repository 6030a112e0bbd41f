/**
 * CloudTrail-via-EventBridge → NormalizedEvent. One function per event family; each reads the record
 * defensively (list quirks, key casing) and says precisely why an event is ignored or rejected.
 */
import { isConnectorId, mergeRefs, parseConnectorArn, refFromIdentifier } from './connector-arn.js';
import { CloudTrailEnvelopeSchema, type CloudTrailRecord, describeIssues } from './event-schema.js';
import type {
  Actor,
  ConnectorConfig,
  ConnectorRef,
  NetworkEvent,
  NormalizedEvent,
  NormalizeResult,
  SecurityGroupRuleChange,
} from './model.js';
import { bool, ec2List, field, isObject, type Json, num, path, str, strings, tagMap } from './record-fields.js';

export const CONNECTOR_OPERATOR_PRINCIPAL = 'network-connectors.lambda.amazonaws.com';
export const VALIDATION_SESSION_NAME = 'request-validation-session';
export const CONNECTOR_ID_TAG = 'aws:lambda:networkConnectorId';
export const CONNECTOR_NAME_TAG = 'aws:lambda:networkConnectorName';

export interface NormalizeOptions {
  /** 12-digit account ids whose events are accepted; anything else is rejected. */
  allowedAccounts: ReadonlySet<string>;
}

type Base = Omit<NormalizedEvent, 'kind'> & Record<string, unknown>;
type Outcome = NormalizedEvent | { ignore: string };

export function normalizeEvent(raw: unknown, options: NormalizeOptions): NormalizeResult {
  const guessedId = str(path(raw, 'detail', 'eventID'));
  if (!isObject(raw)) return { outcome: 'rejected', eventId: null, error: 'event is not a JSON object' };
  if (!isObject(raw.detail)) {
    return {
      outcome: 'rejected',
      eventId: guessedId,
      error: `detail: expected a CloudTrail record object, got ${raw.detail === null ? 'null' : typeof raw.detail}`,
    };
  }
  const parsed = CloudTrailEnvelopeSchema.safeParse(raw);
  if (!parsed.success) return { outcome: 'rejected', eventId: guessedId, error: describeIssues(parsed.error) };
  const envelope = parsed.data;
  const record = envelope.detail;
  const account = record.recipientAccountId ?? envelope.account;
  for (const candidate of new Set([envelope.account, account])) {
    if (!options.allowedAccounts.has(candidate)) {
      return {
        outcome: 'rejected',
        eventId: record.eventID,
        error: `account ${candidate} is not on the allow-list (EGRESS_WATCH_ALLOWED_ACCOUNTS)`,
      };
    }
  }
  if (envelope['detail-type'] !== 'AWS API Call via CloudTrail') {
    return {
      outcome: 'ignored',
      eventId: record.eventID,
      reason: `unsupported detail-type "${envelope['detail-type']}"`,
    };
  }
  const base = baseOf(record, account);
  const outcome = dispatch(record, base);
  if ('ignore' in outcome) return { outcome: 'ignored', eventId: record.eventID, reason: outcome.ignore };
  return { outcome: 'accepted', event: outcome };
}

function baseOf(record: CloudTrailRecord, account: string): Base {
  return {
    eventId: record.eventID,
    eventTime: new Date(record.eventTime).toISOString(),
    eventName: record.eventName,
    eventSource: record.eventSource,
    account,
    region: record.awsRegion,
    actor: actorOf(record.userIdentity),
    errorCode: record.errorCode ?? null,
    errorMessage: record.errorMessage ?? null,
  };
}

export function actorOf(identity: CloudTrailRecord['userIdentity']): Actor {
  const arn = identity.arn ?? null;
  const issuer = identity.sessionContext?.sessionIssuer;
  let name = issuer?.userName ?? identity.userName ?? null;
  let sessionName: string | null = null;
  const assumed = arn?.match(/:assumed-role\/([^/]+)\/(.+)$/);
  if (assumed) {
    name = name ?? assumed[1] ?? null;
    sessionName = assumed[2] ?? null;
  }
  return {
    type: identity.type ?? 'Unknown',
    arn,
    name,
    sessionName,
    invokedBy: identity.invokedBy ?? null,
    accountId: identity.accountId ?? null,
  };
}

function dispatch(record: CloudTrailRecord, base: Base): Outcome {
  const name = record.eventName;
  if (record.eventSource === 'ec2.amazonaws.com') return dispatchEc2(name, record, base);
  if (record.eventSource === 'lambda.amazonaws.com') return dispatchLambda(name, record, base);
  return { ignore: `unsupported event source ${record.eventSource} (${name})` };
}

function dispatchEc2(name: string, record: CloudTrailRecord, base: Base): Outcome {
  const req = record.requestParameters ?? {};
  const res = record.responseElements ?? {};
  if (name === 'CreateNetworkInterface') return createNetworkInterface(req, res, base);
  // Failed network mutations changed nothing; they are noise for the lifecycle (the errorCode says why).
  if (base.errorCode && !base.errorCode.endsWith('DryRunOperation')) {
    return { ignore: `${name} failed with ${base.errorCode}; nothing changed` };
  }
  if (base.errorCode) return { ignore: `${name} was a dry run; nothing changed` };
  switch (name) {
    case 'DeleteNetworkInterface': {
      const eniId = str(field(req, 'networkInterfaceId'));
      if (!eniId) return { ignore: 'DeleteNetworkInterface without requestParameters.networkInterfaceId' };
      return { ...base, kind: 'eni.deleted', eniId } as NormalizedEvent;
    }
    case 'AuthorizeSecurityGroupIngress':
    case 'AuthorizeSecurityGroupEgress':
    case 'RevokeSecurityGroupIngress':
    case 'RevokeSecurityGroupEgress':
      return securityGroupChange(name, req, res, base);
    case 'ModifySecurityGroupRules':
      return modifySecurityGroupRules(req, base);
    case 'CreateRoute':
    case 'DeleteRoute':
    case 'ReplaceRoute':
      return routeChange(name, req, base);
    case 'ReplaceRouteTableAssociation': {
      const associationId = str(field(req, 'associationId'));
      const routeTableId = str(field(req, 'routeTableId'));
      if (!associationId || !routeTableId)
        return { ignore: 'ReplaceRouteTableAssociation without associationId/routeTableId' };
      const event: NetworkEvent = {
        ...base,
        kind: 'network.route-table-association',
        associationId,
        routeTableId,
        newAssociationId: str(field(res, 'newAssociationId')),
      } as NetworkEvent;
      return event;
    }
    case 'DeleteNatGateway': {
      const natGatewayId =
        str(field(req, 'natGatewayId')) ??
        str(path(req, 'DeleteNatGatewayRequest', 'NatGatewayId')) ??
        str(path(res, 'DeleteNatGatewayResponse', 'natGatewayId')) ??
        str(field(res, 'natGatewayId'));
      if (!natGatewayId) return { ignore: 'DeleteNatGateway without a NAT gateway id' };
      return { ...base, kind: 'network.nat-gateway-deleted', natGatewayId } as NormalizedEvent;
    }
    case 'CreateNetworkAclEntry':
    case 'ReplaceNetworkAclEntry':
    case 'DeleteNetworkAclEntry':
      return naclEntryChange(name, req, base);
    default:
      return { ignore: `EC2 ${name} is not tracked` };
  }
}

function createNetworkInterface(req: Json, res: Json, base: Base): Outcome {
  const eni = field(res, 'networkInterface');
  const tags = tagMap(
    ...ec2List(field(req, 'tagSpecificationSet')).map((spec) => field(spec, 'tags')),
    field(eni, 'tagSet'),
  );
  const operatorPrincipal = str(path(eni, 'operator', 'principal')) ?? str(path(req, 'operator', 'principal'));
  const connectorId = tags[CONNECTOR_ID_TAG] ?? null;
  const connectorName = tags[CONNECTOR_NAME_TAG] ?? null;
  const byConnectorOperator =
    base.actor.invokedBy === CONNECTOR_OPERATOR_PRINCIPAL || operatorPrincipal === CONNECTOR_OPERATOR_PRINCIPAL;
  const dryRun = bool(field(req, 'dryRun')) === true || (base.errorCode?.endsWith('DryRunOperation') ?? false);
  const eniId = str(field(eni, 'networkInterfaceId'));
  const subnetId = str(field(eni, 'subnetId')) ?? str(field(req, 'subnetId'));
  if (connectorId || connectorName) {
    return {
      ...base,
      // A dry run "fails" with DryRunOperation by design: that is success, not an error.
      errorCode: dryRun ? null : base.errorCode,
      errorMessage: dryRun ? null : base.errorMessage,
      kind: 'eni.created',
      connector: { id: connectorId, name: connectorName, arn: null },
      purpose: dryRun || base.actor.sessionName === VALIDATION_SESSION_NAME ? 'validation' : 'production',
      dryRun,
      eniId: dryRun ? null : eniId,
      subnetId,
      vpcId: str(field(eni, 'vpcId')),
      availabilityZone: str(field(eni, 'availabilityZone')),
      privateIp: str(field(eni, 'privateIpAddress')),
      securityGroupIds: groupIds(field(eni, 'groupSet'), field(req, 'groupSet')),
    } as NormalizedEvent;
  }
  if (byConnectorOperator) {
    return { ignore: 'connector ENI without aws:lambda:networkConnector* tags: cannot attribute it to a connector' };
  }
  const description = str(field(eni, 'description')) ?? str(field(req, 'description')) ?? '';
  const interfaceType = str(field(eni, 'interfaceType')) ?? str(field(req, 'interfaceType'));
  if (interfaceType === 'lambda' || description.startsWith('AWS Lambda VPC ENI')) {
    if (base.errorCode) return { ignore: `Hyperplane ENI create failed with ${base.errorCode}` };
    const functionName = description.match(/^AWS Lambda VPC ENI-(.+?)(-[0-9a-f]{8}-[0-9a-f-]{27})?$/)?.[1] ?? null;
    return { ...base, kind: 'hyperplane-eni.created', eniId, subnetId, functionName } as NormalizedEvent;
  }
  return { ignore: 'ENI not created for a Lambda network connector' };
}

function groupIds(...sets: unknown[]): string[] {
  for (const set of sets) {
    const ids = ec2List(set)
      .map((g) => str(field(g, 'groupId')))
      .filter((id): id is string => id !== null);
    if (ids.length > 0) return ids;
  }
  return [];
}

const PROTOCOL_NAMES: Record<string, string> = { '-1': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

function protocolName(value: unknown): string | null {
  const raw = str(value);
  if (raw === null) return null;
  return PROTOCOL_NAMES[raw] ?? raw.toLowerCase();
}

function ruleKey(
  direction: string,
  protocol: string | null,
  from: number | null,
  to: number | null,
  peer: string | null,
) {
  const ports = protocol === 'all' ? 'all' : `${from ?? '*'}-${to ?? '*'}`;
  return `${direction}|${protocol ?? '?'}|${ports}|${peer ?? '?'}`;
}

function securityGroupChange(name: string, req: Json, res: Json, base: Base): Outcome {
  const direction = name.endsWith('Egress') ? 'egress' : 'ingress';
  const change = name.startsWith('Authorize') ? 'authorize' : 'revoke';
  const rules: SecurityGroupRuleChange[] = [];
  const referenced = new Set<string>();
  for (const permission of ec2List(field(req, 'ipPermissions'))) {
    const protocol = protocolName(field(permission, 'ipProtocol'));
    const from = num(field(permission, 'fromPort'));
    const to = num(field(permission, 'toPort'));
    const peers: string[] = [
      ...ec2List(field(permission, 'ipRanges')).map((r) => str(field(r, 'cidrIp'))),
      ...ec2List(field(permission, 'ipv6Ranges')).map((r) => str(field(r, 'cidrIpv6'))),
      ...ec2List(field(permission, 'prefixListIds')).map((r) => str(field(r, 'prefixListId'))),
      ...ec2List(field(permission, 'groups')).map((g) => str(field(g, 'groupId'))),
    ].filter((p): p is string => p !== null);
    for (const g of ec2List(field(permission, 'groups'))) {
      const id = str(field(g, 'groupId'));
      if (id) referenced.add(id);
    }
    for (const peer of peers.length > 0 ? peers : [null]) {
      rules.push({
        key: ruleKey(direction, protocol, from, to, peer),
        direction,
        protocol,
        fromPort: from,
        toPort: to,
        peer,
        ruleId: null,
      });
    }
  }
  // Responses list the affected rules with ids (and are the only source when a revoke names rule ids).
  const ruleSet = field(res, change === 'authorize' ? 'securityGroupRuleSet' : 'revokedSecurityGroupRuleSet');
  for (const rule of ec2List(ruleSet)) {
    const protocol = protocolName(field(rule, 'ipProtocol'));
    const from = num(field(rule, 'fromPort'));
    const to = num(field(rule, 'toPort'));
    const refGroup = str(path(rule, 'referencedGroupInfo', 'groupId')) ?? str(field(rule, 'referencedGroupId'));
    if (refGroup) referenced.add(refGroup);
    const peer =
      str(field(rule, 'cidrIpv4')) ?? str(field(rule, 'cidrIpv6')) ?? str(field(rule, 'prefixListId')) ?? refGroup;
    const isEgress = bool(field(rule, 'isEgress'));
    const ruleDirection = isEgress === null ? direction : isEgress ? 'egress' : 'ingress';
    const key = ruleKey(ruleDirection, protocol, from, to, peer);
    const ruleId = str(field(rule, 'securityGroupRuleId'));
    const known = rules.find((r) => r.key === key);
    if (known) known.ruleId = known.ruleId ?? ruleId;
    else rules.push({ key, direction: ruleDirection, protocol, fromPort: from, toPort: to, peer, ruleId });
  }
  const groupId =
    str(field(req, 'groupId')) ??
    ec2List(ruleSet)
      .map((r) => str(field(r, 'groupId')))
      .find((id): id is string => id !== null) ??
    null;
  if (!groupId) return { ignore: `${name} without a groupId (default-VPC group names are not tracked)` };
  if (rules.length === 0) {
    const requested = ec2List(
      field(req, 'securityGroupRuleIdSet') ?? field(req, 'securityGroupRuleIds') ?? field(req, 'SecurityGroupRuleId'),
    ).map((entry) => str(field(entry, 'securityGroupRuleId')) ?? str(entry));
    for (const ruleId of requested.filter((id): id is string => id !== null)) {
      rules.push({
        key: `rule|${ruleId}`,
        direction,
        protocol: null,
        fromPort: null,
        toPort: null,
        peer: null,
        ruleId,
      });
    }
  }
  return {
    ...base,
    kind: 'network.security-group',
    change,
    groupId,
    rules,
    referencedGroupIds: [...referenced].sort(),
  } as NormalizedEvent;
}

function modifySecurityGroupRules(req: Json, base: Base): Outcome {
  const wrapped = field(req, 'ModifySecurityGroupRulesRequest') ?? req;
  const groupId = str(field(wrapped, 'GroupId'));
  if (!groupId) return { ignore: 'ModifySecurityGroupRules without GroupId' };
  const rules: SecurityGroupRuleChange[] = [];
  const referenced = new Set<string>();
  for (const entry of ec2List(field(wrapped, 'SecurityGroupRule'))) {
    const ruleId = str(field(entry, 'SecurityGroupRuleId'));
    const inner = field(entry, 'SecurityGroupRule');
    const refGroup = str(field(inner, 'ReferencedGroupId'));
    if (refGroup) referenced.add(refGroup);
    rules.push({
      key: `rule|${ruleId ?? '?'}`,
      direction: 'unknown',
      protocol: protocolName(field(inner, 'IpProtocol')),
      fromPort: num(field(inner, 'FromPort')),
      toPort: num(field(inner, 'ToPort')),
      peer:
        str(field(inner, 'CidrIpv4')) ?? str(field(inner, 'CidrIpv6')) ?? str(field(inner, 'PrefixListId')) ?? refGroup,
      ruleId,
    });
  }
  return {
    ...base,
    kind: 'network.security-group',
    change: 'modify',
    groupId,
    rules,
    referencedGroupIds: [...referenced].sort(),
  } as NormalizedEvent;
}

const ROUTE_TARGET_KEYS = [
  'natGatewayId',
  'gatewayId',
  'networkInterfaceId',
  'instanceId',
  'transitGatewayId',
  'vpcPeeringConnectionId',
  'vpcEndpointId',
  'egressOnlyInternetGatewayId',
  'localGatewayId',
  'carrierGatewayId',
  'coreNetworkArn',
];

function routeChange(name: string, req: Json, base: Base): Outcome {
  const routeTableId = str(field(req, 'routeTableId'));
  const destination =
    str(field(req, 'destinationCidrBlock')) ??
    str(field(req, 'destinationIpv6CidrBlock')) ??
    str(field(req, 'destinationPrefixListId'));
  if (!routeTableId || !destination) return { ignore: `${name} without routeTableId/destination` };
  const target =
    ROUTE_TARGET_KEYS.map((k) => str(field(req, k))).find((v): v is string => v !== null) ??
    (bool(field(req, 'localTarget')) ? 'local' : null);
  const change = name === 'CreateRoute' ? 'create' : name === 'DeleteRoute' ? 'delete' : 'replace';
  return { ...base, kind: 'network.route', change, routeTableId, destination, target } as NormalizedEvent;
}

function naclEntryChange(name: string, req: Json, base: Base): Outcome {
  const networkAclId = str(field(req, 'networkAclId'));
  const ruleNumber = num(field(req, 'ruleNumber'));
  if (!networkAclId || ruleNumber === null) return { ignore: `${name} without networkAclId/ruleNumber` };
  const change = name.startsWith('Create') ? 'create' : name.startsWith('Replace') ? 'replace' : 'delete';
  return {
    ...base,
    kind: 'network.nacl-entry',
    change,
    networkAclId,
    ruleNumber,
    egress: bool(field(req, 'egress')) ?? false,
    ruleAction: str(field(req, 'ruleAction')),
    cidr: str(field(req, 'cidrBlock')) ?? str(field(req, 'ipv6CidrBlock')),
  } as NormalizedEvent;
}

// ---- Lambda Core and MicroVMs (eventName matched by prefix: the CloudTrail suffix is unverified) ----

function dispatchLambda(name: string, record: CloudTrailRecord, base: Base): Outcome {
  const req = record.requestParameters ?? {};
  const res = record.responseElements ?? {};
  if (name.startsWith('CreateNetworkConnector')) return connectorCreated(req, res, base);
  if (name.startsWith('UpdateNetworkConnector')) return connectorUpdated(req, res, base);
  if (name.startsWith('DeleteNetworkConnector')) return connectorDeleted(req, res, base);
  if (name.startsWith('RunMicrovm')) return microvmRun(req, res, base);
  if (name.startsWith('TerminateMicrovm')) {
    const microvmId = str(field(req, 'microvmIdentifier')) ?? str(field(req, 'microvmId'));
    if (!microvmId) return { ignore: 'TerminateMicrovm without microvmIdentifier' };
    if (base.errorCode) return { ignore: `TerminateMicrovm failed with ${base.errorCode}; nothing changed` };
    return { ...base, kind: 'microvm.terminated', microvmId } as NormalizedEvent;
  }
  return { ignore: `Lambda ${name} is not tracked` };
}

function configOf(value: unknown): ConnectorConfig | null {
  const vpc = field(value, 'VpcEgressConfiguration');
  if (!isObject(vpc)) return null;
  return {
    subnetIds: strings(field(vpc, 'SubnetIds')),
    securityGroupIds: strings(field(vpc, 'SecurityGroupIds')),
    networkProtocol: str(field(vpc, 'NetworkProtocol')),
    computeTypes: strings(field(vpc, 'AssociatedComputeResourceTypes')),
  };
}

/** The connector an API call names: response fields first (they carry the id), then the request identifier. */
function connectorOf(req: Json, res: Json): ConnectorRef {
  const fromResponse: ConnectorRef = {
    id: str(field(res, 'Id')),
    name: str(field(res, 'Name')),
    arn: str(field(res, 'Arn')),
  };
  const identifier = str(field(req, 'Identifier')) ?? str(field(req, 'Name'));
  const fromRequest = identifier ? refFromIdentifier(identifier) : { id: null, name: null, arn: null };
  const merged = mergeRefs(fromResponse, fromRequest);
  if (!merged.id && merged.arn) return mergeRefs(merged, parseConnectorArn(merged.arn)?.ref ?? merged);
  return merged;
}

function stateReasonOf(res: Json): string | null {
  const code = str(field(res, 'StateReasonCode'));
  const text = str(field(res, 'StateReason'));
  if (!code && !text) return null;
  return code && text ? `${code}: ${text}` : (code ?? text);
}

function connectorCreated(req: Json, res: Json, base: Base): Outcome {
  if (base.errorCode) return { ignore: `CreateNetworkConnector failed with ${base.errorCode}; no connector exists` };
  const connector = connectorOf(req, res);
  if (!connector.id) return { ignore: 'CreateNetworkConnector response carries no connector Id' };
  return {
    ...base,
    kind: 'connector.created',
    connector,
    config: configOf(field(res, 'Configuration')) ?? configOf(field(req, 'Configuration')),
    operatorRole: str(field(res, 'OperatorRole')) ?? str(field(req, 'OperatorRole')),
    state: str(field(res, 'State')),
    stateReason: stateReasonOf(res),
  } as NormalizedEvent;
}

function connectorUpdated(req: Json, res: Json, base: Base): Outcome {
  const connector = connectorOf(req, res);
  if (!connector.id && !connector.name) {
    return {
      ignore: `UpdateNetworkConnector${base.errorCode ? ` failed with ${base.errorCode} and` : ''} names no connector`,
    };
  }
  return {
    ...base,
    kind: 'connector.updated',
    connector,
    config: base.errorCode ? null : (configOf(field(res, 'Configuration')) ?? configOf(field(req, 'Configuration'))),
    state: str(field(res, 'State')),
    stateReason: stateReasonOf(res),
    lastUpdateStatus: str(field(res, 'LastUpdateStatus')),
    reasonCode: str(field(res, 'LastUpdateStatusReasonCode')),
  } as NormalizedEvent;
}

function connectorDeleted(req: Json, res: Json, base: Base): Outcome {
  const connector = connectorOf(req, res);
  if (!connector.id && !connector.name) return { ignore: 'DeleteNetworkConnector names no connector' };
  return { ...base, kind: 'connector.deleted', connector, state: str(field(res, 'State')) } as NormalizedEvent;
}

/** Connector ARNs in a run: plain strings or structures such as {ConnectorArn: …}. */
function connectorArns(value: unknown): string[] {
  return ec2List(value)
    .map((entry) => {
      if (typeof entry === 'string') return entry;
      if (isObject(entry)) {
        const key = Object.keys(entry).find((k) => k.toLowerCase().endsWith('arn'));
        return key ? str(entry[key]) : null;
      }
      return null;
    })
    .filter((arn): arn is string => arn !== null);
}

function microvmRun(req: Json, res: Json, base: Base): Outcome {
  const arns = [
    ...new Set([
      ...connectorArns(field(req, 'egressNetworkConnectors')),
      ...connectorArns(field(res, 'egressNetworkConnectors')),
    ]),
  ];
  const egressConnectors: ConnectorRef[] = [];
  for (const arn of arns) {
    const parsed = parseConnectorArn(arn);
    if (parsed && !parsed.managed) egressConnectors.push(parsed.ref);
    else if (!parsed && isConnectorId(arn)) egressConnectors.push({ id: arn, name: null, arn: null });
  }
  const unique = egressConnectors.filter(
    (ref, i) => egressConnectors.findIndex((o) => (o.arn ?? o.id) === (ref.arn ?? ref.id)) === i,
  );
  if (unique.length === 0) return { ignore: 'RunMicrovm without a customer VPC egress connector' };
  return {
    ...base,
    kind: 'microvm.run',
    microvmId: base.errorCode ? null : str(field(res, 'microvmId')),
    imageArn: str(field(res, 'imageArn')) ?? str(field(req, 'imageIdentifier')),
    egressConnectors: unique,
  } as NormalizedEvent;
}
