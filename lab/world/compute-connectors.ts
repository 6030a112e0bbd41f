/**
 * Lambda Core network connectors in the lab: validation, the PENDING → ACTIVE|FAILED provisioning run that
 * creates the connector ENIs as the customer's operator role, updates that keep the connector ACTIVE, and
 * deletion whose ENI clean-up runs as the Lambda service-linked role (Lambda Core API
 * model lambda-core/2026-04-30; CloudTrail userIdentity of service-created ENIs: docs/architecture.md#aws-facts-and-their-sources).
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { NetworkConnectorReasonCode, NetworkConnectorState } from '../../shared/domain/model.js';
import type { CallerIdentity } from '../trail/record.js';
import { type ComputeContext, type ComputeWorldOptions, withTrail } from './compute-context.js';
import { invalidParameter, resourceConflict, resourceNotFound } from './compute-errors.js';
import { type EgressSource, LAB_PRINCIPALS, type NetworkWorldPort } from './contracts.js';

export const CONNECTOR_STATES: readonly NetworkConnectorState[] = [
  'PENDING',
  'ACTIVE',
  'INACTIVE',
  'FAILED',
  'DELETING',
  'DELETE_FAILED',
];

/** Scenario switches that make one connector (by name) misbehave the way field reports describe. */
export interface ConnectorFaults {
  /** Never leaves PENDING (no ENIs are created). */
  stuckPending?: boolean;
  /** Provisioning fails with this code before any EC2 call (e.g. InsufficientRolePermissions). */
  activationFailure?: NetworkConnectorReasonCode;
  /** The next updates end LastUpdateStatus Failed with this code. */
  updateFailure?: NetworkConnectorReasonCode;
  /** Deletion ends in DELETE_FAILED and the ENIs stay. */
  deleteFails?: boolean;
  /** Deletion succeeds (the connector is gone) but its production ENIs are never released (leaked). */
  leakEnisOnDelete?: boolean;
}

/** Request members as the API names them; values are checked, never trusted (they come off the wire). */
export interface CreateNetworkConnectorRequest {
  Name?: unknown;
  Configuration?: unknown;
  OperatorRole?: unknown;
  ClientToken?: unknown;
  Tags?: unknown;
}

export interface UpdateNetworkConnectorRequest {
  Configuration?: unknown;
  OperatorRole?: unknown;
  ClientToken?: unknown;
}

export interface ConnectorConfig {
  subnetIds: string[];
  securityGroupIds: string[];
  networkProtocol: string;
  computeTypes: string[];
}

export interface ConnectorEni {
  networkInterfaceId: string;
  subnetId: string;
  privateIpAddress: string;
  purpose: 'validation' | 'production';
}

interface ConnectorRecord {
  id: string;
  name: string;
  arn: string;
  seq: number;
  config: ConnectorConfig;
  operatorRole: string;
  state: NetworkConnectorState;
  stateReason?: string;
  stateReasonCode?: NetworkConnectorReasonCode;
  lastUpdateStatus?: 'InProgress' | 'Successful' | 'Failed';
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: NetworkConnectorReasonCode;
  lastModified: Date;
  version: number;
  tags: Record<string, string>;
  enis: ConnectorEni[];
  cancelPending?: () => void;
}

/** GetNetworkConnector / Create / Update / Delete response body (PascalCase, as on the wire). */
export interface NetworkConnectorView {
  Arn: string;
  Name: string;
  Id: string;
  Version: number;
  Configuration: {
    VpcEgressConfiguration: {
      SubnetIds: string[];
      SecurityGroupIds: string[];
      NetworkProtocol: string;
      AssociatedComputeResourceTypes: string[];
    };
  };
  OperatorRole: string;
  State: NetworkConnectorState;
  StateReason?: string;
  StateReasonCode?: NetworkConnectorReasonCode;
  LastUpdateStatus?: string;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: NetworkConnectorReasonCode;
  LastModified: string;
}

export interface NetworkConnectorSummaryView {
  Arn: string;
  Name: string;
  Id: string;
  Type: 'VPC_EGRESS';
  State: NetworkConnectorState;
  LastModified: string;
}

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const SUBNET_PATTERN = /^subnet-[0-9a-z]+$/;
const SECURITY_GROUP_PATTERN = /^sg-[0-9a-zA-Z]+$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role(\/(?:[^/]+\/)*)([\w+=,.@-]{1,64})$/;
const CONNECTOR_ARN_PATTERN =
  /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):network-connector:([a-zA-Z0-9_-]+)(?::\d+)?$/;
const NETWORK_PROTOCOLS = ['IPv4', 'DualStack'];
const COMPUTE_TYPES = ['MicroVm', 'WebFunction'];

export class NetworkConnectors {
  private readonly live = new Map<string, ConnectorRecord>();
  private readonly byClientToken = new Map<string, string>();
  private readonly faultsByName = new Map<string, ConnectorFaults>();
  private seq = 0;

  constructor(
    private readonly ctx: ComputeContext,
    private readonly network: NetworkWorldPort,
    private readonly options: ComputeWorldOptions,
  ) {}

  /** Sets fault switches for the connector with this name, now or when it is created later. */
  setFaults(name: string, faults: ConnectorFaults): void {
    this.faultsByName.set(name, faults);
  }

  create(request: CreateNetworkConnectorRequest, caller: CallerIdentity): NetworkConnectorView {
    return withTrail(this.ctx, {
      caller,
      eventName: 'CreateNetworkConnector',
      requestParameters: request,
      run: () => {
        const name = parseName(request.Name);
        const config = parseConfiguration(request.Configuration);
        const operatorRole = parseOperatorRole(request.OperatorRole);
        const clientToken = parseClientToken(request.ClientToken);
        const tags = parseTags(request.Tags);
        const replayed = clientToken === undefined ? undefined : this.byClientToken.get(clientToken);
        const existing = replayed === undefined ? undefined : this.live.get(replayed);
        if (existing) return connectorView(existing);
        if ([...this.live.values()].some((c) => c.name === name)) {
          throw resourceConflict(`A network connector named ${name} already exists`);
        }
        const id = `nc-${randomUUID()}`;
        const record: ConnectorRecord = {
          id,
          name,
          arn: `arn:aws:lambda:${this.ctx.region}:${this.ctx.account}:network-connector:${id}`,
          seq: this.seq++,
          config,
          operatorRole,
          state: 'PENDING',
          lastModified: this.ctx.clock.now(),
          version: 1,
          tags,
          enis: [],
        };
        this.live.set(id, record);
        if (clientToken !== undefined) this.byClientToken.set(clientToken, id);
        record.cancelPending = this.ctx.clock.after(this.options.activationDelayMs, () => this.provision(record));
        return connectorView(record);
      },
    });
  }

  get(identifier: string): NetworkConnectorView {
    return connectorView(this.require(identifier));
  }

  list(state?: string): NetworkConnectorSummaryView[] {
    return [...this.live.values()]
      .filter((c) => state === undefined || c.state === state)
      .sort((a, b) => a.seq - b.seq)
      .map(summaryView);
  }

  update(identifier: string, request: UpdateNetworkConnectorRequest, caller: CallerIdentity): NetworkConnectorView {
    return withTrail(this.ctx, {
      caller,
      eventName: 'UpdateNetworkConnector',
      requestParameters: { Identifier: identifier, ...request },
      run: () => {
        const record = this.require(identifier);
        const config = request.Configuration === undefined ? record.config : parseConfiguration(request.Configuration);
        const operatorRole =
          request.OperatorRole === undefined ? record.operatorRole : parseOperatorRole(request.OperatorRole);
        parseClientToken(request.ClientToken);
        if (record.state !== 'ACTIVE') {
          throw resourceConflict(
            `Network connector ${record.id} is ${record.state}; only an ACTIVE connector can be updated`,
          );
        }
        if (record.lastUpdateStatus === 'InProgress') {
          throw resourceConflict(`An update of network connector ${record.id} is already in progress`);
        }
        const previous = { config: record.config, operatorRole: record.operatorRole };
        Object.assign(record, { config, operatorRole, lastModified: this.ctx.clock.now() });
        record.version += 1;
        record.lastUpdateStatus = 'InProgress';
        delete record.lastUpdateStatusReason;
        delete record.lastUpdateStatusReasonCode;
        record.cancelPending = this.ctx.clock.after(this.options.updateDelayMs, () =>
          this.applyUpdate(record, previous),
        );
        return connectorView(record);
      },
    });
  }

  delete(identifier: string, caller: CallerIdentity): NetworkConnectorView {
    return withTrail(this.ctx, {
      caller,
      eventName: 'DeleteNetworkConnector',
      requestParameters: { Identifier: identifier },
      run: () => {
        const record = this.require(identifier);
        if (record.state === 'DELETING') return connectorView(record);
        if (record.state === 'PENDING') {
          throw resourceConflict(`Network connector ${record.id} is PENDING and cannot be deleted until it settles`);
        }
        record.cancelPending?.();
        record.state = 'DELETING';
        record.lastModified = this.ctx.clock.now();
        if (record.lastUpdateStatus === 'InProgress') record.lastUpdateStatus = 'Failed';
        record.cancelPending = this.ctx.clock.after(this.options.deletionDelayMs, () => this.finishDeletion(record));
        return connectorView(record);
      },
    });
  }

  /** The connector's ENIs as the lab knows them (for scenarios and assertions). */
  enisOf(identifier: string): ConnectorEni[] {
    return this.require(identifier).enis.map((eni) => ({ ...eni }));
  }

  /** Resolves an ID, name or ARN (last segment ID or name, optionally versioned) to a live connector. */
  find(identifier: string): NetworkConnectorView | undefined {
    const record = this.lookup(identifier);
    return record ? connectorView(record) : undefined;
  }

  /**
   * Where a MicroVM bound to this connector sends packets from: the production ENI in the first subnet.
   * Undefined when the connector is gone, being deleted or not usable (its MicroVMs then time out).
   */
  egressSourceOf(connectorId: string): EgressSource | undefined {
    const record = this.live.get(connectorId);
    if (record?.state !== 'ACTIVE') return undefined;
    const firstSubnet = record.config.subnetIds[0];
    const eni = record.enis.find((e) => e.purpose === 'production' && e.subnetId === firstSubnet);
    if (!eni) return undefined;
    return {
      subnetId: eni.subnetId,
      securityGroupIds: [...record.config.securityGroupIds],
      privateIpAddress: eni.privateIpAddress,
    };
  }

  private require(identifier: string): ConnectorRecord {
    const record = this.lookup(identifier);
    if (!record) throw resourceNotFound(`Network connector not found: ${identifier}`);
    return record;
  }

  private lookup(identifier: string): ConnectorRecord | undefined {
    let key = identifier;
    if (identifier.startsWith('arn:')) {
      const match = CONNECTOR_ARN_PATTERN.exec(identifier);
      if (!match || match[1] !== this.ctx.region || match[2] !== this.ctx.account) return undefined;
      key = match[3] ?? '';
    }
    return this.live.get(key) ?? [...this.live.values()].find((c) => c.name === key);
  }

  private provision(record: ConnectorRecord): void {
    delete record.cancelPending;
    const faults = this.faultsByName.get(record.name) ?? {};
    if (record.state !== 'PENDING' || faults.stuckPending) return;
    if (faults.activationFailure) {
      this.failProvisioning(record, faults.activationFailure, 'Injected provisioning failure');
      return;
    }
    const [firstSubnet] = record.config.subnetIds;
    if (firstSubnet === undefined) return;
    // Lambda first proves the operator role can create a tagged ENI (a real one, kept until deletion).
    const validationCaller = this.operatorCaller(record.operatorRole, LAB_PRINCIPALS.validationSessionName);
    const failure = this.createEni(record, firstSubnet, 'validation', validationCaller);
    if (failure) {
      this.failProvisioning(record, failure.reasonCode, failure.message);
      return;
    }
    const productionCaller = this.operatorCaller(record.operatorRole, twelveDigitSessionName());
    for (const subnetId of record.config.subnetIds) {
      const productionFailure = this.createEni(record, subnetId, 'production', productionCaller);
      if (productionFailure) {
        this.failProvisioning(record, productionFailure.reasonCode, productionFailure.message);
        return;
      }
    }
    record.state = 'ACTIVE';
    record.lastModified = this.ctx.clock.now();
  }

  private failProvisioning(record: ConnectorRecord, reasonCode: NetworkConnectorReasonCode, message: string): void {
    record.state = 'FAILED';
    record.stateReasonCode = reasonCode;
    record.stateReason = message;
    record.lastModified = this.ctx.clock.now();
  }

  private applyUpdate(record: ConnectorRecord, previous: { config: ConnectorConfig; operatorRole: string }): void {
    delete record.cancelPending;
    if (record.state !== 'ACTIVE' || record.lastUpdateStatus !== 'InProgress') return;
    const injected = this.faultsByName.get(record.name)?.updateFailure;
    if (injected) {
      this.failUpdate(record, previous, injected, 'Injected update failure', []);
      return;
    }
    const placement = this.network.validateConnectorPlacement(record.config.subnetIds, record.config.securityGroupIds);
    if (placement) {
      this.failUpdate(record, previous, placement, `Placement check failed: ${placement}`, []);
      return;
    }
    const productionSubnets = new Set(record.enis.filter((e) => e.purpose === 'production').map((e) => e.subnetId));
    const added = record.config.subnetIds.filter((s) => !productionSubnets.has(s));
    const created: ConnectorEni[] = [];
    const caller = this.operatorCaller(record.operatorRole, twelveDigitSessionName());
    for (const subnetId of added) {
      const failure = this.createEni(record, subnetId, 'production', caller);
      if (failure) {
        this.failUpdate(record, previous, failure.reasonCode, failure.message, created);
        return;
      }
      created.push(record.enis[record.enis.length - 1] as ConnectorEni);
    }
    const keep = new Set(record.config.subnetIds);
    this.deleteEnis(
      record,
      record.enis.filter((e) => e.purpose === 'production' && !keep.has(e.subnetId)),
    );
    record.lastUpdateStatus = 'Successful';
    record.lastModified = this.ctx.clock.now();
  }

  private failUpdate(
    record: ConnectorRecord,
    previous: { config: ConnectorConfig; operatorRole: string },
    reasonCode: NetworkConnectorReasonCode,
    message: string,
    createdDuringUpdate: ConnectorEni[],
  ): void {
    this.deleteEnis(record, createdDuringUpdate);
    record.config = previous.config;
    record.operatorRole = previous.operatorRole;
    record.lastUpdateStatus = 'Failed';
    record.lastUpdateStatusReasonCode = reasonCode;
    record.lastUpdateStatusReason = message;
    record.lastModified = this.ctx.clock.now();
  }

  private finishDeletion(record: ConnectorRecord): void {
    delete record.cancelPending;
    if (record.state !== 'DELETING') return;
    if (this.faultsByName.get(record.name)?.deleteFails) {
      record.state = 'DELETE_FAILED';
      record.stateReasonCode = 'InternalError';
      record.stateReason = 'Injected deletion failure: network interfaces were not released';
      record.lastModified = this.ctx.clock.now();
      return;
    }
    const leak = this.faultsByName.get(record.name)?.leakEnisOnDelete === true;
    this.deleteEnis(record, leak ? record.enis.filter((e) => e.purpose !== 'production') : record.enis);
    this.live.delete(record.id);
  }

  /** Creates one connector ENI; returns the failure (already recorded by the network world) or undefined. */
  private createEni(
    record: ConnectorRecord,
    subnetId: string,
    purpose: ConnectorEni['purpose'],
    caller: CallerIdentity,
  ): { reasonCode: NetworkConnectorReasonCode; message: string } | undefined {
    const result = this.network.createNetworkInterface(
      {
        subnetId,
        securityGroupIds: [...record.config.securityGroupIds],
        description: `AWS Lambda network connector ${record.name}`,
        tags: { 'aws:lambda:networkConnectorName': record.name, 'aws:lambda:networkConnectorId': record.id },
        operatorPrincipal: LAB_PRINCIPALS.connectorOperatorService,
      },
      caller,
    );
    if (result.ok) {
      const { networkInterfaceId, privateIpAddress } = result.eni;
      record.enis.push({ networkInterfaceId, subnetId, privateIpAddress, purpose });
      return undefined;
    }
    return {
      reasonCode: this.reasonForEniFailure(record.config, subnetId, result.errorCode),
      message: `Lambda could not create a network interface in ${subnetId}: ${result.errorCode}: ${result.errorMessage}`,
    };
  }

  private reasonForEniFailure(
    config: ConnectorConfig,
    subnetId: string,
    errorCode: string,
  ): NetworkConnectorReasonCode {
    if (/InsufficientFreeAddresses/i.test(errorCode)) return 'SubnetOutOfIPAddresses';
    if (/InvalidSubnet/i.test(errorCode)) return 'InvalidSubnet';
    if (/InvalidGroup|SecurityGroup/i.test(errorCode)) return 'InvalidSecurityGroup';
    if (/Unauthorized|AccessDenied/i.test(errorCode)) return 'InsufficientRolePermissions';
    if (/RequestLimitExceeded/i.test(errorCode)) return 'Ec2RequestLimitExceeded';
    const placement = this.network.validateConnectorPlacement(config.subnetIds, config.securityGroupIds);
    if (placement) return placement;
    return this.network.freeIpCount(subnetId) < 1 ? 'SubnetOutOfIPAddresses' : 'InternalError';
  }

  /** Connector ENIs are released by the Lambda service-linked role, not the operator role. */
  private deleteEnis(record: ConnectorRecord, enis: ConnectorEni[]): void {
    if (enis.length === 0) return;
    const caller: CallerIdentity = {
      kind: 'assumed-role',
      account: this.ctx.account,
      roleName: LAB_PRINCIPALS.serviceLinkedRoleName,
      rolePath: LAB_PRINCIPALS.serviceLinkedRolePath,
      sessionName: twelveDigitSessionName(),
      invokedBy: LAB_PRINCIPALS.lambdaService,
    };
    const doomed = new Set(enis.map((e) => e.networkInterfaceId));
    for (const id of doomed) this.network.deleteNetworkInterface(id, caller);
    record.enis = record.enis.filter((e) => !doomed.has(e.networkInterfaceId));
  }

  private operatorCaller(roleArn: string, sessionName: string): CallerIdentity {
    const match = ROLE_ARN_PATTERN.exec(roleArn);
    return {
      kind: 'assumed-role',
      account: match?.[1] ?? this.ctx.account,
      roleName: match?.[3] ?? roleArn,
      rolePath: match?.[2] ?? '/',
      sessionName,
      invokedBy: LAB_PRINCIPALS.connectorOperatorService,
    };
  }
}

function twelveDigitSessionName(): string {
  return String(randomInt(100_000_000_000, 999_999_999_999));
}

function connectorView(record: ConnectorRecord): NetworkConnectorView {
  const view: NetworkConnectorView = {
    Arn: record.arn,
    Name: record.name,
    Id: record.id,
    Version: record.version,
    Configuration: {
      VpcEgressConfiguration: {
        SubnetIds: [...record.config.subnetIds],
        SecurityGroupIds: [...record.config.securityGroupIds],
        NetworkProtocol: record.config.networkProtocol,
        AssociatedComputeResourceTypes: [...record.config.computeTypes],
      },
    },
    OperatorRole: record.operatorRole,
    State: record.state,
    LastModified: record.lastModified.toISOString(),
  };
  if (record.stateReason !== undefined) view.StateReason = record.stateReason;
  if (record.stateReasonCode !== undefined) view.StateReasonCode = record.stateReasonCode;
  if (record.lastUpdateStatus !== undefined) view.LastUpdateStatus = record.lastUpdateStatus;
  if (record.lastUpdateStatusReason !== undefined) view.LastUpdateStatusReason = record.lastUpdateStatusReason;
  if (record.lastUpdateStatusReasonCode !== undefined) {
    view.LastUpdateStatusReasonCode = record.lastUpdateStatusReasonCode;
  }
  return view;
}

function summaryView(record: ConnectorRecord): NetworkConnectorSummaryView {
  return {
    Arn: record.arn,
    Name: record.name,
    Id: record.id,
    Type: 'VPC_EGRESS',
    State: record.state,
    LastModified: record.lastModified.toISOString(),
  };
}

function parseName(value: unknown): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw invalidParameter('Name must be 1-64 characters of [a-zA-Z0-9_-]');
  }
  return value;
}

function parseOperatorRole(value: unknown): string {
  if (typeof value !== 'string' || !ROLE_ARN_PATTERN.test(value)) {
    throw invalidParameter('OperatorRole must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)');
  }
  return value;
}

function parseClientToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
    throw invalidParameter('ClientToken must be 1-64 characters');
  }
  return value;
}

function parseTags(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw invalidParameter('Tags must be a map of strings');
  }
  return { ...(value as Record<string, string>) };
}

function parseConfiguration(value: unknown): ConnectorConfig {
  if (!isRecord(value) || Object.keys(value).length !== 1 || !isRecord(value.VpcEgressConfiguration)) {
    throw invalidParameter('Configuration must set exactly one member: VpcEgressConfiguration');
  }
  const vpc = value.VpcEgressConfiguration;
  const subnetIds = stringList(vpc.SubnetIds, 'SubnetIds', SUBNET_PATTERN, 1, 16);
  const securityGroupIds =
    vpc.SecurityGroupIds === undefined
      ? []
      : stringList(vpc.SecurityGroupIds, 'SecurityGroupIds', SECURITY_GROUP_PATTERN, 0, 5);
  const networkProtocol = vpc.NetworkProtocol ?? 'IPv4';
  if (typeof networkProtocol !== 'string' || !NETWORK_PROTOCOLS.includes(networkProtocol)) {
    throw invalidParameter(`NetworkProtocol must be one of ${NETWORK_PROTOCOLS.join(', ')}`);
  }
  const computeTypes =
    vpc.AssociatedComputeResourceTypes === undefined
      ? ['MicroVm']
      : stringList(vpc.AssociatedComputeResourceTypes, 'AssociatedComputeResourceTypes', /^\w+$/, 1, 1);
  if (!computeTypes.every((t) => COMPUTE_TYPES.includes(t))) {
    throw invalidParameter(`AssociatedComputeResourceTypes must be one of ${COMPUTE_TYPES.join(', ')}`);
  }
  return { subnetIds, securityGroupIds, networkProtocol, computeTypes };
}

function stringList(value: unknown, field: string, pattern: RegExp, min: number, max: number): string[] {
  if (!Array.isArray(value) || value.length < min || value.length > max) {
    throw invalidParameter(`${field} must be a list of ${min}-${max} items`);
  }
  for (const item of value) {
    if (typeof item !== 'string' || !pattern.test(item))
      throw invalidParameter(`${field} has an invalid value: ${item}`);
  }
  if (new Set(value).size !== value.length) throw invalidParameter(`${field} must not repeat a value`);
  return [...(value as string[])];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
