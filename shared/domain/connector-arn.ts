import type { ConnectorRef } from './model.js';

/**
 * Parses a network-connector ARN: arn:<partition>:lambda:<region>:<account>:network-connector:<id-or-name>[:<version>].
 * AWS-managed connectors (account "aws", an extra segment: …:aws:network-connector:aws-network-connector:INTERNET_EGRESS)
 * are not the customer's and are reported as managed.
 */
export interface ParsedConnectorArn {
  managed: boolean;
  account: string | null;
  region: string | null;
  ref: ConnectorRef;
}

const CONNECTOR_ID = /^nc-[0-9a-zA-Z-]+$/;

export function isConnectorId(value: string): boolean {
  return CONNECTOR_ID.test(value);
}

/** A reference from an identifier that may be an id, a name or an ARN (as Lambda Core accepts all three). */
export function refFromIdentifier(identifier: string): ConnectorRef {
  if (identifier.startsWith('arn:'))
    return parseConnectorArn(identifier)?.ref ?? { id: null, name: null, arn: identifier };
  return isConnectorId(identifier)
    ? { id: identifier, name: null, arn: null }
    : { id: null, name: identifier, arn: null };
}

export function parseConnectorArn(arn: string): ParsedConnectorArn | null {
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'lambda' || parts[5] !== 'network-connector') return null;
  const account = parts[4] ?? null;
  const region = parts[3] ?? null;
  if (account === 'aws') {
    return { managed: true, account, region, ref: { id: null, name: parts.slice(6).join(':'), arn } };
  }
  const segment = parts[6] ?? '';
  // A trailing numeric segment is a version qualifier; the unqualified ARN names the connector.
  const unqualified = parts.length > 7 && /^\d+$/.test(parts[7] ?? '') ? parts.slice(0, 7).join(':') : arn;
  const ref: ConnectorRef = isConnectorId(segment)
    ? { id: segment, name: null, arn: unqualified }
    : { id: null, name: segment, arn: unqualified };
  return { managed: false, account, region, ref };
}

export function mergeRefs(a: ConnectorRef, b: ConnectorRef): ConnectorRef {
  return { id: a.id ?? b.id, name: a.name ?? b.name, arn: a.arn ?? b.arn };
}
