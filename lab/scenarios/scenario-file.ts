/**
 * Scenarios as data (events/scenarios/*.yaml): a world, the people and roles acting in it, and timed steps
 * that call the AWS APIs (through the real SDK clients, against the lab edge), probe MicroVMs, or flip lab
 * switches. `expect` states the findings the product should end with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { InputError, UsageError } from '../../shared/domain/errors.js';
import { parseTargets } from '../../shared/domain/targets.js';

const SCENARIO_DIR = fileURLToPath(new URL('../../events/scenarios/', import.meta.url));

const duration = z.union([
  z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$|^0$/, 'durations look like 1h, 4m30s, 90s'),
  z.literal(0),
]);

const ActorSchema = z.strictObject({
  /** The actor's account and region (default: the scenario's); its calls go to that world. */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z.string().optional(),
  role: z.string().optional(),
  session: z.string().optional(),
  user: z.string().optional(),
  invokedBy: z.string().optional(),
});

const ProbeSchema = z.strictObject({
  microvm: z.string(),
  url: z.string(),
  expect: z.enum(['reachable', 'timeout', 'refused', 'dns']),
  bodyContains: z.string().optional(),
});

const StepSchema = z.strictObject({
  at: duration,
  as: z.string().optional(),
  say: z.string().optional(),
  /** ec2.<Operation> | microvms.<Operation> | lambdaCore.<method> */
  call: z
    .string()
    .regex(/^(ec2|microvms|lambdaCore)\.[A-Za-z]+$/)
    .optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  save: z.string().optional(),
  expectError: z.string().optional(),
  probe: ProbeSchema.optional(),
  world: z
    .strictObject({
      connectorFaults: z.strictObject({ name: z.string(), faults: z.record(z.string(), z.unknown()) }).optional(),
      subnetFreeIps: z.strictObject({ subnet: z.string(), count: z.number().int().min(0) }).optional(),
      /** StopLogging / StartLogging the lab's trail, or remove / restore its MicroVM data-event selectors. */
      trail: z
        .strictObject({
          name: z.string().optional(),
          logging: z.boolean().optional(),
          microvmDataEvents: z.boolean().optional(),
        })
        .optional(),
      /** DisableRule / EnableRule on an ingest rule: its full name or the part after the stage (`ec2-network-changes`). */
      ingestRule: z.strictObject({ rule: z.string(), enabled: z.boolean() }).optional(),
      /**
       * Creates or updates a classic Lambda function version's VPC configuration (subnet and security-group
       * names of the network); no subnets = detached from the VPC. docs/hyperplane-enis.md.
       */
      lambdaFunction: z
        .strictObject({
          name: z.string(),
          version: z.string().optional(),
          subnets: z.array(z.string()).default([]),
          securityGroups: z.array(z.string()).default([]),
          state: z.enum(['Pending', 'Active', 'Inactive', 'Failed']).optional(),
          stateReasonCode: z.string().optional(),
          lastModified: z.iso.datetime().optional(),
        })
        .optional(),
      /** Deletes a classic Lambda function (every version). */
      deleteLambdaFunction: z.string().optional(),
    })
    .optional(),
});

export const ScenarioSchema = z.strictObject({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  account: z.string().regex(/^\d{12}$/),
  region: z.string(),
  start: z.iso.datetime(),
  /** A preset name (`article`) or a full NetworkSpec. */
  network: z.union([z.literal('article'), z.record(z.string(), z.unknown())]),
  images: z.array(z.strictObject({ name: z.string(), appKind: z.string() })).default([]),
  actors: z.record(z.string(), ActorSchema),
  lab: z
    .strictObject({
      activationDelay: duration.optional(),
      delivery: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
  /** The expectations document (docs/canaries.md) the canaries check while the scenario plays. */
  monitor: z.record(z.string(), z.unknown()).optional(),
  /** More account/region worlds (AWS Organizations, docs/lab.md#organizations). */
  worlds: z
    .array(
      z.strictObject({
        account: z.string().regex(/^\d{12}$/),
        region: z.string(),
        network: z.union([z.literal('article'), z.record(z.string(), z.unknown())]),
        images: z.array(z.strictObject({ name: z.string(), appKind: z.string() })).default([]),
      }),
    )
    .default([]),
  /** Roles the lab's STS lets callers assume (members' read-only roles). */
  roles: z
    .array(
      z.strictObject({
        arn: z.string().regex(/^arn:aws:iam::\d{12}:role\/.+$/),
        trustedAccount: z.string().regex(/^\d{12}$/),
        externalId: z.string().optional(),
      }),
    )
    .default([]),
  /** The functions' EGRESS_WATCH_TARGETS document (docs/organizations.md#targets). */
  targets: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(StepSchema).min(1),
  expect: z.strictObject({
    open: z.array(z.string()).default([]),
    resolved: z.array(z.string()).default([]),
  }),
});

export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioStep = Scenario['steps'][number];
export type ScenarioActor = z.infer<typeof ActorSchema>;

export function parseDuration(value: string | 0): number {
  if (value === 0 || value === '0') return 0;
  const match = value.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/);
  if (!match) throw new Error(`bad duration ${value}`);
  return (Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0)) * 1000;
}

export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function loadScenarioFile(nameOrPath: string): Scenario {
  const path = nameOrPath.endsWith('.yaml') ? nameOrPath : `${SCENARIO_DIR}${nameOrPath}.yaml`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`unknown scenario "${nameOrPath}" (known: ${scenarioNames().join(', ')})`, { cause: error });
  }
  const parsed = ScenarioSchema.safeParse(parse(text));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new InputError(`scenario ${path} is invalid: ${problems}`);
  }
  if (parsed.data.targets) parseTargets(parsed.data.targets, `scenario ${path} targets`);
  const steps = parsed.data.steps.map((s) => parseDuration(s.at));
  if (steps.some((at, i) => i > 0 && at < (steps[i - 1] ?? 0)))
    throw new InputError(`scenario ${path}: steps must be in time order`);
  return parsed.data;
}
