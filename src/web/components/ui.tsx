// Small shared pieces: errors, portion markings, loading states, date ranges, numbers.
import type { ComponentChildren } from 'preact';
import { href } from '../lib/router.ts';

export function ErrorNotice({ error }: { error: Error | undefined | null }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

export function Portion({ m }: { m: string | undefined }) {
  return m ? (
    <span class="portion" title="Portion marking">
      {m}
    </span>
  ) : null;
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? (
    <p class="hint" aria-busy="true">
      Loading…
    </p>
  ) : (
    children
  );
}

export function EntityLink({
  id,
  caption,
  portion,
  schema,
}: {
  id: string;
  caption: string;
  portion?: string;
  schema?: string;
}) {
  return (
    <a href={href(`entity/${encodeURIComponent(id)}`)}>
      <Portion m={portion} /> {caption}
      {schema ? <span class="schema"> · {schema}</span> : null}
    </a>
  );
}

export const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
export const pct = (x: number): string => `${Math.round(x * 100)}%`;

export interface Range {
  from: string;
  to: string;
}
export const defaultRange = (): Range => ({ from: '2023-10-01', to: new Date().toISOString().slice(0, 10) });

export function RangePicker({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  return (
    <fieldset class="range">
      <legend>Time range</legend>
      <label>
        From{' '}
        <input
          type="date"
          value={value.from}
          max={value.to}
          onChange={(e) => onChange({ ...value, from: (e.target as HTMLInputElement).value })}
        />
      </label>
      <label>
        To{' '}
        <input
          type="date"
          value={value.to}
          min={value.from}
          onChange={(e) => onChange({ ...value, to: (e.target as HTMLInputElement).value })}
        />
      </label>
    </fieldset>
  );
}

export function Section({ title, children, id }: { title: string; children?: ComponentChildren; id?: string }) {
  return (
    <section class="card" aria-labelledby={id ? `${id}-h` : undefined} id={id}>
      <h2 id={id ? `${id}-h` : undefined}>{title}</h2>
      {children}
    </section>
  );
}
