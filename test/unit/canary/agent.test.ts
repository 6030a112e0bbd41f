import { describe, expect, it } from 'vitest';
import { type AgentNetwork, createAgent, ProbeFailure } from '../../../canary-agent/agent.js';

/** A fake network seam: a DNS table and per-address HTTP answers. No sockets. */
function fakeNetwork(
  dns: Record<string, string>,
  http: Record<string, { status: number; location?: string; body?: string }>,
) {
  const touched: string[] = [];
  const network: AgentNetwork = {
    async resolve(name) {
      touched.push(`dns:${name}`);
      const address = dns[name];
      if (!address) throw new ProbeFailure('dns', `NXDOMAIN ${name}`);
      return address;
    },
    async connect(address, port) {
      touched.push(`tcp:${address}:${port}`);
      if (address === '10.9.9.9') throw new ProbeFailure('timeout', 'dropped');
      if (port === 81) throw new ProbeFailure('refused', 'RST');
    },
    async request(url, address) {
      touched.push(`http:${address}${url.pathname}`);
      const answer = http[`${address}${url.pathname}`];
      if (!answer) throw new ProbeFailure('timeout', 'no answer');
      return { status: answer.status, location: answer.location ?? null, body: answer.body ?? '' };
    },
  };
  return { network, touched };
}

const viaProxy = { 'x-forwarded-proto': 'https', 'content-type': 'application/json' };
const probe = (agent: ReturnType<typeof createAgent>, probes: unknown[], headers: Record<string, string> = viaProxy) =>
  agent.handle({ method: 'POST', path: '/probe', headers, body: JSON.stringify({ probes }) });

describe('probe agent', () => {
  const world = fakeNetwork(
    { 'api.example.com': '203.0.113.10', 'evil.example.com': '169.254.169.254', 'db.internal': '10.0.0.5' },
    {
      '203.0.113.10/': { status: 200, body: 'hello' },
      '203.0.113.10/go': { status: 302, location: 'http://metadata.internal/latest' },
      '203.0.113.10/ip': { status: 200, body: '203.0.113.25\n' },
      '10.0.0.126/': { status: 503, body: 'down' },
    },
  );
  const agent = createAgent({
    allowList: [
      'api.example.com:80',
      'evil.example.com',
      '10.0.0.126:80',
      'db.internal:5432',
      '10.0.0.0/24',
      '10.9.9.9',
    ],
    network: world.network,
  });

  it('runs a plan and answers per-probe verdicts with error classes and resolved addresses', async () => {
    const answer = await probe(agent, [
      {
        id: 'a',
        kind: 'http',
        url: 'http://api.example.com/',
        timeoutMs: 1000,
        expectStatus: 200,
        bodyContains: 'hello',
      },
      { id: 'b', kind: 'http', url: 'http://10.0.0.126/', timeoutMs: 1000 },
      { id: 'c', kind: 'tcp', host: 'db.internal', port: 5432, timeoutMs: 1000 },
      { id: 'd', kind: 'tcp', host: '10.9.9.9', port: 443, timeoutMs: 1000 },
      { id: 'e', kind: 'dns', name: 'evil.example.com', timeoutMs: 1000 },
      { id: 'f', kind: 'egress-ip', url: 'http://api.example.com/ip', timeoutMs: 1000 },
    ]);
    expect(answer.status).toBe(200);
    const byId = Object.fromEntries(
      (answer.body as { probes: Record<string, unknown>[] }).probes.map((p) => [p.id, p]),
    );
    expect(byId.a).toMatchObject({ reached: true, errorClass: null, resolvedAddress: '203.0.113.10', status: 200 });
    expect(byId.b).toMatchObject({ reached: true, errorClass: 'http-status', status: 503 });
    expect(byId.c).toMatchObject({ reached: true, resolvedAddress: '10.0.0.5' });
    expect(byId.d).toMatchObject({ reached: false, errorClass: 'timeout', latencyMs: null });
    expect(byId.e).toMatchObject({ reached: true, resolvedAddress: '169.254.169.254' });
    expect(byId.f).toMatchObject({ reached: true, observedIp: '203.0.113.25' });
  });

  it('refuses a plan naming a destination off the allow-list (403 with the reason), touching nothing', async () => {
    const before = world.touched.length;
    const answer = await probe(agent, [
      { id: 'ok', kind: 'http', url: 'http://api.example.com/', timeoutMs: 1000 },
      { id: 'imds', kind: 'http', url: 'http://169.254.169.254/latest/meta-data/', timeoutMs: 1000 },
    ]);
    expect(answer).toEqual({
      status: 403,
      body: { error: 'forbidden', reason: 'probe imds: 169.254.169.254:80 is not on the allow-list' },
    });
    expect(world.touched.length).toBe(before);
    const port = await probe(agent, [{ id: 'p', kind: 'tcp', host: 'db.internal', port: 22, timeoutMs: 1000 }]);
    expect(port.status).toBe(403);
  });

  it('refuses a redirect to a host off the allow-list', async () => {
    const answer = await probe(agent, [{ id: 'r', kind: 'http', url: 'http://api.example.com/go', timeoutMs: 1000 }]);
    expect(answer.status).toBe(403);
    expect((answer.body as { reason: string }).reason).toContain(
      'redirect to http://metadata.internal:80 is not on the allow-list',
    );
    expect(world.touched).not.toContain('http:metadata.internal/latest');
  });

  it('refuses a DNS answer pointing at an address off the allow-list (no connection is made)', async () => {
    const answer = await probe(agent, [{ id: 'x', kind: 'tcp', host: 'evil.example.com', port: 80, timeoutMs: 1000 }]);
    expect(answer.status).toBe(403);
    expect((answer.body as { reason: string }).reason).toBe(
      'evil.example.com resolved to 169.254.169.254, which is not on the allow-list',
    );
    expect(world.touched).not.toContain('tcp:169.254.169.254:80');
  });

  it('answers only requests that came through the endpoint proxy, and hooks only from outside it', async () => {
    const direct = await probe(agent, [], { 'content-type': 'application/json' });
    expect(direct.status).toBe(403);
    const leaked = await probe(agent, [], { ...viaProxy, 'x-aws-proxy-auth': 'token' });
    expect(leaked.status).toBe(403);
    const hookViaProxy = await agent.handle({
      method: 'POST',
      path: '/aws/lambda-microvms/runtime/v1/run',
      headers: viaProxy,
      body: JSON.stringify({ runHookPayload: JSON.stringify({ allow: ['169.254.169.254'] }) }),
    });
    expect(hookViaProxy.status).toBe(403);
    const ready = await agent.handle({
      method: 'GET',
      path: '/aws/lambda-microvms/runtime/v1/ready',
      headers: {},
      body: '',
    });
    expect(ready.status).toBe(200);
  });

  it('takes the connector targets from the run hook once', async () => {
    const fresh = createAgent({ allowList: [], network: world.network });
    const plan = [{ id: 'a', kind: 'http', url: 'http://api.example.com/', timeoutMs: 1000 }];
    expect((await probe(fresh, plan)).status).toBe(403);
    const run = (allow: string[]) =>
      fresh.handle({
        method: 'POST',
        path: '/aws/lambda-microvms/runtime/v1/run',
        headers: {},
        body: JSON.stringify({ microvmId: 'mvm-1', runHookPayload: JSON.stringify({ allow }) }),
      });
    expect((await run(['api.example.com:80'])).status).toBe(200);
    expect((await probe(fresh, plan)).status).toBe(200);
    expect((await run(['169.254.169.254'])).status).toBe(403);
  });

  it('rejects malformed plans with 400 and the problem', async () => {
    const answer = await probe(agent, [{ id: 'a', kind: 'http', url: 'file:///etc/passwd', timeoutMs: 1000 }]);
    expect(answer.status).toBe(400);
    expect((answer.body as { reason: string }).reason).toContain('probes[0].url must be http(s)');
  });
});
