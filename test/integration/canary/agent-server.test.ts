import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentServer } from '../../../canary-agent/server.js';

/** The agent's real server and Node network seam, on 127.0.0.1 only (a loopback target, a closed port). */
describe('canary agent server on loopback', () => {
  let target: Server;
  let targetPort: number;
  let closedPort: number;
  let agent: { port: number; close: () => Promise<void> };

  beforeAll(async () => {
    target = createServer((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://metadata.invalid/latest' });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('vpc-target');
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
    targetPort = (target.address() as AddressInfo).port;
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    agent = await startAgentServer({
      port: 0,
      host: '127.0.0.1',
      allowList: [`127.0.0.1:${targetPort}`, `127.0.0.1:${closedPort}`],
    });
  });

  afterAll(async () => {
    await agent.close();
    await new Promise<void>((r) => target.close(() => r()));
  });

  const post = (probes: unknown[], headers: Record<string, string> = { 'x-forwarded-proto': 'https' }) =>
    fetch(`http://127.0.0.1:${agent.port}/probe`, { method: 'POST', headers, body: JSON.stringify({ probes }) });

  it('connects, requests and classifies a refused port with real sockets', async () => {
    const response = await post([
      { id: 'http', kind: 'http', url: `http://127.0.0.1:${targetPort}/`, timeoutMs: 2000, bodyContains: 'vpc-target' },
      { id: 'tcp', kind: 'tcp', host: '127.0.0.1', port: targetPort, timeoutMs: 2000 },
      { id: 'closed', kind: 'tcp', host: '127.0.0.1', port: closedPort, timeoutMs: 2000 },
    ]);
    expect(response.status).toBe(200);
    const { probes } = (await response.json()) as { probes: Record<string, unknown>[] };
    const byId = Object.fromEntries(probes.map((p) => [p.id, p]));
    expect(byId.http).toMatchObject({ reached: true, status: 200, errorClass: null, error: null });
    expect(byId.tcp).toMatchObject({ reached: true, resolvedAddress: '127.0.0.1' });
    expect(byId.closed).toMatchObject({ reached: false, errorClass: 'refused' });
    expect(typeof byId.http?.latencyMs).toBe('number');
  });

  it('refuses what is off its allow-list, redirects out of it, and direct (non-proxy) requests', async () => {
    const off = await post([{ id: 'x', kind: 'tcp', host: '127.0.0.1', port: 22, timeoutMs: 1000 }]);
    expect(off.status).toBe(403);
    const redirect = await post([
      { id: 'r', kind: 'http', url: `http://127.0.0.1:${targetPort}/redirect`, timeoutMs: 1000 },
    ]);
    expect(redirect.status).toBe(403);
    expect(((await redirect.json()) as { reason: string }).reason).toContain('metadata.invalid');
    const direct = await post([], {});
    expect(direct.status).toBe(403);
  });
});
