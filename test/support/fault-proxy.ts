/**
 * A fault-injecting HTTP proxy in front of DynamoDB Local (127.0.0.1 only), for fault-injection tests.
 * Each request is, by a seeded draw and in this order: held forever while `frozen`; answered with a 500
 * InternalServerError (`errorRate`) or a 400 ThrottlingException (`throttleRate`) without reaching DynamoDB;
 * or forwarded, and then possibly answered with a 500 after DynamoDB did the work (`lostResponseRate`: the
 * write happened, the client cannot know). `failFrom` injects 500s from the n-th matching request on
 * (1-based), e.g. "the 4th projection write onwards"; `freezeFrom` holds them instead. `only` limits injection to some operations
 * (X-Amz-Target suffixes such as 'PutItem'); other requests always pass. Faults are shaped as DynamoDB's
 * JSON protocol sends them, so the AWS SDK classifies them as it would in AWS (5xx: transient, throttling:
 * throttling).
 *
 *   const proxy = await startFaultProxy(dynamodbEndpoint, { throttleRate: 0.3, seed: 7 });
 *   new DynamoDBClient({ endpoint: proxy.endpoint, ... });
 *   proxy.set({ frozen: true }); …; await proxy.close();
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../lab/eventbridge/bus.js';

export interface FaultSettings {
  /** Probability (0–1) of a 500 InternalServerError instead of forwarding. */
  errorRate: number;
  /** Probability (0–1) of a 400 ThrottlingException instead of forwarding. */
  throttleRate: number;
  /** Probability (0–1) of forwarding and then answering 500 (the response is lost). */
  lostResponseRate: number;
  /** From this matching request on (1-based), every matching request gets a 500. null: off. */
  failFrom: number | null;
  /** Requests are held without an answer until the client gives up. */
  frozen: boolean;
  /** From this matching request on (1-based), requests are held as when `frozen`. null: off. */
  freezeFrom: number | null;
  /** Operations faults apply to (X-Amz-Target suffix, e.g. 'PutItem'); empty: all. */
  only: string[];
}

export interface FaultStats {
  requests: number;
  forwarded: number;
  errors: number;
  throttled: number;
  lostResponses: number;
  held: number;
}

export interface FaultProxy {
  endpoint: string;
  stats: FaultStats;
  /** Changes the settings for the requests that follow. */
  set(settings: Partial<FaultSettings>): void;
  /** Closes the proxy, dropping held requests. */
  close(): Promise<void>;
}

const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  throttleRate: 0,
  lostResponseRate: 0,
  failFrom: null,
  frozen: false,
  freezeFrom: null,
  only: [],
};

function dynamoError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': `fault-${Math.random().toString(36).slice(2)}`,
  });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the proxy on a free 127.0.0.1 port in front of `target` (an http://127.0.0.1:port endpoint). */
export async function startFaultProxy(
  target: string,
  settings: Partial<FaultSettings> & { seed?: number } = {},
): Promise<FaultProxy> {
  const upstream = new URL(target);
  if (upstream.hostname !== '127.0.0.1' && upstream.hostname !== 'localhost') {
    throw new Error(`fault proxy only forwards to loopback, not ${upstream.hostname}`);
  }
  let current: FaultSettings = { ...NO_FAULTS, ...settings };
  const random = seededRandom(settings.seed ?? 1);
  const stats: FaultStats = { requests: 0, forwarded: 0, errors: 0, throttled: 0, lostResponses: 0, held: 0 };
  const held = new Set<ServerResponse>();
  let matching = 0;

  const server = createServer(async (req, res) => {
    stats.requests++;
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const applies = current.only.length === 0 || current.only.some((op) => target.endsWith(`.${op}`));
    if (applies) matching++;
    if (applies && (current.frozen || (current.freezeFrom !== null && matching >= current.freezeFrom))) {
      stats.held++;
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (applies && current.failFrom !== null && matching >= current.failFrom) {
      stats.errors++;
      dynamoError(res, 500, 'InternalServerError', 'injected: failing from a given request on');
      return;
    }
    const draw = applies ? random() : 1;
    if (draw < current.errorRate) {
      stats.errors++;
      dynamoError(res, 500, 'InternalServerError', 'injected internal server error');
      return;
    }
    if (draw < current.errorRate + current.throttleRate) {
      stats.throttled++;
      dynamoError(res, 400, 'ThrottlingException', 'injected: Rate of requests exceeds the allowed throughput.');
      return;
    }
    const loseResponse = applies && random() < current.lostResponseRate;
    stats.forwarded++;
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
      },
      (upstreamRes) => {
        if (loseResponse) {
          upstreamRes.resume();
          upstreamRes.on('end', () => {
            stats.lostResponses++;
            dynamoError(res, 500, 'InternalServerError', 'injected: the write happened, the response was lost');
          });
          return;
        }
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) dynamoError(res, 502, 'InternalServerError', `proxy: ${error.message}`);
      else res.destroy();
    });
    forward.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    set(next) {
      current = { ...current, ...next };
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
