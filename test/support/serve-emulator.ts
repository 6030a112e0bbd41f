/**
 * Serves one lab emulator on 127.0.0.1 (random port) over node:http, so the official SDK clients can talk to
 * it in integration tests. Generic: converts each HTTP request into a LabRequest and writes the LabResponse.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator, LabRequest } from '../../lab/emulators/http.js';

export interface ServedEmulator {
  /** e.g. http://127.0.0.1:54321 — pass as the SDK client's `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

async function toLabRequest(message: IncomingMessage): Promise<LabRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const url = new URL(message.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: message.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body: Buffer.concat(chunks),
  };
}

export async function serveEmulator(emulator: Emulator): Promise<ServedEmulator> {
  const server = createServer((message, reply) => {
    toLabRequest(message)
      .then(emulator)
      .then((response) => {
        reply.writeHead(response.status, response.headers ?? {});
        reply.end(response.body ?? '');
      })
      .catch((error: unknown) => {
        reply.writeHead(500, { 'content-type': 'text/plain' });
        reply.end(error instanceof Error ? error.stack : String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
