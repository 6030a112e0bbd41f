/**
 * The EC2 part of normalization: connector ENIs (CreateNetworkInterface tagged by the connector operator),
 * Hyperplane ENIs, and the network changes that can break a connector's path (security groups, routes,
 * route-table associations, NAT gateways, NACL entries). EC2's CloudTrail list renderings are read with
 * `record-fields.ts`. Request/response field names: EC2 API reference.
 */
import type { CloudTrailRecord } from './event-schema.js';
import { functionNameOfEniDescription } from './hyperplane-enis.js';
import type { NetworkEvent, NormalizedEvent, SecurityGroupRuleChange } from './model.js';
import type { BaseFields, FamilyOutcome } from './normalize-envelope.js';
import { bool, ec2List, field, type Json, num, path, str, tagMap } from './record-fields.js';

/** `userIdentity.invokedBy` / ENI `operator.principal` of ENIs a network connector creates. */
export const CONNECTOR_OPERATOR_PRINCIPAL = 'network-connectors.lambda.amazonaws.com';
/** Session name of the connector's validation calls (dry-run ENIs at create/update time). */
export const VALIDATION_SESSION_NAME = 'request-validation-session';
/** Tags the connector operator puts on the ENIs it creates. */
export const CONNECTOR_ID_TAG = 'aws:lambda:networkConnectorId';
export const CONNECTOR_NAME_TAG = 'aws:lambda:networkConnectorName';
/** An ec2.amazonaws.com record → its normalized event, or why it is not tracked. */
export function normalizeEc2(name: string, record: CloudTrailRecord, base: BaseFields): FamilyOutcome {
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

function createNetworkInterface(req: Json, res: Json, base: BaseFields): FamilyOutcome {
  const eni = field(res, 'networkInterface');
  const tags = tagMap(
    ...ec2List(field(req, 'tagSpecificationSet')).map((spec) => field(spec, 'tags')),
    field(eni, 'tagSet'),
  );
  const operatorPrincipal = str(path(eni, 'operator', 'principal')) ?? str(path(req, 'operator', 'principal'));
  const connectorId = tags.get(CONNECTOR_ID_TAG) ?? null;
  const connectorName = tags.get(CONNECTOR_NAME_TAG) ?? null;
  const byConnectorOperator =
    base.actor.invokedBy === CONNECTOR_OPERATOR_PRINCIPAL || operatorPrincipal === CONNECTOR_OPERATOR_PRINCIPAL;
  const dryRun = bool(field(req, 'dryRun')) === true || (base.errorCode?.endsWith('DryRunOperation') ?? false);
  // Only Client.DryRunOperation means "allowed"; a refused check (Client.UnauthorizedOperation) keeps its error.
  const allowedDryRun = dryRun && (base.errorCode === null || base.errorCode.endsWith('DryRunOperation'));
  const eniId = str(field(eni, 'networkInterfaceId'));
  const subnetId = str(field(eni, 'subnetId')) ?? str(field(req, 'subnetId'));
  if (connectorId || connectorName) {
    return {
      ...base,
      // A dry run "fails" with DryRunOperation by design: that is success, not an error.
      errorCode: allowedDryRun ? null : base.errorCode,
      errorMessage: allowedDryRun ? null : base.errorMessage,
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
    const functionName = functionNameOfEniDescription(description);
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

/** IANA protocol numbers EC2 writes for ipProtocol; a Map so that a value such as "constructor" is just a name. */
const PROTOCOL_NAMES = new Map([
  ['-1', 'all'],
  ['6', 'tcp'],
  ['17', 'udp'],
  ['1', 'icmp'],
  ['58', 'icmpv6'],
]);

function protocolName(value: unknown): string | null {
  const raw = str(value);
  if (raw === null) return null;
  return PROTOCOL_NAMES.get(raw) ?? raw.toLowerCase();
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

/** The rules an EC2 `IpPermissions` list names (one per peer), adding referenced groups to `referenced`. */
function permissionRules(
  permissions: unknown,
  direction: 'ingress' | 'egress',
  referenced: Set<string>,
): SecurityGroupRuleChange[] {
  const rules: SecurityGroupRuleChange[] = [];
  for (const permission of ec2List(permissions)) {
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
  return rules;
}

function securityGroupChange(name: string, req: Json, res: Json, base: BaseFields): FamilyOutcome {
  const direction = name.endsWith('Egress') ? 'egress' : 'ingress';
  const change = name.startsWith('Authorize') ? 'authorize' : 'revoke';
  const referenced = new Set<string>();
  const rules = permissionRules(field(req, 'ipPermissions'), direction, referenced);
  // A revoke that matches no rule succeeds and echoes it in unknownIpPermissionSet: nothing was removed.
  const unknown = new Set(
    permissionRules(field(res, 'unknownIpPermissionSet'), direction, new Set()).map((r) => r.key),
  );
  if (change === 'revoke' && unknown.size > 0) {
    const removed = rules.filter((r) => !unknown.has(r.key));
    if (removed.length === 0 && ec2List(field(res, 'revokedSecurityGroupRuleSet')).length === 0) {
      return { ignore: `${name} matched no rule (unknownIpPermissionSet): nothing was removed` };
    }
    rules.splice(0, rules.length, ...removed);
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
  // A call by groupName (default VPC, CloudFormation) names the group only by name: the fold resolves it via facts.
  const groupName = groupId ? null : str(field(req, 'groupName'));
  if (!groupId && !groupName) return { ignore: `${name} without a groupId or groupName: no security group is named` };
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
    groupId: groupId ?? '',
    ...(groupName ? { groupName } : {}),
    rules,
    referencedGroupIds: [...referenced].sort(),
  } as NormalizedEvent;
}

function modifySecurityGroupRules(req: Json, base: BaseFields): FamilyOutcome {
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

function routeChange(name: string, req: Json, base: BaseFields): FamilyOutcome {
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

function naclEntryChange(name: string, req: Json, base: BaseFields): FamilyOutcome {
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
