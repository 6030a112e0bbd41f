import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import type { EgressSource, LabContext } from '../../../lab/world/contracts.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';

const admin: CallerIdentity = { kind: 'user', account: '111122223333', userName: 'admin' };
const operator: CallerIdentity = {
  kind: 'assumed-role',
  account: '111122223333',
  roleName: 'NetworkConnectorOperatorRole',
  sessionName: '123456789012',
  invokedBy: 'network-connectors.lambda.amazonaws.com',
};

let world: NetworkWorld;
let records: CloudTrailRecord[];
let natConnector: EgressSource;
let isolatedConnector: EgressSource;

function connectorEni(subnet: string, group: string): EgressSource {
  const created = world.createNetworkInterface(
    {
      subnetId: world.idOf('subnet', subnet),
      securityGroupIds: [world.idOf('security-group', group)],
      tags: { 'aws:lambda:networkConnectorName': group },
      operatorPrincipal: 'network-connectors.lambda.amazonaws.com',
    },
    operator,
  );
  if (!created.ok) throw new Error(created.errorMessage);
  return {
    subnetId: created.eni.subnetId,
    securityGroupIds: created.eni.securityGroupIds,
    privateIpAddress: created.eni.privateIpAddress,
  };
}

const http = (host: string, port = 80) => ({ host, port, protocol: 'tcp' as const });

beforeEach(() => {
  records = [];
  const ctx: LabContext = {
    clock: new VirtualClock('2026-06-24T01:00:00Z'),
    trail: { emit: (record) => records.push(record) },
    account: '111122223333',
    region: 'ap-northeast-1',
  };
  world = NetworkWorld.fromSpec(articleNetworkSpec(), ctx);
  natConnector = connectorEni('nat-subnet-1a', 'connector-sg');
  isolatedConnector = connectorEni('isolated-subnet-1a', 'connector-isolated-sg');
});

describe('article topology ground truth', () => {
  it('seeds silently and gives deterministic ids', () => {
    const again = NetworkWorld.fromSpec(articleNetworkSpec(), {
      clock: new VirtualClock(),
      trail: { emit: () => expect.fail('seeding must not emit CloudTrail') },
      account: '111122223333',
      region: 'ap-northeast-1',
    });
    expect(again.idOf('subnet', 'nat-subnet-1a')).toBe(world.idOf('subnet', 'nat-subnet-1a'));
    expect(world.idOf('vpc', 'microvms-egress-test')).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(records.map((r) => r.eventName)).toEqual(['CreateNetworkInterface', 'CreateNetworkInterface']);
    expect(world.freeIpCount(world.idOf('subnet', 'nat-subnet-1a'))).toBe(256 - 5 - 2);
  });

  it('NAT connector reaches the VPC target and the internet with the NAT EIP', () => {
    const target = world.evaluateEgress(natConnector, http('10.0.0.126'));
    expect(target).toMatchObject({
      reachable: true,
      observedSourceIp: natConnector.privateIpAddress,
      responseStatus: 200,
    });
    if (target.reachable)
      expect(JSON.parse(target.responseBody)).toMatchObject({ source: 'vpc-target', host: 'ip-10-0-0-126' });

    const internet = world.evaluateEgress(natConnector, http('checkip.amazonaws.com'));
    expect(internet).toMatchObject({
      reachable: true,
      observedSourceIp: '203.0.113.25',
      responseBody: '203.0.113.25\n',
    });
  });

  it('isolated connector reaches the target across subnets and by private DNS name, but not the internet', () => {
    expect(world.evaluateEgress(isolatedConnector, http('10.0.0.126')).reachable).toBe(true);
    expect(
      world.evaluateEgress(isolatedConnector, http('ip-10-0-0-126.ap-northeast-1.compute.internal')),
    ).toMatchObject({
      reachable: true,
      resolvedIp: '10.0.0.126',
    });
    expect(world.evaluateEgress(isolatedConnector, http('checkip.amazonaws.com'))).toMatchObject({
      reachable: false,
      failure: 'timeout',
      resolvedIp: '198.51.100.20',
    });
  });

  it('unknown names fail DNS; private names need enableDnsSupport', () => {
    expect(world.evaluateEgress(natConnector, http('nowhere.invalid'))).toMatchObject({
      reachable: false,
      failure: 'dns',
    });
    const vpc = world.vpcs.get(world.idOf('vpc', 'microvms-egress-test'));
    if (vpc) vpc.enableDnsSupport = false;
    expect(world.evaluateEgress(natConnector, http('ip-10-0-0-126.ap-northeast-1.compute.internal'))).toMatchObject({
      failure: 'dns',
    });
    expect(world.evaluateEgress(natConnector, http('10.0.0.126')).reachable).toBe(true);
  });

  it('revoking the SG-to-SG rule times out; restoring it brings 200 back', () => {
    const targetSg = world.idOf('security-group', 'target-sg');
    const connectorSg = world.idOf('security-group', 'connector-sg');
    const permission = {
      ipProtocol: 'tcp',
      fromPort: 80,
      toPort: 80,
      ipRanges: [],
      groups: [{ groupId: connectorSg }],
    };
    const revoked = world.revokeSecurityGroupRules(
      { groupId: targetSg, egress: false, ipPermissions: [permission] },
      { caller: admin },
    );
    expect(revoked.ok).toBe(true);
    expect(world.evaluateEgress(natConnector, http('10.0.0.126'))).toMatchObject({
      reachable: false,
      failure: 'timeout',
    });
    // The isolated connector's own rule is untouched.
    expect(world.evaluateEgress(isolatedConnector, http('10.0.0.126')).reachable).toBe(true);

    world.authorizeSecurityGroupRules(
      { groupId: targetSg, egress: false, ipPermissions: [permission] },
      { caller: admin },
    );
    expect(world.evaluateEgress(natConnector, http('10.0.0.126')).reachable).toBe(true);
    expect(records.map((r) => r.eventName).slice(-2)).toEqual([
      'RevokeSecurityGroupIngress',
      'AuthorizeSecurityGroupIngress',
    ]);
  });

  it('deleting the NAT gateway blackholes internet egress but keeps the VPC path', () => {
    const deleted = world.deleteNatGateway(
      { natGatewayId: world.idOf('nat-gateway', 'regional-nat-gw') },
      { caller: admin },
    );
    expect(deleted.ok).toBe(true);
    expect(world.evaluateEgress(natConnector, http('checkip.amazonaws.com'))).toMatchObject({
      reachable: false,
      failure: 'timeout',
    });
    expect(world.evaluateEgress(natConnector, http('10.0.0.126')).reachable).toBe(true);
  });

  it('a default route to the NAT gateway in the isolated table breaches isolation (SG permitting)', () => {
    world.createRoute(
      {
        routeTableId: world.idOf('route-table', 'isolated-rt'),
        destinationCidrBlock: '0.0.0.0/0',
        target: { natGatewayId: world.idOf('nat-gateway', 'regional-nat-gw') },
      },
      { caller: admin },
    );
    // The connector-isolated-sg egress (10.0.0.0/16) is the remaining layer of defence…
    expect(world.evaluateEgress(isolatedConnector, http('checkip.amazonaws.com')).reachable).toBe(false);
    // …and an ENI with an open egress group now reaches the internet from the "isolated" subnet.
    const openEgress = connectorEni('isolated-subnet-1a', 'connector-sg');
    expect(world.evaluateEgress(openEgress, http('checkip.amazonaws.com'))).toMatchObject({
      reachable: true,
      observedSourceIp: '203.0.113.25',
    });
  });

  it('a NACL deny on the target subnet times out; the return path is checked too', () => {
    const acl = world.networkAclOfSubnet(world.idOf('subnet', 'nat-subnet-1a'));
    if (!acl) throw new Error('no NACL');
    const deny = {
      networkAclId: acl.networkAclId,
      ruleNumber: 50,
      protocol: '6',
      ruleAction: 'deny' as const,
      egress: false,
      cidrBlock: '10.0.1.0/24',
      portRange: { from: 80, to: 80 },
    };
    expect(world.putNetworkAclEntry(deny, false, { caller: admin }).ok).toBe(true);
    expect(world.evaluateEgress(isolatedConnector, http('10.0.0.126'))).toMatchObject({ failure: 'timeout' });
    // Same subnet: NACLs are not crossed.
    expect(world.evaluateEgress(natConnector, http('10.0.0.126')).reachable).toBe(true);

    world.deleteNetworkAclEntry({ networkAclId: acl.networkAclId, ruleNumber: 50, egress: false }, { caller: admin });
    const denyReturn = { ...deny, egress: true, portRange: { from: 1024, to: 65535 } };
    world.putNetworkAclEntry(denyReturn, false, { caller: admin });
    expect(world.evaluateEgress(isolatedConnector, http('10.0.0.126'))).toMatchObject({ failure: 'timeout' });
  });

  it('a closed port is refused once the SG admits it', () => {
    world.authorizeSecurityGroupRules(
      {
        groupId: world.idOf('security-group', 'target-sg'),
        egress: false,
        ipPermissions: [
          { ipProtocol: 'tcp', fromPort: 8080, toPort: 8080, ipRanges: [{ cidrIp: '10.0.0.0/16' }], groups: [] },
        ],
      },
      { caller: admin },
    );
    expect(world.evaluateEgress(natConnector, http('10.0.0.126', 8080))).toMatchObject({
      reachable: false,
      failure: 'refused',
    });
    // Without an SG rule the same port is silently dropped.
    expect(world.evaluateEgress(natConnector, http('10.0.0.126', 9090))).toMatchObject({ failure: 'timeout' });
  });

  it('source SG egress is enforced (connector-isolated-sg cannot leave the VPC even with a route)', () => {
    const groups = world.securityGroups.get(world.idOf('security-group', 'connector-isolated-sg'));
    expect(groups?.rules.filter((r) => r.isEgress).map((r) => r.cidrIpv4)).toEqual(['10.0.0.0/16']);
    const noEgress = { ...natConnector, securityGroupIds: [world.idOf('security-group', 'connector-isolated-sg')] };
    expect(world.evaluateEgress(noEgress, http('checkip.amazonaws.com'))).toMatchObject({ failure: 'timeout' });
  });
});
