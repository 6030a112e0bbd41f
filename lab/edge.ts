/**
 * The lab edge: one loopback HTTP port that serves every emulated AWS API, so any AWS SDK or CLI works with
 * `AWS_ENDPOINT_URL=http://127.0.0.1:<port>`. Each request is parsed once into a LabRequest and routed by
 * (in order) the x-amz-target header, the MicroVM endpoint host or path, the Slack webhook path, and the
 * service in the SigV4 credential scope. DynamoDB calls are proxied verbatim to DynamoDB Local.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { BODY_LIMITS, bodyTooLargeResponse, type EdgeRouteName, UNROUTED_BODY_LIMIT } from './edge-limits.js';
import type { Emulator, LabRequest, LabResponse } from './emulators/http.js';
import { jsonResponse } from './emulators/http.js';
import type { CallerIdentity } from './trail/record.js';

export interface EdgeRoutes {
  /** Base URL of DynamoDB Local (e.g. http://127.0.0.1:8000); DynamoDB and Streams calls are proxied there. */
  dynamodbEndpoint?: string;
  cloudtrail?: Emulator;
  eventbridge?: Emulator;
  ec2?: Emulator;
  sns?: Emulator;
  lambdaCore?: Emulator;
  /** Classic Lambda ListFunctions / GetFunctionConfiguration (`/2015-03-31/functions`). */
  lambdaFunctions?: Emulator;
  microvms?: Emulator;
  microvmProxy?: Emulator;
  slack?: Emulator;
  ssm?: Emulator;
  sqs?: Emulator;
  s3?: Emulator;
  sts?: Emulator;
}

export type RouteName = keyof EdgeRoutes & EdgeRouteName;

export interface EdgeOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Loopback only: the lab never listens on another interface. */
  host?: string;
  routes: EdgeRoutes;
  /** Time a client has to send a whole request (headers and body), in ms; default 60,000. Then: 408. */
  requestTimeoutMs?: number;
  /** Body caps per route in bytes (default BODY_LIMITS, lab/edge-limits.ts). */
  bodyLimits?: Partial<Record<RouteName, number>>;
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

/** A body over the route's cap: the edge answers 413 in the route's protocol. */
export class RequestTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
    this.name = 'RequestTooLargeError';
  }
}

/**
 * Reads the body, at most `maxBodyBytes` (default: unlimited). A declared Content-Length over the cap is
 * refused before reading; a chunked body is refused as soon as it passes the cap, and the rest is discarded
 * unread, so memory stays bounded by the cap.
 * @throws RequestTooLargeError when the body is over the cap; the stream's own error if the client aborts.
 */
export function readBody(req: IncomingMessage, maxBodyBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    req.resume();
    return Promise.reject(new RequestTooLargeError(maxBodyBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.off('data', onData);
        chunks.length = 0;
        req.resume(); // discard the rest without keeping it
        reject(new RequestTooLargeError(maxBodyBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('aborted', () => reject(new Error('client aborted the request')));
  });
}

/** The request line and headers as a LabRequest with an empty body (enough to choose a route). */
export function labRequestHead(req: IncomingMessage): LabRequest {
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
    body: Buffer.alloc(0),
  };
}

/**
 * Parses a whole request into a LabRequest.
 * @throws RequestTooLargeError when the body is over `maxBodyBytes`.
 */
export async function readLabRequest(req: IncomingMessage, maxBodyBytes?: number): Promise<LabRequest> {
  const head = labRequestHead(req);
  return { ...head, body: await readBody(req, maxBodyBytes) };
}

export function writeLabResponse(res: ServerResponse, response: LabResponse): void {
  if (res.destroyed || res.writableEnded) return; // the client has gone: nothing to write to
  const body = response.body ?? '';
  res.writeHead(response.status, { 'content-length': String(Buffer.byteLength(body)), ...response.headers });
  res.end(body);
}

/** Server settings of `listen`. */
export interface ListenOptions {
  /** Time a client has to send a whole request, in ms (default 60,000); headers get at most half of it. */
  requestTimeoutMs?: number;
}

/**
 * Serves one handler on a node:http server bound to loopback `host:port`. Slow clients get 408 after the
 * request timeout; malformed requests 400; socket errors (EPIPE, ECONNRESET) close that connection only.
 * @throws Error for a host that is not loopback.
 */
export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
  host = '127.0.0.1',
  options: ListenOptions = {},
): Promise<Edge> {
  if (!LOOPBACK_HOSTS.has(host)) throw new Error(`the lab only listens on loopback, not on ${host}`);
  const requestTimeout = options.requestTimeoutMs ?? 60_000;
  const server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.max(1, Math.floor(requestTimeout / 2)),
      // How often node checks those time-outs (default 30 s, too coarse for a short request time-out).
      connectionsCheckingInterval: Math.min(1000, Math.max(100, Math.floor(requestTimeout / 4))),
    },
    (req, res) => {
      // A client that goes away mid-request must not take the edge with it.
      req.on('error', () => undefined);
      res.on('error', () => undefined);
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
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
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
  if (target.startsWith('AWSEvents.')) return { route: 'eventbridge' };
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
    case 's3':
      return { route: 's3' };
    case 'sts':
      return { route: 'sts' };
    case 'lambda':
      if (req.path.startsWith('/2026-04-04/')) return { route: 'lambdaCore' };
      if (req.path.startsWith('/2015-03-31/functions')) return { route: 'lambdaFunctions' };
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

/** Upstream sockets that already have the EPIPE guard (see forward). */
const guardedSockets = new WeakSet<Socket>();

/**
 * Proxies the request verbatim (method, path, query, headers, body) and pipes the answer back. Every stream
 * has an error handler: an upstream that answers early and closes (EPIPE while we still write), or a client
 * that disconnects, ends this one exchange and never the edge.
 */
function forward(base: string, req: LabRequest, res: ServerResponse): Promise<void> {
  const upstream = new URL(base);
  const search = req.query.toString();
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${req.path}${search ? `?${search}` : ''}`,
        headers: { ...req.headers, 'content-length': String(req.body.length) },
      },
      (answer) => {
        answer.on('error', () => {
          res.destroy();
          resolve();
        });
        if (res.destroyed) {
          answer.resume();
          resolve();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => resolve());
      },
    );
    // A write still in flight when the upstream closes (its early 413) fails on the socket itself, after the
    // request has let go of it: listen there too, or the EPIPE is uncaught.
    outgoing.on('socket', (socket) => {
      // Keep-alive sockets are reused: one listener per socket, not one per request.
      if (!guardedSockets.has(socket)) {
        guardedSockets.add(socket);
        socket.on('error', () => undefined);
      }
    });
    // The client went away: stop talking to the upstream for it.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
      resolve();
    });
    outgoing.on('error', (error) => {
      if (!res.headersSent)
        writeLabResponse(
          res,
          jsonResponse(502, { message: `lab edge: DynamoDB at ${base} did not answer: ${error.message}` }),
        );
      resolve();
    });
    outgoing.end(req.body);
  });
}

/**
 * Starts the edge on loopback. The route is chosen from the request line and headers, then the body is read
 * up to that route's cap (BODY_LIMITS); a larger body is answered 413 in the route's protocol.
 */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const { routes } = options;
  const limits = { ...BODY_LIMITS, ...options.bodyLimits };
  return listen(
    async (incoming, res) => {
      const head = labRequestHead(incoming);
      const decision = chooseRoute(head);
      const routeName = 'route' in decision ? decision.route : undefined;
      const limit = routeName ? limits[routeName] : UNROUTED_BODY_LIMIT;
      let req: LabRequest;
      try {
        req = { ...head, body: await readBody(incoming, limit) };
      } catch (error) {
        if (error instanceof RequestTooLargeError) writeLabResponse(res, bodyTooLargeResponse(routeName, limit));
        else res.destroy();
        return;
      }
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
    options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs },
  );
}
