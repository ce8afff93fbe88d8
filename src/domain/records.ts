// The shape of a validated source record, as the store writes it and the importers
// (src/ingest/record-input.ts, the boundary that validates untrusted input) produce it.
import type { Marking } from './markings.js';

export const RECORD_KINDS = ['intelligence', 'case', 'operational', 'public'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];
/** 28 CFR 23.20(h): intelligence is reviewed at most this many years after entry. */
export const MAX_RETENTION_YEARS = 5;

export interface FieldError {
  file?: string;
  line?: number;
  path: string;
  message: string;
}

export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(
      errors.slice(0, 5).map(formatFieldError).join('; ') +
        (errors.length > 5 ? `; and ${errors.length - 5} more` : ''),
    );
    this.name = 'ValidationError';
  }
}

export function formatFieldError(e: FieldError): string {
  const where = [e.file, e.line !== undefined ? `line ${e.line}` : undefined].filter(Boolean).join(':');
  return `${where ? `${where}: ` : ''}${e.path}: ${e.message}`;
}

export interface StatementInput {
  prop: string;
  propType: string;
  value: string;
  searchKey: string | null;
  marking: Marking;
}

export interface EntityInput {
  id: string;
  schema: string;
  marking: Marking;
  statements: StatementInput[];
  /** Only referred to, defined nowhere: present in the record, with no values (store/write.ts). */
  stub?: boolean;
}

export interface RecordInput {
  source: string;
  sourceRecordId: string;
  kind: RecordKind;
  reportDate: string | null;
  reliability: string | null;
  credibility: string | null;
  marking: Marking;
  criminalBasis: string | null;
  protectedNexus: string | null;
  sensitivity: string | null;
  confidence: string | null;
  reviewBy: string | null;
  entities: EntityInput[];
  contentHash: string;
}

/** Every entity id a record refers to through entity-typed properties. */
export function referencedIds(r: RecordInput): string[] {
  return r.entities.flatMap((e) => e.statements.filter((s) => s.propType === 'entity').map((s) => s.value));
}
