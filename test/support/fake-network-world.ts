/**
 * A small stand-in for the lab's network world, for tests of the compute half: subnets with a free-IP
 * budget, known security groups, ENIs, and an egress verdict the test sets per destination host.
 */
import type { CallerIdentity } from '../../lab/trail/record.js';
import type {
  CreateEniInput,
  EgressDestination,
  EgressOutcome,
  EgressSource,
  EniCreateResult,
  EniSummary,
  NetworkWorldPort,
} from '../../lab/world/contracts.js';

interface FakeSubnet {
  vpcId: string;
  availabilityZone: string;
  prefix: string;
  freeIps: number;
}

export interface EniCall {
  input: CreateEniInput;
  caller: CallerIdentity;
  result: EniCreateResult;
}

export class FakeNetworkWorld implements NetworkWorldPort {
  readonly subnets = new Map<string, FakeSubnet>();
  readonly securityGroups = new Set<string>();
  readonly enis = new Map<string, EniSummary & { tags: Record<string, string> }>();
  readonly createCalls: EniCall[] = [];
  readonly deleteCalls: Array<{ networkInterfaceId: string; caller: CallerIdentity }> = [];
  readonly egressCalls: Array<{ source: EgressSource; destination: EgressDestination }> = [];
  /** Verdicts by destination host; unknown hosts time out. */
  readonly verdicts = new Map<string, EgressOutcome>();
  private eniSeq = 0;

  addSubnet(subnetId: string, options: Partial<FakeSubnet> = {}): this {
    this.subnets.set(subnetId, {
      vpcId: 'vpc-0aaa',
      availabilityZone: 'us-east-1a',
      prefix: `10.0.${this.subnets.size}`,
      freeIps: 251,
      ...options,
    });
    return this;
  }

  addSecurityGroup(groupId: string): this {
    this.securityGroups.add(groupId);
    return this;
  }

  validateConnectorPlacement(subnetIds: string[], securityGroupIds: string[]) {
    if (subnetIds.some((s) => !this.subnets.has(s))) return 'InvalidSubnet' as const;
    if (securityGroupIds.some((g) => !this.securityGroups.has(g))) return 'InvalidSecurityGroup' as const;
    return null;
  }

  vpcOfSubnet(subnetId: string): string | undefined {
    return this.subnets.get(subnetId)?.vpcId;
  }

  freeIpCount(subnetId: string): number {
    return this.subnets.get(subnetId)?.freeIps ?? 0;
  }

  createNetworkInterface(input: CreateEniInput, caller: CallerIdentity): EniCreateResult {
    const result = this.tryCreate(input);
    this.createCalls.push({ input, caller, result });
    return result;
  }

  deleteNetworkInterface(networkInterfaceId: string, caller: CallerIdentity): boolean {
    this.deleteCalls.push({ networkInterfaceId, caller });
    return this.enis.delete(networkInterfaceId);
  }

  evaluateEgress(source: EgressSource, destination: EgressDestination): EgressOutcome {
    this.egressCalls.push({ source, destination });
    return (
      this.verdicts.get(destination.host) ?? {
        reachable: false,
        failure: 'timeout',
        resolvedIp: null,
        labReason: 'no verdict set in the fake',
      }
    );
  }

  private tryCreate(input: CreateEniInput): EniCreateResult {
    const subnet = this.subnets.get(input.subnetId);
    if (!subnet) {
      return { ok: false, errorCode: 'Client.InvalidSubnetID.NotFound', errorMessage: `${input.subnetId} not found` };
    }
    const missingGroup = input.securityGroupIds.find((g) => !this.securityGroups.has(g));
    if (missingGroup) {
      return { ok: false, errorCode: 'Client.InvalidGroup.NotFound', errorMessage: `${missingGroup} not found` };
    }
    if (subnet.freeIps < 1) {
      return {
        ok: false,
        errorCode: 'Client.InsufficientFreeAddressesInSubnet',
        errorMessage: 'There are not enough free addresses in subnet',
      };
    }
    subnet.freeIps -= 1;
    this.eniSeq += 1;
    const eni = {
      networkInterfaceId: `eni-${String(this.eniSeq).padStart(17, '0')}`,
      subnetId: input.subnetId,
      vpcId: subnet.vpcId,
      availabilityZone: subnet.availabilityZone,
      privateIpAddress: `${subnet.prefix}.${10 + this.eniSeq}`,
      securityGroupIds: [...input.securityGroupIds],
    };
    this.enis.set(eni.networkInterfaceId, { ...eni, tags: { ...input.tags } });
    return { ok: true, eni };
  }
}
