/**
 * Contract test: the lab's DNS-attribute, VPC-endpoint and NAT-address mutations through the official
 * @aws-sdk/client-ec2 over loopback HTTP, each with its CloudTrail record, and seen by the facts adapter.
 */
import {
  AssociateNatGatewayAddressCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNatGatewaysCommand,
  DescribeVpcAttributeCommand,
  DisassociateNatGatewayAddressCommand,
  EC2Client,
  ModifyVpcAttributeCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { createEc2Emulator } from '../../../lab/emulators/ec2.js';
import type { CallerIdentity, CloudTrailRecord } from '../../../lab/trail/record.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import { articleNetworkSpec } from '../../../lab/world/network-spec.js';
import { Ec2NetworkFactsSource } from '../../../shared/aws/ec2-network-facts.js';
import { type ServedEmulator, serveEmulator } from '../../support/serve-emulator.js';

const ACCOUNT = '111122223333';
const REGION = 'ap-northeast-1';
const admin: CallerIdentity = { kind: 'user', account: ACCOUNT, userName: 'admin' };

let world: NetworkWorld;
let served: ServedEmulator;
let ec2: EC2Client;
const records: CloudTrailRecord[] = [];
const last = () => records.at(-1) as CloudTrailRecord;

beforeAll(async () => {
  world = NetworkWorld.fromSpec(articleNetworkSpec(), {
    clock: new VirtualClock('2026-06-24T01:00:00Z'),
    trail: { emit: (r) => records.push(r) },
    account: ACCOUNT,
    region: REGION,
  });
  served = await serveEmulator(createEc2Emulator(world, { callerFor: () => admin }));
  ec2 = new EC2Client({
    region: REGION,
    endpoint: served.endpoint,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
});

afterAll(async () => {
  ec2.destroy();
  await served.close();
});

describe('lab EC2: DNS attributes, VPC endpoints, NAT gateway addresses', () => {
  it('ModifyVpcAttribute switches DNS support off and records it', async () => {
    const VpcId = world.idOf('vpc', 'microvms-egress-test');
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: false } }));
    expect(last()).toMatchObject({
      eventName: 'ModifyVpcAttribute',
      requestParameters: { vpcId: VpcId, enableDnsSupport: { value: false } },
    });
    const attr = await ec2.send(new DescribeVpcAttributeCommand({ VpcId, Attribute: 'enableDnsSupport' }));
    expect(attr.EnableDnsSupport?.Value).toBe(false);
    // Hostnames cannot be on without DNS support.
    await expect(
      ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } })),
    ).rejects.toThrow(/enableDnsHostnames/);
    expect(last().errorCode).toBe('Client.InvalidParameterValue');
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: true } }));
  });

  it('CreateVpcEndpoint places an ENI per subnet; the facts see it; DeleteVpcEndpoints removes both', async () => {
    const VpcId = world.idOf('vpc', 'microvms-egress-test');
    const created = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId,
        ServiceName: `com.amazonaws.${REGION}.ssm`,
        VpcEndpointType: 'Interface',
        SubnetIds: [world.idOf('subnet', 'isolated-subnet-1a')],
        SecurityGroupIds: [world.idOf('security-group', 'target-sg')],
        PrivateDnsEnabled: true,
      }),
    );
    const endpoint = created.VpcEndpoint;
    expect(endpoint?.VpcEndpointId).toMatch(/^vpce-/);
    expect(endpoint?.NetworkInterfaceIds).toHaveLength(1);
    expect(last()).toMatchObject({
      eventName: 'CreateVpcEndpoint',
      requestParameters: { CreateVpcEndpointRequest: { VpcId, VpcEndpointType: 'Interface' } },
    });

    const facts = await new Ec2NetworkFactsSource(ec2).describeNetwork({ account: ACCOUNT, region: REGION });
    expect(facts.vpcEndpoints).toEqual([
      expect.objectContaining({
        vpcEndpointId: endpoint?.VpcEndpointId,
        privateDnsEnabled: true,
        dnsNames: expect.arrayContaining([`ssm.${REGION}.amazonaws.com`]),
      }),
    ]);

    const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpoint?.VpcEndpointId ?? ''] }));
    expect(deleted.Unsuccessful ?? []).toEqual([]);
    expect(world.vpcEndpoints.size).toBe(0);
    expect(world.networkInterfaces.has(endpoint?.NetworkInterfaceIds?.[0] ?? '')).toBe(false);
    expect(last().eventName).toBe('DeleteVpcEndpoints');
  });

  it('moves the NAT gateway to another Elastic IP (disassociate, associate), each recorded', async () => {
    const [nat] = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways ?? [];
    const address = nat?.NatGatewayAddresses?.[0];
    expect(address?.AssociationId).toMatch(/^eipassoc-/);
    await ec2.send(
      new DisassociateNatGatewayAddressCommand({
        NatGatewayId: nat?.NatGatewayId,
        AssociationIds: [address?.AssociationId ?? ''],
      }),
    );
    expect(last().eventName).toBe('DisassociateNatGatewayAddress');
    const allocationId = address?.AllocationId ?? '';
    await ec2.send(
      new AssociateNatGatewayAddressCommand({ NatGatewayId: nat?.NatGatewayId, AllocationIds: [allocationId] }),
    );
    expect(last()).toMatchObject({ eventName: 'AssociateNatGatewayAddress' });
    const again = (await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways?.[0];
    expect(again?.NatGatewayAddresses?.[0]?.PublicIp).toBe(address?.PublicIp);
  });
});
