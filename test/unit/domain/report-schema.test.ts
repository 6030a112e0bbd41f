import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReportSchema, reportJsonSchema } from '../../../shared/domain/report-schema.js';

const committed = JSON.parse(readFileSync(new URL('../../../docs/schemas/report.v1.json', import.meta.url), 'utf8'));

describe('docs/schemas/report.v1.json', () => {
  it('is the JSON Schema generated from the report zod schema (run `npm run schema:report` after a change)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });

  it('names the format and lets the format grow (unknown properties are allowed)', () => {
    expect(committed.properties.schema.const).toBe('egress-watch.report.v1');
    expect(JSON.stringify(committed)).not.toContain('"additionalProperties":false');
  });

  it('documents the units of the numbers a reader could get wrong', () => {
    const connector = committed.properties.connectors.items.properties;
    expect(connector.latency.items.properties.p95Ms.description).toMatch(/ms/);
    expect(connector.activation.properties.timeToActiveSeconds.description).toMatch(/activeAt/);
    expect(committed.properties.health.properties.deadLettered.properties.count.description).toMatch(/not available/);
  });

  it('rejects a report that breaks the format', () => {
    expect(ReportSchema.safeParse({ schema: 'egress-watch.report.v1' }).success).toBe(false);
  });
});
