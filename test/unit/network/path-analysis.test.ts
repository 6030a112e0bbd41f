/**
 * The path analyzer on hand-written snapshots: the parts the lab's ground truth does not model (gateway
 * endpoints via prefix lists, peering and transit gateways, blackhole routes, prefix-list SG rules) and the
 * promise to report EVERY blocker with its NACL rule number or security-group rule id.
 */
import { describe, expect, it } from 'vitest';
import type { NetworkSnapshot, RouteFact } from '../../../shared/domain/network-facts.js';
import { consistencyGaps, networkFactsOf } from '../../../shared/domain/network-facts.js';
import { PathAnalyzer } from '../../../shared/domain/path-analysis.js';

const S3_PL = 'pl-61a54008';

function snapshot(routes: RouteFact[], overrides: Partial<NetworkSnapshot> = {}): NetworkSnapshot {
  return {
    account: '111122223333',
    region: 'us-east-1',
    capturedAt: '2026-06-24T01:00:00.000Z',
    vpcs: [{ vpcId: 'vpc-1', cidrBlocks: ['10.0.0.0/16'], enableDnsSupport: true, enableDnsHostnames: true }],
    subnets: [
      {
        subnetId: 'subnet-a',
        vpcId: 'vpc-1',
        cidrBlock: '10.0.1.0/24',
        availabilityZone: 'us-east-1a',
        availabilityZoneId: 'use1-az1',
        availableIpAddressCount: 200,
      },
      {
        subnetId: 'subnet-b',
        vpcId: 'vpc-1',
        cidrBlock: '10.0.2.0/24',
        availabilityZone: 'us-east-1b',
        availabilityZoneId: 'use1-az2',
        availableIpAddressCount: 200,
      },
    ],
    routeTables: [
      {
        routeTableId: 'rtb-main',
        vpcId: 'vpc-1',
        associations: [{ routeTableAssociationId: 'rtbassoc-main', main: true }],
        routes: [
          { destinationCidrBlock: '10.0.0.0/16', targetKind: 'local', targetId: 'local', state: 'active' },
          ...routes,
        ],
      },
    ],
    securityGroups: [
      {
        groupId: 'sg-conn',
        groupName: 'conn',
        vpcId: 'vpc-1',
        rules: [
          {
            securityGroupRuleId: 'sgr-egress-all',
            groupId: 'sg-conn',
            isEgress: true,
            ipProtocol: '-1',
            fromPort: -1,
            toPort: -1,
            cidrIpv4: '0.0.0.0/0',
          },
        ],
      },
      {
        groupId: 'sg-db',
        groupName: 'db',
        vpcId: 'vpc-1',
        rules: [
          {
            securityGroupRuleId: 'sgr-db-from-conn',
            groupId: 'sg-db',
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            referencedGroupId: 'sg-conn',
          },
        ],
      },
    ],
    networkAcls: [
      {
        networkAclId: 'acl-default',
        vpcId: 'vpc-1',
        isDefault: true,
        entries: [
          { ruleNumber: 100, egress: true, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
          { ruleNumber: 32767, egress: true, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
          { ruleNumber: 100, egress: false, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' },
          { ruleNumber: 32767, egress: false, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' },
        ],
        associations: [
          { networkAclAssociationId: 'aclassoc-a', subnetId: 'subnet-a' },
          { networkAclAssociationId: 'aclassoc-b', subnetId: 'subnet-b' },
        ],
      },
    ],
    natGateways: [],
    internetGateways: [],
    vpcEndpoints: [],
    prefixLists: [{ prefixListId: S3_PL, prefixListName: 'com.amazonaws.us-east-1.s3', cidrs: ['52.216.0.0/15'] }],
    networkInterfaces: [
      {
        networkInterfaceId: 'eni-conn',
        subnetId: 'subnet-a',
        vpcId: 'vpc-1',
        availabilityZone: 'us-east-1a',
        privateIpAddresses: ['10.0.1.10'],
        securityGroupIds: ['sg-conn'],
        interfaceType: 'lambda',
        status: 'in-use',
        connectorId: 'nc-1',
      },
      {
        networkInterfaceId: 'eni-db',
        subnetId: 'subnet-b',
        vpcId: 'vpc-1',
        availabilityZone: 'us-east-1b',
        privateIpAddresses: ['10.0.2.20'],
        securityGroupIds: ['sg-db'],
        interfaceType: 'interface',
        status: 'in-use',
      },
    ],
    ...overrides,
  };
}

const tcp = (host: string, port: number) => ({ host, port, protocol: 'tcp' as const });

describe('path analysis', () => {
  it('admits the database through an SG-to-SG reference and shows the hops', () => {
    const out = new PathAnalyzer(snapshot([])).analyze('eni-conn', tcp('10.0.2.20', 5432));
    expect(out.verdict).toBe('reachable');
    expect(out.hops.map((h) => h.component)).toEqual([
      'network-interface',
      'security-group',
      'network-acl',
      'network-acl',
      'route-table',
      'network-acl',
      'network-acl',
      'security-group',
      'destination',
    ]);
    expect(out.hops.find((h) => h.id === 'sg-db')?.detail).toContain('sgr-db-from-conn');
  });

  it('reports every blocker: SG egress, the stateless return path on both NACLs, and the target SG', () => {
    const base = snapshot([]);
    const conn = base.securityGroups[0];
    const acl = base.networkAcls[0];
    if (!conn || !acl) throw new Error('fixture');
    conn.rules = [];
    acl.entries = [
      // Source side: request out is fine, but the reply (ephemeral port) is denied coming back in.
      {
        ruleNumber: 50,
        egress: false,
        protocol: '6',
        ruleAction: 'deny',
        cidrBlock: '10.0.2.0/24',
        portRange: { from: 1024, to: 65535 },
      },
      ...acl.entries,
    ];
    const out = new PathAnalyzer(base).analyze('eni-conn', tcp('10.0.2.20', 22));
    expect(out.verdict).toBe('blocked');
    expect(out.blockers.map((b) => [b.component, b.id, b.direction, b.ruleNumber ?? null])).toEqual([
      ['security-group', 'sg-conn', 'outbound', null],
      ['network-acl', 'acl-default', 'return-inbound', 50],
      ['security-group', 'sg-db', 'inbound', null],
    ]);
  });

  it('names the default * rule when no NACL entry matches', () => {
    const base = snapshot([]);
    const acl = base.networkAcls[0];
    if (!acl) throw new Error('fixture');
    acl.entries = acl.entries.filter((e) => e.ruleNumber === 32767);
    const out = new PathAnalyzer(base).analyze('eni-conn', tcp('10.0.2.20', 5432));
    const nacl = out.blockers.filter((b) => b.component === 'network-acl');
    expect(nacl.map((b) => [b.direction, b.ruleNumber])).toEqual([
      ['outbound', 32767],
      ['return-inbound', 32767],
      ['inbound', 32767],
      ['return-outbound', 32767],
    ]);
    expect(nacl[0]?.detail).toContain('rule *');
  });

  it('reaches S3 through a gateway endpoint route to its prefix list, and not when the endpoint is gone', () => {
    const route: RouteFact = {
      destinationPrefixListId: S3_PL,
      targetKind: 'vpc-endpoint',
      targetId: 'vpce-s3',
      state: 'active',
    };
    const endpoint = {
      vpcEndpointId: 'vpce-s3',
      vpcId: 'vpc-1',
      vpcEndpointType: 'Gateway',
      serviceName: 'com.amazonaws.us-east-1.s3',
      state: 'available',
      routeTableIds: ['rtb-main'],
      subnetIds: [],
      networkInterfaceIds: [],
      groupIds: [],
      privateDnsEnabled: false,
      dnsNames: [],
    };
    const ok = new PathAnalyzer(snapshot([route], { vpcEndpoints: [endpoint] })).analyze(
      'eni-conn',
      tcp('52.217.1.1', 443),
    );
    expect(ok.hops.some((h) => h.component === 'vpc-endpoint' && h.id === 'vpce-s3')).toBe(true);
    expect(ok.blockers).toEqual([]);
    const gone = new PathAnalyzer(snapshot([route], { vpcEndpoints: [] })).analyze('eni-conn', tcp('52.217.1.1', 443));
    expect(gone.blockers).toEqual([expect.objectContaining({ component: 'vpc-endpoint', id: 'vpce-s3' })]);
  });

  it('says unknown beyond peering and transit gateways, and blocked on a blackhole route', () => {
    const peering = new PathAnalyzer(
      snapshot([
        { destinationCidrBlock: '172.16.0.0/16', targetKind: 'vpc-peering', targetId: 'pcx-1', state: 'active' },
      ]),
    ).analyze('eni-conn', tcp('172.16.3.4', 443));
    expect(peering.verdict).toBe('unknown');
    expect(peering.unknowns[0]).toContain('pcx-1');
    const tgw = new PathAnalyzer(
      snapshot([
        { destinationCidrBlock: '0.0.0.0/0', targetKind: 'transit-gateway', targetId: 'tgw-1', state: 'active' },
      ]),
    ).analyze('eni-conn', tcp('8.8.8.8', 53));
    expect(tgw.verdict).toBe('unknown');
    const blackhole = new PathAnalyzer(
      snapshot([
        { destinationCidrBlock: '0.0.0.0/0', targetKind: 'nat-gateway', targetId: 'nat-gone', state: 'blackhole' },
      ]),
    ).analyze('eni-conn', tcp('8.8.8.8', 443));
    expect(blackhole.blockers).toEqual([
      expect.objectContaining({
        component: 'route-table',
        id: 'rtb-main',
        detail: expect.stringContaining('blackhole'),
      }),
    ]);
  });

  it('longest prefix wins: a /24 to a peering beats the default route to a NAT gateway', () => {
    const out = new PathAnalyzer(
      snapshot([
        { destinationCidrBlock: '0.0.0.0/0', targetKind: 'nat-gateway', targetId: 'nat-1', state: 'active' },
        { destinationCidrBlock: '192.168.5.0/24', targetKind: 'vpc-peering', targetId: 'pcx-9', state: 'active' },
      ]),
    ).analyze('eni-conn', tcp('192.168.5.7', 443));
    expect(out.hops.find((h) => h.component === 'route-table')?.detail).toContain('pcx-9');
  });

  it('DNS: support off blocks names; a public name without a resolver is unknown', () => {
    const off = snapshot([], {
      vpcs: [{ vpcId: 'vpc-1', cidrBlocks: ['10.0.0.0/16'], enableDnsSupport: false, enableDnsHostnames: false }],
    });
    const blocked = new PathAnalyzer(off).analyze('eni-conn', tcp('ip-10-0-2-20.ec2.internal', 5432));
    expect(blocked.blockers).toEqual([
      expect.objectContaining({ component: 'dns', detail: expect.stringContaining('enableDnsSupport=false') }),
    ]);
    expect(new PathAnalyzer(snapshot([])).analyze('eni-conn', tcp('example.com', 443)).verdict).toBe('unknown');
  });

  it('a connector ENI the facts do not hold is unknown; analyzeConnector takes the worst ENI', () => {
    const analyzer = new PathAnalyzer(snapshot([]));
    expect(analyzer.analyze('eni-missing', tcp('10.0.2.20', 5432)).verdict).toBe('unknown');
    expect(analyzer.analyzeConnector('nc-1', tcp('10.0.2.20', 5432)).verdict).toBe('reachable');
    expect(analyzer.analyzeConnector('nc-none', tcp('10.0.2.20', 5432)).verdict).toBe('unknown');
  });
});

describe('network facts', () => {
  it('derives the link maps (main table for unassociated subnets) and finds dangling references', () => {
    const s = snapshot([
      { destinationCidrBlock: '0.0.0.0/0', targetKind: 'nat-gateway', targetId: 'nat-x', state: 'active' },
    ]);
    const facts = networkFactsOf(s);
    expect(facts.routeTableOfSubnet).toEqual({ 'subnet-a': 'rtb-main', 'subnet-b': 'rtb-main' });
    expect(facts.networkAclOfSubnet['subnet-b']).toBe('acl-default');
    expect(consistencyGaps(s)).toEqual(['rtb-main routes to unknown nat-x']);
  });
});
