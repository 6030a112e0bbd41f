/**
 * How the lab account is watched (docs/lab.md#monitoring-setup): its CloudTrail trails (logging or not, with or
 * without MicroVM data-event selectors) and the ingest EventBridge rules read from serverless.yml (ENABLED or
 * DISABLED). The CloudTrail and EventBridge emulators answer DescribeTrails / GetTrailStatus /
 * GetEventSelectors / DescribeRule from it, and the lab's bus follows it: a disabled rule delivers nothing, and
 * data events reach the bus only while a logging trail selects them. Scenario steps switch it (`world.trail`,
 * `world.ingestRule`).
 */
import type { NamedRule } from '../eventbridge/serverless-rules.js';

/** One trail of the lab account. */
export interface LabTrailState {
  name: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  /** GetTrailStatus IsLogging (StartLogging / StopLogging). */
  isLogging: boolean;
  /** Its advanced selectors include MicroVM data events (`resources.type` AWS::Lambda::Microvm and …Image). */
  microvmDataEvents: boolean;
  /** ISO-8601 of the last StartLogging / StopLogging. */
  startLoggingTime: string;
  stopLoggingTime: string | null;
}

/** One ingest rule (default event bus). */
export interface LabRuleState extends NamedRule {
  state: 'ENABLED' | 'DISABLED';
}

/** The trail every lab starts with: multi-region, logging, management events plus MicroVM data events. */
export const DEFAULT_LAB_TRAIL = 'egress-watch-lab-trail';

/** The change a scenario step asks for on a trail (absent fields stay as they are). */
export interface TrailSwitch {
  /** Trail name; default the lab's one trail. */
  name?: string;
  logging?: boolean;
  microvmDataEvents?: boolean;
}

export class LabMonitoringSetup {
  private readonly trails = new Map<string, LabTrailState>();
  private readonly rules = new Map<string, LabRuleState>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    readonly account: string,
    readonly region: string,
    private readonly now: () => Date,
  ) {
    this.trails.set(DEFAULT_LAB_TRAIL, {
      name: DEFAULT_LAB_TRAIL,
      homeRegion: region,
      isMultiRegionTrail: true,
      isLogging: true,
      microvmDataEvents: true,
      startLoggingTime: now().toISOString(),
      stopLoggingTime: null,
    });
  }

  /** Called after every change (the lab's bus re-reads what it may deliver). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  listTrails(): LabTrailState[] {
    return [...this.trails.values()].map((t) => ({ ...t }));
  }

  trailArn(trail: LabTrailState): string {
    return `arn:aws:cloudtrail:${trail.homeRegion}:${this.account}:trail/${trail.name}`;
  }

  /** By name or ARN, as GetTrailStatus and GetEventSelectors accept it; undefined when unknown. */
  findTrail(nameOrArn: string): LabTrailState | undefined {
    const trail = [...this.trails.values()].find((t) => t.name === nameOrArn || this.trailArn(t) === nameOrArn);
    return trail ? { ...trail } : undefined;
  }

  /** @throws Error for a trail the lab does not have. */
  setTrail(change: TrailSwitch): LabTrailState {
    const name = change.name ?? DEFAULT_LAB_TRAIL;
    const trail = this.trails.get(name);
    if (!trail) throw new Error(`the lab has no trail ${name} (it has ${[...this.trails.keys()].join(', ')})`);
    if (change.logging !== undefined && change.logging !== trail.isLogging) {
      trail.isLogging = change.logging;
      if (change.logging) trail.startLoggingTime = this.now().toISOString();
      else trail.stopLoggingTime = this.now().toISOString();
    }
    if (change.microvmDataEvents !== undefined) trail.microvmDataEvents = change.microvmDataEvents;
    this.changed();
    return { ...trail };
  }

  /** Data events reach EventBridge only while a logging trail selects them. */
  logsMicrovmDataEvents(): boolean {
    return [...this.trails.values()].some((t) => t.isLogging && t.microvmDataEvents);
  }

  /** Registers the rules read from serverless.yml, all ENABLED. */
  addRules(rules: readonly NamedRule[]): void {
    for (const rule of rules) this.rules.set(rule.name, { ...rule, state: 'ENABLED' });
    this.changed();
  }

  ruleNames(functionName?: string): string[] {
    return [...this.rules.values()].filter((r) => !functionName || r.functionName === functionName).map((r) => r.name);
  }

  findRule(name: string): LabRuleState | undefined {
    const rule = this.rules.get(name);
    return rule ? { ...rule } : undefined;
  }

  isRuleEnabled(name: string): boolean {
    return this.rules.get(name)?.state !== 'DISABLED';
  }

  /**
   * Enables or disables a rule named exactly `name`, or the one rule whose name ends with `-<name>` (scenarios
   * do not know the stage: `ec2-network-changes`).
   * @throws Error when no rule, or more than one, matches.
   */
  setRuleEnabled(name: string, enabled: boolean): string {
    const matches = this.rules.has(name)
      ? [name]
      : [...this.rules.keys()].filter((candidate) => candidate.endsWith(`-${name}`));
    if (matches.length !== 1) {
      throw new Error(
        `rule "${name}" matches ${matches.length} of the lab's rules (${[...this.rules.keys()].join(', ')})`,
      );
    }
    const rule = this.rules.get(matches[0] as string) as LabRuleState;
    rule.state = enabled ? 'ENABLED' : 'DISABLED';
    this.changed();
    return rule.name;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
