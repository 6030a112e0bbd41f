/**
 * The EC2 facts adapter with aws-sdk-client-mock: route targets and states, IGW attachments reported as
 * "available", connector ENIs found by tag with IncludeManagedResources, DNS attributes, endpoint names.
 */
import {
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkAclsCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { Ec2NetworkFactsSource, privateDnsNameOfService, routeFact } from '../../../shared/aws/ec2-network-facts.js';

describe('EC2 network facts adapter', () => {
  it('classifies route targets and keeps blackholes', () => {
    expect(routeFact({ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' })).toMatchObject({
      targetKind: 'local',
    });
    expect(routeFact({ DestinationPrefixListId: 'pl-1', GatewayId: 'vpce-1', State: 'active' })).toEqual({
      destinationPrefixListId: 'pl-1',
      targetKind: 'vpc-endpoint',
      targetId: 'vpce-1',
      state: 'active',
    });
    expect(routeFact({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1', State: 'blackhole' })).toMatchObject({
      targetKind: 'nat-gateway',
      state: 'blackhole',
    });
    expect(routeFact({ DestinationCidrBlock: '172.16.0.0/12', TransitGatewayId: 'tgw-1' })?.targetKind).toBe(
      'transit-gateway',
    );
    expect(routeFact({ DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: 'eigw-1' })).toBeNull();
    expect(privateDnsNameOfService('com.amazonaws.eu-west-1.ssm', 'eu-west-1')).toBe('ssm.eu-west-1.amazonaws.com');
    expect(privateDnsNameOfService('com.amazonaws.vpce.eu-west-1.vpce-svc-1', 'eu-west-1')).toBeNull();
  });

  it('reads connector ENIs with IncludeManagedResources and the tag filter, then the ENIs of their VPCs', async () => {
    const ec2 = new EC2Client({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(ec2);
    mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16' }] });
    mock
      .on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' })
      .resolves({ EnableDnsSupport: { Value: false } });
    mock
      .on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' })
      .resolves({ EnableDnsHostnames: { Value: false } });
    mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    mock.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    mock.on(DescribeNetworkAclsCommand).resolves({ NetworkAcls: [] });
    mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    mock.on(DescribeInternetGatewaysCommand).resolves({
      InternetGateways: [
        { InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' as never }] },
      ],
    });
    mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        {
          VpcEndpointId: 'vpce-1',
          VpcId: 'vpc-1',
          VpcEndpointType: 'Interface',
          ServiceName: 'com.amazonaws.eu-west-1.ssm',
          State: 'Available',
          PrivateDnsEnabled: true,
          DnsEntries: [{ DnsName: 'VPCE-1.SSM.eu-west-1.vpce.amazonaws.com' }],
        },
      ],
    });
    mock.on(DescribePrefixListsCommand).resolves({ PrefixLists: [] });
    const connectorEni = {
      NetworkInterfaceId: 'eni-c',
      VpcId: 'vpc-1',
      SubnetId: 'subnet-1',
      PrivateIpAddress: '10.0.0.5',
      TagSet: [{ Key: 'aws:lambda:networkConnectorId', Value: 'nc-1' }],
    };
    mock
      .on(DescribeNetworkInterfacesCommand, {
        Filters: [{ Name: 'tag-key', Values: ['aws:lambda:networkConnectorId'] }],
      })
      .resolves({ NetworkInterfaces: [connectorEni] });
    mock.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] }).resolves({
      NetworkInterfaces: [connectorEni, { NetworkInterfaceId: 'eni-t', VpcId: 'vpc-1', SubnetId: 'subnet-1' }],
    });
    // Lambda Hyperplane ENIs of every VPC (here one in a VPC without connectors).
    mock.on(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'interface-type', Values: ['lambda'] }] }).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-h',
          VpcId: 'vpc-2',
          SubnetId: 'subnet-9',
          InterfaceType: 'lambda',
          Status: 'in-use',
          Description: 'AWS Lambda VPC ENI-orders-api-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04',
          RequesterId: 'AROAEXAMPLE:awslambda_571',
          RequesterManaged: false,
          Groups: [{ GroupId: 'sg-9' }],
          Attachment: {
            AttachmentId: 'ela-attach-0abc',
            InstanceOwnerId: 'amazon-aws',
            Status: 'attached',
            AttachTime: new Date('2026-07-02T08:01:00.000Z'),
          },
        },
      ],
    });

    const body = await new Ec2NetworkFactsSource(ec2).describeNetwork({ account: '111122223333', region: 'eu-west-1' });

    const eniCalls = mock.commandCalls(DescribeNetworkInterfacesCommand);
    expect(eniCalls.every((c) => c.args[0].input.IncludeManagedResources === true)).toBe(true);
    expect(body.networkInterfaces.map((e) => [e.networkInterfaceId, e.connectorId ?? null])).toEqual([
      ['eni-c', 'nc-1'],
      ['eni-t', null],
      ['eni-h', null],
    ]);
    expect(body.networkInterfaces[2]).toMatchObject({
      interfaceType: 'lambda',
      status: 'in-use',
      securityGroupIds: ['sg-9'],
      description: 'AWS Lambda VPC ENI-orders-api-6f1c2d7e-8a41-4b0e-9c3d-2a5b7e9f1c04',
      requesterId: 'AROAEXAMPLE:awslambda_571',
      attachment: {
        attachmentId: 'ela-attach-0abc',
        instanceOwnerId: 'amazon-aws',
        status: 'attached',
        attachTime: '2026-07-02T08:01:00.000Z',
      },
    });
    expect(body.networkInterfaces[2]).not.toHaveProperty('requesterManaged');
    expect(body.vpcs).toEqual([
      { vpcId: 'vpc-1', cidrBlocks: ['10.0.0.0/16'], enableDnsSupport: false, enableDnsHostnames: false },
    ]);
    expect(body.internetGateways).toEqual([{ internetGatewayId: 'igw-1', attachedVpcIds: ['vpc-1'] }]);
    expect(body.vpcEndpoints[0]).toMatchObject({
      state: 'available',
      dnsNames: ['vpce-1.ssm.eu-west-1.vpce.amazonaws.com', 'ssm.eu-west-1.amazonaws.com'],
    });
    ec2.destroy();
  });
});
