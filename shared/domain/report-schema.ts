/**
 * The canary report's JSON format, version 1 (`egress-watch.report.v1`). The zod schema is the source of
 * truth: `docs/schemas/report.v1.json` is generated from it (`npm run schema:report`, a unit test keeps the
 * two in step) and every report is checked against it before it is written. The format only grows: new
 * fields may be added (the JSON Schema allows unknown properties); a field never changes meaning. Pure; no I/O.
 */
import { z } from 'zod';

const iso = z.iso.datetime({ offset: true }).describe('ISO-8601 timestamp');
const ratio = z.number().min(0).max(1);

/** A count the monitor keeps about itself; null when the store holds no record of it. */
export const HealthCountSchema = z
  .object({
    count: z.number().int().min(0).nullable().describe('null when this count is not available'),
    source: z.string().describe('where the count comes from, or why it is not available'),
  })
  .describe('one monitor health count');

/** Messages waiting in one dead-letter queue when the report ran (SQS GetQueueAttributes). */
export const DeadLetterQueueCountSchema = z
  .object({
    name: z.string().describe('short name of the queue (notifications, ingest, project, …)'),
    count: z
      .number()
      .int()
      .min(0)
      .nullable()
      .describe('SQS ApproximateNumberOfMessages when the report ran; null when the queue could not be read'),
    source: z.string().describe('where the count comes from, or why the queue could not be read'),
  })
  .describe('one dead-letter queue');

export const ReportRatesSchema = z
  .object({
    usdPerVcpuSecond: z.number().min(0),
    usdPerGbSecond: z.number().min(0),
    vcpu: z.number().positive().describe('vCPUs of the canary MicroVM'),
    memoryGb: z.number().positive().describe('memory of the canary MicroVM in GB'),
    usdPerMicrovmSecond: z.number().min(0).describe('vcpu × usdPerVcpuSecond + memoryGb × usdPerGbSecond'),
    source: z.string().describe('where the rates come from'),
  })
  .describe('the rates canary cost is computed at');

export const TargetLatencySchema = z.object({
  targetId: z.string(),
  kind: z.enum(['tcp', 'http', 'dns', 'egress-ip']),
  target: z.string(),
  expect: z.enum(['reachable', 'blocked']),
  probes: z.number().int().min(0).describe('probes of this target in the window'),
  met: z.number().int().min(0).describe('probes whose verdict met the expectation'),
  samples: z.number().int().min(0).describe('probes that measured a latency'),
  p50Ms: z.number().min(0).nullable().describe('median latency in ms (nearest rank); null without samples'),
  p95Ms: z.number().min(0).nullable().describe('95th percentile latency in ms (nearest rank); null without samples'),
});

export const AvailabilityBucketSchema = z.object({
  start: iso.describe('bucket start'),
  runs: z.number().int().min(0),
  met: z.number().int().min(0),
});

export const ConnectorReportSchema = z.object({
  connectorId: z.string(),
  connectorName: z.string().nullable(),
  account: z.string().nullable(),
  region: z.string().nullable(),
  state: z.string().describe('connector state at the end of the window (UNKNOWN without a connector view)'),
  availability: z.object({
    runs: z.number().int().min(0).describe('canary runs in the window'),
    met: z.number().int().min(0).describe('runs where every probe met its expectation'),
    ratio: ratio.nullable().describe('met / runs; null without runs'),
    bucketSeconds: z
      .number()
      .positive()
      .describe('bucket length in seconds: 300 for windows up to 6 h, 3600 up to 2 days, else 86400'),
    buckets: z.array(AvailabilityBucketSchema).describe('runs per bucket over the window (empty without runs)'),
  }),
  latency: z.array(TargetLatencySchema),
  activation: z.object({
    createdAt: iso.nullable(),
    activeAt: iso.nullable(),
    createdInWindow: z.boolean().describe('a new connector: created inside the window'),
    timeToActiveSeconds: z.number().min(0).nullable().describe('activeAt − createdAt; null until ACTIVE'),
  }),
  incidents: z.object({
    opened: z.number().int().min(0).describe('incidents opened in the window'),
    resolved: z.number().int().min(0).describe('incidents resolved in the window'),
    openAtEnd: z.number().int().min(0).describe('incidents still open at the end of the window'),
    mttrSeconds: z.number().min(0).nullable().describe('mean time to resolve of those resolved in the window'),
  }),
  canary: z.object({
    microvmSeconds: z.number().min(0).describe('MicroVM instance-seconds of the canary runs'),
    costUsd: z.number().min(0).describe('microvmSeconds × rates.usdPerMicrovmSecond'),
  }),
});

export const CauseSchema = z.object({
  eventName: z.string().describe('CloudTrail eventName (or probe/observation name) of the change'),
  at: iso,
  actor: z.string().describe('who made the change, as the finding evidence names them'),
  detail: z.string(),
});

export const IncidentReportSchema = z.object({
  incidentId: z.string(),
  origin: z.enum(['incident', 'finding']).describe("'finding' when the store had no incident records"),
  rule: z.string().describe('rule id from the catalog'),
  severity: z.string(),
  status: z.string().describe('open | resolved (| flapping …, as the incident records say)'),
  connectorIds: z.array(z.string()),
  openedAt: iso,
  resolvedAt: iso.nullable(),
  durationSeconds: z.number().min(0).nullable().describe('resolvedAt − openedAt; null while open'),
  silenced: z.boolean(),
  summary: z.string(),
  actors: z.array(z.string()).describe('distinct actors of the causes'),
  causes: z.array(CauseSchema).describe('the changes that caused it (finding evidence)'),
});

export const ReportSchema = z
  .object({
    schema: z.literal('egress-watch.report.v1'),
    generatedAt: iso,
    period: z.enum(['daily', 'weekly', 'custom']),
    window: z.object({ since: iso, until: iso }),
    rates: ReportRatesSchema,
    totals: z.object({
      connectors: z.number().int().min(0),
      canaryRuns: z.number().int().min(0),
      availability: ratio.nullable().describe('met runs / runs over every connector; null without runs'),
      incidentsOpened: z.number().int().min(0),
      incidentsResolved: z.number().int().min(0),
      incidentsOpenAtEnd: z.number().int().min(0),
      mttrSeconds: z.number().min(0).nullable(),
      microvmSeconds: z.number().min(0),
      costUsd: z.number().min(0),
    }),
    connectors: z.array(ConnectorReportSchema),
    incidents: z.array(IncidentReportSchema).describe('incidents that were open at some time in the window'),
    health: z.object({
      eventsReceived: HealthCountSchema,
      repaired: HealthCountSchema,
      quarantined: HealthCountSchema,
      deadLettered: HealthCountSchema,
      deadLetterQueues: z
        .array(DeadLetterQueueCountSchema)
        .optional()
        .describe(
          'the dead-letter queues behind deadLettered, one entry per configured queue; absent when the report read no queue',
        ),
    }),
  })
  .describe('egress-watch canary report, version 1');

/** A canary report (format `egress-watch.report.v1`); times ISO-8601, durations in seconds, latency in ms. */
export type Report = z.infer<typeof ReportSchema>;
/** Per-connector section of a report. */
export type ConnectorReport = z.infer<typeof ConnectorReportSchema>;
/** An incident as the report shows it. */
export type IncidentReport = z.infer<typeof IncidentReportSchema>;
/** A monitor health count (null count = not available). */
export type HealthCount = z.infer<typeof HealthCountSchema>;
/** Messages waiting in one dead-letter queue. */
export type DeadLetterQueueCount = z.infer<typeof DeadLetterQueueCountSchema>;
/** The rates canary cost is computed at. */
export type ReportRates = z.infer<typeof ReportRatesSchema>;
/** Latency of one probe target. */
export type TargetLatency = z.infer<typeof TargetLatencySchema>;

/** The JSON Schema (draft 2020-12) of the report, as committed in docs/schemas/report.v1.json. */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    ...(z.toJSONSchema(ReportSchema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>),
    $id: 'urn:egress-watch:report:v1',
    title: 'egress-watch report v1',
  };
}
