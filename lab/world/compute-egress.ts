/**
 * Ground truth for a connection a MicroVM opens: through its VPC egress connector's ENI the network world
 * decides; with a deleted connector packets go nowhere (the field notes saw timeouts); INTERNET_EGRESS
 * leaves from an AWS-owned public address outside any customer VPC.
 */
import { isIP } from 'node:net';
import type { MicrovmEgressPath } from './compute-microvms.js';
import type { EgressDestination, EgressOutcome, NetworkWorldPort } from './contracts.js';

export function evaluateMicrovmEgress(
  path: MicrovmEgressPath,
  network: NetworkWorldPort,
  destination: EgressDestination,
): EgressOutcome {
  switch (path.kind) {
    case 'vpc':
      return network.evaluateEgress(path.source, destination);
    case 'broken':
      return {
        reachable: false,
        failure: 'timeout',
        resolvedIp: null,
        labReason: `egress connector ${path.connectorId}: ${path.reason}`,
      };
    case 'internet':
      return internetEgress(path.publicIp, destination);
  }
}

/**
 * NetworkWorldPort has no internet-side evaluation yet, so INTERNET_EGRESS is modelled here: private
 * addresses and VPC-internal names are unreachable from the internet; any public host answers.
 */
function internetEgress(publicIp: string, destination: EgressDestination): EgressOutcome {
  const host = destination.host.toLowerCase();
  if (host.endsWith('.internal') || host === 'localhost') {
    return { reachable: false, failure: 'dns', resolvedIp: null, labReason: `${host} only resolves inside a VPC` };
  }
  if (isIP(host) && isNonPublicAddress(host)) {
    return {
      reachable: false,
      failure: 'timeout',
      resolvedIp: host,
      labReason: `${host} is not routable from the internet`,
    };
  }
  const body = host === 'checkip.amazonaws.com' ? `${publicIp}\n` : JSON.stringify({ source: 'internet', host });
  return {
    reachable: true,
    observedSourceIp: publicIp,
    resolvedIp: isIP(host) ? host : documentationAddressFor(host),
    responseStatus: 200,
    responseBody: body,
  };
}

function isNonPublicAddress(ip: string): boolean {
  if (isIP(ip) === 6) return /^(fc|fd|fe80|::1$)/i.test(ip);
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

/** The lab has no public DNS: names get a stable TEST-NET-2 address so results stay deterministic. */
function documentationAddressFor(host: string): string {
  let hash = 0;
  for (const char of host) hash = (hash * 31 + char.charCodeAt(0)) % 254;
  return `198.51.100.${hash + 1}`;
}
