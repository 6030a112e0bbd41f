/**
 * Writes docs/schemas/report.v1.json from the report's zod schema (shared/domain/report-schema.ts).
 * `npm run schema:report`; test/unit/domain/report-schema.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { reportJsonSchema } from '../shared/domain/report-schema.js';

const target = fileURLToPath(new URL('../docs/schemas/report.v1.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
