/**
 * The probe agent's HTTP server for the MicroVM image (docs/canaries.md#agent): listens on 8080 (the
 * endpoint proxy's default port; `PORT` overrides), serves the lifecycle hooks and `POST /probe`.
 * Configuration: `CANARY_AGENT_ALLOW` (comma-separated allow-list baked into the image; the /run hook's
 * `runHookPayload` `{"allow": [...]}` adds the connector's targets at RunMicrovm), `HOST` (default 0.0.0.0).
 */
import { createServer } from 'node:http';
import { createAgent } from './agent.js';
import { nodeNetwork } from './node-network.js';

const MAX_REQUEST_BYTES = 64 * 1024;

/** Starts the agent; resolves with the bound port. */
export function startAgentServer(options: { port: number; host: string; allowList: string[] }) {
  const agent = createAgent({ allowList: options.allowList, network: nodeNetwork });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://agent');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(',') : v]),
      );
      const answer = await agent
        .handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          headers,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        .catch((error: unknown) => ({ status: 500, body: { error: 'internal', reason: (error as Error).message } }));
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
    });
  });
  return new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : options.port,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'));
if (isMain) {
  const allowList = (process.env.CANARY_AGENT_ALLOW ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const { port } = await startAgentServer({
    port: Number(process.env.PORT ?? 8080),
    host: process.env.HOST ?? '0.0.0.0',
    allowList,
  });
  console.log(JSON.stringify({ message: 'egress-watch canary agent listening', port, allowEntries: allowList.length }));
}
