/**
 * The Lambda part of normalization: network connectors (Create/Update/DeleteNetworkConnector) and MicroVMs
 * (RunMicrovm, TerminateMicrovm). eventName is matched by prefix: the CloudTrail suffix is unverified.
 */
import { isConnectorId, mergeRefs, parseConnectorArn, refFromIdentifier } from './connector-arn.js';
import type { CloudTrailRecord } from './event-schema.js';
import type { ConnectorConfig, ConnectorRef, NormalizedEvent } from './model.js';
import type { BaseFields, FamilyOutcome } from './normalize-envelope.js';
import { ec2List, field, isObject, type Json, str, strings } from './record-fields.js';

/** A lambda.amazonaws.com record → its normalized event, or why it is not tracked. */
export function normalizeLambda(name: string, record: CloudTrailRecord, base: BaseFields): FamilyOutcome {
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

function connectorCreated(req: Json, res: Json, base: BaseFields): FamilyOutcome {
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

function connectorUpdated(req: Json, res: Json, base: BaseFields): FamilyOutcome {
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

function connectorDeleted(req: Json, res: Json, base: BaseFields): FamilyOutcome {
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

function microvmRun(req: Json, res: Json, base: BaseFields): FamilyOutcome {
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
