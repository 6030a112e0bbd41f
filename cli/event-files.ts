/**
 * Loads EventBridge events for replay from a file (a JSON array, one JSON object, or JSONL) or a directory
 * of .json/.jsonl files. Text that does not parse is kept as an UnparseableEvent so ingest reports it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UnparseableEvent } from '../shared/app/ingest-events.js';

export function loadEventInputs(target: string): unknown[] {
  const stat = statSync(target);
  if (stat.isDirectory()) {
    return readdirSync(target)
      .filter((name) => name.endsWith('.json') || name.endsWith('.jsonl'))
      .sort()
      .flatMap((name) => loadEventInputs(join(target, name)));
  }
  return parseEventText(readFileSync(target, 'utf8'));
}

export function parseEventText(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (error) {
    // Not one JSON document: read it as JSONL, one event per non-empty line.
    const lines = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
    // JSONL only if its first line is a whole JSON value; a cut-off document is one bad input, not many.
    if (lines.length <= 1 || !parsesAlone(lines[0] ?? ''))
      return [new UnparseableEvent(trimmed, (error as Error).message)];
    return lines.map((line) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (lineError) {
        return new UnparseableEvent(line, (lineError as Error).message);
      }
    });
  }
}

function parsesAlone(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
