/**
 * The lab's default event bus: every CloudTrail record the world writes becomes an `AWS API Call via
 * CloudTrail` event and is delivered, on the virtual clock, to each subscriber (a function of serverless.yml)
 * whose patterns match. Delivery is as imperfect as the real thing when asked to be — delay, jitter,
 * reordering, duplicates (new envelope id, same detail) and loss — drawn from a seeded PRNG so a run can be
 * replayed exactly. A failing target is retried with backoff and then dead-lettered.
 */
import type { VirtualClock } from '../clock.js';
import type { CloudTrailRecord } from '../trail/record.js';
import { matchesPattern, validatePattern } from './pattern.js';

export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: unknown[];
  detail: CloudTrailRecord;
}

export interface BusSubscriber {
  name: string;
  patterns: unknown[];
  /** The rule of each pattern (same index), so a disabled rule stops its pattern; absent: always enabled. */
  ruleNames?: string[];
  deliver(event: EventBridgeEnvelope): Promise<void>;
}

export interface DeliveryBehaviour {
  /** Fixed delay before each delivery. */
  delayMs: number;
  /** Uniform random extra delay in [0, jitterMs]. */
  jitterMs: number;
  /** Out-of-order delivery: false, true (up to 5 minutes extra), or the largest random extra delay in ms. */
  reorder: boolean | number;
  /** Probability that an event is delivered twice (the copy is a new envelope with a new id). */
  duplicateRate: number;
  /** Probability that an event never reaches the bus (CloudTrail → EventBridge is best effort). */
  lossRate: number;
  seed: number;
  /** Delivery attempts per event and subscriber before it is dead-lettered. */
  maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  retryBaseMs: number;
}

export type RuleState = 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export interface LabEventBusOptions {
  clock: VirtualClock;
  behaviour?: Partial<DeliveryBehaviour>;
  /** ENABLED (the monitor's rules) does not receive read-only management events. */
  ruleState?: RuleState;
  /** Data events (e.g. RunMicrovm) reach the bus only when a trail logs them; off by default. */
  trailLogsDataEvents?: boolean;
}

export type DeliveryOutcome =
  | 'delivered'
  | 'attempt-failed'
  | 'dead-lettered'
  | 'lost'
  | 'skipped-read-only'
  | 'skipped-data-event'
  | 'skipped-rule-disabled';

export interface DeliveryLogEntry {
  /** Virtual time of the outcome. */
  at: string;
  /** Empty for outcomes decided before routing (lost, skipped-*). */
  subscriber: string;
  outcome: DeliveryOutcome;
  envelopeId: string;
  eventId: string;
  eventName: string;
  eventTime: string;
  duplicate: boolean;
  attempt?: number;
  error?: string;
}

export interface DeadLetter {
  subscriber: string;
  event: EventBridgeEnvelope;
  attempts: number;
  error: string;
  at: string;
}

const DEFAULT_BEHAVIOUR: DeliveryBehaviour = {
  delayMs: 0,
  jitterMs: 0,
  reorder: false,
  duplicateRate: 0,
  lossRate: 0,
  seed: 1,
  maxAttempts: 3,
  retryBaseMs: 1_000,
};

/** Default reorder window: CloudTrail delivery is about five minutes late on average. */
const DEFAULT_REORDER_WINDOW_MS = 5 * 60_000;

/** mulberry32: small, fast and good enough to make lab runs reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

/** ec2.amazonaws.com → aws.ec2, lambda.amazonaws.com → aws.lambda */
export function eventBridgeSource(eventSource: string): string {
  return `aws.${eventSource.split('.')[0]}`;
}

export function toEnvelope(record: CloudTrailRecord, id: string): EventBridgeEnvelope {
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: eventBridgeSource(record.eventSource),
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    resources: [],
    detail: record,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LabEventBus {
  private readonly clock: VirtualClock;
  private behaviour: DeliveryBehaviour;
  private random: () => number;
  private randomIds: () => number;
  private readonly ruleState: RuleState;
  private trailLogsDataEvents: boolean;
  private readonly disabledRules = new Set<string>();
  private readonly subscribers: BusSubscriber[] = [];
  private readonly log: DeliveryLogEntry[] = [];
  private readonly deadLetters = new Map<string, DeadLetter[]>();
  private inFlight = 0;

  constructor(options: LabEventBusOptions) {
    this.clock = options.clock;
    this.behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
    this.random = seededRandom(this.behaviour.seed);
    // A separate stream for ids, so switching behaviour on does not change which ids a run produces.
    this.randomIds = seededRandom(this.behaviour.seed ^ 0x5bd1e995);
    this.ruleState = options.ruleState ?? 'ENABLED';
    this.trailLogsDataEvents = options.trailLogsDataEvents ?? false;
  }

  /** Switches delivery behaviour mid-run; a new seed restarts the PRNG. */
  setBehaviour(change: Partial<DeliveryBehaviour>): void {
    this.behaviour = { ...this.behaviour, ...change };
    if (change.seed !== undefined) {
      this.random = seededRandom(change.seed);
      this.randomIds = seededRandom(change.seed ^ 0x5bd1e995);
    }
  }

  /** Whether a trail logs data events from now on (a trail stopped, or its data selectors removed). */
  setTrailLogsDataEvents(on: boolean): void {
    this.trailLogsDataEvents = on;
  }

  /** DISABLED rules match nothing (EventBridge EnableRule / DisableRule); their skips are logged. */
  setRuleEnabled(name: string, enabled: boolean): void {
    if (enabled) this.disabledRules.delete(name);
    else this.disabledRules.add(name);
  }

  currentBehaviour(): Readonly<DeliveryBehaviour> {
    return { ...this.behaviour };
  }

  /** Adds a target; its patterns are validated like PutRule would. Returns an unsubscribe function. */
  subscribe(subscriber: BusSubscriber): () => void {
    if (subscriber.patterns.length === 0) throw new Error(`subscriber ${subscriber.name} has no event pattern`);
    subscriber.patterns.forEach((pattern, index) => {
      const errors = validatePattern(pattern);
      if (errors.length > 0) {
        throw new Error(`invalid event pattern #${index} for ${subscriber.name}: ${errors.join('; ')}`);
      }
    });
    this.subscribers.push(subscriber);
    return () => {
      const index = this.subscribers.indexOf(subscriber);
      if (index !== -1) this.subscribers.splice(index, 1);
    };
  }

  /** TrailSink-style entry point: what CloudTrail hands to EventBridge. */
  publish(record: CloudTrailRecord): void {
    const base = { at: this.clock.now().toISOString(), subscriber: '', duplicate: false, ...this.identify(record) };
    if (record.eventCategory === 'Data' && !this.trailLogsDataEvents) {
      this.log.push({ ...base, envelopeId: '', outcome: 'skipped-data-event' });
      return;
    }
    if (record.readOnly && this.ruleState === 'ENABLED') {
      this.log.push({ ...base, envelopeId: '', outcome: 'skipped-read-only' });
      return;
    }
    if (this.random() < this.behaviour.lossRate) {
      this.log.push({ ...base, envelopeId: '', outcome: 'lost' });
      return;
    }
    this.dispatch(toEnvelope(record, uuidFrom(this.randomIds)), false);
    if (this.random() < this.behaviour.duplicateRate) {
      this.dispatch(toEnvelope(record, uuidFrom(this.randomIds)), true);
    }
  }

  /** Every delivery decision so far, in the order it was taken (for out/ files and assertions). */
  deliveryLog(): readonly DeliveryLogEntry[] {
    return this.log;
  }

  deadLettersOf(subscriber: string): readonly DeadLetter[] {
    return this.deadLetters.get(subscriber) ?? [];
  }

  allDeadLetters(): DeadLetter[] {
    return [...this.deadLetters.values()].flat();
  }

  /** Deliveries scheduled or running (retries included). */
  pendingDeliveries(): number {
    return this.inFlight;
  }

  private identify(record: CloudTrailRecord) {
    return { eventId: record.eventID, eventName: record.eventName, eventTime: record.eventTime };
  }

  private dispatch(event: EventBridgeEnvelope, duplicate: boolean): void {
    for (const subscriber of this.subscribers) {
      const matching = subscriber.patterns.flatMap((pattern, i) =>
        matchesPattern(pattern, event) ? [subscriber.ruleNames?.[i]] : [],
      );
      if (matching.length === 0) continue;
      if (matching.every((rule) => rule !== undefined && this.disabledRules.has(rule))) {
        this.log.push({
          at: this.clock.now().toISOString(),
          subscriber: subscriber.name,
          duplicate,
          ...this.identify(event.detail),
          envelopeId: event.id,
          outcome: 'skipped-rule-disabled',
        });
        continue;
      }
      this.schedule(subscriber, event, duplicate, 1, this.deliveryDelay());
    }
  }

  private deliveryDelay(): number {
    const { delayMs, jitterMs, reorder } = this.behaviour;
    const reorderWindow = reorder === true ? DEFAULT_REORDER_WINDOW_MS : reorder === false ? 0 : reorder;
    return delayMs + this.random() * jitterMs + this.random() * reorderWindow;
  }

  private schedule(
    subscriber: BusSubscriber,
    event: EventBridgeEnvelope,
    duplicate: boolean,
    attempt: number,
    delayMs: number,
  ): void {
    this.inFlight++;
    this.clock.after(Math.round(delayMs), async () => {
      const entry = {
        subscriber: subscriber.name,
        envelopeId: event.id,
        duplicate,
        attempt,
        ...this.identify(event.detail),
      };
      try {
        await subscriber.deliver(event);
        this.log.push({ ...entry, at: this.clock.now().toISOString(), outcome: 'delivered' });
      } catch (error) {
        const at = this.clock.now().toISOString();
        const message = errorText(error);
        if (attempt >= this.behaviour.maxAttempts) {
          this.log.push({ ...entry, at, outcome: 'dead-lettered', error: message });
          const letters = this.deadLetters.get(subscriber.name) ?? [];
          letters.push({ subscriber: subscriber.name, event, attempts: attempt, error: message, at });
          this.deadLetters.set(subscriber.name, letters);
        } else {
          this.log.push({ ...entry, at, outcome: 'attempt-failed', error: message });
          const backoff = this.behaviour.retryBaseMs * 2 ** (attempt - 1);
          // Equal jitter keeps retries of many events from firing in lock-step.
          this.schedule(subscriber, event, duplicate, attempt + 1, backoff / 2 + this.random() * (backoff / 2));
        }
      } finally {
        this.inFlight--;
      }
    });
  }
}
