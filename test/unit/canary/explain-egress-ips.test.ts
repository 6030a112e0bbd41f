/**
 * SnapshotPathExplainer (shared/app/explain-canary-path.ts) on drift-day's network (the lab world turned
 * into a snapshot in memory): a reachable internet path names the EIPs of the NAT gateway it leaves through,
 * which is what an egress-IP expectation is checked against when a path changes (docs/canaries.md#path-changes).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../lab/clock.js';
import { loadScenarioFile } from '../../../lab/scenarios/scenario-file.js';
import { NetworkWorld } from '../../../lab/world/network.js';
import type { NetworkSpec } from '../../../lab/world/network-spec.js';
import { SnapshotPathExplainer } from '../../../shared/app/explain-canary-path.js';
import { labNetworkSnapshot } from '../../support/lab-network-facts.js';

function explainerFor(subnet: string, group: string) {
  const scenario = loadScenarioFile('drift-day');
  const world = NetworkWorld.fromSpec(scenario.network as unknown as NetworkSpec, {
    clock: new VirtualClock(scenario.start),
    trail: { emit: () => {} },
    account: scenario.account,
    region: scenario.region,
  });
  const config = {
    subnetIds: [world.idOf('subnet', subnet)],
    securityGroupIds: [world.idOf('security-group', group)],
  };
  const explainer = new SnapshotPathExplainer(async () => labNetworkSnapshot(world), {
    configOf: async () => config,
  });
  const explain = (destination: string, port: number) =>
    explainer.explain({ account: scenario.account, region: scenario.region, connectorId: 'nc-x', destination, port });
  return { explain };
}

describe('SnapshotPathExplainer: what the internet sees', () => {
  it('names the EIP of the NAT gateway a reachable path leaves through', async () => {
    const { explain } = explainerFor('app-1a', 'app-connector-sg');
    const echo = await explain('198.51.100.20', 80);
    expect(echo?.verdict).toBe('reachable');
    expect(echo?.egressPublicIps).toEqual(['203.0.113.10']);
  });

  it('names none for a path inside the VPC or one that is blocked', async () => {
    expect((await explainerFor('app-1a', 'app-connector-sg').explain('10.20.2.50', 5432))?.egressPublicIps).toBe(
      undefined,
    );
    const isolated = await explainerFor('isolated-1c', 'batch-connector-sg').explain('198.51.100.20', 80);
    expect(isolated?.verdict).toBe('blocked');
    expect(isolated?.egressPublicIps).toBe(undefined);
  });
});
