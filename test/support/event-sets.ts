// Generated event sets for property tests: 1–3 connectors (two sharing a name), ENIs, MicroVM runs by id or
// name, security-group references, route changes, updates and deletes at random times.
import fc from 'fast-check';
import type { NetworkFacts, NormalizedEvent } from '../../shared/domain/model.js';
import { NO_NETWORK_FACTS } from '../../shared/domain/model.js';
import {
  assumedRole,
  at,
  type ConnectorSpec,
  connectorArn,
  createConnector,
  createConnectorEni,
  deleteConnector,
  deleteEni,
  modifySecurityGroupRule,
  normalizeAll,
  type RawEnvelope,
  routeChange,
  ruleIdOf,
  runMicrovm,
  securityGroupReferenceWithId,
  terminateMicrovm,
  updateConnector,
} from './event-builders.js';

const CONNECTORS: ConnectorSpec[] = [0, 1, 2].map((i) => ({
  id: `nc-00000000-0000-4000-8000-00000000c00${i}`,
  // Two connectors share a name so that name-form ARNs must pick an incarnation.
  name: i === 2 ? 'egress-a' : `egress-${'ab'[i]}`,
  subnetIds: [`subnet-0${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}`],
  securityGroupIds: [`sg-0${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}${i}`],
}));
const ROUTE_TABLES = ['rtb-0aaaaaaaaaaaaaaa0', 'rtb-0aaaaaaaaaaaaaaa1'];
export const GENERATED_FACTS: NetworkFacts = {
  ...NO_NETWORK_FACTS,
  routeTableOfSubnet: { [CONNECTORS[0]?.subnetIds?.[0] ?? '']: ROUTE_TABLES[0] as string },
};
const MICROVMS = [0, 1, 2, 3].map((i) => `mvm-00000000-0000-4000-8000-0000000000e${i}`);
const TARGET_GROUP = 'sg-0eeeeeeeeeeeeeeee';
const bob = assumedRole('NetworkTeam', 'bob');

/** true one time in four: failures are the exception in a plausible stream. */
const sometimes = fc.nat({ max: 3 }).map((n) => n === 0);
const connectorIndex = (count: number) => fc.nat({ max: count - 1 });

function eniId(connector: number, n: number): string {
  return `eni-0${connector}${'0'.repeat(14)}${n}`;
}

type Create = { op: 'create'; c: number; t: number; failed: boolean };
type Op =
  | Create
  | { op: 'eni'; c: number; n: number; t: number; validation: boolean; error: boolean }
  | { op: 'eni-delete'; c: number; n: number; t: number; human: boolean }
  | { op: 'run'; m: number; cs: number[]; byName: boolean; t: number; error: boolean }
  | { op: 'terminate'; m: number; t: number }
  | { op: 'sg'; c: number; revoke: boolean; port: number; t: number }
  | { op: 'sg-modify'; c: number; port: number; to: number; t: number }
  | { op: 'update'; c: number; status: 'Failed' | 'Successful' | 'InProgress'; state: 'ACTIVE' | 'FAILED'; t: number }
  | { op: 'route'; table: number; create: boolean; t: number }
  | { op: 'delete'; c: number; t: number };

function opArbitrary(count: number, minute: fc.Arbitrary<number>): fc.Arbitrary<Op> {
  const c = connectorIndex(count);
  return fc.oneof(
    fc.record({
      op: fc.constant('eni' as const),
      c,
      n: fc.nat({ max: 2 }),
      t: minute,
      validation: fc.boolean(),
      error: sometimes,
    }),
    fc.record({ op: fc.constant('eni-delete' as const), c, n: fc.nat({ max: 2 }), t: minute, human: fc.boolean() }),
    fc.record({
      op: fc.constant('run' as const),
      m: fc.nat({ max: MICROVMS.length - 1 }),
      cs: fc.uniqueArray(c, { minLength: 1, maxLength: Math.min(2, count) }),
      byName: fc.boolean(),
      t: minute,
      error: sometimes,
    }),
    fc.record({ op: fc.constant('terminate' as const), m: fc.nat({ max: MICROVMS.length - 1 }), t: minute }),
    fc.record({ op: fc.constant('sg' as const), c, revoke: fc.boolean(), port: fc.constantFrom(80, 443), t: minute }),
    // Rule ids: a modify moves connector c's rule to another connector's group (to < count) or to a CIDR.
    fc.record({
      op: fc.constant('sg-modify' as const),
      c,
      port: fc.constantFrom(80, 443),
      to: fc.nat({ max: count }),
      t: minute,
    }),
    fc.record({
      op: fc.constant('update' as const),
      c,
      status: fc.constantFrom('Failed' as const, 'Successful' as const, 'InProgress' as const),
      state: sometimes.map((failed) => (failed ? ('FAILED' as const) : ('ACTIVE' as const))),
      t: minute,
    }),
    fc.record({ op: fc.constant('route' as const), table: fc.nat({ max: 1 }), create: fc.boolean(), t: minute }),
    fc.record({ op: fc.constant('delete' as const), c, t: minute }),
  );
}

function spec(c: number): ConnectorSpec {
  return CONNECTORS[c] as ConnectorSpec;
}

function toRaw(op: Op): RawEnvelope {
  const time = at(op.t);
  switch (op.op) {
    case 'create':
      return createConnector(spec(op.c), time, op.failed ? 'FAILED' : 'PENDING');
    case 'eni': {
      const connector = spec(op.c);
      return createConnectorEni(
        {
          connector,
          eniId: eniId(op.c, op.n),
          subnetId: connector.subnetIds?.[0] ?? 'subnet-0ffffffffffffffff',
          privateIp: `10.${op.c}.0.${10 + op.n}`,
          purpose: op.validation ? 'validation' : 'production',
          ...(op.error ? { errorCode: 'Client.InsufficientFreeAddressesInSubnet' } : {}),
        },
        time,
      );
    }
    case 'eni-delete':
      return deleteEni(eniId(op.c, op.n), time, op.human ? bob : undefined);
    case 'run':
      return runMicrovm(
        {
          microvmId: MICROVMS[op.m] as string,
          connectors: op.cs.map((c) => connectorArn(op.byName ? spec(c).name : spec(c).id)),
          ...(op.error ? { errorCode: 'InternalFailure' } : {}),
        },
        time,
      );
    case 'terminate':
      return terminateMicrovm(MICROVMS[op.m] as string, time);
    case 'sg':
      return securityGroupReferenceWithId(
        op.revoke ? 'revoke' : 'authorize',
        { groupId: TARGET_GROUP, referencedGroupId: spec(op.c).securityGroupIds?.[0] as string, port: op.port },
        ruleIdOf(op.c, op.port),
        time,
      );
    case 'sg-modify': {
      const peer =
        op.to < CONNECTORS.length && op.to !== op.c ? (spec(op.to).securityGroupIds?.[0] as string) : '10.9.0.0/16';
      return modifySecurityGroupRule(TARGET_GROUP, ruleIdOf(op.c, op.port), op.port, peer, time);
    }
    case 'update':
      return updateConnector(spec(op.c), time, { State: op.state, LastUpdateStatus: op.status });
    case 'route':
      return routeChange(op.create ? 'create' : 'delete', ROUTE_TABLES[op.table] as string, time);
    case 'delete':
      return deleteConnector(spec(op.c), time, op.t % 2 === 0 ? spec(op.c).id : spec(op.c).name);
  }
}

/**
 * A plausible event set: each connector created once (some FAILED), then 1–`maxOps` random operations at
 * random times within `minutes` (default 240) of 2026-06-24T01:00Z.
 */
export function eventSet(options: { minutes?: number; maxOps?: number } = {}): fc.Arbitrary<NormalizedEvent[]> {
  const minute = fc.integer({ min: 0, max: options.minutes ?? 240 });
  return fc.integer({ min: 1, max: 3 }).chain((count) =>
    fc
      .tuple(
        fc.array(fc.record({ t: minute, failed: sometimes }), { minLength: count, maxLength: count }),
        fc.array(opArbitrary(count, minute), { minLength: 1, maxLength: options.maxOps ?? 25 }),
      )
      .map(([creations, ops]) => {
        const creates = creations.map(({ t, failed }, c): Create => ({ op: 'create', c, t, failed }));
        return normalizeAll([...creates, ...ops].map(toRaw));
      }),
  );
}
