import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLifecycle } from '../../../shared/domain/connector-lifecycle.js';
import type { NetworkFacts, NormalizedEvent } from '../../../shared/domain/model.js';
import type { NetworkSnapshot, SecurityGroupFact } from '../../../shared/domain/network-facts.js';
import {
  DEFAULT_RECONCILE_SETTINGS,
  type JudgeInput,
  judgeReconcile,
  type ObservedConnector,
  type ReconcileNetwork,
} from '../../../shared/domain/reconcile-judge.js';
import {
  ACCOUNT,
  assumedRole,
  at,
  cloneFixture,
  connectorArn,
  createConnector,
  createConnectorEni,
  deleteEni,
  normalizeAll,
  PAYMENTS,
  REGION,
  runMicrovm,
} from '../../support/event-builders.js';

const SPEC = { id: PAYMENTS.id, name: PAYMENTS.name };

function apiConnector(extra: Partial<ObservedConnector> = {}): ObservedConnector {
  return {
    Id: PAYMENTS.id,
    Name: PAYMENTS.name,
    Arn: connectorArn(PAYMENTS.id),
    State: 'ACTIVE',
    LastModified: at(4),
    Configuration: {
      VpcEgressConfiguration: { SubnetIds: [PAYMENTS.subnetA], SecurityGroupIds: [PAYMENTS.securityGroupId] },
    },
    ...extra,
  };
}

function network(extra: Partial<ReconcileNetwork> = {}): ReconcileNetwork {
  return {
    capturedAt: at(30),
    subnets: [
      { subnetId: PAYMENTS.subnetA, vpcId: 'vpc-1', availabilityZone: 'us-east-1a', availableIpAddressCount: 200 },
      { subnetId: PAYMENTS.subnetB, vpcId: 'vpc-1', availabilityZone: 'us-east-1b', availableIpAddressCount: 200 },
    ],
    routeTables: [],
    natGateways: [],
    networkInterfaces: [],
    ...extra,
  };
}

function input(events: NormalizedEvent[], extra: Partial<JudgeInput> = {}): JudgeInput {
  return {
    account: ACCOUNT,
    region: REGION,
    now: at(30),
    belief: deriveLifecycle(events),
    connectors: [apiConnector()],
    microvms: [],
    network: network(),
    repaired: [],
    deliveredInWindow: 1,
    blindness: {},
    settings: DEFAULT_RECONCILE_SETTINGS,
    ...extra,
  };
}

/** One reconcile step: judge, append the observations, fold again. */
function reconcileOnce(events: NormalizedEvent[], extra: Partial<JudgeInput> = {}): NormalizedEvent[] {
  return [...events, ...judgeReconcile(input(events, extra)).observations];
}

const created = () => normalizeAll([createConnector(SPEC, at(0))]);

describe('judgeReconcile: what the APIs show that no event explains', () => {
  it('observes a connector no event mentioned, and the fold then knows it (state, config)', () => {
    const events = reconcileOnce([]);
    const [view] = deriveLifecycle(events).connectors;
    expect(view).toMatchObject({
      id: PAYMENTS.id,
      name: PAYMENTS.name,
      state: 'ACTIVE',
      subnetIds: [PAYMENTS.subnetA],
    });
  });

  it('converges: a second run over the folded log writes no connector observation, and the same input gives the same eventIDs', () => {
    const once = reconcileOnce(created());
    const again = judgeReconcile(input(once)).observations.filter((o) => o.kind !== 'observed.network');
    expect(again.filter((o) => o.kind === 'observed.connector')).toEqual([]);
    const a = judgeReconcile(input(created())).observations.map((o) => o.eventId);
    const b = judgeReconcile(input(created())).observations.map((o) => o.eventId);
    expect(a).toEqual(b);
    for (const id of a) expect(id).toMatch(/^obs-[0-9a-f]{32}$/);
  });

  it('moves a PENDING connector to FAILED with StateReason and the reason code in connector-failed', () => {
    const api = apiConnector({
      State: 'FAILED',
      StateReasonCode: 'SubnetOutOfIPAddresses',
      StateReason: 'Lambda could not create a network interface',
    });
    const result = deriveLifecycle(reconcileOnce(created(), { connectors: [api] }));
    const failed = result.findings.find((f) => f.rule === 'connector-failed');
    expect(result.connectors[0]?.state).toBe('FAILED');
    expect(failed?.summary).toContain('SubnetOutOfIPAddresses: Lambda could not create a network interface');
  });

  it('opens connector-update-failed from LastUpdateStatus Failed with its reason code', () => {
    const api = apiConnector({ LastUpdateStatus: 'Failed', LastUpdateStatusReasonCode: 'InvalidSecurityGroup' });
    const result = deriveLifecycle(reconcileOnce(created(), { connectors: [api] }));
    const failed = result.findings.find((f) => f.rule === 'connector-update-failed');
    expect(failed).toMatchObject({ status: 'open', source: 'reconcile' });
    expect(failed?.summary).toContain('InvalidSecurityGroup');
  });

  it('adds an ENI EC2 shows and marks deleted one EC2 no longer has', () => {
    const eni = (id: string) => ({
      networkInterfaceId: id,
      subnetId: PAYMENTS.subnetA,
      availabilityZone: 'us-east-1a',
      privateIpAddresses: ['10.0.1.9'],
      securityGroupIds: [PAYMENTS.securityGroupId],
      interfaceType: 'lambda',
      status: 'in-use',
      connectorId: PAYMENTS.id,
    });
    const withEni = normalizeAll([
      createConnector(SPEC, at(0)),
      createConnectorEni(
        { connector: SPEC, eniId: PAYMENTS.productionEni, subnetId: PAYMENTS.subnetA, privateIp: '10.0.1.5' },
        at(2),
      ),
    ]);
    const result = deriveLifecycle(
      reconcileOnce(withEni, { network: network({ networkInterfaces: [eni('eni-0aaaaaaaaaaaaaaaa')] }) }),
    );
    const enis = Object.fromEntries((result.connectors[0]?.enis ?? []).map((e) => [e.id, e.deletedAt !== null]));
    expect(enis).toEqual({ [PAYMENTS.productionEni]: true, 'eni-0aaaaaaaaaaaaaaaa': false });
  });

  it('maps a running MicroVM no RunMicrovm event delivered to its connector, and ends it when it is TERMINATED', () => {
    const vm = {
      microvmId: PAYMENTS.microvm,
      state: 'RUNNING',
      startedAt: at(10),
      terminatedAt: null,
      egressNetworkConnectors: [connectorArn(PAYMENTS.id)],
    };
    const running = reconcileOnce(created(), { microvms: [vm] });
    expect(deriveLifecycle(running).connectors[0]?.microvms).toMatchObject([
      { id: PAYMENTS.microvm, runAt: at(10).replace('Z', '.000Z'), terminatedAt: null },
    ]);
    const ended = reconcileOnce(running, {
      now: at(40),
      microvms: [{ ...vm, state: 'TERMINATED', terminatedAt: at(35) }],
    });
    expect(deriveLifecycle(ended).connectors[0]?.microvms[0]?.terminatedAt).toBe(at(35).replace('Z', '.000Z'));
  });
});

describe('judgeReconcile: conditions open and resolve findings (source reconcile)', () => {
  it('connector-stuck-pending only past the threshold, resolved when the connector leaves PENDING', () => {
    const pending = apiConnector({ State: 'PENDING', LastModified: at(0) });
    const early = judgeReconcile(input(created(), { now: at(14), connectors: [pending] }));
    expect(early.conditions.map((c) => c.rule.id)).not.toContain('connector-stuck-pending');
    const stuck = reconcileOnce(created(), { now: at(16), connectors: [pending] });
    const open = deriveLifecycle(stuck).findings.find((f) => f.rule === 'connector-stuck-pending');
    expect(open).toMatchObject({ status: 'open', source: 'reconcile', severity: 'high' });
    expect(open?.summary).toMatch(/PENDING for 16 min/);
    const active = reconcileOnce(stuck, { now: at(26), connectors: [apiConnector({ LastModified: at(25) })] });
    expect(deriveLifecycle(active).findings.find((f) => f.rule === 'connector-stuck-pending')?.status).toBe('resolved');
  });

  it('subnet-ip-exhaustion under the threshold (high at zero) and resolved once IPs are back', () => {
    const low = network({
      subnets: [
        { subnetId: PAYMENTS.subnetA, vpcId: 'vpc-1', availabilityZone: 'us-east-1a', availableIpAddressCount: 0 },
      ],
    });
    const opened = reconcileOnce(created(), { network: low });
    expect(deriveLifecycle(opened).findings.find((f) => f.rule === 'subnet-ip-exhaustion')).toMatchObject({
      status: 'open',
      severity: 'high',
    });
    const cleared = reconcileOnce(opened, { now: at(40), network: network() });
    expect(deriveLifecycle(cleared).findings.find((f) => f.rule === 'subnet-ip-exhaustion')?.status).toBe('resolved');
  });

  it('single-az-connector when every subnet is in one AZ, not with subnets in two', () => {
    const one = judgeReconcile(input(created()));
    expect(one.conditions.map((c) => c.rule.id)).toContain('single-az-connector');
    const two = judgeReconcile(
      input(created(), {
        connectors: [
          apiConnector({
            Configuration: { VpcEgressConfiguration: { SubnetIds: [PAYMENTS.subnetA, PAYMENTS.subnetB] } },
          }),
        ],
      }),
    );
    expect(two.conditions.map((c) => c.rule.id)).not.toContain('single-az-connector');
  });

  it('eni-leaked-after-delete only after the grace period after the connector is gone', () => {
    const leaked = {
      networkInterfaceId: PAYMENTS.productionEni,
      subnetId: PAYMENTS.subnetA,
      availabilityZone: 'us-east-1a',
      privateIpAddresses: ['10.0.1.5'],
      securityGroupIds: [],
      interfaceType: 'lambda',
      status: 'available',
      connectorId: PAYMENTS.id,
    };
    const withEni = normalizeAll([
      createConnector(SPEC, at(0)),
      createConnectorEni(
        { connector: SPEC, eniId: PAYMENTS.productionEni, subnetId: PAYMENTS.subnetA, privateIp: '10.0.1.5' },
        at(2),
      ),
      runMicrovm({ microvmId: PAYMENTS.microvm, connectors: [connectorArn(PAYMENTS.id)] }, at(5)),
    ]);
    const gone = reconcileOnce(withEni, {
      now: at(30),
      connectors: [],
      network: network({ networkInterfaces: [leaked] }),
    });
    expect(deriveLifecycle(gone).connectors[0]?.state).toBe('DELETED');
    expect(deriveLifecycle(gone).findings.some((f) => f.rule === 'eni-leaked-after-delete')).toBe(false);
    const later = reconcileOnce(gone, {
      now: at(55),
      connectors: [],
      network: network({ networkInterfaces: [leaked] }),
    });
    expect(deriveLifecycle(later).findings.find((f) => f.rule === 'eni-leaked-after-delete')).toMatchObject({
      status: 'open',
      connectorId: PAYMENTS.id,
    });
  });

  it('missed-event names each repaired event, its source and lateness; monitoring-blind when nothing was delivered', () => {
    const repaired = [
      {
        eventId: 'e-1',
        eventName: 'CreateNetworkConnector',
        eventSource: 'lambda.amazonaws.com',
        eventTime: at(1),
        lateByMs: 29 * 60_000,
      },
    ];
    const judged = judgeReconcile(input(created(), { repaired, deliveredInWindow: 0 }));
    const missed = judged.conditions.find((c) => c.rule.id === 'missed-event');
    expect(missed?.summary).toContain('CreateNetworkConnector e-1 (lambda.amazonaws.com, 29 min late)');
    expect(judged.conditions.find((c) => c.rule.id === 'monitoring-blind')?.subject).toBe('no-delivery');
  });

  it('nat-gateway-cross-az when a connector subnet routes to a NAT gateway in another AZ', () => {
    const net = network({
      routeTables: [
        {
          routeTableId: 'rtb-1',
          vpcId: 'vpc-1',
          associations: [{ routeTableAssociationId: 'rtbassoc-1', main: false, subnetId: PAYMENTS.subnetA }],
          routes: [
            { destinationCidrBlock: '0.0.0.0/0', targetKind: 'nat-gateway', targetId: 'nat-1', state: 'active' },
          ],
        },
      ],
      natGateways: [{ natGatewayId: 'nat-1', vpcId: 'vpc-1', subnetId: PAYMENTS.subnetB, state: 'available' }],
    });
    const cross = judgeReconcile(input(created(), { network: net })).conditions.find(
      (c) => c.rule.id === 'nat-gateway-cross-az',
    );
    expect(cross?.summary).toContain('nat-1 in us-east-1b');
  });
});

describe('observations fold order-insensitively with the events', () => {
  it('any delivery order of events and observations gives the same lifecycle', () => {
    const events = normalizeAll([
      createConnector(SPEC, at(0)),
      createConnectorEni(
        { connector: SPEC, eniId: PAYMENTS.productionEni, subnetId: PAYMENTS.subnetA, privateIp: '10.0.1.5' },
        at(2),
      ),
      runMicrovm({ microvmId: PAYMENTS.microvm, connectors: [connectorArn(PAYMENTS.id)] }, at(5)),
    ]);
    const all = reconcileOnce(events, {
      connectors: [apiConnector({ State: 'FAILED', StateReasonCode: 'InternalError', LastModified: at(20) })],
      network: network({
        subnets: [
          { subnetId: PAYMENTS.subnetA, vpcId: 'vpc-1', availabilityZone: 'us-east-1a', availableIpAddressCount: 1 },
        ],
      }),
    });
    const expected = deriveLifecycle(all);
    fc.assert(
      fc.property(fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }), (order) => {
        expect(deriveLifecycle(order)).toEqual(expected);
      }),
      { numRuns: 50 },
    );
  });
});

describe('real records, right verdicts (issue 8.6)', () => {
  const withConnector = (...more: unknown[]) =>
    normalizeAll([createConnector(SPEC, at(0)), ...(more as Parameters<typeof normalizeAll>[0])]);

  const TARGET_SG = 'sg-0e28e163d32fc82cc';
  const MOVED_RULE = 'sgr-0c54a5c5679457f18';
  const factsWith = (...groups: SecurityGroupFact[]): NetworkFacts => ({
    routeTableOfSubnet: {},
    subnetOfRouteTableAssociation: {},
    networkAclOfSubnet: {},
    snapshot: { securityGroups: groups } as unknown as NetworkSnapshot,
  });
  const pathChanges = (events: NormalizedEvent[], facts?: NetworkFacts) =>
    deriveLifecycle(events, facts).findings.filter((f) => f.rule === 'network-path-changed');

  describe('ModifySecurityGroupRules by rule id (fixture modify-security-group-rules-off-connector-sg)', () => {
    const authorize = () => cloneFixture('ec2', 'authorize-security-group-ingress-sg-reference', at(2));
    const moved = () => cloneFixture('ec2', 'modify-security-group-rules-off-connector-sg', at(10));

    it('moving a rule off the connector security group is seen: the authorize response taught its content', () => {
      const found = pathChanges(withConnector(authorize(), moved()));
      const modified = found.find((f) => f.summary.includes('modified'));
      expect(modified?.summary).toContain(
        `ingress tcp/5432 from sg-0a7d3c1b9e5f24680 modified on ${TARGET_SG} (was ingress tcp/5432 from ${PAYMENTS.securityGroupId})`,
      );
      expect(modified?.summary).toContain(`(was ingress tcp/5432 from ${PAYMENTS.securityGroupId})`);
      expect(modified?.summary).toContain(`references ${PAYMENTS.securityGroupId}`);
    });

    it('the network facts teach it too (DescribeSecurityGroupRules), with no authorize event in the log', () => {
      const facts = factsWith({
        groupId: TARGET_SG,
        groupName: 'reporting-db',
        vpcId: 'vpc-099c9d16a9352e20b',
        rules: [
          {
            securityGroupRuleId: MOVED_RULE,
            groupId: TARGET_SG,
            isEgress: false,
            ipProtocol: 'tcp',
            fromPort: 5432,
            toPort: 5432,
            referencedGroupId: PAYMENTS.securityGroupId,
          },
        ],
      });
      const found = pathChanges(withConnector(moved()), facts);
      expect(found.map((f) => f.summary).join('\n')).toContain(
        `(was ingress tcp/5432 from ${PAYMENTS.securityGroupId})`,
      );
      // Without any memory of the rule the new content names no connector group: nothing links it.
      expect(pathChanges(withConnector(moved()))).toEqual([]);
    });
  });

  describe('a security-group call by groupName (fixture revoke-security-group-ingress-by-group-name)', () => {
    const byName = () => cloneFixture('ec2', 'revoke-security-group-ingress-by-group-name', at(10));
    const connectorGroup: SecurityGroupFact = {
      groupId: PAYMENTS.securityGroupId,
      groupName: 'payments-egress-connector',
      vpcId: 'vpc-099c9d16a9352e20b',
      rules: [],
    };

    it('is kept (not ignored) and resolved to the connector group through the facts', () => {
      const found = pathChanges(withConnector(byName()), factsWith(connectorGroup));
      expect(found).toHaveLength(1);
      expect(found[0]?.summary).toContain(`ingress tcp/443 from 10.20.0.0/16 revoked on ${PAYMENTS.securityGroupId}`);
      expect(found[0]?.summary).toContain('via cloudformation.amazonaws.com');
    });

    it('a name the facts do not know (or two groups share) stays unlinked, named by its name', () => {
      expect(pathChanges(withConnector(byName()))).toEqual([]);
      const twice = factsWith(connectorGroup, { ...connectorGroup, groupId: 'sg-0ffffffffffffffff', vpcId: 'vpc-2' });
      expect(pathChanges(withConnector(byName()), twice)).toEqual([]);
      const event = withConnector(byName()).find((e) => e.kind === 'network.security-group');
      expect(event).toMatchObject({ groupId: '', groupName: 'payments-egress-connector' });
    });
  });

  describe('the service replacing a connector ENI (fixture create-network-interface-connector-replacement)', () => {
    const REPLACEMENT = 'eni-07c1e5a90b4d2f3e8';
    const production = () => cloneFixture('ec2', 'create-network-interface-connector-production', at(1));
    const replacement = (time: string) => cloneFixture('ec2', 'create-network-interface-connector-replacement', time);
    const eniAlarms = (events: NormalizedEvent[]) =>
      deriveLifecycle(events).findings.filter((f) => f.rule === 'eni-deleted-while-active');

    it('a new ENI in the same subnet, then the old one deleted by AWSServiceRoleForLambda: no alarm', () => {
      const events = withConnector(production(), replacement(at(30)), deleteEni(PAYMENTS.productionEni, at(31)));
      expect(eniAlarms(events)).toEqual([]);
      const view = deriveLifecycle(events).connectors[0];
      expect(view?.enis.filter((e) => e.deletedAt === null).map((e) => e.id)).toEqual([REPLACEMENT]);
      expect(view?.timeline.map((t) => t.summary).join('\n')).toContain(
        `${PAYMENTS.productionEni} replaced by ${REPLACEMENT}`,
      );
    });

    it('the delete first and the replacement a moment later: the alarm opens, then resolves', () => {
      const events = withConnector(production(), deleteEni(PAYMENTS.productionEni, at(30)), replacement(at(31)));
      expect(eniAlarms(events).map((f) => [f.status, f.resolvedAt])).toEqual([
        ['resolved', '2026-06-24T01:31:00.000Z'],
      ]);
      // Without the replacement it stays open (a real loss of the subnet's ENI).
      expect(
        eniAlarms(withConnector(production(), deleteEni(PAYMENTS.productionEni, at(30)))).map((f) => f.status),
      ).toEqual(['open']);
    });

    it('a person deleting the ENI is an alarm even with a replacement in the subnet', () => {
      const bob = assumedRole('NetworkTeam', 'bob');
      const events = withConnector(production(), replacement(at(30)), deleteEni(PAYMENTS.productionEni, at(31), bob));
      expect(eniAlarms(events).map((f) => f.status)).toEqual(['open']);
    });

    it('a replacement in another subnet does not count', () => {
      const elsewhere = replacement(at(30));
      const response = (elsewhere.detail as unknown as { responseElements: { networkInterface: { subnetId: string } } })
        .responseElements.networkInterface;
      response.subnetId = PAYMENTS.subnetB;
      (elsewhere.detail as unknown as { requestParameters: { subnetId: string } }).requestParameters.subnetId =
        PAYMENTS.subnetB;
      const events = withConnector(production(), elsewhere, deleteEni(PAYMENTS.productionEni, at(31)));
      expect(eniAlarms(events).map((f) => f.status)).toEqual(['open']);
    });
  });

  it('a refused ENI permission check (dry run, Client.UnauthorizedOperation) opens eni-create-failed', () => {
    const refused = cloneFixture('ec2', 'create-network-interface-connector-dry-run-refused', at(1));
    const allowed = cloneFixture('ec2', 'create-network-interface-connector-dry-run', at(1));
    const failed = deriveLifecycle(withConnector(refused)).findings.find((f) => f.rule === 'eni-create-failed');
    expect(failed?.summary).toMatch(/permission check \(dry run\) was refused with Client\.UnauthorizedOperation/);
    expect(deriveLifecycle(withConnector(allowed)).findings).toEqual([]);
  });

  it('same-second ties: a failed CreateNetworkInterface and its successful retry, in either eventID order, end resolved', () => {
    const failed = (id: string) => {
      const raw = createConnectorEni(
        {
          connector: SPEC,
          eniId: PAYMENTS.productionEni,
          subnetId: PAYMENTS.subnetA,
          privateIp: '10.0.1.5',
          errorCode: 'Server.InternalError',
        },
        at(2),
      );
      raw.detail.eventID = id;
      return raw;
    };
    const ok = (id: string) => {
      const raw = createConnectorEni(
        { connector: SPEC, eniId: PAYMENTS.productionEni, subnetId: PAYMENTS.subnetA, privateIp: '10.0.1.5' },
        at(2),
      );
      raw.detail.eventID = id;
      return raw;
    };
    for (const [failedId, okId] of [
      ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b'],
      ['00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000a'],
    ] as const) {
      const result = deriveLifecycle(withConnector(failed(failedId), ok(okId)));
      expect(result.findings.find((f) => f.rule === 'eni-create-failed')?.status).toBe('resolved');
      expect(result.connectors[0]?.enis.map((e) => e.id)).toEqual([PAYMENTS.productionEni]);
    }
  });

  it('same-second ties (property): a revoke and the re-authorize of the same rule end with the rule present', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), (revokeId, authorizeId) => {
        fc.pre(revokeId !== authorizeId);
        const revoke = cloneFixture('ec2', 'revoke-security-group-egress-cidr', at(5));
        // The re-apply of the very rule the revoke removed (same permission, same response rule set).
        const authorize = cloneFixture('ec2', 'revoke-security-group-egress-cidr', at(5));
        authorize.detail.eventName = 'AuthorizeSecurityGroupEgress';
        const response = authorize.detail.responseElements as Record<string, unknown>;
        response.securityGroupRuleSet = response.revokedSecurityGroupRuleSet;
        delete response.revokedSecurityGroupRuleSet;
        revoke.detail.eventID = revokeId;
        authorize.detail.eventID = authorizeId;
        const findings = deriveLifecycle(withConnector(revoke, authorize)).findings.filter(
          (f) => f.rule === 'network-path-changed',
        );
        // Revoke first (then the re-apply restores it), whatever the random eventIDs: one resolved finding.
        expect(findings.map((f) => [f.status, /revoked/.test(f.summary)])).toEqual([['resolved', true]]);
      }),
      { numRuns: 100 },
    );
  });
});
