// What every reader shares: the input (a file, or text sent to the API), its lines
// with their numbers, and the options an import states for data that does not say.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { FieldError, RecordInput, RecordKind } from './record-input.js';
import type { MarkingInput } from '../domain/markings.js';

export interface Parsed {
  record?: RecordInput;
  errors: FieldError[];
  /** What the source held that the model has no place for, by kind, with how many: reported, never dropped silently. */
  notMapped?: Record<string, number>;
}

export type Input = { path: string } | { text: string; name: string };

export function inputName(input: Input): string {
  return 'path' in input ? input.path : input.name;
}

export function inputStream(input: Input): Readable {
  return 'path' in input ? createReadStream(input.path, { encoding: 'utf8' }) : Readable.from([input.text]);
}

export async function* lines(input: Input): AsyncGenerator<{ line: number; text: string }> {
  const rl = createInterface({ input: inputStream(input), crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim()) yield { line: n, text };
  }
}

export function jsonLine(text: string, file: string, line: number): { value?: unknown; error?: FieldError } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    return { error: { file, line, path: '', message: `malformed JSON: ${(e as Error).message}` } };
  }
}

export interface ReadOptions {
  /** Agency code of the source when the data does not say. */
  source: string;
  /** FtM and CSV carry no markings; the importer must state one. */
  marking?: MarkingInput;
  kind?: RecordKind;
  reportDate?: string;
  grade?: string;
  criminalBasis?: string;
  sensitivity?: string;
  confidence?: string;
}

export function recordDefaults(opts: ReadOptions): Record<string, unknown> {
  return {
    marking: opts.marking,
    kind: opts.kind ?? 'operational',
    reportDate: opts.reportDate,
    grade: opts.grade,
    criminalBasis: opts.criminalBasis,
    sensitivity: opts.sensitivity,
    confidence: opts.confidence,
  };
}
