/**
 * Client for the AWS Lambda Core API (network connectors). The registry this project uses serves no
 * `@aws-sdk/client-lambda-core`, so this is a small REST JSON client: PascalCase members, SigV4 with the
 * signing name `lambda`, jittered retries that honour Retry-After, and ClientToken idempotency.
 * The API is young: unknown response fields are kept and enum-like fields are open strings.
 */

import { randomUUID } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type {
  NetworkConnectorReasonCode as DomainNetworkConnectorReasonCode,
  NetworkConnectorState as DomainNetworkConnectorState,
} from '../domain/model.js';

const API_PATH = '/2026-04-04/network-connectors';
const SIGNING_SERVICE = 'lambda';
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Known values are listed for editors; any other string the service sends is accepted. */
type OpenString<Known extends string> = Known | (string & {});

/** The API state; values the model adds later are kept as strings (docs/architecture.md#layout). */
export type NetworkConnectorState = OpenString<DomainNetworkConnectorState>;
/** The API reason code; values the model adds later are kept as strings. */
export type NetworkConnectorReasonCode = OpenString<DomainNetworkConnectorReasonCode>;
export type NetworkConnectorLastUpdateStatus = OpenString<'Successful' | 'Failed' | 'InProgress'>;
export type NetworkProtocol = OpenString<'IPv4' | 'DualStack'>;
export type ComputeResourceType = OpenString<'MicroVm'>;

export interface VpcEgressConfiguration {
  SubnetIds?: string[];
  SecurityGroupIds?: string[];
  NetworkProtocol?: NetworkProtocol;
  AssociatedComputeResourceTypes?: ComputeResourceType[];
}

/** A union: exactly one member is set. Members added by newer API revisions pass through untyped. */
export interface NetworkConnectorConfiguration {
  VpcEgressConfiguration?: VpcEgressConfiguration;
  [futureMember: string]: unknown;
}

export interface NetworkConnector {
  Arn: string;
  Name: string;
  Id: string;
  Version?: number;
  VersionArn?: string;
  LatestVersion?: number;
  LatestVersionArn?: string;
  Configuration?: NetworkConnectorConfiguration;
  OperatorRole?: string;
  State?: NetworkConnectorState;
  StateReason?: string;
  StateReasonCode?: NetworkConnectorReasonCode;
  LastUpdateStatus?: NetworkConnectorLastUpdateStatus;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: NetworkConnectorReasonCode;
  /** ISO-8601, as on the wire. */
  LastModified?: string;
  [unknownField: string]: unknown;
}

export interface NetworkConnectorSummary {
  Arn: string;
  Name: string;
  Id: string;
  Type: OpenString<'VPC_EGRESS'>;
  State?: NetworkConnectorState;
  LastModified?: string;
  LatestVersion?: number;
  [unknownField: string]: unknown;
}

export interface CreateNetworkConnectorInput {
  Name: string;
  Configuration: NetworkConnectorConfiguration;
  OperatorRole?: string;
  Tags?: Record<string, string>;
  /** Generated when omitted, so retries of one call never create two connectors. */
  ClientToken?: string;
}

export interface UpdateNetworkConnectorInput {
  Identifier: string;
  /** Replaces the whole configuration: send every subnet and security group. */
  Configuration?: NetworkConnectorConfiguration;
  OperatorRole?: string;
  ClientToken?: string;
}

export interface ListNetworkConnectorsInput {
  State?: NetworkConnectorState;
  MaxItems?: number;
  Marker?: string;
}

export interface ListNetworkConnectorsOutput {
  NetworkConnectors: NetworkConnectorSummary[];
  NextMarker?: string;
}

export interface LambdaCoreCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type LambdaCoreCredentialsProvider = () => Promise<LambdaCoreCredentials>;

export interface LambdaCoreClientOptions {
  region?: string;
  /** Defaults to AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL, then https://lambda.<region>.amazonaws.com */
  endpoint?: string;
  credentials?: LambdaCoreCredentials | LambdaCoreCredentialsProvider;
  /** Defaults to AWS_MAX_ATTEMPTS, then 3. Counts the first try. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  env?: Record<string, string | undefined>;
}

export class LambdaCoreError extends Error {
  override readonly name = 'LambdaCoreError';
  readonly code: string;
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  readonly retryable: boolean;
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    code: string;
    message: string;
    status: number;
    requestId?: string | undefined;
    retryAfterSeconds?: number | undefined;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.status === 0 || RETRYABLE_STATUSES.has(init.status);
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

interface CallSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
}

export class LambdaCoreClient {
  readonly region: string;
  readonly endpoint: string;
  private readonly signer: SignatureV4;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly requestTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: LambdaCoreClientOptions = {}) {
    const env = options.env ?? process.env;
    const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('LambdaCoreClient needs a region (option `region` or AWS_REGION)');
    this.region = region;
    const endpoint =
      options.endpoint ??
      env.AWS_ENDPOINT_URL_LAMBDA ??
      env.AWS_ENDPOINT_URL ??
      `https://lambda.${region}.amazonaws.com`;
    this.endpoint = endpoint.replace(/\/+$/, '');
    const credentials = options.credentials ?? defaultProvider();
    this.signer = new SignatureV4({
      service: SIGNING_SERVICE,
      region,
      sha256: Sha256,
      credentials: typeof credentials === 'function' ? credentials : async () => credentials,
    });
    this.maxAttempts = Math.max(1, options.maxAttempts ?? positiveInt(env.AWS_MAX_ATTEMPTS) ?? 3);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  async createNetworkConnector(input: CreateNetworkConnectorInput): Promise<NetworkConnector> {
    const body = { ...input, ClientToken: input.ClientToken ?? randomUUID() };
    const response = await this.call({ method: 'POST', path: API_PATH, body });
    return asConnector(response);
  }

  async getNetworkConnector(identifier: string): Promise<NetworkConnector> {
    const response = await this.call({ method: 'GET', path: connectorPath(identifier) });
    return asConnector(response);
  }

  async updateNetworkConnector(input: UpdateNetworkConnectorInput): Promise<NetworkConnector> {
    const { Identifier, ...rest } = input;
    const body = { ...rest, ClientToken: rest.ClientToken ?? randomUUID() };
    const response = await this.call({ method: 'PUT', path: connectorPath(Identifier), body });
    return asConnector(response);
  }

  async deleteNetworkConnector(identifier: string): Promise<NetworkConnector> {
    const response = await this.call({ method: 'DELETE', path: connectorPath(identifier) });
    return asConnector(response);
  }

  async listNetworkConnectors(input: ListNetworkConnectorsInput = {}): Promise<ListNetworkConnectorsOutput> {
    const query: Record<string, string> = {};
    if (input.State !== undefined) query.State = input.State;
    if (input.MaxItems !== undefined) query.MaxItems = String(input.MaxItems);
    if (input.Marker !== undefined) query.Marker = input.Marker;
    const response = await this.call({ method: 'GET', path: API_PATH, query });
    const list = response.NetworkConnectors;
    const output: ListNetworkConnectorsOutput = {
      NetworkConnectors: Array.isArray(list) ? list.map(asSummary) : [],
    };
    if (typeof response.NextMarker === 'string' && response.NextMarker !== '') output.NextMarker = response.NextMarker;
    return output;
  }

  /** Every connector summary across all pages (the service caps a page at 50 whatever MaxItems says). */
  async *paginateNetworkConnectors(
    input: Omit<ListNetworkConnectorsInput, 'Marker'> = {},
  ): AsyncGenerator<NetworkConnectorSummary, void, undefined> {
    let marker: string | undefined;
    do {
      const page = await this.listNetworkConnectors(marker === undefined ? input : { ...input, Marker: marker });
      yield* page.NetworkConnectors;
      marker = page.NextMarker;
    } while (marker !== undefined);
  }

  private async call(spec: CallSpec): Promise<Record<string, unknown>> {
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.send(spec);
      } catch (cause) {
        const error = new LambdaCoreError({
          code: 'NetworkingError',
          message: `Lambda Core request failed before a response: ${String(cause)}`,
          status: 0,
          cause,
        });
        if (attempt >= this.maxAttempts) throw error;
        await this.sleep(this.backoffMs(attempt, undefined));
        continue;
      }
      const text = await response.text();
      if (response.status >= 200 && response.status < 300) {
        return parseJsonObject(text);
      }
      const error = errorFromResponse(response, text);
      if (!error.retryable || attempt >= this.maxAttempts) throw error;
      await this.sleep(this.backoffMs(attempt, error.retryAfterSeconds));
    }
  }

  private async send(spec: CallSpec): Promise<Response> {
    const url = new URL(this.endpoint + spec.path);
    for (const [key, value] of Object.entries(spec.query ?? {})) url.searchParams.set(key, value);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signed = await this.signer.sign({
      method: spec.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(body === undefined ? {} : { body }),
    });
    // fetch sets Host itself and refuses to be told.
    const { host: _host, ...sendHeaders } = signed.headers;
    return this.fetchImpl(url, {
      method: spec.method,
      headers: sendHeaders,
      signal: AbortSignal.timeout(this.requestTimeoutMs),
      ...(body === undefined ? {} : { body }),
    });
  }

  /** Full jitter (random in [0, base·2^n] capped); a server-given Retry-After wins. */
  private backoffMs(attempt: number, retryAfterSeconds: number | undefined): number {
    if (retryAfterSeconds !== undefined) return Math.min(retryAfterSeconds * 1000, this.maxDelayMs);
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return Math.floor(this.random() * ceiling);
  }
}

function connectorPath(identifier: string): string {
  // ARNs contain ':' and may contain '/': the identifier must stay one path segment.
  return `${API_PATH}/${encodeURIComponent(identifier)}`;
}

function positiveInt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

function parseJsonObject(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireIdentity(value: unknown, what: string): { Arn: string; Name: string; Id: string } {
  if (
    !isRecord(value) ||
    typeof value.Arn !== 'string' ||
    typeof value.Name !== 'string' ||
    typeof value.Id !== 'string'
  ) {
    throw new LambdaCoreError({
      code: 'InvalidResponse',
      message: `Lambda Core returned a ${what} without Arn, Name and Id`,
      status: 200,
    });
  }
  return value as { Arn: string; Name: string; Id: string };
}

function asConnector(value: unknown): NetworkConnector {
  return requireIdentity(value, 'network connector') as NetworkConnector;
}

function asSummary(value: unknown): NetworkConnectorSummary {
  const summary = requireIdentity(value, 'network connector summary') as NetworkConnectorSummary;
  return typeof summary.Type === 'string' ? summary : { ...summary, Type: 'VPC_EGRESS' };
}

function errorFromResponse(response: Response, text: string): LambdaCoreError {
  const body = parseJsonObject(text);
  const code =
    errorCodeFrom(response.headers.get('x-amzn-errortype')) ??
    errorCodeFrom(stringField(body, '__type')) ??
    errorCodeFrom(stringField(body, 'code') ?? stringField(body, 'Code')) ??
    `Http${response.status}`;
  const message =
    stringField(body, 'message') ?? stringField(body, 'Message') ?? `HTTP ${response.status} from Lambda Core`;
  return new LambdaCoreError({
    code,
    message,
    status: response.status,
    requestId: response.headers.get('x-amzn-requestid') ?? undefined,
    retryAfterSeconds: retryAfterSeconds(response.headers.get('retry-after')),
  });
}

/** `Code:http://internal…` (header form) and `namespace#Code` (body form) both reduce to `Code`. */
function errorCodeFrom(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const code = raw.split(':')[0]?.split('#').pop()?.trim();
  return code ? code : undefined;
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  return typeof value === 'string' ? value : undefined;
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
