/**
 * `egress-watch expectations check <file>`: validates an expectations document (or a scenario file's
 * `monitor:` block) and prints what each connector entry will probe. Exit 1 with every problem and its path
 * when the document is invalid.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UsageError } from '../shared/domain/errors.js';
import { describePlan, ExpectationsError, parseExpectations, planFor } from '../shared/domain/expectations.js';

export function expectationsCommand(
  args: string[],
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): number {
  const [sub, file] = args;
  if (sub !== 'check' || !file) throw new UsageError('expectations takes: check <file>');
  let decoded: unknown;
  try {
    decoded = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`${file}: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const doc = parseExpectations(decoded, file);
    write(
      `${file}: valid, ${doc.connectors.length} connector entr${doc.connectors.length === 1 ? 'y' : 'ies'}; echo ${doc.echoUrl}`,
    );
    doc.connectors.forEach((spec, i) => {
      const s = spec.select;
      const label = [
        s.name && `name=${s.name}`,
        s.namePrefix && `namePrefix=${s.namePrefix}`,
        s.tags && `tags=${JSON.stringify(s.tags)}`,
      ]
        .filter(Boolean)
        .join(' ');
      const plan = planFor(doc, spec, { id: `entry ${i}`, name: label, arn: '', tags: s.tags ?? {} });
      for (const line of describePlan(plan)) write(line);
    });
    return 0;
  } catch (error) {
    if (error instanceof ExpectationsError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
