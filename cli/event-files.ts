/**
 * Loads EventBridge events for replay from a file (a JSON array, one JSON object, or JSONL) or a directory
 * of .json/.jsonl files. Input that cannot be read becomes an UnparseableEvent so ingest rejects it with the
 * reason, one per bad input: JSONL is read line by line (a corrupt line is one rejection, the other lines
 * are ingested), and bytes that are not UTF-8 are refused rather than decoded to U+FFFD, which would make
 * distinct eventIDs equal. See docs/ingest.md.
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
  return parseEventBytes(readFileSync(target));
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lossyUtf8 = new TextDecoder('utf-8');

/** Events from a file's bytes; lines (or a whole document) that are not UTF-8 become UnparseableEvents. */
export function parseEventBytes(bytes: Uint8Array): unknown[] {
  try {
    return parseEventText(strictUtf8.decode(bytes));
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
  const lines = splitLines(bytes);
  const decoded = lines.map((line) => {
    try {
      return { text: strictUtf8.decode(line), valid: true };
    } catch {
      return { text: lossyUtf8.decode(line), valid: false };
    }
  });
  if (!decoded.some((line) => line.valid && parsesAsEvent(line.text))) {
    return [new UnparseableEvent(lossyUtf8.decode(bytes).trim(), 'the file is not valid UTF-8')];
  }
  return decoded.flatMap((line, index) => {
    if (line.text.trim() === '') return [];
    if (!line.valid) return [new UnparseableEvent(line.text, `line ${index + 1}: not valid UTF-8`)];
    return [parseLine(line.text, index + 1)];
  });
}

/**
 * Events from text: one JSON document (an array is many events), else JSONL. The text is JSONL when at least
 * one line is a whole JSON object on its own; otherwise (a pretty-printed document cut short) it is one bad
 * input, not one per line.
 */
export function parseEventText(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch (error) {
    const lines = text.split(/\r?\n/);
    if (!lines.some(parsesAsEvent)) return [new UnparseableEvent(trimmed, (error as Error).message)];
    return lines.flatMap((line, index) => (line.trim() === '' ? [] : [parseLine(line, index + 1)]));
  }
}

function parseLine(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (error) {
    return new UnparseableEvent(line, `line ${lineNumber}: ${(error as Error).message}`);
  }
}

function parsesAsEvent(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return false;
  try {
    JSON.parse(trimmed);
    return true;
  } catch {
    return false;
  }
}

function splitLines(bytes: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      lines.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return lines;
}
