/**
 * The embedded lab (a composition root): a virtual clock, the network and compute worlds, CloudTrail,
 * the EventBridge bus with the rules read from serverless.yml, the product's handler modules invoked as
 * Lambda would invoke them (EventBridge targets, the DynamoDB stream, schedules), and one edge port that
 * every AWS SDK client can use. DynamoDB is the real DynamoDB Local underneath.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { appLogger, noFunctionMetrics } from '../shared/observability.js';
import { silentLogger } from '../shared/ports.js';
import type { FunctionRuntime } from '../shared/runtime.js';
import { VirtualClock } from './clock.js';
import { DynamoDbStreamPoller } from './dynamodb-stream-poller.js';
import { CallerRegistry, callerFromAuthorization, type Edge, startEdge } from './edge.js';
import { createCloudTrailEmulator } from './emulators/cloudtrail.js';
import { createEc2Emulator } from './emulators/ec2.js';
import { Ec2FaultSwitch } from './emulators/ec2-faults.js';
import { createLambdaCoreEmulator } from './emulators/lambda-core.js';
import { createLambdaFunctionsEmulator } from './emulators/lambda-functions.js';
import { createMicrovmProxy } from './emulators/microvm-proxy.js';
import { createMicrovmsEmulator } from './emulators/microvms.js';
import {
  createSlackWebhookReceiver,
  type SlackReceived,
  type SlackWebhookReceiver,
} from './emulators/slack-webhook.js';
import { createSnsEmulator, type SnsEmulator } from './emulators/sns.js';
import { createSqsEmulator, type SqsEmulator } from './emulators/sqs.js';
import { createSsmEmulator, type SsmEmulator } from './emulators/ssm.js';
import { type DeliveryBehaviour, type EventBridgeEnvelope, LabEventBus } from './eventbridge/bus.js';
import { matchesPattern } from './eventbridge/pattern.js';
import { type FunctionRules, readServerlessRules } from './eventbridge/serverless-rules.js';
import type { CallerIdentity, CloudTrailRecord } from './trail/record.js';
import { LabTrail } from './trail/store.js';
import { ComputeWorld, type ComputeWorldOptions } from './world/compute.js';
import { LambdaFunctionWorld } from './world/lambda-functions.js';
import { NetworkWorld } from './world/network.js';
import type { NetworkSpec } from './world/network-spec.js';

export interface LabOptions {
  account: string;
  region: string;
  start: string;
  network: NetworkSpec;
  images: { name: string; appKind: string }[];
  /** Access key id → caller, so SDK clients act as the scenario's people and roles. */
  callers: Record<string, CallerIdentity>;
  compute?: Partial<ComputeWorldOptions>;
  delivery?: Partial<DeliveryBehaviour>;
  dynamodbEndpoint: string;
  tableName: string;
  edgePort?: number;
  serverlessYml?: string;
  snsTopics?: string[];
  /** The expectations document for the canary function (a scenario's `monitor:` block); none = canaries idle. */
  monitor?: unknown;
}

/** The canary image every lab with a `monitor` registers (its VMs run canary-agent/agent.ts). */
export const LAB_CANARY_IMAGE = { name: 'egress-watch-canary', appKind: 'canary-agent' } as const;

export type LabHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LabActivity {
  kind: 'cloudtrail' | 'delivered' | 'projected' | 'handler-error' | 'scheduled' | 'slack';
  at: Date;
  text: string;
  record?: CloudTrailRecord;
  functionName?: string;
  /** kind 'slack': the payload the lab's Slack accepted. */
  slack?: SlackReceived;
}

/** Where the notify function delivers in the lab (docs/alerts.md). */
export interface LabAlerting {
  snsTopicArn: string;
  deadLetterQueueUrl: string;
  slackSecretName: string;
}

interface StreamConsumer {
  functionName: string;
  handler: LabHandler;
  filterPatterns: unknown[];
}

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export class Lab {
  readonly clock: VirtualClock;
  readonly trail: LabTrail;
  readonly bus: LabEventBus;
  readonly network: NetworkWorld;
  readonly compute: ComputeWorld;
  /** Classic Lambda functions (VPC configurations only), docs/hyperplane-enis.md. */
  readonly functions: LambdaFunctionWorld;
  readonly callers: CallerRegistry;
  readonly sns: SnsEmulator;
  readonly slack: SlackWebhookReceiver;
  readonly ssm: SsmEmulator;
  readonly sqs: SqsEmulator;
  /** Switchable EC2 faults (Describe throttling). */
  readonly ec2Faults = new Ec2FaultSwitch();
  readonly deliveries: { functionName: string; at: string; envelope: EventBridgeEnvelope }[] = [];
  private readonly listeners: ((activity: LabActivity) => void)[] = [];
  private readonly projectionHooks: ((at: Date) => Promise<void>)[] = [];
  private readonly scheduledHooks: ((functionName: string, at: Date) => Promise<void>)[] = [];
  private edge: Edge | undefined;
  private poller: DynamoDbStreamPoller | undefined;
  private readonly streamConsumers: StreamConsumer[] = [];
  private slackSeen = 0;
  private readonly handlerErrors: { functionName: string; error: string }[] = [];

  private constructor(readonly options: LabOptions) {
    this.clock = new VirtualClock(options.start);
    this.trail = new LabTrail({ clock: this.clock });
    this.bus = new LabEventBus({ clock: this.clock, behaviour: options.delivery ?? {}, trailLogsDataEvents: true });
    const ctx = { clock: this.clock, trail: this.trail, account: options.account, region: options.region };
    this.network = NetworkWorld.fromSpec(options.network, ctx);
    this.compute = new ComputeWorld(ctx, this.network, options.compute ?? {});
    this.functions = new LambdaFunctionWorld(ctx);
    for (const image of options.images) this.compute.microvms.registerImage(image);
    if (options.monitor !== undefined) this.compute.microvms.registerImage(LAB_CANARY_IMAGE);
    this.callers = new CallerRegistry(options.account);
    for (const [key, caller] of Object.entries(options.callers)) this.callers.register(key, caller);
    this.sns = createSnsEmulator({ topics: options.snsTopics ?? [], clock: this.clock });
    this.slack = createSlackWebhookReceiver({ clock: this.clock });
    this.ssm = createSsmEmulator({ account: options.account, region: options.region, clock: this.clock });
    this.sqs = createSqsEmulator({ clock: this.clock });
    this.trail.onRecord((record) => {
      this.emit({ kind: 'cloudtrail', at: this.clock.now(), text: record.eventName, record });
      this.bus.publish(record);
    });
  }

  /** Builds the world, starts the edge and wires the product's handlers to the bus, stream and schedules. */
  static async start(options: LabOptions): Promise<Lab> {
    const lab = new Lab(options);
    const callerFor = (req: Parameters<typeof callerFromAuthorization>[0]) => callerFromAuthorization(req, lab.callers);
    lab.edge = await startEdge({
      port: options.edgePort ?? 0,
      routes: {
        dynamodbEndpoint: options.dynamodbEndpoint,
        ec2: createEc2Emulator(lab.network, { callerFor, faults: lab.ec2Faults }),
        lambdaCore: createLambdaCoreEmulator(lab.compute, { callerFor }),
        lambdaFunctions: createLambdaFunctionsEmulator(lab.functions),
        microvms: createMicrovmsEmulator(lab.compute, { callerFor }),
        microvmProxy: createMicrovmProxy(lab.compute, lab.network),
        cloudtrail: createCloudTrailEmulator(lab.trail),
        sns: lab.sns,
        slack: lab.slack,
        ssm: lab.ssm,
        sqs: lab.sqs,
      },
    });
    lab.prepareAlerting();
    await lab.wireHandlers(options.serverlessYml ?? `${REPO_ROOT}serverless.yml`);
    return lab;
  }

  get url(): string {
    if (!this.edge) throw new Error('lab not started');
    return this.edge.url;
  }

  onActivity(listener: (activity: LabActivity) => void): void {
    this.listeners.push(listener);
  }

  /** Runs after every projection, inside the delivery, so observers see findings in timeline order. */
  afterProjection(hook: (at: Date) => Promise<void>): void {
    this.projectionHooks.push(hook);
  }

  /** Runs after every scheduled invocation (e.g. a canary tick), so observers see its results in order. */
  afterScheduled(hook: (functionName: string, at: Date) => Promise<void>): void {
    this.scheduledHooks.push(hook);
  }

  errors(): { functionName: string; error: string }[] {
    return [...this.handlerErrors];
  }

  /** Advances virtual time, delivering events and running handlers whose time has come. */
  async advanceTo(at: Date): Promise<void> {
    await this.clock.advanceTo(at.getTime());
  }

  /** Lets every pending delivery, retry and world timer play out (bounded by `maxMs` of virtual time). */
  async settle(maxMs = 2 * 3600_000): Promise<void> {
    await this.clock.advanceBy(maxMs);
  }

  async close(): Promise<void> {
    await this.edge?.close();
  }

  private emit(activity: LabActivity): void {
    for (const listener of this.listeners) listener(activity);
  }

  /** The lab's alerting resources: an SNS topic, the notifications dead-letter queue, the Slack bot token. */
  get alerting(): LabAlerting {
    return {
      snsTopicArn: `arn:aws:sns:${this.options.region}:${this.options.account}:egress-watch-lab-alerts`,
      deadLetterQueueUrl: `${this.url}/${this.options.account}/egress-watch-lab-notify-dlq`,
      slackSecretName: '/egress-watch/lab/slack-bot-token',
    };
  }

  private prepareAlerting(): void {
    const { snsTopicArn, deadLetterQueueUrl, slackSecretName } = this.alerting;
    this.sns.addTopic(snsTopicArn);
    this.sqs.createQueue(deadLetterQueueUrl);
    // A bot token made up for this run only: never in a file, never printed.
    const token = `xoxb-lab-${randomUUID()}`;
    this.ssm.putParameter(slackSecretName, token, 'SecureString');
    this.slack.setBotToken(token);
  }

  /**
   * The environment a deployed function would get, pointed at the lab: one endpoint for every AWS client
   * (the edge forwards DynamoDB to DynamoDB Local). Set before the handler modules load their config.
   */
  private handlerEnvironment(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: this.options.region,
      AWS_ACCESS_KEY_ID: 'LABFUNCTION',
      AWS_SECRET_ACCESS_KEY: 'labfunction',
      EGRESS_WATCH_TABLE: this.options.tableName,
      EGRESS_WATCH_ALLOWED_ACCOUNTS: this.options.account,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // notify: Slack bot through the lab's Web API, SNS topic and dead-letter queue of the lab.
      EGRESS_WATCH_SLACK_MODE: 'bot',
      EGRESS_WATCH_SLACK_SECRET_NAME: this.alerting.slackSecretName,
      EGRESS_WATCH_SLACK_API_URL: `${this.url}/api/`,
      EGRESS_WATCH_SNS_TOPIC_ARN: this.alerting.snsTopicArn,
      EGRESS_WATCH_NOTIFY_DLQ_URL: this.alerting.deadLetterQueueUrl,
      EGRESS_WATCH_SLACK_RETRY_MIN_MS: '50',
      EGRESS_WATCH_SLACK_RETRIES: '4',
      // The canary function (docs/canaries.md): expectations inline, the lab's canary image, and the
      // endpoint proxy in its path form (fetch cannot set the Host header of a per-VM endpoint).
      EGRESS_WATCH_EXPECTATIONS: JSON.stringify(this.options.monitor ?? { connectors: [] }),
      EGRESS_WATCH_CANARY_IMAGE_ARN: `arn:aws:lambda:${this.options.region}:${this.options.account}:microvm-image:${LAB_CANARY_IMAGE.name}`,
      EGRESS_WATCH_MICROVM_PROXY_URL: this.url,
    };
  }

  /**
   * What the lab passes to each function's `depsFor`: its environment as a record (process.env is left
   * alone), every AWS client pointed at the edge, the virtual clock, and quiet logs unless asked for.
   * Public so tools run against the lab exactly as a function would (e.g. the notifications redrive).
   */
  functionRuntime(): FunctionRuntime {
    const env = this.handlerEnvironment();
    const logLevel = env.POWERTOOLS_LOG_LEVEL ?? 'SILENT';
    return {
      env,
      aws: {
        region: this.options.region,
        endpoint: this.url,
        credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
      },
      clock: this.clock,
      logger: logLevel === 'SILENT' ? silentLogger : appLogger,
      metrics: noFunctionMetrics,
    };
  }

  /**
   * The handler the lab invokes: `makeHandler(depsFor(runtime))` for functions that follow the convention
   * (docs/architecture.md#functions-handlers-and-dependencies); the exported handler, with the function's
   * environment in process.env, for any that do not yet.
   */
  private async loadHandler(fn: FunctionRules): Promise<LabHandler> {
    const [modulePath, exportName] = splitHandler(fn.handler);
    const module = (await import(pathToFileURL(`${REPO_ROOT}${modulePath}.ts`).href)) as Record<string, unknown>;
    const { makeHandler, depsFor } = module;
    if (typeof makeHandler === 'function' && typeof depsFor === 'function')
      return makeHandler(depsFor(this.functionRuntime())) as LabHandler;
    const handler = module[exportName];
    if (typeof handler !== 'function') throw new Error(`${fn.handler}: no exported function ${exportName}`);
    Object.assign(process.env, this.handlerEnvironment());
    delete process.env.EGRESS_WATCH_DYNAMODB_ENDPOINT;
    return handler as LabHandler;
  }

  private async wireHandlers(serverlessYml: string): Promise<void> {
    const functions = await readServerlessRules(serverlessYml);
    this.poller = new DynamoDbStreamPoller(this.options.dynamodbEndpoint, this.options.tableName);
    await this.poller.poll(); // start reading the stream from now on
    for (const fn of functions) {
      const handler = await this.loadHandler(fn);
      for (const stream of fn.streams ?? []) {
        this.streamConsumers.push({ functionName: fn.functionName, handler, filterPatterns: stream.filterPatterns });
      }
      if (fn.patterns.length > 0) {
        this.bus.subscribe({
          name: fn.functionName,
          patterns: fn.patterns,
          deliver: async (envelope) => {
            this.deliveries.push({ functionName: fn.functionName, at: this.clock.now().toISOString(), envelope });
            this.emit({
              kind: 'delivered',
              at: this.clock.now(),
              functionName: fn.functionName,
              text: `${envelope.detail.eventName} → ${fn.functionName}`,
            });
            await this.invoke(fn.functionName, handler, envelope);
            await this.drainStream();
          },
        });
      }
      for (const schedule of fn.schedules) this.schedule(fn.functionName, handler, schedule);
    }
  }

  /**
   * The stream event source mappings: every new table record goes, in order, to each function whose filter
   * patterns (read from serverless.yml) it matches, in one batch per function; repeated until the stream is
   * quiet (the projector's writes are findings the notifier reads).
   */
  async drainStream(): Promise<void> {
    if (!this.poller || this.streamConsumers.length === 0) return;
    for (let round = 0; round < 20; round++) {
      const batch: DynamoDBStreamEvent = await this.poller.poll();
      if (batch.Records.length === 0) return;
      for (const consumer of this.streamConsumers) {
        const records = batch.Records.filter((r) => acceptedBy(consumer, r));
        if (records.length === 0) continue;
        const answer = (await this.invoke(consumer.functionName, consumer.handler, { Records: records }).catch(
          () => undefined,
        )) as { batchItemFailures?: unknown[] } | undefined;
        if (answer?.batchItemFailures?.length) {
          const text = `reported ${answer.batchItemFailures.length} batch item failure(s)`;
          this.handlerErrors.push({ functionName: consumer.functionName, error: text });
          this.emit({ kind: 'handler-error', at: this.clock.now(), functionName: consumer.functionName, text });
        }
        if (consumer.functionName === 'project') {
          this.emit({
            kind: 'projected',
            at: this.clock.now(),
            functionName: 'project',
            text: `${records.length} new events`,
          });
          for (const hook of this.projectionHooks) await hook(this.clock.now());
        }
      }
    }
  }

  private async callHandler(functionName: string, handler: LabHandler, event: unknown): Promise<unknown> {
    try {
      return await handler(event, lambdaContext(functionName));
    } finally {
      this.emitSlack(functionName);
    }
  }

  /** Slack messages the lab accepted since the last look, as activity (npm start prints them when sent). */
  private emitSlack(functionName: string): void {
    for (; this.slackSeen < this.slack.received.length; this.slackSeen++) {
      const received = this.slack.received[this.slackSeen] as SlackReceived;
      this.emit({ kind: 'slack', at: this.clock.now(), functionName, text: received.method, slack: received });
    }
  }

  private async invoke(functionName: string, handler: LabHandler, event: unknown): Promise<unknown> {
    try {
      return await this.callHandler(functionName, handler, event);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.handlerErrors.push({ functionName, error: message });
      this.emit({ kind: 'handler-error', at: this.clock.now(), functionName, text: message });
      throw error;
    }
  }

  private schedule(functionName: string, handler: LabHandler, schedule: FunctionRules['schedules'][number]): void {
    const everyMs = rateToMs(schedule.rate);
    const fire = async () => {
      this.clock.after(everyMs, fire);
      this.emit({ kind: 'scheduled', at: this.clock.now(), functionName, text: `${schedule.rate} → ${functionName}` });
      await this.invoke(functionName, handler, scheduledEvent(this.options, this.clock.now(), schedule.input)).catch(
        () => undefined,
      );
      // What a scheduled function appended to the event log (reconcile's repairs and observations) is projected.
      await this.drainStream();
      for (const hook of this.scheduledHooks) await hook(functionName, this.clock.now());
    };
    this.clock.after(everyMs, fire);
  }
}

/** DynamoDB event filtering uses EventBridge pattern syntax on the stream record (Lambda "Event filtering"). */
function acceptedBy(consumer: StreamConsumer, record: DynamoDBRecord): boolean {
  return consumer.filterPatterns.length === 0 || consumer.filterPatterns.some((p) => matchesPattern(p, record));
}

/** serverless.yml says functions/ingest.handler: the module is functions/ingest.ts, the export `handler`. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

export function rateToMs(rate: string): number {
  const match = rate.match(/^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/);
  if (!match) throw new Error(`unsupported schedule expression ${rate} (the lab plays rate(...) schedules)`);
  const unit = match[2]?.startsWith('minute') ? 60_000 : match[2]?.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(match[1]) * unit;
}

function scheduledEvent(options: LabOptions, at: Date, input: unknown): unknown {
  if (input !== undefined) return input;
  return {
    version: '0',
    id: `lab-${at.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: options.account,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: options.region,
    resources: [],
    detail: {},
  };
}

function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:lab:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: `lab-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'lab',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
