/**
 * Contract test: the official @aws-sdk/client-ec2 against the lab's EC2 emulator over loopback HTTP, with
 * the CloudTrail records the lab writes captured by a test sink.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclEntryCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  DeleteNatGatewayCommand,
  DeleteNetworkAclEntryCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  paginateDescribeNatGateways,
  paginateDescribeNetworkAcls,
  paginateDescribeNetworkInterfaces,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  ReplaceNetworkAclEntryCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createEc2Emulator } from '../../../lab/emulators/ec2.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import { NAT_GATEWAY_TRANSITION_MS, NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const CONNECTOR_PRINCIPAL = 'network-connectors.lambda.amazonaws.com';
const operator: CallerIdentity = {
  kind: 'assumed-role',
  account: ACCOUNT,
  roleName: 'NetworkConnectorOperatorRole',
  sessionName: '123456789012',
  invokedBy: CONNECTOR_PRINCIPAL,
};

let clock: VirtualClock;
let world: NetworkWorld;
let records: CloudTrailRecord[];
let served: ServedEmulator;
let ec2: EC2Client;

const id = (kind: string, name: string) => world.idOf(kind, name);
const lastRecord = (): CloudTrailRecord => {
  const record = records.at(-1);
  if (!record) throw new Error('no CloudTrail record');
  return record;
};

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

beforeAll(async () => {
  // One server for the file; each test swaps in a fresh world behind it.
  served = await serveEmulator((req) => createEc2Emulator(world, { callerFor: () => operator })(req));
  ec2 = new EC2Client({
    endpoint: served.endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  ec2.destroy();
  await served.close();
});

beforeEach(() => {
  clock = new VirtualClock('2026-06-24T01:00:00Z');
  records = [];
  world = NetworkWorld.fromSpec(articleNetworkSpec(), {
    clock,
    trail: { emit: (record) => records.push(record) },
    account: ACCOUNT,
    region: 'ap-northeast-1',
  });
});

describe('describe operations', () => {
  it('DescribeVpcs and DescribeVpcAttribute', async () => {
    const vpcId = id('vpc', 'microvms-egress-test');
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    expect(Vpcs).toEqual([
      expect.objectContaining({ VpcId: vpcId, CidrBlock: '10.0.0.0/16', State: 'available', OwnerId: ACCOUNT }),
    ]);
    expect(Vpcs?.[0]?.Tags).toEqual([{ Key: 'Name', Value: 'microvms-egress-test' }]);
    const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }));
    expect(dns.EnableDnsSupport?.Value).toBe(true);
    const hostnames = await ec2.send(
      new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
    );
    expect(hostnames.EnableDnsHostnames?.Value).toBe(true);
    expect((await errorOf(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000'] })))).name).toBe(
      'InvalidVpcID.NotFound',
    );
    expect(records).toEqual([]); // read-only calls are not recorded
  });

  it('DescribeSubnets with filters and free address counts', async () => {
    const { Subnets } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [id('vpc', 'microvms-egress-test')] },
          { Name: 'cidr-block', Values: ['10.0.1.*'] },
        ],
      }),
    );
    expect(Subnets).toHaveLength(1);
    expect(Subnets?.[0]).toMatchObject({
      SubnetId: id('subnet', 'isolated-subnet-1a'),
      AvailabilityZone: 'ap-northeast-1a',
      AvailabilityZoneId: 'apne1-az4',
      AvailableIpAddressCount: 251,
    });
  });

  it('DescribeRouteTables shows the NAT default route, associations and the main table', async () => {
    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [id('subnet', 'nat-subnet-1a')] }],
      }),
    );
    expect(RouteTables?.map((t) => t.RouteTableId)).toEqual([id('route-table', 'nat-rt')]);
    expect(RouteTables?.[0]?.Routes).toEqual([
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      {
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: id('nat-gateway', 'regional-nat-gw'),
        Origin: 'CreateRoute',
        State: 'active',
      },
    ]);
    expect(RouteTables?.[0]?.Associations?.[0]?.RouteTableAssociationId).toMatch(/^rtbassoc-/);
    const main = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(main.RouteTables).toHaveLength(1);
  });

  it('DescribeSecurityGroups and DescribeSecurityGroupRules show SG-to-SG references', async () => {
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['target-sg'] }] }),
    );
    const [target] = SecurityGroups ?? [];
    expect(target?.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 80,
        ToPort: 80,
        UserIdGroupPairs: [
          expect.objectContaining({ GroupId: id('security-group', 'connector-sg') }),
          expect.objectContaining({ GroupId: id('security-group', 'connector-isolated-sg') }),
        ],
      }),
    ]);
    const { SecurityGroupRules } = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [id('security-group', 'connector-isolated-sg')] }],
      }),
    );
    expect(SecurityGroupRules).toEqual([
      expect.objectContaining({ IsEgress: true, IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '10.0.0.0/16' }),
    ]);
    expect((await errorOf(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ['sg-nope'] })))).name).toBe(
      'InvalidGroup.NotFound',
    );
  });

  it('DescribeNetworkAcls and DescribeNatGateways', async () => {
    const { NetworkAcls } = await ec2.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'default', Values: ['true'] }] }),
    );
    expect(NetworkAcls?.[0]?.Entries).toContainEqual(
      expect.objectContaining({ RuleNumber: 32767, RuleAction: 'deny', Egress: false, Protocol: '-1' }),
    );
    expect(NetworkAcls?.[0]?.Associations).toHaveLength(2);
    const { NatGateways } = await ec2.send(new DescribeNatGatewaysCommand({}));
    expect(NatGateways).toEqual([
      expect.objectContaining({
        NatGatewayId: id('nat-gateway', 'regional-nat-gw'),
        State: 'available',
        AvailabilityMode: 'regional',
        NatGatewayAddresses: [expect.objectContaining({ PublicIp: '203.0.113.25' })],
      }),
    ]);
    expect((await errorOf(ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ['nat-0'] })))).name).toBe(
      'NatGatewayNotFound',
    );
  });

  it('rejects MaxResults below the minimum and unknown filters', async () => {
    expect((await errorOf(ec2.send(new DescribeVpcsCommand({ MaxResults: 2 })))).name).toBe('InvalidParameterValue');
    expect(
      (await errorOf(ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] }))))
        .name,
    ).toBe('InvalidParameterValue');
  });

  it('every paginator returns every item exactly once', async () => {
    const pageSize = { pageSize: 5, client: ec2 };
    const ids = async <T>(pages: AsyncIterable<T>, pick: (page: T) => (string | undefined)[] | undefined) =>
      (await collect(pages)).flatMap((page) => pick(page) ?? []).sort();
    const expected = (keys: Iterable<string>) => [...keys].sort();
    const ruleIds = [...world.securityGroups.values()].flatMap((g) => g.rules.map((r) => r.securityGroupRuleId));
    expect(ruleIds.length).toBeGreaterThan(5);
    expect(await ids(paginateDescribeVpcs(pageSize, {}), (p) => p.Vpcs?.map((x) => x.VpcId))).toEqual(
      expected(world.vpcs.keys()),
    );
    expect(await ids(paginateDescribeSubnets(pageSize, {}), (p) => p.Subnets?.map((x) => x.SubnetId))).toEqual(
      expected(world.subnets.keys()),
    );
    expect(
      await ids(paginateDescribeRouteTables(pageSize, {}), (p) => p.RouteTables?.map((x) => x.RouteTableId)),
    ).toEqual(expected(world.routeTables.keys()));
    expect(
      await ids(paginateDescribeSecurityGroups(pageSize, {}), (p) => p.SecurityGroups?.map((x) => x.GroupId)),
    ).toEqual(expected(world.securityGroups.keys()));
    expect(
      await ids(paginateDescribeSecurityGroupRules(pageSize, {}), (p) =>
        p.SecurityGroupRules?.map((x) => x.SecurityGroupRuleId),
      ),
    ).toEqual(expected(ruleIds));
    expect(
      await ids(paginateDescribeNetworkAcls(pageSize, {}), (p) => p.NetworkAcls?.map((x) => x.NetworkAclId)),
    ).toEqual(expected(world.networkAcls.keys()));
    expect(
      await ids(paginateDescribeNatGateways(pageSize, {}), (p) => p.NatGateways?.map((x) => x.NatGatewayId)),
    ).toEqual(expected(world.natGateways.keys()));
  });
});

describe('network interfaces', () => {
  async function createConnectorEni(n: number, dryRun = false) {
    return ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: id('subnet', n % 2 ? 'isolated-subnet-1a' : 'nat-subnet-1a'),
        Groups: [id('security-group', n % 2 ? 'connector-isolated-sg' : 'connector-sg')],
        Description: `connector ENI ${n}`,
        Operator: { Principal: CONNECTOR_PRINCIPAL },
        TagSpecifications: [
          {
            ResourceType: 'network-interface',
            Tags: [
              { Key: 'aws:lambda:networkConnectorId', Value: `nc-${n}` },
              { Key: 'aws:lambda:networkConnectorName', Value: `connector-${n}` },
            ],
          },
        ],
        DryRun: dryRun,
      }),
    );
  }

  it('dry run records Client.DryRunOperation and creates nothing', async () => {
    const failure = await errorOf(createConnectorEni(0, true));
    expect(failure).toEqual({ name: 'DryRunOperation', status: 412 });
    expect(lastRecord()).toMatchObject({
      eventName: 'CreateNetworkInterface',
      eventSource: 'ec2.amazonaws.com',
      errorCode: 'Client.DryRunOperation',
      errorMessage: 'Request would have succeeded, but DryRun flag is set.',
      responseElements: null,
      requestParameters: expect.objectContaining({ dryRun: true }),
    });
    expect(world.networkInterfaces.size).toBe(1);
  });

  it('create records the connector ENI; managed ENIs are hidden unless IncludeManagedResources', async () => {
    const { NetworkInterface: eni } = await createConnectorEni(0);
    expect(eni).toMatchObject({
      Status: 'pending',
      PrivateIpAddress: '10.0.0.4',
      Operator: { Managed: true, Principal: CONNECTOR_PRINCIPAL },
    });
    const record = lastRecord();
    expect(record.userIdentity).toMatchObject({ type: 'AssumedRole', invokedBy: CONNECTOR_PRINCIPAL });
    expect(record.requestParameters).toMatchObject({
      subnetId: id('subnet', 'nat-subnet-1a'),
      groupSet: { items: [{ groupId: id('security-group', 'connector-sg') }] },
      tagSpecificationSet: {
        items: [
          {
            resourceType: 'network-interface',
            tags: expect.arrayContaining([{ key: 'aws:lambda:networkConnectorId', value: 'nc-0' }]),
          },
        ],
      },
      operator: { principal: CONNECTOR_PRINCIPAL },
    });
    expect(record.responseElements).toMatchObject({
      requestId: record.requestID,
      networkInterface: {
        networkInterfaceId: eni?.NetworkInterfaceId,
        groupSet: { items: [{ groupId: id('security-group', 'connector-sg'), groupName: 'connector-sg' }] },
        operator: { managed: true, principal: CONNECTOR_PRINCIPAL },
      },
    });

    const hidden = await ec2.send(new DescribeNetworkInterfacesCommand({}));
    expect(hidden.NetworkInterfaces?.map((n) => n.NetworkInterfaceId)).toEqual([id('network-interface', 'target')]);
    const byId = await errorOf(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni?.NetworkInterfaceId ?? ''] })),
    );
    expect(byId.name).toBe('InvalidNetworkInterfaceID.NotFound');
    const shown = await ec2.send(
      new DescribeNetworkInterfacesCommand({
        NetworkInterfaceIds: [eni?.NetworkInterfaceId ?? ''],
        IncludeManagedResources: true,
      }),
    );
    expect(shown.NetworkInterfaces?.[0]?.TagSet).toContainEqual({
      Key: 'aws:lambda:networkConnectorName',
      Value: 'connector-0',
    });
  });

  it('paginates and filters ENIs', async () => {
    for (let n = 0; n < 12; n++) await createConnectorEni(n);
    const pages = await collect(
      paginateDescribeNetworkInterfaces({ client: ec2, pageSize: 5 }, { IncludeManagedResources: true }),
    );
    expect(pages.map((p) => p.NetworkInterfaces?.length)).toEqual([5, 5, 3]);
    const ids = pages.flatMap((p) => p.NetworkInterfaces?.map((n) => n.NetworkInterfaceId) ?? []);
    expect(new Set(ids).size).toBe(13);
    expect(ids).toEqual([...world.networkInterfaces.keys()]);

    const count = async (name: string, values: string[], includeManaged = true) =>
      (
        await ec2.send(
          new DescribeNetworkInterfacesCommand({
            IncludeManagedResources: includeManaged,
            Filters: [{ Name: name, Values: values }],
          }),
        )
      ).NetworkInterfaces?.length;
    expect(await count('tag:aws:lambda:networkConnectorId', ['nc-3', 'nc-4'])).toBe(2);
    expect(await count('tag-key', ['aws:lambda:networkConnectorId'])).toBe(12);
    expect(await count('operator.managed', ['true'])).toBe(12);
    expect(await count('operator.managed', ['false'])).toBe(1);
    expect(await count('operator.principal', [CONNECTOR_PRINCIPAL])).toBe(12);
    expect(await count('subnet-id', [id('subnet', 'isolated-subnet-1a')])).toBe(6);
    expect(await count('vpc-id', [id('vpc', 'microvms-egress-test')])).toBe(13);
    expect(await count('group-id', [id('security-group', 'target-sg')])).toBe(1);
    expect(await count('interface-type', ['interface'])).toBe(13);
    expect(await count('description', ['connector ENI 1*'])).toBe(3);
    expect(await count('status', ['in-use'])).toBe(13);
    expect(await count('network-interface-id', [ids[4] ?? ''])).toBe(1);
    expect(await count('tag-key', ['aws:lambda:networkConnectorId'], false)).toBe(0);
  });

  it('delete records _return and an unknown id fails with the CloudTrail error code', async () => {
    const { NetworkInterface: eni } = await createConnectorEni(0);
    await ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni?.NetworkInterfaceId }));
    expect(lastRecord()).toMatchObject({
      eventName: 'DeleteNetworkInterface',
      requestParameters: { networkInterfaceId: eni?.NetworkInterfaceId },
      responseElements: { _return: true },
    });
    const failure = await errorOf(ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-0000' })));
    expect(failure).toEqual({ name: 'InvalidNetworkInterfaceID.NotFound', status: 400 });
    expect(lastRecord()).toMatchObject({
      errorCode: 'Client.InvalidNetworkInterfaceID.NotFound',
      responseElements: null,
    });
    expect((await errorOf(createConnectorEniInUnknownSubnet())).name).toBe('InvalidSubnetID.NotFound');
  });

  function createConnectorEniInUnknownSubnet() {
    return ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: 'subnet-0000', Groups: [] }));
  }
});

describe('security-group mutations', () => {
  it('authorize (SG reference), duplicate, revoke by rule id, revoke missing', async () => {
    const targetSg = id('security-group', 'target-sg');
    const probeSg = id('security-group', 'connector-sg');
    const permission = {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      UserIdGroupPairs: [{ GroupId: probeSg, Description: 'canary' }],
    };
    const added = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: targetSg, IpPermissions: [permission] }),
    );
    expect(added.Return).toBe(true);
    const ruleId = added.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? '';
    expect(added.SecurityGroupRules?.[0]).toMatchObject({ IsEgress: false, ReferencedGroupInfo: { GroupId: probeSg } });
    expect(lastRecord()).toMatchObject({
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: {
        groupId: targetSg,
        ipPermissions: {
          items: [
            {
              ipProtocol: 'tcp',
              fromPort: 8080,
              toPort: 8080,
              groups: { items: [{ groupId: probeSg, description: 'canary' }] },
            },
          ],
        },
      },
      responseElements: {
        _return: true,
        securityGroupRuleSet: {
          items: [expect.objectContaining({ securityGroupRuleId: ruleId, referencedGroupInfo: expect.any(Object) })],
        },
      },
    });

    const duplicate = await errorOf(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: targetSg, IpPermissions: [permission] })),
    );
    expect(duplicate.name).toBe('InvalidPermission.Duplicate');
    expect(lastRecord().errorCode).toBe('Client.InvalidPermission.Duplicate');

    const revoked = await ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: targetSg, SecurityGroupRuleIds: [ruleId] }),
    );
    expect(revoked.RevokedSecurityGroupRules?.map((r) => r.SecurityGroupRuleId)).toEqual([ruleId]);
    expect(lastRecord().responseElements).toMatchObject({
      _return: true,
      revokedSecurityGroupRuleSet: {
        items: [expect.objectContaining({ securityGroupRuleId: ruleId, referencedGroupId: probeSg })],
      },
    });
    const missing = await errorOf(
      ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: targetSg, IpPermissions: [permission] })),
    );
    expect(missing.name).toBe('InvalidPermission.NotFound');

    const unknownGroup = await errorOf(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0000', IpPermissions: [permission] })),
    );
    expect(unknownGroup.name).toBe('InvalidGroup.NotFound');
    expect(lastRecord()).toMatchObject({ errorCode: 'Client.InvalidGroup.NotFound', responseElements: null });
  });

  it('egress authorize/revoke by IpPermissions, dry run, and ModifySecurityGroupRules', async () => {
    const sg = id('security-group', 'connector-isolated-sg');
    const https = { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const dry = await errorOf(
      ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [https], DryRun: true })),
    );
    expect(dry.name).toBe('DryRunOperation');
    expect(lastRecord()).toMatchObject({
      eventName: 'AuthorizeSecurityGroupEgress',
      errorCode: 'Client.DryRunOperation',
    });
    const added = await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: sg, IpPermissions: [https] }));
    const ruleId = added.SecurityGroupRules?.[0]?.SecurityGroupRuleId ?? '';

    await ec2.send(
      new ModifySecurityGroupRulesCommand({
        GroupId: sg,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: ruleId,
            SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIpv4: '10.0.0.0/16' },
          },
        ],
      }),
    );
    expect(lastRecord()).toMatchObject({
      eventName: 'ModifySecurityGroupRules',
      requestParameters: {
        ModifySecurityGroupRulesRequest: {
          GroupId: sg,
          SecurityGroupRule: {
            SecurityGroupRuleId: ruleId,
            SecurityGroupRule: { IpProtocol: 'tcp', CidrIpv4: '10.0.0.0/16' },
          },
        },
      },
      responseElements: { ModifySecurityGroupRulesResponse: { return: true } },
    });
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ruleId] }));
    expect(rules.SecurityGroupRules?.[0]?.CidrIpv4).toBe('10.0.0.0/16');

    await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: sg,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
      }),
    );
    expect(lastRecord()).toMatchObject({ eventName: 'RevokeSecurityGroupEgress', responseElements: { _return: true } });
    const unknownRule = await errorOf(
      ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: sg, SecurityGroupRuleIds: ['sgr-0000'] })),
    );
    expect(unknownRule.name).toBe('InvalidSecurityGroupRuleId.NotFound');
  });
});

describe('route, NAT gateway and NACL mutations', () => {
  it('CreateRoute / ReplaceRoute / DeleteRoute / ReplaceRouteTableAssociation', async () => {
    const isolated = id('route-table', 'isolated-rt');
    const nat = id('nat-gateway', 'regional-nat-gw');
    await ec2.send(
      new CreateRouteCommand({ RouteTableId: isolated, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }),
    );
    expect(lastRecord()).toMatchObject({
      eventName: 'CreateRoute',
      requestParameters: { routeTableId: isolated, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat },
      responseElements: { _return: true },
    });
    const again = await errorOf(
      ec2.send(
        new CreateRouteCommand({ RouteTableId: isolated, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }),
      ),
    );
    expect(again.name).toBe('RouteAlreadyExists');
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: isolated,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: id('internet-gateway', 'igw'),
      }),
    );
    expect(lastRecord().eventName).toBe('ReplaceRoute');
    await ec2.send(new DeleteRouteCommand({ RouteTableId: isolated, DestinationCidrBlock: '0.0.0.0/0' }));
    const gone = await errorOf(
      ec2.send(new DeleteRouteCommand({ RouteTableId: isolated, DestinationCidrBlock: '0.0.0.0/0' })),
    );
    expect(gone.name).toBe('InvalidRoute.NotFound');
    const badTable = await errorOf(
      ec2.send(
        new CreateRouteCommand({ RouteTableId: 'rtb-0000', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }),
      ),
    );
    expect(badTable.name).toBe('InvalidRouteTableID.NotFound');

    const { RouteTables } = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [isolated] }));
    const associationId = RouteTables?.[0]?.Associations?.[0]?.RouteTableAssociationId ?? '';
    const moved = await ec2.send(
      new ReplaceRouteTableAssociationCommand({
        AssociationId: associationId,
        RouteTableId: id('route-table', 'nat-rt'),
      }),
    );
    expect(moved.NewAssociationId).toMatch(/^rtbassoc-/);
    expect(moved.AssociationState?.State).toBe('associated');
    expect(lastRecord()).toMatchObject({
      eventName: 'ReplaceRouteTableAssociation',
      requestParameters: { associationId, routeTableId: id('route-table', 'nat-rt') },
      responseElements: { newAssociationId: moved.NewAssociationId },
    });
    expect(world.routeTableOfSubnet(id('subnet', 'isolated-subnet-1a'))?.routeTableId).toBe(
      id('route-table', 'nat-rt'),
    );
  });

  it('DeleteNatGateway and CreateNatGateway follow the clock', async () => {
    const nat = id('nat-gateway', 'regional-nat-gw');
    const deleted = await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
    expect(deleted.NatGatewayId).toBe(nat);
    expect(lastRecord()).toMatchObject({
      eventName: 'DeleteNatGateway',
      requestParameters: { DeleteNatGatewayRequest: { NatGatewayId: nat } },
      responseElements: { DeleteNatGatewayResponse: { natGatewayId: nat } },
    });
    const routes = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [id('route-table', 'nat-rt')] }));
    expect(routes.RouteTables?.[0]?.Routes?.[1]?.State).toBe('blackhole');
    expect((await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat] }))).NatGateways?.[0]?.State).toBe(
      'deleting',
    );

    const created = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: id('subnet', 'nat-subnet-1a'),
        AllocationId: id('elastic-ip', 'spare-eip'),
      }),
    );
    const newId = created.NatGateway?.NatGatewayId ?? '';
    expect(created.NatGateway).toMatchObject({ State: 'pending', SubnetId: id('subnet', 'nat-subnet-1a') });
    expect(lastRecord()).toMatchObject({
      eventName: 'CreateNatGateway',
      responseElements: { CreateNatGatewayResponse: expect.any(Object) },
    });
    await clock.advanceBy(NAT_GATEWAY_TRANSITION_MS);
    const after = await ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['available', 'deleted'] }] }),
    );
    expect(after.NatGateways?.map((n) => [n.NatGatewayId, n.State])).toEqual([
      [nat, 'deleted'],
      [newId, 'available'],
    ]);
    const reused = await errorOf(
      ec2.send(
        new CreateNatGatewayCommand({
          SubnetId: id('subnet', 'nat-subnet-1a'),
          AllocationId: id('elastic-ip', 'spare-eip'),
        }),
      ),
    );
    expect(reused.name).toBe('Resource.AlreadyAssociated');
    expect((await errorOf(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0000' })))).name).toBe(
      'NatGatewayNotFound',
    );
  });

  it('CreateNetworkAclEntry / ReplaceNetworkAclEntry / DeleteNetworkAclEntry', async () => {
    const acl = world.networkAclOfSubnet(id('subnet', 'nat-subnet-1a'))?.networkAclId ?? '';
    const entry = {
      NetworkAclId: acl,
      RuleNumber: 90,
      Protocol: '6',
      RuleAction: 'deny' as const,
      Egress: false,
      CidrBlock: '10.0.1.0/24',
      PortRange: { From: 80, To: 80 },
    };
    await ec2.send(new CreateNetworkAclEntryCommand(entry));
    expect(lastRecord()).toMatchObject({
      eventName: 'CreateNetworkAclEntry',
      requestParameters: {
        networkAclId: acl,
        ruleNumber: 90,
        protocol: '6',
        ruleAction: 'deny',
        egress: false,
        portRange: { from: 80, to: 80 },
      },
      responseElements: { _return: true },
    });
    expect((await errorOf(ec2.send(new CreateNetworkAclEntryCommand(entry)))).name).toBe(
      'NetworkAclEntryAlreadyExists',
    );
    await ec2.send(new ReplaceNetworkAclEntryCommand({ ...entry, RuleAction: 'allow' }));
    const { NetworkAcls } = await ec2.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [acl] }));
    expect(NetworkAcls?.[0]?.Entries).toContainEqual(
      expect.objectContaining({ RuleNumber: 90, RuleAction: 'allow', PortRange: { From: 80, To: 80 } }),
    );
    await ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 90, Egress: false }));
    const gone = await errorOf(
      ec2.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: acl, RuleNumber: 90, Egress: false })),
    );
    expect(gone.name).toBe('InvalidNetworkAclEntry.NotFound');
    const dry = await errorOf(ec2.send(new CreateNetworkAclEntryCommand({ ...entry, DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(lastRecord()).toMatchObject({
      errorCode: 'Client.DryRunOperation',
      requestParameters: expect.objectContaining({ dryRun: true }),
    });
  });
});
