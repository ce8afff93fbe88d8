// Import a file: upload progress, then the server validates everything before it
// writes (all or nothing unless "skip" is chosen), and answers with what it did and
// each error by file, line and field.
import { useState } from 'preact/hooks';
import { type Answer, type Body, upload } from '../lib/api.ts';
import { oneOf } from '../lib/one-of.ts';
import { useAction } from '../lib/use-async.ts';
import { ErrorNotice, fmt } from '../components/ui.tsx';

type Report = Answer<'/import', 'post'>;
type Format = Body<'/import'>['format'];
/** The formats offered here (the API may read more; the CLI imports those). */
const FORMATS = ['json', 'jsonl', 'ftm', 'csv'] as const satisfies readonly Format[];
const FORMAT_OF = (name: string): Format =>
  /\.jsonl$|\.ndjson$/.test(name) ? 'jsonl' : /\.csv$/.test(name) ? 'csv' : /\.ftm/.test(name) ? 'ftm' : 'json';

export function ImportView() {
  const [file, setFile] = useState<File>();
  const [format, setFormat] = useState<Format>('json');
  const [marking, setMarking] = useState('');
  const [mapping, setMapping] = useState('');
  const [mode, setMode] = useState<'atomic' | 'skip'>('atomic');
  const [progress, setProgress] = useState<{ phase: string; pct?: number }>();
  const [report, setReport] = useState<Report>();
  const run = useAction(async () => {
    if (!file) throw new Error('Choose a file first.');
    if (file.size > 64 * 1024 * 1024)
      throw new Error(
        `${file.name} is ${fmt(file.size / 1048576, 1)} MB; the web import takes up to 64 MB (use the CLI, chokepoint import, for more).`,
      );
    let parsedMapping: Record<string, unknown> | undefined;
    if (format === 'csv') {
      try {
        parsedMapping = JSON.parse(mapping);
      } catch (e) {
        throw new Error(`The CSV mapping is not valid JSON: ${(e as Error).message}`);
      }
    }
    setReport(undefined);
    setProgress({ phase: 'Uploading', pct: 0 });
    const content = await file.text();
    const r = await upload(
      '/import',
      {
        format,
        content,
        name: file.name,
        mode,
        ...(marking ? { marking } : {}),
        ...(parsedMapping ? { mapping: parsedMapping } : {}),
      },
      (sent, total) => {
        setProgress(
          sent < total
            ? { phase: 'Uploading', pct: Math.round((sent / total) * 100) }
            : { phase: 'Validating and writing on the server' },
        );
      },
    ).finally(() => setProgress(undefined));
    setReport(r);
  });
  return (
    <div class="view" id="import">
      <h1>Import</h1>
      <form
        id="import-form"
        onSubmit={(e) => {
          e.preventDefault();
          run.run();
        }}
      >
        <label>
          File{' '}
          <input
            id="import-file"
            type="file"
            required
            accept=".json,.jsonl,.ndjson,.csv,.ftm,.ftm.json"
            onChange={(e) => {
              const f = (e.target as HTMLInputElement).files?.[0];
              setFile(f);
              if (f) setFormat(FORMAT_OF(f.name));
            }}
          />
        </label>
        <label>
          Format{' '}
          <select
            id="import-format"
            value={format}
            onChange={(e) => setFormat(oneOf(FORMATS, (e.target as HTMLSelectElement).value))}
          >
            <option value="json">Chokepoint JSON</option>
            <option value="jsonl">Chokepoint JSON lines</option>
            <option value="ftm">FollowTheMoney entities</option>
            <option value="csv">CSV with a mapping</option>
          </select>
        </label>
        <label>
          Marking{' '}
          {format === 'ftm' || format === 'csv' ? '(required: this format carries none)' : '(if the file gives none)'}{' '}
          <input
            id="import-marking"
            placeholder="e.g. U//LES"
            maxLength={300}
            value={marking}
            required={format === 'ftm' || format === 'csv'}
            onInput={(e) => setMarking((e.target as HTMLInputElement).value)}
          />
        </label>
        {format === 'csv' && (
          <label>
            Mapping (JSON; see README, “CSV mappings”){' '}
            <textarea
              rows={5}
              value={mapping}
              required
              onInput={(e) => setMapping((e.target as HTMLTextAreaElement).value)}
            />
          </label>
        )}
        <fieldset>
          <legend>If some records are invalid</legend>
          <label>
            <input
              type="radio"
              name="mode"
              value="atomic"
              checked={mode === 'atomic'}
              onChange={() => setMode('atomic')}
            />{' '}
            write nothing
          </label>
          <label>
            <input type="radio" name="mode" value="skip" checked={mode === 'skip'} onChange={() => setMode('skip')} />{' '}
            write the valid ones
          </label>
        </fieldset>
        <button type="submit" disabled={run.busy}>
          Import
        </button>
      </form>
      {progress && (
        <div role="status" id="import-progress">
          <p>{progress.phase}…</p>
          <progress max={100} value={progress.pct} aria-label={progress.phase} />
        </div>
      )}
      <ErrorNotice error={run.error} />
      {report && (
        <div id="import-report" role="status">
          <p>
            Read {fmt(report.read)} records in {fmt(report.seconds, 1)} s: {fmt(report.inserted)} new,{' '}
            {fmt(report.updated)} updated, {fmt(report.unchanged)} unchanged, {fmt(report.rejected)} refused;{' '}
            {fmt(report.statements)} statements; possible links with what you may see are listed under Links.
          </p>
          {(report.leftUndone ?? []).map((l) => (
            <p class="alert">
              {l.step} was not done for {fmt(l.entities)} entities (
              {l.reason === 'skipped'
                ? 'skipped'
                : l.reason === 'limit'
                  ? 'the import is larger than it does after an import'
                  : l.reason === 'failed'
                    ? 'it failed; the server logged why'
                    : 'the database was out of reach; it will be done later'}
              ){l.redo && l.reason !== 'queued' ? `: an administrator can run ${l.redo}` : ''}.
            </p>
          ))}
          {report.errors.length > 0 && (
            <ul class="errors">
              {report.errors.slice(0, 100).map((e) => (
                <li>
                  {[e.file, e.line !== undefined ? `line ${e.line}` : ''].filter(Boolean).join(':')} {e.path}:{' '}
                  {e.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
