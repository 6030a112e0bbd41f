/**
 * Expectations as code (docs/canaries.md): one YAML/JSON document that says, per connector (selected by
 * name, name prefix or tag), what must be reachable or blocked through it, which addresses the internet must
 * see (`egressIps`, the NAT gateway's EIPs) and whether it is `isolated` (no internet at all). The same
 * document sits under a scenario's top-level `monitor:` key. The format only grows: a valid file stays valid.
 *
 * Pure: parsing of the already-decoded document (the YAML text is decoded by the caller), selection and
 * the probe plan (with the agent allow-list) each connector gets.
 */
import { z } from 'zod';

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `90s`, `1m`, `1h30m`, or a number of seconds. */
const duration = z.union([
  z
    .string()
    .regex(DURATION, 'durations look like 30s, 1m, 1h30m')
    .refine((s) => s.length > 0, 'durations look like 30s, 1m, 1h30m'),
  z.number().int().positive(),
]);

/** Milliseconds of a duration written as `1h2m3s` or as a number of seconds. */
export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value * 1000;
  const match = DURATION.exec(value);
  if (!match || value.length === 0) throw new Error(`bad duration ${value}`);
  return (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ipv4 = z.string().regex(IPV4, 'expected an IPv4 address like 203.0.113.25');
const cidr = z.string().refine((s) => {
  const [ip, bits] = s.split('/');
  return ip !== undefined && IPV4.test(ip) && bits !== undefined && /^\d+$/.test(bits) && Number(bits) <= 32;
}, 'expected an IPv4 CIDR like 10.0.0.0/16');
const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port, e.g. db.internal:5432')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65_535;
  }, 'port must be 1-65535');
const hostName = z.string().regex(/^[A-Za-z0-9.-]+$/, 'expected a DNS name');

const expect = z.enum(['reachable', 'blocked']);

const common = {
  /** Stable id of the target in runs, findings and reports; derived from the target when omitted. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,100}$/)
    .optional(),
  expect,
  timeout: duration.optional(),
};

const UrlTarget = z.strictObject({
  ...common,
  url: z.url({ protocol: /^https?$/, message: 'expected an absolute http:// or https:// URL' }),
  /** Expected HTTP status (default: any 2xx/3xx). */
  status: z.number().int().min(100).max(599).optional(),
  /** Text the response body must contain. */
  bodyContains: z.string().optional(),
});

const TcpTarget = z.strictObject({ ...common, tcp: hostPort });

const DnsTarget = z
  .strictObject({
    ...common,
    dns: hostName,
    /** The address the name must resolve to. */
    address: ipv4.optional(),
    /** Or a CIDR the resolved address must fall in. */
    cidr: cidr.optional(),
  })
  .refine((t) => !(t.address && t.cidr), { message: 'give address or cidr, not both' });

const Target = z.union([UrlTarget, TcpTarget, DnsTarget], {
  error: () => 'a target is one of {url, ...}, {tcp: host:port, ...} or {dns: name, ...}, each with expect',
});

const Selector = z
  .strictObject({
    name: z.string().min(1).optional(),
    namePrefix: z.string().min(1).optional(),
    /** Every listed tag must be present with this value. */
    tags: z.record(z.string(), z.string()).optional(),
  })
  .refine((s) => s.name !== undefined || s.namePrefix !== undefined || s.tags !== undefined, {
    message: 'select needs name, namePrefix or tags',
  });

const Thresholds = {
  interval: duration.optional(),
  timeout: duration.optional(),
  failuresToOpen: z.number().int().min(1).max(100).optional(),
  successesToResolve: z.number().int().min(1).max(100).optional(),
};

const ConnectorExpectation = z.strictObject({
  select: Selector,
  targets: z.array(Target).default([]),
  /** What the internet must see as our source address (the NAT gateway's EIPs). */
  egressIps: z.array(ipv4).min(1).optional(),
  /** No internet: a probe to the echo URL must fail. */
  isolated: z.boolean().optional(),
  /** Extra addresses (IP or CIDR) names on this connector may resolve to (e.g. the VPC CIDR for private DNS). */
  allow: z.array(z.union([ipv4, cidr])).default([]),
  /**
   * Agent mode: probe from the user's own MicroVMs of this image (ARN or name) that embed the agent and run on
   * the connector, instead of a canary MicroVM (no extra MicroVM cost). Their agent's baked-in allow-list must
   * cover the targets.
   */
  agent: z.strictObject({ image: z.string().min(1).max(256) }).optional(),
  ...Thresholds,
});

export const ExpectationsSchema = z.strictObject({
  version: z.literal(1).default(1),
  /** The address echo used by egress-ip probes: answers with the caller's public address as text. */
  echoUrl: z.url({ protocol: /^https?$/ }).default('https://checkip.amazonaws.com/'),
  defaults: z
    .strictObject({
      interval: duration.default('5m'),
      timeout: duration.default('3s'),
      failuresToOpen: z.number().int().min(1).max(100).default(2),
      successesToResolve: z.number().int().min(1).max(100).default(2),
    })
    .default({ interval: '5m', timeout: '3s', failuresToOpen: 2, successesToResolve: 2 }),
  connectors: z.array(ConnectorExpectation).default([]),
});

export type ExpectationsDocument = z.infer<typeof ExpectationsSchema>;
export type ConnectorExpectationSpec = z.infer<typeof ConnectorExpectation>;
export type TargetSpec = z.infer<typeof Target>;

/** Raised for an invalid document: one line per problem, each with its path (`connectors.0.targets.1.url`). */
export class ExpectationsError extends Error {
  override name = 'ExpectationsError';
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`${source} is not a valid expectations document:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates a decoded document. A scenario file is accepted too: its `monitor:` block is the document.
 * @throws ExpectationsError listing every problem with its path.
 */
export function parseExpectations(decoded: unknown, source = 'expectations'): ExpectationsDocument {
  const doc =
    decoded && typeof decoded === 'object' && 'monitor' in decoded && 'steps' in decoded
      ? (decoded as { monitor: unknown }).monitor
      : (decoded ?? {});
  const parsed = ExpectationsSchema.safeParse(doc);
  if (!parsed.success) {
    throw new ExpectationsError(
      parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(document)'}: ${i.message}`),
      source,
    );
  }
  return parsed.data;
}

/** A connector as the canary sees it (from ListNetworkConnectors + tags). */
export interface ConnectorIdentity {
  id: string;
  name: string;
  arn: string;
  tags: Record<string, string>;
}

/** True when the selector names this connector (every given criterion must hold). */
export function selects(selector: ConnectorExpectationSpec['select'], connector: ConnectorIdentity): boolean {
  if (selector.name !== undefined && selector.name !== connector.name && selector.name !== connector.id) return false;
  if (selector.namePrefix !== undefined && !connector.name.startsWith(selector.namePrefix)) return false;
  for (const [key, value] of Object.entries(selector.tags ?? {})) if (connector.tags[key] !== value) return false;
  return true;
}

/** One probe of a plan, as the probe agent receives it (`POST /probe`). Times in ms. */
export type ProbeSpec =
  | { id: string; kind: 'tcp'; host: string; port: number; timeoutMs: number }
  | { id: string; kind: 'http'; url: string; timeoutMs: number; expectStatus?: number; bodyContains?: string }
  | { id: string; kind: 'dns'; name: string; timeoutMs: number }
  | { id: string; kind: 'egress-ip'; url: string; timeoutMs: number };

/** What one planned probe must show: reachable or blocked, plus the DNS answer or source address it checks. */
export interface ProbeExpectation {
  targetId: string;
  kind: ProbeSpec['kind'];
  /** Human-readable destination: URL, host:port, name. */
  target: string;
  expect: 'reachable' | 'blocked';
  /** dns: the resolved address must equal this or fall in this CIDR. */
  address?: string;
  cidr?: string;
  /** egress-ip: the address the internet sees must be one of these. */
  egressIps?: string[];
}

/** Everything the canary needs for one connector: the agent plan, its allow-list and how to judge it. */
export interface ConnectorPlan {
  connector: ConnectorIdentity;
  probes: ProbeSpec[];
  expectations: ProbeExpectation[];
  /** Destinations the agent may touch: host, host:port, IP or CIDR (see canary-agent/policy.ts). */
  allowList: string[];
  isolated: boolean;
  /** Agent mode: the image whose running MicroVMs on this connector carry the agent; null = canary MicroVM. */
  agentImage: string | null;
  intervalMs: number;
  failuresToOpen: number;
  successesToResolve: number;
}

/**
 * The plan of every connector some entry selects; the first matching entry wins, so specific entries go
 * first. Connectors no entry selects are out of scope.
 */
export function planConnectors(doc: ExpectationsDocument, connectors: ConnectorIdentity[]): ConnectorPlan[] {
  const plans: ConnectorPlan[] = [];
  for (const connector of connectors) {
    const spec = doc.connectors.find((c) => selects(c.select, connector));
    if (spec) plans.push(planFor(doc, spec, connector));
  }
  return plans;
}

/** The plan for one connector under one entry of the document. */
export function planFor(
  doc: ExpectationsDocument,
  spec: ConnectorExpectationSpec,
  connector: ConnectorIdentity,
): ConnectorPlan {
  const defaultTimeout = durationMs(spec.timeout ?? doc.defaults.timeout);
  const probes: ProbeSpec[] = [];
  const expectations: ProbeExpectation[] = [];
  const allow = new Set<string>(spec.allow);
  for (const target of spec.targets) {
    const timeoutMs = target.timeout === undefined ? defaultTimeout : durationMs(target.timeout);
    if ('url' in target) {
      const id = target.id ?? `http:${target.url}`;
      const url = new URL(target.url);
      const port = url.port || (url.protocol === 'https:' ? '443' : '80');
      allow.add(`${url.hostname}:${port}`);
      probes.push({
        id,
        kind: 'http',
        url: target.url,
        timeoutMs,
        ...(target.status !== undefined ? { expectStatus: target.status } : {}),
        ...(target.bodyContains !== undefined ? { bodyContains: target.bodyContains } : {}),
      });
      expectations.push({ targetId: id, kind: 'http', target: target.url, expect: target.expect });
    } else if ('tcp' in target) {
      const id = target.id ?? `tcp:${target.tcp}`;
      const colon = target.tcp.lastIndexOf(':');
      allow.add(target.tcp);
      probes.push({
        id,
        kind: 'tcp',
        host: target.tcp.slice(0, colon),
        port: Number(target.tcp.slice(colon + 1)),
        timeoutMs,
      });
      expectations.push({ targetId: id, kind: 'tcp', target: target.tcp, expect: target.expect });
    } else {
      const id = target.id ?? `dns:${target.dns}`;
      allow.add(target.dns);
      if (target.address) allow.add(target.address);
      if (target.cidr) allow.add(target.cidr);
      probes.push({ id, kind: 'dns', name: target.dns, timeoutMs });
      expectations.push({
        targetId: id,
        kind: 'dns',
        target: target.dns,
        expect: target.expect,
        ...(target.address ? { address: target.address } : {}),
        ...(target.cidr ? { cidr: target.cidr } : {}),
      });
    }
  }
  const isolated = spec.isolated === true;
  if (spec.egressIps || isolated) {
    const echo = new URL(doc.echoUrl);
    allow.add(`${echo.hostname}:${echo.port || (echo.protocol === 'https:' ? '443' : '80')}`);
    const id = isolated ? 'isolation' : 'egress-ip';
    probes.push({ id, kind: 'egress-ip', url: doc.echoUrl, timeoutMs: defaultTimeout });
    expectations.push({
      targetId: id,
      kind: 'egress-ip',
      target: doc.echoUrl,
      expect: isolated ? 'blocked' : 'reachable',
      ...(spec.egressIps ? { egressIps: spec.egressIps } : {}),
    });
  }
  return {
    connector,
    probes,
    expectations,
    allowList: [...allow].sort(),
    isolated,
    agentImage: spec.agent?.image ?? null,
    intervalMs: durationMs(spec.interval ?? doc.defaults.interval),
    failuresToOpen: spec.failuresToOpen ?? doc.defaults.failuresToOpen,
    successesToResolve: spec.successesToResolve ?? doc.defaults.successesToResolve,
  };
}

/** One line per probe, for `egress-watch expectations check`. */
export function describePlan(plan: ConnectorPlan): string[] {
  const every = `every ${Math.round(plan.intervalMs / 1000)}s, open after ${plan.failuresToOpen} misses, resolve after ${plan.successesToResolve} hits`;
  const from = plan.agentImage ? `from MicroVMs of image ${plan.agentImage} (agent mode)` : 'from a canary MicroVM';
  const lines = [`${plan.connector.name} (${plan.connector.id}): ${plan.probes.length} probes ${from}, ${every}`];
  for (const e of plan.expectations) {
    const extra = e.address
      ? ` → ${e.address}`
      : e.cidr
        ? ` → in ${e.cidr}`
        : e.egressIps
          ? ` seen as ${e.egressIps.join('|')}`
          : '';
    lines.push(`  ${e.expect === 'reachable' ? '✓' : '✗'} ${e.kind.padEnd(9)} ${e.target}${extra} (${e.expect})`);
  }
  lines.push(`  agent allow-list: ${plan.allowList.join(', ')}`);
  return lines;
}
