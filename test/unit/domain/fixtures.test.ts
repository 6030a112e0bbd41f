import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventText } from '../../../cli/event-files.js';
import { UnparseableEvent } from '../../../shared/app/ingest-events.js';
import type { NormalizedEvent, NormalizeResult } from '../../../shared/domain/model.js';
import { normalizeEvent } from '../../../shared/domain/normalize.js';
import { ALLOWED, PAYMENTS } from '../../support/event-builders.js';
import { fixturePath, listFixtures, loadFixture, readInvalidFixture } from '../../support/fixtures.js';

const PAYMENTS_REF = { id: PAYMENTS.id, name: PAYMENTS.name, arn: null };
const PAYMENTS_ARN = `arn:aws:lambda:us-east-1:111122223333:network-connector:${PAYMENTS.id}`;
const REPORTING_ID = 'nc-3180760c-3e8b-4861-867d-eedf39015deb';
const PAYMENTS_CONFIG = {
  subnetIds: [PAYMENTS.subnetA],
  securityGroupIds: [PAYMENTS.securityGroupId],
  networkProtocol: 'IPv4',
  computeTypes: ['MicroVm'],
};

type Expected =
  | {
      outcome: 'accepted';
      event: Partial<NormalizedEvent> & { kind: NormalizedEvent['kind'] } & Record<string, unknown>;
    }
  | { outcome: 'ignored'; reason: RegExp };

/** What every single-event fixture under events/ec2 and events/lambda must normalize to, keyed source/variant. */
const EXPECTED: Record<string, Expected> = {
  'ec2/authorize-security-group-egress-cidr': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'authorize',
      groupId: PAYMENTS.securityGroupId,
      referencedGroupIds: [],
      rules: [
        {
          key: 'egress|tcp|443-443|0.0.0.0/0',
          direction: 'egress',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          peer: '0.0.0.0/0',
          ruleId: 'sgr-07b190dd4466accc5',
        },
      ],
    },
  },
  'ec2/authorize-security-group-ingress-sg-reference': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'authorize',
      groupId: 'sg-0e28e163d32fc82cc',
      referencedGroupIds: [PAYMENTS.securityGroupId],
      rules: [expect.objectContaining({ key: `ingress|tcp|5432-5432|${PAYMENTS.securityGroupId}` })],
    },
  },
  'ec2/create-network-acl-entry-deny': {
    outcome: 'accepted',
    event: {
      kind: 'network.nacl-entry',
      change: 'create',
      networkAclId: 'acl-0e3159de704b74ea9',
      ruleNumber: 90,
      egress: true,
      ruleAction: 'deny',
      cidr: '0.0.0.0/0',
    },
  },
  'ec2/create-network-interface-connector-dry-run': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      dryRun: true,
      purpose: 'validation',
      eniId: null,
      errorCode: null,
      connector: PAYMENTS_REF,
      subnetId: PAYMENTS.subnetA,
    },
  },
  // Only Client.DryRunOperation means "allowed": a refused permission check keeps its error (issue 8.6).
  'ec2/create-network-interface-connector-dry-run-refused': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      dryRun: true,
      purpose: 'validation',
      eniId: null,
      errorCode: 'Client.UnauthorizedOperation',
      connector: PAYMENTS_REF,
      subnetId: PAYMENTS.subnetA,
    },
  },
  'ec2/create-network-interface-connector-insufficient-ips': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      dryRun: false,
      purpose: 'production',
      eniId: null,
      errorCode: 'Client.InsufficientFreeAddressesInSubnet',
      connector: PAYMENTS_REF,
      subnetId: PAYMENTS.subnetB,
    },
  },
  'ec2/create-network-interface-connector-production': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      purpose: 'production',
      dryRun: false,
      errorCode: null,
      connector: PAYMENTS_REF,
      eniId: PAYMENTS.productionEni,
      subnetId: PAYMENTS.subnetA,
      vpcId: 'vpc-099c9d16a9352e20b',
      availabilityZone: 'us-east-1a',
      privateIp: '10.20.1.87',
      securityGroupIds: [PAYMENTS.securityGroupId],
    },
  },
  // The service replacing the production ENI: a new one in the same subnet (issue 8.6).
  'ec2/create-network-interface-connector-replacement': {
    outcome: 'accepted',
    event: { kind: 'eni.created', purpose: 'production', eniId: 'eni-07c1e5a90b4d2f3e8', subnetId: PAYMENTS.subnetA },
  },
  'ec2/create-network-interface-connector-unauthorized': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      dryRun: false,
      eniId: null,
      errorCode: 'Client.UnauthorizedOperation',
      connector: PAYMENTS_REF,
    },
  },
  'ec2/create-network-interface-connector-validation-session': {
    outcome: 'accepted',
    event: {
      kind: 'eni.created',
      purpose: 'validation',
      dryRun: false,
      connector: PAYMENTS_REF,
      eniId: PAYMENTS.validationEni,
      privateIp: '10.20.1.142',
    },
  },
  'ec2/create-network-interface-hyperplane': {
    outcome: 'accepted',
    event: {
      kind: 'hyperplane-eni.created',
      eniId: 'eni-06ffa7c1c1eb496e4',
      subnetId: PAYMENTS.subnetA,
      functionName: 'orders-api',
    },
  },
  'ec2/create-network-interface-plain': { outcome: 'ignored', reason: /not created for a Lambda network connector/ },
  'ec2/create-route-nat': {
    outcome: 'accepted',
    event: {
      kind: 'network.route',
      change: 'create',
      routeTableId: PAYMENTS.routeTable,
      destination: '0.0.0.0/0',
      target: 'nat-082827225026bedca',
    },
  },
  'ec2/delete-nat-gateway': {
    outcome: 'accepted',
    event: { kind: 'network.nat-gateway-deleted', natGatewayId: 'nat-082827225026bedca' },
  },
  'ec2/delete-network-acl-entry': {
    outcome: 'accepted',
    event: { kind: 'network.nacl-entry', change: 'delete', networkAclId: 'acl-0e3159de704b74ea9', ruleNumber: 90 },
  },
  'ec2/delete-network-interface-connector': {
    outcome: 'accepted',
    event: { kind: 'eni.deleted', eniId: PAYMENTS.productionEni },
  },
  'ec2/delete-network-interface-hyperplane': {
    outcome: 'accepted',
    event: { kind: 'eni.deleted', eniId: 'eni-06ffa7c1c1eb496e4' },
  },
  'ec2/delete-route': {
    outcome: 'accepted',
    event: {
      kind: 'network.route',
      change: 'delete',
      routeTableId: PAYMENTS.routeTable,
      destination: '0.0.0.0/0',
      target: null,
    },
  },
  'ec2/modify-security-group-rules': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'modify',
      groupId: PAYMENTS.securityGroupId,
      rules: [
        expect.objectContaining({
          key: 'rule|sgr-08036bb7242fd6bae',
          ruleId: 'sgr-08036bb7242fd6bae',
          direction: 'unknown',
          peer: '10.20.0.0/16',
        }),
      ],
    },
  },
  // Only the new content, by rule id: what the rule was comes from the fold's memory (issue 8.6).
  'ec2/modify-security-group-rules-off-connector-sg': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'modify',
      groupId: 'sg-0e28e163d32fc82cc',
      referencedGroupIds: ['sg-0a7d3c1b9e5f24680'],
      rules: [expect.objectContaining({ ruleId: 'sgr-0c54a5c5679457f18', peer: 'sg-0a7d3c1b9e5f24680' })],
    },
  },
  'ec2/replace-network-acl-entry': {
    outcome: 'accepted',
    event: {
      kind: 'network.nacl-entry',
      change: 'replace',
      networkAclId: 'acl-0e3159de704b74ea9',
      ruleNumber: 100,
      egress: false,
      ruleAction: 'deny',
    },
  },
  'ec2/replace-route-table-association': {
    outcome: 'accepted',
    event: {
      kind: 'network.route-table-association',
      associationId: 'rtbassoc-0641e95a91fbed7c0',
      routeTableId: 'rtb-0da1289fc359494aa',
      newAssociationId: 'rtbassoc-0964c92523f674df7',
    },
  },
  'ec2/replace-route': {
    outcome: 'accepted',
    event: {
      kind: 'network.route',
      change: 'replace',
      routeTableId: PAYMENTS.routeTable,
      target: 'nat-0382f1fb04fa88496',
    },
  },
  'ec2/revoke-security-group-egress-by-rule-id': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'revoke',
      groupId: PAYMENTS.securityGroupId,
      rules: [
        expect.objectContaining({
          key: 'egress|tcp|443-443|0.0.0.0/0',
          direction: 'egress',
          ruleId: 'sgr-07b190dd4466accc5',
        }),
      ],
    },
  },
  'ec2/revoke-security-group-egress-cidr': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'revoke',
      groupId: PAYMENTS.securityGroupId,
      rules: [expect.objectContaining({ key: 'egress|all|all|0.0.0.0/0', protocol: 'all' })],
    },
  },
  // A revoke matching no rule succeeds and echoes it in unknownIpPermissionSet: nothing was removed.
  'ec2/revoke-security-group-egress-unknown-permission': {
    outcome: 'ignored',
    reason: /matched no rule \(unknownIpPermissionSet\): nothing was removed/,
  },
  // CloudFormation revoking by groupName, no rule set in the response: kept, the fold resolves the name (issue 8.6).
  'ec2/revoke-security-group-ingress-by-group-name': {
    outcome: 'accepted',
    event: { kind: 'network.security-group', change: 'revoke', groupId: '', groupName: 'payments-egress-connector' },
  },
  'ec2/revoke-security-group-ingress-sg-reference': {
    outcome: 'accepted',
    event: {
      kind: 'network.security-group',
      change: 'revoke',
      groupId: 'sg-0e28e163d32fc82cc',
      referencedGroupIds: [PAYMENTS.securityGroupId],
      rules: [
        {
          key: `ingress|tcp|5432-5432|${PAYMENTS.securityGroupId}`,
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          peer: PAYMENTS.securityGroupId,
          ruleId: 'sgr-0e7ca9a6110b4e235',
        },
      ],
    },
  },
  'lambda/create-network-connector': {
    outcome: 'accepted',
    event: {
      kind: 'connector.created',
      connector: { id: PAYMENTS.id, name: PAYMENTS.name, arn: PAYMENTS_ARN },
      config: PAYMENTS_CONFIG,
      state: 'PENDING',
      operatorRole: 'arn:aws:iam::111122223333:role/NetworkConnectorOperatorRole',
    },
  },
  'lambda/create-network-connector-camelcase': {
    outcome: 'accepted',
    event: {
      kind: 'connector.created',
      connector: { id: PAYMENTS.id, name: PAYMENTS.name, arn: PAYMENTS_ARN },
      config: PAYMENTS_CONFIG,
      state: 'PENDING',
      operatorRole: 'arn:aws:iam::111122223333:role/NetworkConnectorOperatorRole',
    },
  },
  'lambda/delete-network-connector': {
    outcome: 'accepted',
    event: { kind: 'connector.deleted', connector: expect.objectContaining({ id: PAYMENTS.id }), state: 'DELETING' },
  },
  'lambda/run-microvm': {
    outcome: 'accepted',
    event: {
      kind: 'microvm.run',
      microvmId: PAYMENTS.microvm,
      errorCode: null,
      egressConnectors: [{ id: PAYMENTS.id, name: null, arn: PAYMENTS_ARN }],
    },
  },
  'lambda/run-microvm-two-egress-connectors-failed': {
    outcome: 'accepted',
    event: {
      kind: 'microvm.run',
      microvmId: null,
      errorCode: 'InternalFailure',
      egressConnectors: [expect.objectContaining({ id: PAYMENTS.id }), expect.objectContaining({ id: REPORTING_ID })],
    },
  },
  'lambda/terminate-microvm': {
    outcome: 'accepted',
    event: { kind: 'microvm.terminated', microvmId: PAYMENTS.microvm },
  },
  'lambda/update-network-connector': {
    outcome: 'accepted',
    event: {
      kind: 'connector.updated',
      connector: expect.objectContaining({ id: PAYMENTS.id }),
      state: 'ACTIVE',
      lastUpdateStatus: 'InProgress',
      config: expect.objectContaining({ subnetIds: [PAYMENTS.subnetA, PAYMENTS.subnetB] }),
    },
  },
  'lambda/update-network-connector-access-denied': {
    outcome: 'ignored',
    reason: /AccessDenied.*names no connector/,
  },
};

function normalizeFixture(key: string): NormalizeResult {
  const [source, variant] = key.split('/') as ['ec2' | 'lambda', string];
  return normalizeEvent(loadFixture(source, variant), ALLOWED);
}

describe('single-event fixtures', () => {
  it('has an expectation for every fixture under events/ec2 and events/lambda, and none for missing files', () => {
    const onDisk = listFixtures()
      .map((f) => `${f.source}/${f.variant}`)
      .sort();

    expect(Object.keys(EXPECTED).sort()).toEqual(onDisk);
  });

  it.each(Object.entries(EXPECTED))('%s normalizes as expected', (key, expected) => {
    const result = normalizeFixture(key);

    if (expected.outcome === 'accepted') {
      expect(result).toMatchObject({ outcome: 'accepted', event: expected.event });
    } else {
      expect(result).toMatchObject({ outcome: 'ignored', reason: expect.stringMatching(expected.reason) });
    }
  });

  it.each(listFixtures().map((f) => [`${f.source}/${f.variant}`, f] as const))(
    '%s keeps its eventID, a millisecond ISO time and the monitored account',
    (_key, fixture) => {
      const raw = loadFixture(fixture.source, fixture.variant) as { detail: { eventID: string; eventTime: string } };

      const result = normalizeEvent(raw, ALLOWED);

      const eventId = result.outcome === 'accepted' ? result.event.eventId : result.eventId;
      expect(eventId).toBe(raw.detail.eventID);
      if (result.outcome === 'accepted') {
        expect(result.event.eventTime).toBe(new Date(raw.detail.eventTime).toISOString());
        expect(result.event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(result.event.account).toBe('111122223333');
        expect(result.event.region).toBe('us-east-1');
      }
    },
  );

  it('reads the PascalCase and camelCase CreateNetworkConnector records as the same connector and config', () => {
    const pascal = normalizeFixture('lambda/create-network-connector');
    const camel = normalizeFixture('lambda/create-network-connector-camelcase');

    if (pascal.outcome !== 'accepted' || camel.outcome !== 'accepted') throw new Error('both must be accepted');
    if (pascal.event.kind !== 'connector.created' || camel.event.kind !== 'connector.created') {
      throw new Error('both must be connector.created');
    }
    expect(camel.event.connector).toEqual(pascal.event.connector);
    expect(camel.event.config).toEqual(pascal.event.config);
    expect(camel.event.eventId).not.toBe(pascal.event.eventId);
  });

  it('rejects every fixture when its account is not on the allow-list', () => {
    const nobody = { allowedAccounts: new Set(['999999999999']) };

    const outcomes = listFixtures().map((f) => normalizeEvent(loadFixture(f.source, f.variant), nobody));

    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({
        outcome: 'rejected',
        error: expect.stringMatching(/account 111122223333 is not on the allow-list/),
      });
    }
  });
});

describe('invalid fixtures', () => {
  it('are exactly the files these tests cover (a new one needs a test here)', () => {
    expect(readdirSync(fixturePath('invalid')).sort()).toEqual([
      'detail-not-object.json',
      'missing-event-id.json',
      'truncated.json.txt',
      'unexpected-source.json',
      'unknown-account.json',
      'wrong-type-event-time.json',
    ]);
  });

  function normalizeInvalid(name: string): NormalizeResult {
    return normalizeEvent(JSON.parse(readInvalidFixture(name)) as unknown, ALLOWED);
  }

  it('rejects a record without detail.eventID, naming the field', () => {
    const result = normalizeInvalid('missing-event-id');

    expect(result).toMatchObject({ outcome: 'rejected', eventId: null });
    expect(result.outcome === 'rejected' && result.error).toMatch(/^detail\.eventID: .*expected string/);
  });

  it('rejects a numeric eventTime, naming detail.eventTime and the expected ISO string', () => {
    const result = normalizeInvalid('wrong-type-event-time');

    expect(result).toMatchObject({
      outcome: 'rejected',
      eventId: '136ddbeb-036b-4df2-bd7d-3014d5f1dd0e',
      error: expect.stringMatching(/detail\.eventTime: expected an ISO-8601 timestamp string/),
    });
  });

  it('rejects a detail that is a JSON-encoded string, saying what it got', () => {
    const result = normalizeInvalid('detail-not-object');

    expect(result).toEqual({
      outcome: 'rejected',
      eventId: null,
      error: 'detail: expected a CloudTrail record object, got string',
    });
  });

  it('rejects an event from an account that is not on the allow-list, keeping its eventID', () => {
    const result = normalizeInvalid('unknown-account');

    expect(result).toMatchObject({
      outcome: 'rejected',
      eventId: 'c073f4f5-8740-4724-b42a-0d99dc63698f',
      error: expect.stringMatching(/account 444455556666 is not on the allow-list/),
    });
  });

  it('ignores an S3 data event, naming the unsupported source and event', () => {
    const result = normalizeInvalid('unexpected-source');

    expect(result).toMatchObject({
      outcome: 'ignored',
      eventId: '4e6d130d-43e6-4c38-a04a-a331b8699eab',
      reason: expect.stringMatching(/unsupported event source s3\.amazonaws\.com \(PutObject\)/),
    });
  });

  it('has a truncated file that is not JSON', () => {
    const text = readInvalidFixture('truncated');

    expect(() => JSON.parse(text)).toThrow(/Unterminated string in JSON/);
  });

  // Product bug (see report): a pretty-printed document cut short falls into the JSONL fallback and becomes
  // one UnparseableEvent per line (88 "events" with misleading per-line errors) instead of one rejection.
  it('parseEventText turns the truncated file into exactly one UnparseableEvent carrying the whole text', () => {
    const text = readInvalidFixture('truncated');

    const parsed = parseEventText(text);

    expect(parsed).toHaveLength(1);
    const [only] = parsed;
    expect(only).toBeInstanceOf(UnparseableEvent);
    expect((only as UnparseableEvent).error).toMatch(/Unterminated string in JSON/);
    expect((only as UnparseableEvent).text).toBe(text.trim());
  });

  it('parseEventText still reads JSONL with one bad line as events plus one UnparseableEvent', () => {
    const good = JSON.stringify(JSON.parse(readInvalidFixture('unknown-account')));
    const text = `${good}\n{"version": "0", "detail": \n${good}\n`;

    const parsed = parseEventText(text);

    expect(parsed).toHaveLength(3);
    expect(parsed[0]).toMatchObject({ account: '444455556666' });
    expect(parsed[1]).toBeInstanceOf(UnparseableEvent);
    expect(parsed[2]).toMatchObject({ account: '444455556666' });
  });

  it('rejects a value that is not an object at all', () => {
    expect(normalizeEvent([], ALLOWED)).toEqual({
      outcome: 'rejected',
      eventId: null,
      error: 'event is not a JSON object',
    });
    expect(normalizeEvent(null, ALLOWED)).toMatchObject({ outcome: 'rejected', eventId: null });
  });
});
