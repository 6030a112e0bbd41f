/**
 * Lambda MicroVMs in the lab: scenario-registered images, the MicroVM lifecycle on the virtual clock
 * (PENDING → RUNNING, suspend/resume, idle suspend, maximum duration, terminate), egress connector binding
 * at run time, and proxy auth tokens (Lambda MicroVMs API model lambda-microvms/2025-09-09). Members are camelCase as on the MicroVMs wire.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallerIdentity } from '../trail/record.js';
import type { NetworkConnectors } from './compute-connectors.js';
import { type ComputeContext, type ComputeWorldOptions, withTrail } from './compute-context.js';
import { ComputeApiError, conflict, resourceNotFound, validationError } from './compute-errors.js';
import type { EgressSource } from './contracts.js';

export type MicrovmState = 'PENDING' | 'RUNNING' | 'SUSPENDING' | 'SUSPENDED' | 'TERMINATING' | 'TERMINATED';

export interface MicrovmImage {
  imageArn: string;
  name: string;
  /** Which in-process app answers inside MicroVMs of this image (see lab/emulators/microvm-apps.ts). */
  appKind: string;
  state: 'CREATED';
  latestActiveImageVersion: string;
  createdAt: Date;
}

export interface IdlePolicy {
  maxIdleDurationSeconds: number;
  suspendedDurationSeconds: number;
  autoResumeEnabled: boolean;
}

/** RunMicrovm request members; values come off the wire and are checked. */
export interface RunMicrovmRequest {
  imageIdentifier?: unknown;
  imageVersion?: unknown;
  ingressNetworkConnectors?: unknown;
  egressNetworkConnectors?: unknown;
  executionRoleArn?: unknown;
  idlePolicy?: unknown;
  logging?: unknown;
  runHookPayload?: unknown;
  maximumDurationInSeconds?: unknown;
  clientToken?: unknown;
}

export interface CreateMicrovmAuthTokenRequest {
  expirationInMinutes?: unknown;
  allowedPorts?: unknown;
}

/** RunMicrovm / GetMicrovm response (Date members go out as epoch seconds on the wire). */
export interface MicrovmView {
  microvmId: string;
  state: MicrovmState;
  endpoint: string;
  imageArn: string;
  imageVersion: string;
  executionRoleArn?: string;
  idlePolicy?: IdlePolicy;
  maximumDurationInSeconds: number;
  startedAt: Date;
  terminatedAt?: Date;
  stateReason?: string;
  ingressNetworkConnectors: string[];
  egressNetworkConnectors: string[];
}

export type MicrovmItemView = Pick<MicrovmView, 'microvmId' | 'state' | 'imageArn' | 'imageVersion' | 'startedAt'>;

/** How packets from inside a MicroVM leave, decided when they are sent. */
export type MicrovmEgressPath =
  | { kind: 'internet'; publicIp: string }
  | { kind: 'vpc'; connectorId: string; source: EgressSource }
  | { kind: 'broken'; connectorId: string; reason: string };

export type ProxyAdmission =
  | { ok: true; microvm: MicrovmView; image: MicrovmImage; runHookPayload: string | undefined }
  | { ok: false; status: 403 | 404 | 502; message: string };

type PortGrant = { port: number } | { startPort: number; endPort: number } | 'all';

interface AuthToken {
  microvmId: string;
  grants: PortGrant[];
  expiresAtMs: number;
}

interface MicrovmRecord {
  view: MicrovmView;
  image: MicrovmImage;
  seq: number;
  /** Bound once at run time by connector ID, so a later connector with the same name is not picked up. */
  egressBinding: { kind: 'internet'; publicIp: string } | { kind: 'vpc'; connectorId: string };
  cancelIdle?: () => void;
  cancelSuspended?: () => void;
  /** What the /run hook received (never returned by GetMicrovm: the member is sensitive). */
  runHookPayload?: string;
  /** Billing meter: ms in billed states (PENDING, RUNNING, SUSPENDING) and since when the current one runs. */
  billedMs: number;
  billedSinceMs: number | null;
}

const MAX_CONNECTORS_PER_LIST = 10;
const MAX_LIFETIME_SECONDS = 28_800;
const MAX_TOKEN_MINUTES = 60;
const MANAGED_CONNECTOR = /^arn:aws:lambda:([a-z0-9-]+):aws:network-connector:aws-network-connector:([A-Z_]+)$/;
const CUSTOMER_CONNECTOR = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:network-connector:[a-zA-Z0-9_-]+(?::\d+)?$/;
const INGRESS_NAMES = ['ALL_INGRESS', 'NO_INGRESS', 'SHELL_INGRESS', 'HTTP_INGRESS'];

export class Microvms {
  private readonly images = new Map<string, MicrovmImage>();
  private readonly vms = new Map<string, MicrovmRecord>();
  private readonly byClientToken = new Map<string, string>();
  private readonly tokens = new Map<string, AuthToken>();
  private seq = 0;

  constructor(
    private readonly ctx: ComputeContext,
    private readonly connectors: NetworkConnectors,
    private readonly options: ComputeWorldOptions,
  ) {}

  registerImage(input: { name: string; appKind: string }): MicrovmImage {
    const image: MicrovmImage = {
      imageArn: `arn:aws:lambda:${this.ctx.region}:${this.ctx.account}:microvm-image:${input.name}`,
      name: input.name,
      appKind: input.appKind,
      state: 'CREATED',
      latestActiveImageVersion: '1',
      createdAt: this.ctx.clock.now(),
    };
    this.images.set(image.imageArn, image);
    return { ...image };
  }

  getImage(identifier: string): MicrovmImage {
    const image = this.images.get(identifier) ?? [...this.images.values()].find((i) => i.name === identifier);
    if (!image) throw resourceNotFound(`MicroVM image not found: ${identifier}`, 'MicrovmImage', identifier);
    return { ...image };
  }

  listImages(nameFilter?: string): MicrovmImage[] {
    return [...this.images.values()]
      .filter((i) => nameFilter === undefined || i.name.includes(nameFilter))
      .map((i) => ({ ...i }));
  }

  run(request: RunMicrovmRequest, caller: CallerIdentity): MicrovmView {
    return withTrail(this.ctx, {
      caller,
      eventName: 'RunMicrovm',
      requestParameters: request,
      category: 'Data',
      record: this.options.logMicrovmDataEvents,
      run: () => this.start(request),
    });
  }

  /** Whether this world runs (or ran) the MicroVM `identifier` (the lab routes its endpoint here). */
  has(identifier: string): boolean {
    return this.vms.has(identifier);
  }

  get(identifier: string): MicrovmView {
    return copyView(this.require(identifier).view);
  }

  /** Oldest first, optionally only MicroVMs of one image (ARN or name). */
  list(imageIdentifier?: string): MicrovmItemView[] {
    const imageArn = imageIdentifier === undefined ? undefined : this.getImage(imageIdentifier).imageArn;
    return [...this.vms.values()]
      .filter((vm) => imageArn === undefined || vm.image.imageArn === imageArn)
      .sort((a, b) => a.seq - b.seq)
      .map(({ view }) => ({
        microvmId: view.microvmId,
        state: view.state,
        imageArn: view.imageArn,
        imageVersion: view.imageVersion,
        startedAt: view.startedAt,
      }));
  }

  terminate(identifier: string, caller: CallerIdentity): Record<string, never> {
    return withTrail(this.ctx, {
      caller,
      eventName: 'TerminateMicrovm',
      requestParameters: { microvmIdentifier: identifier },
      category: 'Data',
      record: this.options.logMicrovmDataEvents,
      run: () => {
        this.beginTermination(this.require(identifier), 'Terminated by TerminateMicrovm');
        return {};
      },
    });
  }

  suspend(identifier: string, caller?: CallerIdentity): Record<string, never> {
    if (caller) {
      return withTrail(this.ctx, {
        caller,
        eventName: 'SuspendMicrovm',
        requestParameters: { microvmIdentifier: identifier },
        category: 'Data',
        record: this.options.logMicrovmDataEvents,
        run: () => this.suspend(identifier),
      });
    }
    const vm = this.require(identifier);
    const { state } = vm.view;
    if (state === 'SUSPENDING' || state === 'SUSPENDED') return {};
    if (state !== 'RUNNING')
      throw conflict(`MicroVM ${identifier} is ${state}; only RUNNING can be suspended`, 'MICROVM', identifier);
    this.beginSuspension(vm);
    return {};
  }

  resume(identifier: string, caller?: CallerIdentity): Record<string, never> {
    if (caller) {
      return withTrail(this.ctx, {
        caller,
        eventName: 'ResumeMicrovm',
        requestParameters: { microvmIdentifier: identifier },
        category: 'Data',
        record: this.options.logMicrovmDataEvents,
        run: () => this.resume(identifier),
      });
    }
    const vm = this.require(identifier);
    const { state } = vm.view;
    if (state === 'RUNNING') return {};
    if (state !== 'SUSPENDED')
      throw conflict(`MicroVM ${identifier} is ${state}; only SUSPENDED can be resumed`, 'MICROVM', identifier);
    // The VM stays SUSPENDED while its /resume hook runs.
    this.ctx.clock.after(this.options.microvmTransitionDelayMs, () => {
      if (vm.view.state === 'SUSPENDED') this.markRunning(vm);
    });
    return {};
  }

  createAuthToken(identifier: string, request: CreateMicrovmAuthTokenRequest): { authToken: Record<string, string> } {
    const vm = this.require(identifier);
    if (vm.view.state === 'TERMINATING' || vm.view.state === 'TERMINATED') {
      throw conflict(`MicroVM ${identifier} is ${vm.view.state}`, 'MICROVM', identifier);
    }
    const minutes = request.expirationInMinutes;
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1 || minutes > MAX_TOKEN_MINUTES) {
      throw validationError(`expirationInMinutes must be an integer from 1 to ${MAX_TOKEN_MINUTES}`);
    }
    const grants = parsePortGrants(request.allowedPorts);
    const token = `lab-mvm.${randomBytes(32).toString('base64url')}`;
    this.tokens.set(token, {
      microvmId: vm.view.microvmId,
      grants,
      expiresAtMs: this.ctx.clock.now().getTime() + minutes * 60_000,
    });
    return { authToken: { 'X-aws-proxy-auth': token } };
  }

  /**
   * The endpoint proxy's checks, in its order: token valid for this VM and not expired, port allowed, VM
   * able to take traffic (a SUSPENDED VM with autoResume wakes up). Inbound traffic resets the idle timer.
   */
  admitProxyRequest(microvmId: string, token: string | undefined, port: number): ProxyAdmission {
    const grant = token === undefined ? undefined : this.tokens.get(token);
    if (!grant || grant.microvmId !== microvmId)
      return { ok: false, status: 403, message: 'Invalid authentication token' };
    if (grant.expiresAtMs <= this.ctx.clock.now().getTime()) {
      return { ok: false, status: 403, message: 'Authentication token expired' };
    }
    if (!grant.grants.some((g) => portAllowed(g, port))) {
      return { ok: false, status: 403, message: `Port ${port} is not allowed by the token` };
    }
    const vm = this.vms.get(microvmId);
    if (!vm) return { ok: false, status: 404, message: 'MicroVM not found' };
    if (vm.view.state === 'SUSPENDED' && vm.view.idlePolicy?.autoResumeEnabled) this.markRunning(vm);
    if (vm.view.state !== 'RUNNING') {
      return { ok: false, status: 502, message: `MicroVM is ${vm.view.state} and cannot take traffic` };
    }
    this.armIdleTimer(vm);
    return { ok: true, microvm: copyView(vm.view), image: { ...vm.image }, runHookPayload: vm.runHookPayload };
  }

  egressPathOf(microvmId: string): MicrovmEgressPath {
    const binding = this.require(microvmId).egressBinding;
    if (binding.kind === 'internet') return binding;
    const source = this.connectors.egressSourceOf(binding.connectorId);
    return source
      ? { kind: 'vpc', connectorId: binding.connectorId, source }
      : { kind: 'broken', connectorId: binding.connectorId, reason: 'connector deleted or has no usable ENI' };
  }

  private start(request: RunMicrovmRequest): MicrovmView {
    const image = this.requireImageArn(request.imageIdentifier);
    const clientToken = optionalString(request.clientToken, 'clientToken', 128);
    const replayed = clientToken === undefined ? undefined : this.vms.get(this.byClientToken.get(clientToken) ?? '');
    if (replayed) return copyView(replayed.view);
    const ingress = connectorList(request.ingressNetworkConnectors, 'ingressNetworkConnectors');
    for (const arn of ingress) this.checkIngressConnector(arn);
    const egress = connectorList(request.egressNetworkConnectors, 'egressNetworkConnectors');
    const idlePolicy = parseIdlePolicy(request.idlePolicy);
    const maximumDurationInSeconds = request.maximumDurationInSeconds ?? MAX_LIFETIME_SECONDS;
    if (
      typeof maximumDurationInSeconds !== 'number' ||
      !Number.isInteger(maximumDurationInSeconds) ||
      maximumDurationInSeconds < 1 ||
      maximumDurationInSeconds > MAX_LIFETIME_SECONDS
    ) {
      throw validationError(`maximumDurationInSeconds must be an integer from 1 to ${MAX_LIFETIME_SECONDS}`);
    }
    const executionRoleArn = optionalString(request.executionRoleArn, 'executionRoleArn', 2048);
    const id = `mvm-${randomUUID()}`;
    const seq = this.seq++;
    const view: MicrovmView = {
      microvmId: id,
      state: 'PENDING',
      endpoint: `${id}.lambda-microvm.${this.ctx.region}.on.aws`,
      imageArn: image.imageArn,
      imageVersion: typeof request.imageVersion === 'string' ? request.imageVersion : image.latestActiveImageVersion,
      maximumDurationInSeconds,
      startedAt: this.ctx.clock.now(),
      ingressNetworkConnectors: ingress,
      egressNetworkConnectors: egress,
    };
    if (executionRoleArn !== undefined) view.executionRoleArn = executionRoleArn;
    if (idlePolicy) view.idlePolicy = idlePolicy;
    const runHookPayload = optionalString(request.runHookPayload, 'runHookPayload', 4096);
    const vm: MicrovmRecord = {
      view,
      image,
      seq,
      egressBinding: this.bindEgress(egress, seq),
      billedMs: 0,
      billedSinceMs: this.ctx.clock.now().getTime(),
    };
    if (runHookPayload !== undefined) vm.runHookPayload = runHookPayload;
    this.vms.set(id, vm);
    if (clientToken !== undefined) this.byClientToken.set(clientToken, id);
    this.ctx.clock.after(this.options.microvmStartDelayMs, () => {
      if (vm.view.state === 'PENDING') this.markRunning(vm);
    });
    this.ctx.clock.after(maximumDurationInSeconds * 1000, () => this.beginTermination(vm, 'Maximum duration reached'));
    return copyView(view);
  }

  private bindEgress(egress: string[], seq: number): MicrovmRecord['egressBinding'] {
    const customerConnectorIds: string[] = [];
    for (const arn of egress) {
      const managed = MANAGED_CONNECTOR.exec(arn);
      if (managed) {
        if (managed[1] !== this.ctx.region || managed[2] !== 'INTERNET_EGRESS') {
          throw validationError(`${arn} is not an egress network connector in ${this.ctx.region}`);
        }
        continue;
      }
      if (!CUSTOMER_CONNECTOR.test(arn)) throw validationError(`Not a network connector ARN: ${arn}`);
      const connector = this.connectors.find(arn);
      if (!connector) throw resourceNotFound(`Network connector not found: ${arn}`, 'NetworkConnector', arn);
      if (connector.State !== 'ACTIVE') {
        throw validationError(`Network connector ${arn} is ${connector.State}; it must be ACTIVE`);
      }
      customerConnectorIds.push(connector.Id);
    }
    if (customerConnectorIds.length > 1) {
      // What the field notes saw for two VPC egress connectors on one RunMicrovm.
      throw new ComputeApiError('InternalServerException', 500, 'An internal error occurred.', {}, 'InternalFailure');
    }
    const [connectorId] = customerConnectorIds;
    return connectorId === undefined
      ? { kind: 'internet', publicIp: awsOwnedPublicIp(seq) }
      : { kind: 'vpc', connectorId };
  }

  private checkIngressConnector(arn: string): void {
    const managed = MANAGED_CONNECTOR.exec(arn);
    if (!managed || managed[1] !== this.ctx.region || !INGRESS_NAMES.includes(managed[2] ?? '')) {
      throw validationError(`${arn} is not an ingress network connector in ${this.ctx.region}`);
    }
  }

  private requireImageArn(value: unknown): MicrovmImage {
    if (typeof value !== 'string' || value.length < 1 || value.length > 256) {
      throw validationError('imageIdentifier is required (1-256 characters)');
    }
    const image = this.images.get(value);
    if (!image) throw resourceNotFound(`MicroVM image not found: ${value}`, 'MicrovmImage', value);
    return image;
  }

  private require(identifier: string): MicrovmRecord {
    const vm = this.vms.get(identifier);
    if (!vm) throw resourceNotFound(`MicroVM not found: ${identifier}`, 'MICROVM', identifier);
    return vm;
  }

  private markRunning(vm: MicrovmRecord): void {
    vm.cancelSuspended?.();
    delete vm.cancelSuspended;
    vm.view.state = 'RUNNING';
    this.startMeter(vm);
    this.armIdleTimer(vm);
  }

  /**
   * Billed MicroVM-seconds so far (Lambda pricing, MicroVMs: running is billed per instance-second, suspended only
   * for snapshot storage): time spent PENDING, RUNNING or SUSPENDING, for one VM or every VM of an image.
   */
  billedSeconds(filter: { microvmId?: string; imageArn?: string } = {}): number {
    const nowMs = this.ctx.clock.now().getTime();
    let total = 0;
    for (const vm of this.vms.values()) {
      if (filter.microvmId !== undefined && vm.view.microvmId !== filter.microvmId) continue;
      if (filter.imageArn !== undefined && vm.image.imageArn !== filter.imageArn) continue;
      total += vm.billedMs + (vm.billedSinceMs === null ? 0 : nowMs - vm.billedSinceMs);
    }
    return total / 1000;
  }

  private startMeter(vm: MicrovmRecord): void {
    if (vm.billedSinceMs === null) vm.billedSinceMs = this.ctx.clock.now().getTime();
  }

  private stopMeter(vm: MicrovmRecord): void {
    if (vm.billedSinceMs === null) return;
    vm.billedMs += this.ctx.clock.now().getTime() - vm.billedSinceMs;
    vm.billedSinceMs = null;
  }

  private armIdleTimer(vm: MicrovmRecord): void {
    vm.cancelIdle?.();
    delete vm.cancelIdle;
    const policy = vm.view.idlePolicy;
    if (!policy) return;
    vm.cancelIdle = this.ctx.clock.after(policy.maxIdleDurationSeconds * 1000, () => {
      if (vm.view.state === 'RUNNING') this.beginSuspension(vm);
    });
  }

  private beginSuspension(vm: MicrovmRecord): void {
    vm.cancelIdle?.();
    delete vm.cancelIdle;
    vm.view.state = 'SUSPENDING';
    this.ctx.clock.after(this.options.microvmTransitionDelayMs, () => {
      if (vm.view.state !== 'SUSPENDING') return;
      vm.view.state = 'SUSPENDED';
      this.stopMeter(vm);
      const policy = vm.view.idlePolicy;
      if (policy) {
        vm.cancelSuspended = this.ctx.clock.after(policy.suspendedDurationSeconds * 1000, () =>
          this.beginTermination(vm, 'Suspended duration reached'),
        );
      }
    });
  }

  private beginTermination(vm: MicrovmRecord, reason: string): void {
    if (vm.view.state === 'TERMINATING' || vm.view.state === 'TERMINATED') return;
    vm.cancelIdle?.();
    vm.cancelSuspended?.();
    vm.view.state = 'TERMINATING';
    vm.view.stateReason = reason;
    this.ctx.clock.after(this.options.microvmTransitionDelayMs, () => {
      vm.view.state = 'TERMINATED';
      this.stopMeter(vm);
      vm.view.terminatedAt = this.ctx.clock.now();
    });
  }
}

function copyView(view: MicrovmView): MicrovmView {
  return structuredClone(view);
}

/** A stand-in for the AWS-owned address INTERNET_EGRESS traffic leaves from (52.94.0.0/22 is AWS space). */
function awsOwnedPublicIp(seq: number): string {
  return `52.94.${Math.floor(seq / 250) % 4}.${(seq % 250) + 1}`;
}

function connectorList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_CONNECTORS_PER_LIST || value.some((v) => typeof v !== 'string')) {
    throw validationError(`${field} must be a list of at most ${MAX_CONNECTORS_PER_LIST} ARNs`);
  }
  return [...(value as string[])];
}

function optionalString(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > maxLength) {
    throw validationError(`${field} must be 1-${maxLength} characters`);
  }
  return value;
}

function parseIdlePolicy(value: unknown): IdlePolicy | undefined {
  if (value === undefined) return undefined;
  const policy = value as Partial<Record<keyof IdlePolicy, unknown>> | null;
  if (
    typeof policy !== 'object' ||
    policy === null ||
    typeof policy.maxIdleDurationSeconds !== 'number' ||
    policy.maxIdleDurationSeconds < 60 ||
    typeof policy.suspendedDurationSeconds !== 'number' ||
    policy.suspendedDurationSeconds < 0 ||
    typeof policy.autoResumeEnabled !== 'boolean'
  ) {
    throw validationError(
      'idlePolicy needs maxIdleDurationSeconds >= 60, suspendedDurationSeconds >= 0 and autoResumeEnabled',
    );
  }
  return {
    maxIdleDurationSeconds: policy.maxIdleDurationSeconds,
    suspendedDurationSeconds: policy.suspendedDurationSeconds,
    autoResumeEnabled: policy.autoResumeEnabled,
  };
}

function parsePortGrants(value: unknown): PortGrant[] {
  if (!Array.isArray(value) || value.length < 1) throw validationError('allowedPorts needs at least one entry');
  return value.map((entry: unknown): PortGrant => {
    const spec = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    if (spec.allPorts !== undefined) return 'all';
    if (isPort(spec.port)) return { port: spec.port };
    const range = spec.range as Record<string, unknown> | undefined;
    if (range && isPort(range.startPort) && isPort(range.endPort) && range.startPort <= range.endPort) {
      return { startPort: range.startPort, endPort: range.endPort };
    }
    throw validationError('each allowedPorts entry must be {port}, {range:{startPort,endPort}} or {allPorts:{}}');
  });
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535;
}

function portAllowed(grant: PortGrant, port: number): boolean {
  if (grant === 'all') return true;
  if ('port' in grant) return grant.port === port;
  return port >= grant.startPort && port <= grant.endPort;
}
