/**
 * The agent's network seam on a real host: node:dns, node:net, node:http(s). Each call has its own
 * timeout; errors are classified into the contract's error classes (timeout, refused, dns, tls).
 */
import { promises as dns } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { type AgentNetwork, ProbeFailure } from './agent.js';

const MAX_BODY_BYTES = 4096;
const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT|UNABLE_TO_(VERIFY|GET)_)/;

function classify(error: unknown): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  const e = error as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return new ProbeFailure('refused', `${code}: ${e.message}`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA')
    return new ProbeFailure('dns', `${code}: ${e.message}`);
  if (TLS_CODES.test(code)) return new ProbeFailure('tls', `${code}: ${e.message}`);
  return new ProbeFailure('timeout', `${code || 'error'}: ${e?.message ?? String(error)}`);
}

function withTimeout<T>(timeoutMs: number, what: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  return run(controller.signal)
    .catch((error: unknown) => {
      throw controller.signal.aborted
        ? new ProbeFailure('timeout', `${what} timed out after ${timeoutMs} ms`)
        : classify(error);
    })
    .finally(() => clearTimeout(timer));
}

/** The seam backed by the host's resolver and sockets. */
export const nodeNetwork: AgentNetwork = {
  resolve: (name, timeoutMs) =>
    withTimeout(timeoutMs, `resolving ${name}`, async (signal) => {
      const lookup = dns.resolve4(name);
      const aborted = new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(new Error('aborted'))),
      );
      const [address] = await Promise.race([lookup, aborted]);
      if (!address) throw new ProbeFailure('dns', `${name} has no A record`);
      return address;
    }),
  connect: (address, port, timeoutMs) =>
    withTimeout(
      timeoutMs,
      `connecting to ${address}:${port}`,
      (signal) =>
        new Promise<void>((resolve, reject) => {
          const socket = connect({ host: address, port, signal });
          socket.once('connect', () => {
            socket.destroy();
            resolve();
          });
          socket.once('error', reject);
        }),
    ),
  request: (url, address, timeoutMs) =>
    withTimeout(
      timeoutMs,
      `requesting ${url.href}`,
      (signal) =>
        new Promise((resolve, reject) => {
          const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
          const req = send(
            url,
            {
              method: 'GET',
              signal,
              // Pin the connection to the address the policy checked (no second lookup, no rebinding).
              lookup: (_host, _opts, callback) => callback(null, address, 4),
              headers: { 'user-agent': 'egress-watch-canary-agent' },
            },
            (res) => {
              const chunks: Buffer[] = [];
              let size = 0;
              res.on('data', (chunk: Buffer) => {
                if (size < MAX_BODY_BYTES) chunks.push(chunk);
                size += chunk.length;
              });
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  location: typeof res.headers.location === 'string' ? res.headers.location : null,
                  body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
                }),
              );
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end();
        }),
    ),
};
