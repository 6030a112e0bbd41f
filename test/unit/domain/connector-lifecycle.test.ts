import { describe, expect, it } from 'vitest';
import { deriveLifecycle, type LifecycleResult, SCOPE_OWNER } from '../../../shared/domain/connector-lifecycle.js';
import type { ConnectorView, Finding, NetworkFacts } from '../../../shared/domain/model.js';
import { NO_NETWORK_FACTS } from '../../../shared/domain/model.js';
import {
  assumedRole,
  at,
  type ConnectorSpec,
  cloneFixture,
  connectorArn,
  createConnector,
  createConnectorEni,
  deleteConnector,
  deleteEni,
  normalizeAll,
  PAYMENTS,
  routeChange,
  runMicrovm,
  securityGroupReference,
  terminateMicrovm,
  updateConnector,
} from '../../support/event-builders.js';
import { loadScenario } from '../../support/fixtures.js';

function connector(result: LifecycleResult, id: string): ConnectorView {
  const view = result.connectors.find((c) => c.id === id);
  if (!view) throw new Error(`no connector ${id} in ${result.connectors.map((c) => c.id).join(', ')}`);
  return view;
}

function findingsOf(result: LifecycleResult, rule: string, connectorId?: string): Finding[] {
  return result.findings.filter((f) => f.rule === rule && (connectorId === undefined || f.connectorId === connectorId));
}

describe('article scenario (events/scenarios/article-connector-lifecycle.json)', () => {
  const NAT = 'nc-e87d2e84-3310-43bf-912f-4d4eba9a1183';
  const ISOLATED = 'nc-f42079b0-3b3e-41f2-b7be-d41c08b2ef58';
  const MVM_A = 'mvm-bd385d75-4a4f-4c57-abad-ad6d37f8130b';
  const MVM_B = 'mvm-c468415b-8278-4495-a1aa-3a15818120c9';
  const MVM_C = 'mvm-657b30db-dbb1-45ee-91e0-af141722b3f9';
  const result = deriveLifecycle(normalizeAll(loadScenario('article-connector-lifecycle')));

  it('knows both connectors by id and name, both DELETED', () => {
    expect(result.connectors.map((c) => [c.id, c.name, c.state])).toEqual([
      [NAT, 'nat-egress-connector', 'DELETED'],
      [ISOLATED, 'isolated-egress-connector', 'DELETED'],
    ]);
  });

  it('dates creation, first successful run (activeAt) and deletion of each connector', () => {
    expect(connector(result, NAT)).toMatchObject({
      createdAt: '2026-06-24T01:00:00.000Z',
      activeAt: '2026-06-24T01:05:40.000Z',
      deletedAt: '2026-06-24T01:40:00.000Z',
      subnetIds: ['subnet-0a75b0aa7b4127420'],
      securityGroupIds: ['sg-000b4b5d775ea80e6'],
    });
    expect(connector(result, ISOLATED)).toMatchObject({
      createdAt: '2026-06-24T01:01:30.000Z',
      activeAt: '2026-06-24T01:08:05.000Z',
      deletedAt: '2026-06-24T01:35:00.000Z',
    });
  });

  it('records each connector ENI with its purpose, IP and deletion time (deletes carry no tags)', () => {
    const pick = (v: ConnectorView) => v.enis.map((e) => [e.id, e.purpose, e.privateIp, e.deletedAt]);

    expect(pick(connector(result, NAT))).toEqual([
      ['eni-027bd16a9deaac149', 'validation', '10.0.0.58', '2026-06-24T01:41:05.000Z'],
      ['eni-0215d884b4a74c554', 'production', '10.0.0.201', '2026-06-24T01:41:06.000Z'],
    ]);
    expect(pick(connector(result, ISOLATED))).toEqual([
      ['eni-07dfeddd4d2b8a0ff', 'validation', '10.0.1.44', '2026-06-24T01:36:02.000Z'],
      ['eni-064670d7e4d162a04', 'production', '10.0.1.173', '2026-06-24T01:36:03.000Z'],
    ]);
  });

  it('attaches MicroVMs run by name-form ARN to the right connector, with termination times', () => {
    const pick = (v: ConnectorView) => v.microvms.map((m) => [m.id, m.terminatedAt]);

    expect(pick(connector(result, NAT))).toEqual([
      [MVM_A, null],
      [MVM_B, '2026-06-24T01:30:00.000Z'],
    ]);
    expect(pick(connector(result, ISOLATED))).toEqual([[MVM_C, '2026-06-24T01:30:40.000Z']]);
  });

  it('opens a critical connector-deleted-while-in-use on the NAT connector naming mvm-A only', () => {
    const [finding, ...others] = findingsOf(result, 'connector-deleted-while-in-use');

    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      connectorId: NAT,
      severity: 'critical',
      status: 'open',
      firstSeen: '2026-06-24T01:40:00.000Z',
      resolvedAt: null,
    });
    expect(finding?.summary).toContain(MVM_A);
    expect(finding?.summary).not.toContain(MVM_B);
    expect(finding?.evidence[0]?.actor).toBe('role/PlatformAdmin/alice');
  });

  it('does not raise connector-deleted-while-in-use for the cleanly deleted isolated connector', () => {
    expect(findingsOf(result, 'connector-deleted-while-in-use', ISOLATED)).toEqual([]);
  });

  it('opens microvm-multiple-egress-connectors on both connectors for the failed two-connector run', () => {
    const findings = findingsOf(result, 'microvm-multiple-egress-connectors');

    expect(findings.map((f) => f.connectorId).sort()).toEqual([NAT, ISOLATED].sort());
    for (const finding of findings) {
      expect(finding).toMatchObject({ status: 'open', severity: 'warning', firstSeen: '2026-06-24T01:24:10.000Z' });
      expect(finding.summary).toContain('InternalFailure');
    }
  });

  it('opens a high network-path-changed on the NAT connector for the revoke and resolves it on the restore', () => {
    const findings = findingsOf(result, 'network-path-changed');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      connectorId: NAT,
      severity: 'high',
      status: 'resolved',
      firstSeen: '2026-06-24T01:15:20.000Z',
      resolvedAt: '2026-06-24T01:19:45.000Z',
    });
    expect(findings[0]?.summary).toContain('role/NetworkTeam/bob');
    expect(findings[0]?.evidence.map((e) => [e.eventName, e.actor])).toEqual([
      ['RevokeSecurityGroupIngress', 'role/NetworkTeam/bob'],
      ['AuthorizeSecurityGroupIngress', 'role/NetworkTeam/bob'],
    ]);
  });

  it('raises nothing beyond the expected rules', () => {
    expect([...new Set(result.findings.map((f) => f.rule))].sort()).toEqual([
      'connector-deleted-while-in-use',
      'microvm-multiple-egress-connectors',
      'network-path-changed',
    ]);
  });
});

// ---- synthetic cases built from the us-east-1 fixtures ----

const payments: ConnectorSpec = {
  id: PAYMENTS.id,
  name: PAYMENTS.name,
  subnetIds: [PAYMENTS.subnetA],
  securityGroupIds: [PAYMENTS.securityGroupId],
};
const productionEni = {
  connector: payments,
  eniId: PAYMENTS.productionEni,
  subnetId: PAYMENTS.subnetA,
  privateIp: '10.20.1.87',
};
const validationEni = {
  connector: payments,
  eniId: PAYMENTS.validationEni,
  subnetId: PAYMENTS.subnetA,
  privateIp: '10.20.1.142',
  purpose: 'validation' as const,
};
const bob = assumedRole('NetworkTeam', 'bob');

/** payments-egress created, validation + production ENI, one MicroVM running (→ ACTIVE). */
function activePayments() {
  return [
    createConnector(payments, at(0)),
    createConnectorEni(validationEni, at(1)),
    createConnectorEni(productionEni, at(2)),
    runMicrovm({ microvmId: PAYMENTS.microvm, connectors: [connectorArn(PAYMENTS.id)] }, at(8)),
  ];
}

describe('eni-deleted-while-active', () => {
  it('opens when someone deletes the production ENI of an ACTIVE connector', () => {
    const events = normalizeAll([...activePayments(), deleteEni(PAYMENTS.productionEni, at(20), bob)]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).state).toBe('ACTIVE');
    const [finding, ...others] = findingsOf(result, 'eni-deleted-while-active', PAYMENTS.id);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({ status: 'open', severity: 'high', firstSeen: '2026-06-24T01:20:00.000Z' });
    expect(finding?.summary).toContain(PAYMENTS.productionEni);
    expect(finding?.summary).toContain('role/NetworkTeam/bob');
  });

  it('does not open when the validation ENI is deleted', () => {
    const events = normalizeAll([...activePayments(), deleteEni(PAYMENTS.validationEni, at(20), bob)]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).enis.find((e) => e.id === PAYMENTS.validationEni)?.deletedAt).toBe(
      '2026-06-24T01:20:00.000Z',
    );
    expect(findingsOf(result, 'eni-deleted-while-active')).toEqual([]);
  });

  it('does not open when the ENIs go away after the connector was deleted', () => {
    const events = normalizeAll([
      ...activePayments(),
      terminateMicrovm(PAYMENTS.microvm, at(15)),
      deleteConnector(payments, at(20)),
      deleteEni(PAYMENTS.validationEni, at(21)),
      deleteEni(PAYMENTS.productionEni, at(22)),
    ]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).state).toBe('DELETED');
    expect(result.findings).toEqual([]);
  });
});

describe('eni-create-failed', () => {
  const failed = {
    ...productionEni,
    eniId: 'eni-0aaaaaaaaaaaaaaa1',
    subnetId: PAYMENTS.subnetB,
    privateIp: '10.20.2.9',
  };

  it('opens on an insufficient-IPs create and resolves on a later production create in the same subnet', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      cloneFixture('ec2', 'create-network-interface-connector-insufficient-ips', at(5)),
      createConnectorEni(failed, at(30)),
    ]);

    const result = deriveLifecycle(events);

    const [finding, ...others] = findingsOf(result, 'eni-create-failed', PAYMENTS.id);
    expect(others).toEqual([]);
    expect(finding).toMatchObject({
      status: 'resolved',
      firstSeen: '2026-06-24T01:05:00.000Z',
      resolvedAt: '2026-06-24T01:30:00.000Z',
    });
    expect(finding?.summary).toContain('Client.InsufficientFreeAddressesInSubnet');
    expect(finding?.summary).toContain(PAYMENTS.subnetB);
  });

  it('stays open when the later production create is in another subnet', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      cloneFixture('ec2', 'create-network-interface-connector-insufficient-ips', at(5)),
      createConnectorEni({ ...failed, subnetId: PAYMENTS.subnetA }, at(30)),
    ]);

    const result = deriveLifecycle(events);

    expect(findingsOf(result, 'eni-create-failed', PAYMENTS.id)).toMatchObject([{ status: 'open', resolvedAt: null }]);
  });

  it('records no ENI for the failed create', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      cloneFixture('ec2', 'create-network-interface-connector-insufficient-ips', at(5)),
    ]);

    expect(connector(deriveLifecycle(events), PAYMENTS.id).enis).toEqual([]);
  });
});

describe('connector-failed and connector-update-failed', () => {
  it('opens connector-failed when a response reports State FAILED and resolves it on a later ACTIVE', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      updateConnector(payments, at(10), { State: 'FAILED', StateReasonCode: 'InvalidSubnet' }),
      updateConnector(payments, at(40), { State: 'ACTIVE', LastUpdateStatus: 'Successful' }),
    ]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).state).toBe('ACTIVE');
    expect(findingsOf(result, 'connector-failed', PAYMENTS.id)).toMatchObject([
      {
        status: 'resolved',
        severity: 'high',
        firstSeen: '2026-06-24T01:10:00.000Z',
        resolvedAt: '2026-06-24T01:40:00.000Z',
      },
    ]);
  });

  it('keeps connector-failed open while the connector stays FAILED', () => {
    const events = normalizeAll([createConnector(payments, at(0), 'FAILED')]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).state).toBe('FAILED');
    expect(findingsOf(result, 'connector-failed', PAYMENTS.id)).toMatchObject([{ status: 'open' }]);
  });

  // Product bug (see report): ConnectorView.stateReason is never written, so a FAILED connector never says why.
  it('says why the connector FAILED (StateReasonCode) in the view and the finding summary', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      updateConnector(payments, at(10), {
        State: 'FAILED',
        StateReason: 'The subnet has no free IP addresses.',
        StateReasonCode: 'SubnetOutOfIPAddresses',
      }),
    ]);

    const result = deriveLifecycle(events);

    expect(connector(result, PAYMENTS.id).stateReason).toEqual(expect.stringContaining('SubnetOutOfIPAddresses'));
    expect(findingsOf(result, 'connector-failed', PAYMENTS.id)[0]?.summary).toContain('SubnetOutOfIPAddresses');
  });

  it('opens connector-update-failed on LastUpdateStatus Failed, naming the reason, and resolves on Successful', () => {
    const events = normalizeAll([
      createConnector(payments, at(0)),
      updateConnector(payments, at(10), {
        State: 'ACTIVE',
        LastUpdateStatus: 'Failed',
        LastUpdateStatusReasonCode: 'InvalidSecurityGroup',
      }),
    ]);
    const fixed = normalizeAll([
      updateConnector(payments, at(30), { State: 'ACTIVE', LastUpdateStatus: 'Successful' }),
    ]);

    const failedOnly = deriveLifecycle(events);
    const thenFixed = deriveLifecycle([...events, ...fixed]);

    expect(connector(failedOnly, PAYMENTS.id).lastUpdateStatus).toBe('Failed');
    const [finding] = findingsOf(failedOnly, 'connector-update-failed', PAYMENTS.id);
    expect(finding).toMatchObject({ status: 'open', severity: 'high' });
    expect(finding?.summary).toContain('InvalidSecurityGroup');
    expect(findingsOf(thenFixed, 'connector-update-failed', PAYMENTS.id)).toMatchObject([
      { status: 'resolved', resolvedAt: '2026-06-24T01:30:00.000Z' },
    ]);
  });

  it('does not open connector-update-failed for an InProgress update', () => {
    const events = normalizeAll([createConnector(payments, at(0)), cloneFixture('lambda', 'update-network-connector')]);

    expect(findingsOf(deriveLifecycle(events), 'connector-update-failed')).toEqual([]);
  });
});

describe('connector-deleted-while-in-use', () => {
  it('resolves once the last MicroVM still on the deleted connector terminates', () => {
    const running = normalizeAll([...activePayments(), deleteConnector(payments, at(20))]);
    const terminated = normalizeAll([terminateMicrovm(PAYMENTS.microvm, at(25))]);

    const whileRunning = deriveLifecycle(running);
    const afterTerminate = deriveLifecycle([...running, ...terminated]);

    expect(findingsOf(whileRunning, 'connector-deleted-while-in-use', PAYMENTS.id)).toMatchObject([
      { status: 'open', severity: 'critical' },
    ]);
    expect(findingsOf(afterTerminate, 'connector-deleted-while-in-use', PAYMENTS.id)).toMatchObject([
      { status: 'resolved', resolvedAt: '2026-06-24T01:25:00.000Z' },
    ]);
  });

  it('stays open while a second MicroVM on the connector still runs', () => {
    const events = normalizeAll([
      ...activePayments(),
      runMicrovm(
        { microvmId: 'mvm-00000000-0000-4000-8000-0000000000b2', connectors: [connectorArn(PAYMENTS.id)] },
        at(9),
      ),
      deleteConnector(payments, at(20)),
      terminateMicrovm(PAYMENTS.microvm, at(25)),
    ]);

    const result = deriveLifecycle(events);

    const [finding] = findingsOf(result, 'connector-deleted-while-in-use', PAYMENTS.id);
    expect(finding?.status).toBe('open');
    expect(finding?.summary).toContain('mvm-00000000-0000-4000-8000-0000000000b2');
  });

  it('is not raised when the connector is deleted after its MicroVMs terminated', () => {
    const events = normalizeAll([
      ...activePayments(),
      terminateMicrovm(PAYMENTS.microvm, at(15)),
      deleteConnector(payments, at(20)),
    ]);

    expect(findingsOf(deriveLifecycle(events), 'connector-deleted-while-in-use')).toEqual([]);
  });
});

describe('network-path-changed from a route change', () => {
  const reporting: ConnectorSpec = {
    id: 'nc-3180760c-3e8b-4861-867d-eedf39015deb',
    name: 'reporting-egress',
    subnetIds: ['subnet-0b1b1b1b1b1b1b1b1'],
    securityGroupIds: ['sg-0b2b2b2b2b2b2b2b2'],
  };
  const twoConnectors = () => [createConnector(payments, at(0)), createConnector(reporting, at(1))];

  it('without NetworkFacts reports one info finding per change (not per connector), naming the connectors it may touch', () => {
    const events = normalizeAll([...twoConnectors(), routeChange('delete', PAYMENTS.routeTable, at(10))]);

    const result = deriveLifecycle(events, NO_NETWORK_FACTS);

    const findings = findingsOf(result, 'network-path-changed');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ connectorId: SCOPE_OWNER, severity: 'info', status: 'open' });
    expect(findings[0]?.summary).toMatch(/unverified/);
    expect(findings[0]?.summary).toContain('payments-egress');
    expect(findings[0]?.summary).toContain('reporting-egress');
  });

  it('does not report the change for a connector that was already deleted', () => {
    const events = normalizeAll([
      ...twoConnectors(),
      deleteConnector(reporting, at(5)),
      routeChange('delete', PAYMENTS.routeTable, at(10)),
    ]);

    const result = deriveLifecycle(events);

    const [finding, ...rest] = findingsOf(result, 'network-path-changed');
    expect(rest).toEqual([]);
    expect(finding?.summary).toContain('payments-egress');
    expect(finding?.summary).not.toContain('reporting-egress');
  });

  it('with facts mapping the subnet to the table: a removed route is high, an added one a warning, both linkKnown', () => {
    const facts: NetworkFacts = {
      ...NO_NETWORK_FACTS,
      routeTableOfSubnet: {
        [PAYMENTS.subnetA]: PAYMENTS.routeTable,
        'subnet-0b1b1b1b1b1b1b1b1': 'rtb-0ffffffffffffffff',
      },
    };
    const removed = normalizeAll([...twoConnectors(), routeChange('delete', PAYMENTS.routeTable, at(10))]);
    const added = normalizeAll([...twoConnectors(), routeChange('create', PAYMENTS.routeTable, at(10))]);

    const afterRemove = findingsOf(deriveLifecycle(removed, facts), 'network-path-changed');
    const afterAdd = findingsOf(deriveLifecycle(added, facts), 'network-path-changed');

    expect(afterRemove).toMatchObject([{ connectorId: PAYMENTS.id, severity: 'high', status: 'open' }]);
    expect(afterAdd).toMatchObject([{ connectorId: PAYMENTS.id, severity: 'warning', status: 'open' }]);
    for (const finding of [...afterRemove, ...afterAdd]) {
      expect(finding.summary).toContain(`serves ${PAYMENTS.subnetA}`);
      expect(finding.summary).not.toMatch(/unverified/);
    }
  });

  it('with facts mapping the subnets to other tables raises nothing', () => {
    const facts: NetworkFacts = {
      ...NO_NETWORK_FACTS,
      routeTableOfSubnet: {
        [PAYMENTS.subnetA]: 'rtb-0eeeeeeeeeeeeeeee',
        'subnet-0b1b1b1b1b1b1b1b1': 'rtb-0ffffffffffffffff',
      },
    };
    const events = normalizeAll([...twoConnectors(), routeChange('delete', PAYMENTS.routeTable, at(10))]);

    expect(findingsOf(deriveLifecycle(events, facts), 'network-path-changed')).toEqual([]);
  });

  it('resolves when the removed route is added back', () => {
    const facts: NetworkFacts = {
      ...NO_NETWORK_FACTS,
      routeTableOfSubnet: { [PAYMENTS.subnetA]: PAYMENTS.routeTable },
    };
    const events = normalizeAll([
      createConnector(payments, at(0)),
      routeChange('delete', PAYMENTS.routeTable, at(10)),
      routeChange('create', PAYMENTS.routeTable, at(12)),
    ]);

    expect(findingsOf(deriveLifecycle(events, facts), 'network-path-changed')).toMatchObject([
      { status: 'resolved', resolvedAt: '2026-06-24T01:12:00.000Z' },
    ]);
  });
});

describe('security-group references', () => {
  it('reports a revoke on a target group that references only this connector group, not the others', () => {
    const other: ConnectorSpec = {
      id: 'nc-3180760c-3e8b-4861-867d-eedf39015deb',
      name: 'reporting-egress',
      securityGroupIds: ['sg-0b2b2b2b2b2b2b2b2'],
    };
    const events = normalizeAll([
      createConnector(payments, at(0)),
      createConnector(other, at(1)),
      securityGroupReference(
        'revoke',
        { groupId: 'sg-0e28e163d32fc82cc', referencedGroupId: PAYMENTS.securityGroupId, port: 5432 },
        at(10),
      ),
    ]);

    const findings = findingsOf(deriveLifecycle(events), 'network-path-changed');

    expect(findings).toMatchObject([{ connectorId: PAYMENTS.id, severity: 'high', status: 'open' }]);
  });
});

describe('connector name reuse', () => {
  const first: ConnectorSpec = { ...payments, id: 'nc-00000000-0000-4000-8000-00000000f001' };
  const second: ConnectorSpec = { ...payments, id: 'nc-00000000-0000-4000-8000-00000000f002' };
  const byName = connectorArn(PAYMENTS.name);

  it('attaches a run naming the connector by name-ARN to the incarnation alive at that time', () => {
    const events = normalizeAll([
      createConnector(first, at(0)),
      runMicrovm({ microvmId: 'mvm-00000000-0000-4000-8000-0000000000a1', connectors: [byName] }, at(10)),
      terminateMicrovm('mvm-00000000-0000-4000-8000-0000000000a1', at(15)),
      deleteConnector(first, at(20)),
      createConnector(second, at(30)),
      runMicrovm({ microvmId: 'mvm-00000000-0000-4000-8000-0000000000a2', connectors: [byName] }, at(40)),
    ]);

    const result = deriveLifecycle(events);

    expect(connector(result, first.id).microvms.map((m) => m.id)).toEqual(['mvm-00000000-0000-4000-8000-0000000000a1']);
    expect(connector(result, second.id).microvms.map((m) => m.id)).toEqual([
      'mvm-00000000-0000-4000-8000-0000000000a2',
    ]);
    expect(connector(result, first.id).state).toBe('DELETING');
    expect(connector(result, second.id).state).toBe('ACTIVE');
  });

  it('resolves a delete naming the connector by name to the incarnation alive at that time', () => {
    const events = normalizeAll([
      createConnector(first, at(0)),
      deleteConnector(first, at(20), PAYMENTS.name),
      createConnector(second, at(30)),
    ]);

    const result = deriveLifecycle(events);

    expect(connector(result, first.id).deletedAt).toBe('2026-06-24T01:20:00.000Z');
    expect(connector(result, second.id)).toMatchObject({ deletedAt: null, state: 'PENDING' });
  });
});

describe('Hyperplane ENIs', () => {
  it('are listed apart and never attributed to a connector, even in the connector subnet', () => {
    const events = normalizeAll([
      ...activePayments(),
      cloneFixture('ec2', 'create-network-interface-hyperplane', at(12)),
    ]);
    const hyperplaneEni = 'eni-06ffa7c1c1eb496e4';

    const result = deriveLifecycle(events);

    expect(result.hyperplaneEnis).toEqual([
      {
        id: hyperplaneEni,
        subnetId: PAYMENTS.subnetA,
        functionName: 'orders-api',
        createdAt: '2026-06-24T01:12:00.000Z',
      },
    ]);
    for (const view of result.connectors) expect(view.enis.map((e) => e.id)).not.toContain(hyperplaneEni);
  });

  it('raise nothing when deleted', () => {
    const events = normalizeAll([
      ...activePayments(),
      cloneFixture('ec2', 'create-network-interface-hyperplane', at(12)),
      cloneFixture('ec2', 'delete-network-interface-hyperplane', at(50)),
    ]);

    const result = deriveLifecycle(events);

    expect(result.findings).toEqual([]);
    expect(connector(result, PAYMENTS.id).timeline.map((t) => t.eventName)).not.toContain('DeleteNetworkInterface');
  });
});

describe('idempotence', () => {
  it('gives the same result when every event is delivered twice', () => {
    const events = normalizeAll([...activePayments(), deleteConnector(payments, at(20))]);

    expect(deriveLifecycle([...events, ...events])).toEqual(deriveLifecycle(events));
  });
});
