/**
 * The lab's ground truth for "what happens to a connection from this ENI right now". Written from the
 * network world's own state, independently of the product's path analysis (never import shared/ here).
 *
 * Order of evaluation follows a packet: DNS → route lookup → source SG egress → source subnet NACL (out and
 * the stateless return in) → either the local path (destination subnet NACL, destination SG ingress,
 * listener) or the NAT path (NAT state, NAT's own route to an internet gateway, internet host listener).
 * DNS covers private ip-… names and interface VPC endpoint names.
 */
import type { EgressDestination, EgressOutcome, EgressSource } from '../world/contracts.js';
import type { NetworkWorld } from '../world/network.js';
import { cidrContainsIp, cidrPrefixLength, isIpv4 } from '../world/network-cidr.js';
import { endpointDnsName } from '../world/network-endpoints.js';
import type { NetworkAcl, Route, RouteTable, SecurityGroupRule, Vpc } from '../world/network-model.js';

/** The client's source port for the return-path NACL check (inside both 1024-65535 and Linux's 32768-60999). */
export const CLIENT_EPHEMERAL_PORT = 49152;

type Protocol = EgressDestination['protocol'];

const NACL_PROTOCOL_NUMBER: Record<Protocol, string> = { tcp: '6', udp: '17' };

function dropped(resolvedIp: string | null, labReason: string): EgressOutcome {
  return { reachable: false, failure: 'timeout', resolvedIp, labReason };
}

type Resolution = { ok: true; ip: string } | { ok: false; reason: string };

function resolveHost(world: NetworkWorld, vpc: Vpc, host: string): Resolution {
  if (isIpv4(host)) return { ok: true, ip: host };
  const name = host.toLowerCase().replace(/\.$/, '');
  // Everything else goes through the VPC's Amazon-provided resolver, which only answers with DNS support on.
  if (!vpc.enableDnsSupport) return { ok: false, reason: `${vpc.vpcId} has enableDnsSupport=false` };
  const privateName = /^ip-(\d+)-(\d+)-(\d+)-(\d+)\.(?:[a-z0-9-]+\.compute|ec2)\.internal$/.exec(name);
  if (privateName) {
    const ip = privateName.slice(1, 5).join('.');
    const owner = world.networkInterfaceByIp(vpc.vpcId, ip);
    return owner ? { ok: true, ip } : { ok: false, reason: `no interface with ${ip} in ${vpc.vpcId}` };
  }
  const endpointIp = interfaceEndpointAddress(world, vpc, name);
  if (endpointIp) return { ok: true, ip: endpointIp };
  const internetHost = world.internetHosts.get(name);
  if (internetHost) return { ok: true, ip: internetHost.ip };
  return { ok: false, reason: `NXDOMAIN for ${name}` };
}

/**
 * Interface endpoint names, answered by the VPC's resolver with the address of the endpoint's network
 * interface (the first one; AWS answers with one address per zone and clients pick one). The
 * endpoint-specific name (`vpce-….<service>.<region>.vpce.amazonaws.com`) always resolves; the service's
 * own regional name (`<service>.<region>.amazonaws.com`) only with private DNS on the endpoint AND
 * `enableDnsHostnames` on the VPC ("Manage DNS names for VPC endpoint services" and "DNS attributes for
 * your VPC": private DNS for interface endpoints requires enableDnsSupport and enableDnsHostnames,
 * https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html).
 */
function interfaceEndpointAddress(world: NetworkWorld, vpc: Vpc, name: string): string | undefined {
  for (const endpoint of world.vpcEndpoints.values()) {
    if (endpoint.vpcId !== vpc.vpcId || endpoint.vpcEndpointType !== 'Interface' || endpoint.state !== 'available')
      continue;
    const service = endpoint.serviceName.split('.').at(-1);
    const serviceName = `${service}.${world.ctx.region}.amazonaws.com`;
    const answers =
      name === endpointDnsName(endpoint, world.ctx.region) ||
      (endpoint.privateDnsEnabled && vpc.enableDnsHostnames && name === serviceName);
    if (!answers) continue;
    const eni = world.networkInterfaces.get(endpoint.networkInterfaceIds[0] ?? '');
    if (eni) return eni.privateIpAddress;
  }
  return undefined;
}

function longestPrefixRoute(table: RouteTable, ip: string): Route | undefined {
  let best: Route | undefined;
  for (const route of table.routes) {
    if (!cidrContainsIp(route.destinationCidrBlock, ip)) continue;
    if (!best || cidrPrefixLength(route.destinationCidrBlock) > cidrPrefixLength(best.destinationCidrBlock)) {
      best = route;
    }
  }
  return best;
}

function ruleCoversTraffic(rule: SecurityGroupRule, protocol: Protocol, port: number): boolean {
  if (rule.ipProtocol === '-1') return true;
  return rule.ipProtocol === protocol && port >= rule.fromPort && port <= rule.toPort;
}

/**
 * Whether any of `groupIds` has a rule in the given direction that admits the traffic: the peer is either
 * an address inside the rule's CIDR or an interface carrying the referenced group.
 */
function securityGroupsAllow(
  world: NetworkWorld,
  groupIds: string[],
  isEgress: boolean,
  traffic: { protocol: Protocol; port: number; peerIp: string; peerGroupIds: string[] },
): boolean {
  return groupIds.some((groupId) =>
    (world.securityGroups.get(groupId)?.rules ?? []).some(
      (rule) =>
        rule.isEgress === isEgress &&
        ruleCoversTraffic(rule, traffic.protocol, traffic.port) &&
        ((rule.cidrIpv4 !== undefined && cidrContainsIp(rule.cidrIpv4, traffic.peerIp)) ||
          (rule.referencedGroupId !== undefined && traffic.peerGroupIds.includes(rule.referencedGroupId))),
    ),
  );
}

/** First matching entry by rule number decides; the trailing * rule denies. */
function naclAllows(
  acl: NetworkAcl | undefined,
  egress: boolean,
  packet: { protocol: Protocol; peerIp: string; port: number },
): boolean {
  if (!acl) return false;
  const entries = acl.entries.filter((entry) => entry.egress === egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const entry of entries) {
    if (!cidrContainsIp(entry.cidrBlock, packet.peerIp)) continue;
    if (entry.protocol !== '-1') {
      if (entry.protocol !== NACL_PROTOCOL_NUMBER[packet.protocol]) continue;
      const range = entry.portRange;
      if (range && (packet.port < range.from || packet.port > range.to)) continue;
    }
    return entry.ruleAction === 'allow';
  }
  return false;
}

/** Checks one subnet boundary in both directions, since NACLs are stateless. */
function naclPassesBothWays(
  world: NetworkWorld,
  subnetId: string,
  side: 'source' | 'destination',
  protocol: Protocol,
  peerIp: string,
  serverPort: number,
): string | null {
  const acl = world.networkAclOfSubnet(subnetId);
  const id = acl?.networkAclId ?? 'none';
  // Seen from the source subnet the request goes out and the reply comes in; the destination sees the reverse.
  const requestEgress = side === 'source';
  if (!naclAllows(acl, requestEgress, { protocol, peerIp, port: serverPort })) {
    return `${side} subnet NACL ${id} denies ${requestEgress ? 'outbound' : 'inbound'} ${protocol}/${serverPort} ${requestEgress ? 'to' : 'from'} ${peerIp}`;
  }
  if (!naclAllows(acl, !requestEgress, { protocol, peerIp, port: CLIENT_EPHEMERAL_PORT })) {
    return `${side} subnet NACL ${id} denies the return traffic (${protocol}/${CLIENT_EPHEMERAL_PORT}, ${requestEgress ? 'inbound from' : 'outbound to'} ${peerIp})`;
  }
  return null;
}

export function evaluateEgress(
  world: NetworkWorld,
  source: EgressSource,
  destination: EgressDestination,
): EgressOutcome {
  const sourceSubnet = world.subnets.get(source.subnetId);
  const vpc = sourceSubnet ? world.vpcs.get(sourceSubnet.vpcId) : undefined;
  if (!sourceSubnet || !vpc) return dropped(null, `source subnet ${source.subnetId} does not exist`);

  const resolution = resolveHost(world, vpc, destination.host);
  if (!resolution.ok) {
    return {
      reachable: false,
      failure: 'dns',
      resolvedIp: null,
      labReason: `cannot resolve ${destination.host}: ${resolution.reason}`,
    };
  }
  const ip = resolution.ip;
  const { protocol, port } = destination;

  const table = world.routeTableOfSubnet(sourceSubnet.subnetId);
  const route = table ? longestPrefixRoute(table, ip) : undefined;
  if (!table || !route) return dropped(ip, `no route to ${ip} in ${table?.routeTableId ?? 'any route table'}`);

  const destinationEni = route.target.kind === 'local' ? world.networkInterfaceByIp(vpc.vpcId, ip) : undefined;
  const egressAllowed = securityGroupsAllow(world, source.securityGroupIds, true, {
    protocol,
    port,
    peerIp: ip,
    peerGroupIds: destinationEni?.securityGroupIds ?? [],
  });
  if (!egressAllowed) {
    return dropped(
      ip,
      `source security groups [${source.securityGroupIds.join(', ')}] allow no egress ${protocol}/${port} to ${ip}`,
    );
  }

  // NACLs sit at the subnet boundary: traffic that stays inside the subnet never crosses them.
  if (!cidrContainsIp(sourceSubnet.cidrBlock, ip)) {
    const denied = naclPassesBothWays(world, sourceSubnet.subnetId, 'source', protocol, ip, port);
    if (denied) return dropped(ip, denied);
  }

  switch (route.target.kind) {
    case 'local':
      return deliverInsideVpc(world, source, destination, ip);
    case 'nat-gateway':
      return deliverThroughNat(world, route.target.natGatewayId, destination, ip);
    case 'gateway':
      return dropped(ip, `route to ${route.target.gatewayId}, but the source ENI has no public IP`);
    case 'network-interface':
      return dropped(
        ip,
        `route to appliance ${route.target.networkInterfaceId}; the lab forwards nothing through appliances`,
      );
  }
}

function deliverInsideVpc(
  world: NetworkWorld,
  source: EgressSource,
  destination: EgressDestination,
  ip: string,
): EgressOutcome {
  const sourceVpc = world.vpcOfSubnet(source.subnetId) ?? '';
  const eni = world.networkInterfaceByIp(sourceVpc, ip);
  if (!eni) return dropped(ip, `nothing in ${sourceVpc} has address ${ip}`);
  const { protocol, port } = destination;
  if (eni.subnetId !== source.subnetId) {
    const denied = naclPassesBothWays(world, eni.subnetId, 'destination', protocol, source.privateIpAddress, port);
    if (denied) return dropped(ip, denied);
  }
  const ingressAllowed = securityGroupsAllow(world, eni.securityGroupIds, false, {
    protocol,
    port,
    peerIp: source.privateIpAddress,
    peerGroupIds: source.securityGroupIds,
  });
  if (!ingressAllowed) {
    return dropped(
      ip,
      `security groups of ${eni.networkInterfaceId} admit no ${protocol}/${port} from ${source.privateIpAddress} or its groups`,
    );
  }
  if (eni.interfaceType === 'vpc_endpoint') {
    // An interface endpoint answers HTTPS (tcp/443) for its service.
    if (protocol !== 'tcp' || port !== 443) {
      return {
        reachable: false,
        failure: 'refused',
        resolvedIp: ip,
        labReason: `endpoint ${eni.networkInterfaceId} serves tcp/443 only`,
      };
    }
    const body = JSON.stringify({ source: 'vpc-endpoint', networkInterfaceId: eni.networkInterfaceId });
    return {
      reachable: true,
      observedSourceIp: source.privateIpAddress,
      resolvedIp: ip,
      responseStatus: 200,
      responseBody: body,
    };
  }
  const target = world.targetOfInterface(eni.networkInterfaceId);
  const listening = protocol === 'tcp' ? target?.tcpPorts : target?.udpPorts;
  if (!target || !listening?.includes(port)) {
    return {
      reachable: false,
      failure: 'refused',
      resolvedIp: ip,
      labReason: `nothing listens on ${ip}:${protocol}/${port}`,
    };
  }
  const body = JSON.stringify({
    source: 'vpc-target',
    host: target.hostname,
    time: world.ctx.clock.now().getTime() / 1000,
    ...target.responseFields,
  });
  return {
    reachable: true,
    observedSourceIp: source.privateIpAddress,
    resolvedIp: ip,
    responseStatus: 200,
    responseBody: body,
  };
}

function deliverThroughNat(
  world: NetworkWorld,
  natGatewayId: string,
  destination: EgressDestination,
  ip: string,
): EgressOutcome {
  const nat = world.natGateways.get(natGatewayId);
  const state = nat ? world.natState(nat) : 'deleted';
  if (!nat || state !== 'available')
    return dropped(ip, `route to NAT gateway ${natGatewayId}, which is ${state} (blackhole)`);
  if (nat.connectivityType !== 'public' || !nat.publicIp) {
    return dropped(ip, `NAT gateway ${natGatewayId} is private; it cannot reach the internet`);
  }
  // A zonal NAT gateway uses its subnet's table; a regional one has its own.
  const natTable = nat.routeTableId
    ? world.routeTables.get(nat.routeTableId)
    : nat.subnetId
      ? world.routeTableOfSubnet(nat.subnetId)
      : undefined;
  const onward = natTable ? longestPrefixRoute(natTable, ip) : undefined;
  const igw = onward?.target.kind === 'gateway' ? world.internetGateways.get(onward.target.gatewayId) : undefined;
  if (!igw || igw.attachedVpcId !== nat.vpcId) {
    return dropped(ip, `NAT gateway ${natGatewayId} has no route to an attached internet gateway for ${ip}`);
  }
  const host = [...world.internetHosts.values()].find((candidate) => candidate.ip === ip);
  if (!host) return dropped(ip, `no internet host answers at ${ip}`);
  if (destination.protocol !== 'tcp' || !host.tcpPorts.includes(destination.port)) {
    return {
      reachable: false,
      failure: 'refused',
      resolvedIp: ip,
      labReason: `${host.hostName} does not listen on ${destination.protocol}/${destination.port}`,
    };
  }
  const body = host.behavior === 'echo-source-ip' ? `${nat.publicIp}\n` : host.body;
  return { reachable: true, observedSourceIp: nat.publicIp, resolvedIp: ip, responseStatus: 200, responseBody: body };
}
