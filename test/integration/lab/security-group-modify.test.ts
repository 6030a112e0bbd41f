/**
 * ModifySecurityGroupRules end to end on the lab (docs/projection.md#security-group-rules): a target group's
 * rule authorized from the connector's group is modified by its sgr- id to reference another group. The record
 * carries only the new content; the fold remembers the rule from the authorize response and links the change
 * to the connector, saying what the rule was. DynamoDB Local underneath.
 */
import { describe, expect, it } from 'vitest';
import { playScenario } from '../../../lab/scenarios/runner.js';
import { ScenarioSchema } from '../../../lab/scenarios/scenario-file.js';
import { playScenarioTable } from '../../support/play-scenario.js';

const scenario = ScenarioSchema.parse({
  name: 'sg-modify',
  title: 'A rule moved off the connector group by ModifySecurityGroupRules',
  description: 'test scenario',
  account: '111122223333',
  region: 'ap-northeast-1',
  start: '2026-07-02T09:00:00Z',
  network: 'article',
  actors: { alice: { role: 'PlatformAdmin', session: 'alice' }, bob: { role: 'NetworkTeam', session: 'bob' } },
  steps: [
    {
      at: '0s',
      as: 'alice',
      call: 'lambdaCore.createNetworkConnector',
      with: {
        Name: 'orders-egress',
        Configuration: {
          VpcEgressConfiguration: {
            SubnetIds: [`\${subnet:nat-subnet-1a}`],
            SecurityGroupIds: [`\${sg:connector-sg}`],
            NetworkProtocol: 'IPv4',
            AssociatedComputeResourceTypes: ['MicroVm'],
          },
        },
        OperatorRole: `arn:aws:iam::\${account}:role/NetworkConnectorOperatorRole`,
      },
    },
    {
      at: '6m',
      as: 'bob',
      call: 'ec2.AuthorizeSecurityGroupIngress',
      with: {
        GroupId: `\${sg:target-sg}`,
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: `\${sg:connector-sg}` }] },
        ],
      },
      save: 'auth',
    },
    {
      at: '10m',
      as: 'bob',
      say: 'the rule now admits the isolated connector group instead',
      call: 'ec2.ModifySecurityGroupRules',
      with: {
        GroupId: `\${sg:target-sg}`,
        SecurityGroupRules: [
          {
            SecurityGroupRuleId: `\${auth.SecurityGroupRules.0.SecurityGroupRuleId}`,
            SecurityGroupRule: {
              IpProtocol: 'tcp',
              FromPort: 5432,
              ToPort: 5432,
              ReferencedGroupId: `\${sg:connector-isolated-sg}`,
            },
          },
        ],
      },
    },
  ],
  expect: { open: ['network-path-changed'], resolved: [] },
});

describe('lab: ModifySecurityGroupRules moving a rule off the connector group', () => {
  it('links the modify to the connector and says what the rule was', async () => {
    const result = await playScenario({ scenario, ...(await playScenarioTable('sg-modify')) });
    expect(result.steps.filter((s) => !s.outcome.ok).map((s) => s.outcome.detail)).toEqual([]);
    const connectorSg = result.lab.network.idOf('security-group', 'connector-sg');
    const modified = result.findings.find((f) => f.rule === 'network-path-changed' && f.summary.includes('modified'));
    expect(modified?.summary).toContain(`(was ingress tcp/5432 from ${connectorSg})`);
    expect(result.connectors.find((c) => c.id === modified?.connectorId)?.name).toBe('orders-egress');
  }, 300_000);
});
