/**
 * The lab edge: one loopback HTTP port that serves every emulated AWS API, so any AWS SDK or CLI works with
 * `AWS_ENDPOINT_URL=http://127.0.0.1:<port>`. Each request is parsed once into a LabRequest and routed by
 * (in order) the x-amz-target header, the MicroVM endpoint host or path, the Slack webhook path, and the
 * service in the SigV4 credential scope. DynamoDB calls are proxied verbatim to DynamoDB Local.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator, LabRequest, LabResponse } from './emulators/http.js';
import { jsonResponse } from './emulators/http.js';
import type { CallerIdentity } from './trail/record.js';

export interface EdgeRoutes {
  /** Base URL of DynamoDB Local (e.g. http://127.0.0.1:8000); DynamoDB and Streams calls are proxied there. */
  dynamodbEndpoint?: string;
  cloudtrail?: Emulator;
  ec2?: Emulator;
  sns?: Emulator;
  lambdaCore?: Emulator;
  microvms?: Emulator;
  microvmProxy?: Emulator;
  slack?: Emulator;
  ssm?: Emulator;
  sqs?: Emulator;
}

export type RouteName = keyof EdgeRoutes;

export interface EdgeOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Loopback only, by design. */
  host?: string;
  routes: EdgeRoutes;
}

export interface Edge {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
const MICROVM_HOST = /\.lambda-microvm\.[a-z0-9-]+\.on\.aws$/i;
const CREDENTIAL_SCOPE = /Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

// ------------------------------------------------------------------------------------- request parsing

export async function readLabRequest(req: IncomingMessage): Promise<LabRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? '/', 'http://lab.invalid');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks),
  };
}

export function writeLabResponse(res: ServerResponse, response: LabResponse): void {
  const body = response.body ?? '';
  res.writeHead(response.status, { 'content-length': String(Buffer.byteLength(body)), ...response.headers });
  res.end(body);
}

/** Serves one emulator function on a node:http server bound to `host:port`. */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
  host = '127.0.0.1',
): Promise<Edge> {
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`the lab only listens on loopback, not on ${host}`);
  const server = createServer((req, res) => {
    handler(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        writeLabResponse(
          res,
          jsonResponse(500, { message: `lab: ${error instanceof Error ? error.message : String(error)}` }),
        );
      } else {
        res.destroy();
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ---------------------------------------------------------------------------------------- SigV4 identity

/** Service, region and access key from the SigV4 Authorization header or a presigned X-Amz-Credential. */
export function credentialScope(
  req: LabRequest,
): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const source =
    req.headers.authorization ??
    (req.query.has('X-Amz-Credential') ? `Credential=${req.query.get('X-Amz-Credential')}` : '');
  const match = CREDENTIAL_SCOPE.exec(source);
  if (!match) return undefined;
  const [, accessKeyId, date, region, service] = match as unknown as [string, string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** Maps access key ids to lab identities, so a scenario can act as a role (e.g. the connector operator). */
export class CallerRegistry {
  private readonly callers = new Map<string, CallerIdentity>();

  constructor(readonly account: string = '111122223333') {}

  register(accessKeyId: string, caller: CallerIdentity): void {
    this.callers.set(accessKeyId, caller);
  }

  resolve(accessKeyId: string | undefined): CallerIdentity {
    const known = accessKeyId === undefined ? undefined : this.callers.get(accessKeyId);
    return known ?? { kind: 'user', account: this.account, userName: 'lab-admin' };
  }
}

/** The registry the lab uses unless a caller passes its own. */
export const labCallers = new CallerRegistry();

export function callerFromAuthorization(req: LabRequest, registry: CallerRegistry = labCallers): CallerIdentity {
  return registry.resolve(credentialScope(req)?.accessKeyId);
}

// ---------------------------------------------------------------------------------------------- routing

export type RouteDecision = { route: RouteName } | { unrecognised: string };

export function chooseRoute(req: LabRequest): RouteDecision {
  const target = req.headers['x-amz-target'] ?? '';
  if (target.startsWith('DynamoDB_20120810') || target.startsWith('DynamoDBStreams_20120810')) {
    return { route: 'dynamodbEndpoint' };
  }
  if (target.includes('CloudTrail_20131101')) return { route: 'cloudtrail' };
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (MICROVM_HOST.test(host) || req.path.startsWith('/.lab/microvms/')) return { route: 'microvmProxy' };
  if (req.path.startsWith('/services/') || req.path.startsWith('/api/chat.')) return { route: 'slack' };
  const service = credentialScope(req)?.service;
  switch (service) {
    case 'ec2':
      return { route: 'ec2' };
    case 'sns':
      return { route: 'sns' };
    case 'ssm':
      return { route: 'ssm' };
    case 'sqs':
      return { route: 'sqs' };
    case 'lambda':
      if (req.path.startsWith('/2026-04-04/')) return { route: 'lambdaCore' };
      if (req.path.startsWith('/2025-09-09/') || req.path.startsWith('/2017-03-31/tags')) return { route: 'microvms' };
      return { unrecognised: `lambda path ${req.method} ${req.path}` };
    case undefined:
      return {
        unrecognised: target
          ? `x-amz-target ${target}`
          : `request ${req.method} ${req.path} (no SigV4 Authorization header, x-amz-target or known path)`,
      };
    default:
      return { unrecognised: `SigV4 service "${service}"` };
  }
}

/** Proxies the request verbatim (method, path, query, headers, body) and pipes the answer back. */
function forward(base: string, req: LabRequest, res: ServerResponse): Promise<void> {
  const upstream = new URL(base);
  const search = req.query.toString();
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${req.path}${search ? `?${search}` : ''}`,
        headers: { ...req.headers, 'content-length': String(req.body.length) },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      },
    );
    outgoing.on('error', (error) => {
      if (res.headersSent) return reject(error);
      writeLabResponse(
        res,
        jsonResponse(502, { message: `lab edge: DynamoDB at ${base} did not answer: ${error.message}` }),
      );
      resolve();
    });
    outgoing.end(req.body);
  });
}

export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const { routes } = options;
  return listen(
    async (incoming, res) => {
      const req = await readLabRequest(incoming);
      const decision = chooseRoute(req);
      if ('unrecognised' in decision) {
        writeLabResponse(res, jsonResponse(400, { message: `lab edge: no emulator for ${decision.unrecognised}` }));
        return;
      }
      const route = routes[decision.route];
      if (route === undefined) {
        writeLabResponse(
          res,
          jsonResponse(501, { message: `lab edge: the ${decision.route} route is not configured in this lab` }),
        );
        return;
      }
      if (typeof route === 'string') {
        await forward(route, req, res);
        return;
      }
      writeLabResponse(res, await route(req));
    },
    options.port ?? 0,
    options.host ?? '127.0.0.1',
  );
}
