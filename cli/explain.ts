/**
 * `egress-watch explain --connector <name|id> --to <host|ip>[:port] [--protocol tcp|udp] [--json]`:
 * static path analysis from every ENI of a connector to a destination, against the lab (AWS_ENDPOINT_URL)
 * or a real account (credentials from the environment; read-only: only Get/List/Describe calls).
 * Exit code: 0 reachable, 3 blocked, 4 unknown. See docs/path-analysis.md.
 */
import { resolve4 } from 'node:dns/promises';
import { ConnectorNotFound, type ExplainOutput, explainPath } from '../shared/app/explain-path.js';
import { createEc2Client, Ec2NetworkFactsSource } from '../shared/aws/ec2-network-facts.js';
import { LambdaCoreClient } from '../shared/aws/lambda-core-client.js';
import { LambdaCoreConnectorDirectory } from '../shared/aws/lambda-core-connectors.js';
import { UsageError } from '../shared/domain/errors.js';
import type { PathDestination } from '../shared/domain/path-analysis.js';
import { parseCommandArgs } from './args.js';
import { style } from './terminal-style.js';

const DEFAULT_PORT = { tcp: 443, udp: 53 } as const;

/** `host[:port]` → destination; the port defaults to 443 for tcp and 53 for udp. */
export function parseDestination(to: string, protocol: 'tcp' | 'udp'): PathDestination {
  const match = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(to.trim());
  if (!match?.[1]) throw new UsageError(`--to "${to}" is not host[:port] (IPv4 or a DNS name)`);
  const port = match[2] === undefined ? DEFAULT_PORT[protocol] : Number(match[2]);
  if (port < 1 || port > 65535) throw new UsageError(`--to "${to}": port ${port} is outside 1-65535`);
  return { host: match[1], port, protocol };
}

/** The readable rendering of an explanation. */
export function renderExplanation(out: ExplainOutput): string {
  const colour = out.verdict === 'reachable' ? style.green : out.verdict === 'blocked' ? style.red : style.yellow;
  const d = out.destination;
  const lines = [
    `${colour(out.verdict.toUpperCase())}  ${out.connector?.name ?? '?'} (${out.connector?.id ?? '?'}) → ${d.host}${out.resolvedIp && out.resolvedIp !== d.host ? ` (${out.resolvedIp})` : ''} ${d.protocol}/${d.port}`,
    style.dim(`facts captured ${out.capturedAt ?? 'never'}`),
  ];
  for (const path of out.paths) {
    lines.push('', style.bold(`from ${path.sourceNetworkInterfaceId}: ${path.verdict}`));
    for (const hop of path.hops) lines.push(`  ${style.dim('·')} ${hop.component} ${hop.id}: ${hop.detail}`);
    for (const b of path.blockers) {
      const rule = b.ruleNumber !== undefined ? ` rule ${b.ruleNumber === 32767 ? '*' : b.ruleNumber}` : '';
      lines.push(`  ${style.red('✗')} ${b.component} ${b.id}${rule} [${b.direction}]: ${b.detail}`);
    }
  }
  for (const u of out.unknowns) lines.push(`  ${style.yellow('?')} ${u}`);
  return lines.join('\n');
}

export async function explainCommand(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { values } = parseCommandArgs({
    args,
    options: {
      connector: { type: 'string' },
      to: { type: 'string' },
      protocol: { type: 'string', default: 'tcp' },
      json: { type: 'boolean', default: false },
      region: { type: 'string' },
    },
  });
  if (!values.connector) throw new UsageError('explain needs --connector <name|id>');
  if (!values.to) throw new UsageError('explain needs --to <host|ip>[:port]');
  const protocol = values.protocol;
  if (protocol !== 'tcp' && protocol !== 'udp')
    throw new UsageError(`--protocol must be tcp or udp, not "${protocol}"`);
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('explain needs a region (--region or AWS_REGION)');
  const destination = parseDestination(values.to, protocol);

  // A custom endpoint (the lab) has no public DNS of its own: public names stay "unknown" there; pass an IP.
  const endpoint = env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL;
  const ec2 = createEc2Client({ region, ...(endpoint ? { endpoint } : {}) });
  try {
    const out = await explainPath(
      {
        connectors: new LambdaCoreConnectorDirectory(new LambdaCoreClient({ region, env })),
        facts: new Ec2NetworkFactsSource(ec2),
        clock: { now: () => new Date() },
        ...(endpoint ? {} : { publicDns: (name: string) => resolve4(name) }),
      },
      { connector: values.connector, destination, region },
    );
    process.stdout.write(`${values.json ? JSON.stringify(out, null, 2) : renderExplanation(out)}\n`);
    return out.verdict === 'reachable' ? 0 : out.verdict === 'blocked' ? 3 : 4;
  } catch (error) {
    if (!(error instanceof ConnectorNotFound)) throw error;
    process.stderr.write(`egress-watch explain: ${error.message}\n`);
    return 2;
  } finally {
    ec2.destroy();
  }
}
