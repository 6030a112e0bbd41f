/**
 * The egress-watch probe agent (docs/canaries.md#agent): `POST /probe` runs a plan of TCP connects, HTTP(S)
 * requests, DNS lookups and an egress-IP check from inside a MicroVM and answers per-probe verdicts. All
 * network access goes through ONE seam (`AgentNetwork`): Node's sockets in the image (node-network.ts), the
 * lab's ground truth in the lab, a fake in unit tests. Everything else is the same code.
 *
 * Security: it probes only allow-listed destinations (a plan naming anything else gets 403 and the reason,
 * and so does a redirect or a DNS answer leaving the allow-list), and it only answers requests that came
 * through the MicroVM endpoint proxy (the proxy marks them with `X-Forwarded-Proto`, and strips every
 * `X-aws-proxy-*` header: a request still carrying one did not come through it). Lifecycle hooks
 * (`/aws/lambda-microvms/runtime/v1/*`) are accepted only when they did NOT come through the proxy.
 */
import type { AgentProbeResult, ErrorClass } from '../shared/domain/canary.js';
import type { ProbeSpec } from '../shared/domain/expectations.js';
import { AllowList, PolicyViolation } from './policy.js';

export const AGENT_VERSION = '1';
const HOOK_PREFIX = '/aws/lambda-microvms/runtime/v1/';
const MAX_PROBES = 100;
const MAX_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 3;
const BODY_BYTES = 512;

/** A failure of one network step, classified as the contract's error classes. */
export class ProbeFailure extends Error {
  constructor(
    readonly errorClass: Exclude<ErrorClass, 'http-status'>,
    message: string,
  ) {
    super(message);
  }
}

/** The one network seam. Every method rejects with ProbeFailure on timeout/refusal/DNS/TLS errors. */
export interface AgentNetwork {
  /** One IPv4 address for `name` (A record) within `timeoutMs`. */
  resolve(name: string, timeoutMs: number): Promise<string>;
  /** Opens (and closes) a TCP connection to `address:port`. */
  connect(address: string, port: number, timeoutMs: number): Promise<void>;
  /** One HTTP(S) request to `url`, the connection pinned to `address` (Host and SNI from the URL); redirects not followed. */
  request(
    url: URL,
    address: string,
    timeoutMs: number,
  ): Promise<{ status: number; location: string | null; body: string }>;
}

export interface AgentOptions {
  /** Destinations the agent may probe (built into the image and/or given by the /run hook payload). */
  allowList: readonly string[];
  network: AgentNetwork;
  /** Milliseconds since some origin, for latencies (performance.now in Node). */
  now?: () => number;
  /** Header the endpoint proxy sets on every forwarded request (lower case). */
  proxyHeader?: string;
}

/** An HTTP request as the agent's server hands it over: lower-case header names, body as text. */
export interface AgentRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
}

export interface AgentResponse {
  status: number;
  body: unknown;
}

/** The agent: a request handler with its allow-list; `/run` may add entries once (from runHookPayload). */
export function createAgent(options: AgentOptions) {
  let allow = new AllowList(options.allowList);
  let runHookSeen = false;
  const now = options.now ?? (() => performance.now());
  const proxyHeader = options.proxyHeader ?? 'x-forwarded-proto';

  async function handle(req: AgentRequest): Promise<AgentResponse> {
    const viaProxy = req.headers[proxyHeader] !== undefined;
    const leakedProxyHeader = Object.keys(req.headers).some((h) => h.toLowerCase().startsWith('x-aws-proxy-'));
    if (req.path.startsWith(HOOK_PREFIX)) {
      if (viaProxy || leakedProxyHeader) return forbidden('lifecycle hooks are not accepted through the endpoint');
      return hook(req.path.slice(HOOK_PREFIX.length), req.body);
    }
    if (!viaProxy || leakedProxyHeader)
      return forbidden('requests are accepted only through the MicroVM endpoint proxy');
    if (req.method === 'GET' && req.path === '/')
      return { status: 200, body: { agent: 'egress-watch', version: AGENT_VERSION } };
    if (req.method !== 'POST' || req.path !== '/probe') return { status: 404, body: { error: 'not found' } };
    let probes: ProbeSpec[];
    try {
      probes = parsePlan(req.body);
    } catch (error) {
      return { status: 400, body: { error: 'bad plan', reason: (error as Error).message } };
    }
    for (const probe of probes) {
      const denied = planViolation(probe);
      if (denied) return forbidden(denied);
    }
    try {
      const results = await Promise.all(probes.map(runProbe));
      return { status: 200, body: { agent: 'egress-watch', version: AGENT_VERSION, probes: results } };
    } catch (error) {
      if (error instanceof PolicyViolation) return forbidden(error.message);
      throw error;
    }
  }

  function hook(name: string, body: string): AgentResponse {
    if (name === 'ready' || name === 'resume' || name === 'suspend' || name === 'terminate')
      return { status: 200, body: { ok: true } };
    if (name !== 'run') return { status: 404, body: { error: 'unknown hook' } };
    if (runHookSeen) return forbidden('the run hook is accepted once');
    runHookSeen = true;
    try {
      const payload = JSON.parse(body || '{}') as { runHookPayload?: string };
      const extra = payload.runHookPayload ? (JSON.parse(payload.runHookPayload) as { allow?: unknown }).allow : [];
      if (!Array.isArray(extra) || extra.some((e) => typeof e !== 'string')) throw new Error('allow must be strings');
      allow = new AllowList([...options.allowList, ...(extra as string[])]);
      return { status: 200, body: { ok: true, allowEntries: allow.size } };
    } catch (error) {
      return { status: 400, body: { error: 'bad run hook payload', reason: (error as Error).message } };
    }
  }

  function planViolation(probe: ProbeSpec): string | null {
    switch (probe.kind) {
      case 'tcp':
        return allow.allowsDestination(probe.host, probe.port)
          ? null
          : `probe ${probe.id}: ${probe.host}:${probe.port} is not on the allow-list`;
      case 'dns':
        return allow.allowsDestination(probe.name, null)
          ? null
          : `probe ${probe.id}: ${probe.name} is not on the allow-list`;
      case 'http':
      case 'egress-ip': {
        const url = new URL(probe.url);
        return allow.allowsDestination(hostOf(url), portOf(url))
          ? null
          : `probe ${probe.id}: ${hostOf(url)}:${portOf(url)} is not on the allow-list`;
      }
    }
  }

  /** Resolves a host and enforces where a name may point; IP literals pass through. */
  async function addressOf(host: string, timeoutMs: number): Promise<string> {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host;
    const address = await options.network.resolve(host, timeoutMs);
    if (!allow.allowsResolvedAddress(address))
      throw new PolicyViolation(`${host} resolved to ${address}, which is not on the allow-list`);
    return address;
  }

  async function runProbe(probe: ProbeSpec): Promise<AgentProbeResult> {
    const start = now();
    const elapsed = () => Math.max(0, Math.round(now() - start));
    const base = { id: probe.id, kind: probe.kind } as const;
    let resolvedAddress: string | null = null;
    try {
      switch (probe.kind) {
        case 'dns': {
          resolvedAddress = await options.network.resolve(probe.name, probe.timeoutMs);
          return { ...base, reached: true, latencyMs: elapsed(), errorClass: null, resolvedAddress };
        }
        case 'tcp': {
          resolvedAddress = await addressOf(probe.host, probe.timeoutMs);
          await options.network.connect(resolvedAddress, probe.port, probe.timeoutMs);
          return { ...base, reached: true, latencyMs: elapsed(), errorClass: null, resolvedAddress };
        }
        case 'http':
        case 'egress-ip': {
          let url = new URL(probe.url);
          let response: Awaited<ReturnType<AgentNetwork['request']>>;
          for (let hop = 0; ; hop++) {
            resolvedAddress = await addressOf(hostOf(url), probe.timeoutMs);
            response = await options.network.request(url, resolvedAddress, probe.timeoutMs);
            if (response.status < 300 || response.status > 399 || !response.location || hop >= MAX_REDIRECTS) break;
            const next = new URL(response.location, url);
            if (
              (next.protocol !== 'http:' && next.protocol !== 'https:') ||
              !allow.allowsDestination(hostOf(next), portOf(next))
            ) {
              throw new PolicyViolation(
                `probe ${probe.id}: redirect to ${next.protocol}//${hostOf(next)}:${portOf(next)} is not on the allow-list`,
              );
            }
            url = next;
          }
          const latencyMs = elapsed();
          const body = response.body.slice(0, BODY_BYTES);
          if (probe.kind === 'egress-ip') {
            const seen = body.trim();
            return {
              ...base,
              reached: true,
              latencyMs,
              errorClass: response.status >= 400 ? 'http-status' : null,
              resolvedAddress,
              status: response.status,
              body,
              observedIp: /^\d{1,3}(\.\d{1,3}){3}$/.test(seen) ? seen : null,
            };
          }
          const statusBad =
            probe.expectStatus !== undefined ? response.status !== probe.expectStatus : response.status >= 400;
          const bodyBad = probe.bodyContains !== undefined && !response.body.includes(probe.bodyContains);
          return {
            ...base,
            reached: true,
            latencyMs,
            errorClass: statusBad ? 'http-status' : null,
            resolvedAddress,
            status: response.status,
            body,
            error: statusBad
              ? `HTTP ${response.status}${probe.expectStatus !== undefined ? `, expected ${probe.expectStatus}` : ''}`
              : bodyBad
                ? `body does not contain "${probe.bodyContains}"`
                : null,
          };
        }
      }
    } catch (error) {
      if (error instanceof PolicyViolation) throw error;
      const failure =
        error instanceof ProbeFailure ? error : new ProbeFailure('timeout', (error as Error)?.message ?? 'failed');
      return {
        ...base,
        reached: false,
        latencyMs: failure.errorClass === 'timeout' ? null : elapsed(),
        errorClass: failure.errorClass,
        resolvedAddress,
        error: failure.message,
      };
    }
  }

  return { handle };
}

function forbidden(reason: string): AgentResponse {
  return { status: 403, body: { error: 'forbidden', reason } };
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Validates `{ probes: ProbeSpec[] }` by hand (the agent has no dependencies). @throws Error with the problem. */
export function parsePlan(text: string): ProbeSpec[] {
  const doc = JSON.parse(text) as { probes?: unknown };
  if (!doc || !Array.isArray(doc.probes)) throw new Error('expected {"probes": [...]}');
  if (doc.probes.length > MAX_PROBES) throw new Error(`at most ${MAX_PROBES} probes per plan`);
  const ids = new Set<string>();
  return doc.probes.map((raw: unknown, i: number): ProbeSpec => {
    const p = (raw ?? {}) as Record<string, unknown>;
    const where = `probes[${i}]`;
    if (typeof p.id !== 'string' || p.id.length === 0 || ids.has(p.id)) throw new Error(`${where}.id must be unique`);
    ids.add(p.id);
    const timeoutMs = p.timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS)
      throw new Error(`${where}.timeoutMs must be an integer from 1 to ${MAX_TIMEOUT_MS}`);
    switch (p.kind) {
      case 'tcp':
        if (typeof p.host !== 'string' || typeof p.port !== 'number' || p.port < 1 || p.port > 65_535)
          throw new Error(`${where}: tcp needs host and port`);
        return { id: p.id, kind: 'tcp', host: p.host, port: p.port, timeoutMs };
      case 'dns':
        if (typeof p.name !== 'string') throw new Error(`${where}: dns needs name`);
        return { id: p.id, kind: 'dns', name: p.name, timeoutMs };
      case 'http':
      case 'egress-ip': {
        if (typeof p.url !== 'string' || !/^https?:\/\//.test(p.url)) throw new Error(`${where}.url must be http(s)`);
        new URL(p.url);
        if (p.kind === 'egress-ip') return { id: p.id, kind: 'egress-ip', url: p.url, timeoutMs };
        return {
          id: p.id,
          kind: 'http',
          url: p.url,
          timeoutMs,
          ...(typeof p.expectStatus === 'number' ? { expectStatus: p.expectStatus } : {}),
          ...(typeof p.bodyContains === 'string' ? { bodyContains: p.bodyContains } : {}),
        };
      }
      default:
        throw new Error(`${where}.kind must be tcp, http, dns or egress-ip`);
    }
  });
}
