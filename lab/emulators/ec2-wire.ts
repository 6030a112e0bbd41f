/**
 * EC2 query-protocol wire helpers: reading the flattened `Name.N.Member` parameters the SDK sends and writing
 * EC2's XML (lists as <item> elements inside the member's wrapper element).
 */
import type { Ec2Value } from '../world/network-call.js';
import { EC2_XMLNS } from '../world/network-call.js';
import type { LabResponse } from './http.js';

/** A view of the request parameters, optionally scoped under a prefix such as `IpPermissions.1`. */
export class QueryParams {
  private constructor(private readonly values: Map<string, string>) {}

  static from(search: URLSearchParams): QueryParams {
    return new QueryParams(new Map(search.entries()));
  }

  get(name: string): string | undefined {
    return this.values.get(name);
  }

  has(name: string): boolean {
    return [...this.values.keys()].some((key) => key === name || key.startsWith(`${name}.`));
  }

  bool(name: string): boolean | undefined {
    const value = this.values.get(name);
    return value === undefined ? undefined : value.toLowerCase() === 'true';
  }

  int(name: string): number | undefined {
    const value = this.values.get(name);
    return value === undefined || value === '' ? undefined : Number(value);
  }

  /** The members of `prefix.N` (or `prefix.N.*`) in index order. */
  private indices(prefix: string): string[] {
    const found = new Set<string>();
    for (const key of this.values.keys()) {
      if (!key.startsWith(`${prefix}.`)) continue;
      const index = key.slice(prefix.length + 1).split('.')[0] ?? '';
      if (/^\d+$/.test(index)) found.add(index);
    }
    return [...found].sort((a, b) => Number(a) - Number(b));
  }

  /** Scalar list: `prefix.1=a&prefix.2=b`. */
  list(prefix: string): string[] {
    return this.indices(prefix).flatMap((index) => {
      const value = this.values.get(`${prefix}.${index}`);
      return value === undefined ? [] : [value];
    });
  }

  /** Structure list: `prefix.1.Member=…`, each returned as a scoped view. */
  structs(prefix: string): QueryParams[] {
    return this.indices(prefix).map((index) => this.scoped(`${prefix}.${index}`));
  }

  scoped(prefix: string): QueryParams {
    const inner = new Map<string, string>();
    for (const [key, value] of this.values) {
      if (key.startsWith(`${prefix}.`)) inner.set(key.slice(prefix.length + 1), value);
    }
    return new QueryParams(inner);
  }
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

export function xmlElement(name: string, value: Ec2Value): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `<${name}>${value.map((item) => xmlElement('item', item)).join('')}</${name}>`;
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (typeof value === 'object') {
    const members = Object.entries(value)
      .map(([key, member]) => xmlElement(key, member))
      .join('');
    return `<${name}>${members}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' };

export function ec2Response(action: string, requestId: string, members: { [key: string]: Ec2Value }): LabResponse {
  const inner = Object.entries(members)
    .map(([key, value]) => xmlElement(key, value))
    .join('');
  return {
    status: 200,
    headers: XML_HEADERS,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}"><requestId>${requestId}</requestId>${inner}</${action}Response>`,
  };
}

export function ec2Error(code: string, message: string, requestId: string): LabResponse {
  // EC2 answers a successful dry run with 412 and throttling with 503; every other client error is a 400.
  const status = code === 'DryRunOperation' ? 412 : code === 'RequestLimitExceeded' ? 503 : 400;
  return {
    status,
    headers: XML_HEADERS,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
  };
}

/** Raised by request parsing; the emulator turns it into an EC2 error response. */
export class Ec2ClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'Ec2ClientError';
  }
}

export function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') {
    throw new Ec2ClientError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}
