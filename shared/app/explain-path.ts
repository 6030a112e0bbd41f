/**
 * Use case: explain whether a connector reaches a destination, and why not (docs/path-analysis.md).
 * Finds the connector (name or id), reads the network facts of its account/region (read-only), and runs the
 * static path analysis from every ENI of the connector. Nothing is written anywhere.
 */
import { EgressWatchError } from '../domain/errors.js';
import type { NetworkSnapshot } from '../domain/network-facts.js';
import {
  type PathAnalysis,
  PathAnalyzer,
  type PathBlocker,
  type PathDestination,
  type PathHop,
  type PathVerdict,
  worseVerdict,
} from '../domain/path-analysis.js';
import type { ConnectorDirectory, NetworkFactsSource } from '../network-ports.js';
import type { Clock } from '../ports.js';

export interface ExplainDeps {
  connectors: ConnectorDirectory;
  facts: NetworkFactsSource;
  clock: Clock;
  /** Public resolver for names the VPC does not answer privately; omitted → such names are `unknown`. */
  publicDns?: (name: string) => Promise<string[]>;
}

/** The `explain --json` document (a format users read: fields only grow). */
export interface ExplainOutput {
  verdict: PathVerdict;
  connector: { id: string; name: string; state: string | null } | null;
  destination: PathDestination;
  resolvedIp: string | null;
  /** ISO-8601 capture time of the facts used. */
  capturedAt: string | null;
  hops: (PathHop & { networkInterfaceId: string })[];
  blockers: (PathBlocker & { networkInterfaceId: string })[];
  unknowns: string[];
  /** One analysis per connector ENI (one per subnet). */
  paths: PathAnalysis[];
}

/** Thrown when the connector does not exist (the CLI reports it with exit code 2). */
export class ConnectorNotFound extends EgressWatchError {}

/** `arn:aws:lambda:<region>:<account>:network-connector:<id>` → account and region. */
function scopeOfArn(arn: string): { account: string; region: string } | null {
  const parts = arn.split(':');
  const region = parts[3];
  const account = parts[4];
  return region && account && /^\d{12}$/.test(account) ? { account, region } : null;
}

/** Explains the path. Rejects with ConnectorNotFound, or with the adapters' errors (throttling after retries…). */
export async function explainPath(
  deps: ExplainDeps,
  input: { connector: string; destination: PathDestination; region: string },
): Promise<ExplainOutput> {
  if (input.connector.trim() === '') throw new ConnectorNotFound('a connector name or id is required');
  const connector = await deps.connectors.findConnector(input.connector);
  if (!connector) throw new ConnectorNotFound(`no network connector named or with id "${input.connector}"`);
  const scope = scopeOfArn(connector.arn) ?? { account: 'unknown', region: input.region };
  const body = await deps.facts.describeNetwork(scope);
  const snapshot: NetworkSnapshot = { ...scope, capturedAt: deps.clock.now().toISOString(), ...body };

  const host = input.destination.host;
  const answers = deps.publicDns && !/^[\d.]+$/.test(host) ? await deps.publicDns(host).catch(() => []) : undefined;
  const analyzer = new PathAnalyzer(snapshot, answers ? { publicDns: () => answers } : {});
  const paths = analyzer
    .connectorInterfaces(connector.id)
    .map((eni) => analyzer.analyze(eni.networkInterfaceId, input.destination));
  const unknowns = paths.length
    ? [...new Set(paths.flatMap((p) => p.unknowns))]
    : [`${connector.name} has no network interface in the facts (state ${connector.state ?? 'unknown'})`];
  return {
    verdict: paths.length ? paths.map((p) => p.verdict).reduce(worseVerdict) : 'unknown',
    connector: { id: connector.id, name: connector.name, state: connector.state },
    destination: input.destination,
    resolvedIp: paths.find((p) => p.resolvedIp)?.resolvedIp ?? null,
    capturedAt: snapshot.capturedAt,
    hops: paths.flatMap((p) => p.hops.map((h) => ({ networkInterfaceId: p.sourceNetworkInterfaceId, ...h }))),
    blockers: paths.flatMap((p) => p.blockers.map((b) => ({ networkInterfaceId: p.sourceNetworkInterfaceId, ...b }))),
    unknowns,
    paths,
  };
}
