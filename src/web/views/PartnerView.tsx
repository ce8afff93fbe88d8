// Partners (carriers, forwarders, marketplaces, platforms) report what looks wrong
// and follow the status of their reports.
import { useState } from 'preact/hooks';
import { type Body, get, post } from '../lib/api.ts';
import { useAsync, useAction } from '../lib/use-async.ts';
import { ErrorNotice } from '../components/ui.tsx';

const FIELDS = {
  shipment: ['Tracking number / airway bill', 'Shipper name', 'Declared goods'],
  listing: ['Listing URL (https://…)', 'Platform', 'Seller name'],
  account: ['Service (e.g. Telegram)', 'Username', 'E-mail on the account'],
} as const;
type Kind = keyof typeof FIELDS;

export function PartnerView() {
  const mine = useAsync(() => get('/partner/reports'), []);
  const [kind, setKind] = useState<Kind>('shipment');
  const [v, setV] = useState({ summary: '', a: '', b: '', c: '' });
  const [done, setDone] = useState('');
  const send = useAction(async () => {
    const t = (s: string) => s.trim() || undefined;
    const body: Body<'/partner/reports'> = { kind, summary: v.summary };
    if (kind === 'shipment') body.shipment = { trackingNumber: v.a.trim(), shipperName: t(v.b), declaredGoods: t(v.c) };
    else if (kind === 'listing') body.listing = { url: v.a.trim(), platform: t(v.b), seller: t(v.c) };
    else body.account = { service: v.a.trim(), username: v.b.trim(), email: t(v.c) };
    const r = await post('/partner/reports', body);
    setDone(`Received: reference ${r.reference}. Keep it to follow your report.`);
    setV({ summary: '', a: '', b: '', c: '' });
    mine.reload();
  });
  const [la, lb, lc] = FIELDS[kind];
  const input = (k: 'a' | 'b' | 'c', id: string, required = false) => (
    <input
      id={id}
      required={required}
      maxLength={300}
      value={v[k]}
      onInput={(e) => setV({ ...v, [k]: (e.target as HTMLInputElement).value })}
    />
  );
  return (
    <div class="view" id="partner">
      <h1>Report to agencies</h1>
      <form
        id="report"
        aria-label="Report a suspicious shipment, listing or account"
        onSubmit={(e) => {
          e.preventDefault();
          send.run();
        }}
      >
        <p class="hint">
          Report what looks wrong. Your report is shared with law-enforcement and government agencies only, marked as
          your company's proprietary information, and you can follow its status here.
        </p>
        <label>
          What{' '}
          <select id="r-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
            <option value="shipment">Shipment or parcel</option>
            <option value="listing">Online listing</option>
            <option value="account">Account</option>
          </select>
        </label>
        <label>
          What did you see?{' '}
          <textarea
            id="r-summary"
            required
            maxLength={4000}
            rows={3}
            value={v.summary}
            onInput={(e) => setV({ ...v, summary: (e.target as HTMLTextAreaElement).value })}
          />
        </label>
        <label>
          {la} {input('a', 'r-1', true)}
        </label>
        <label>
          {lb} {input('b', 'r-2')}
        </label>
        <label>
          {lc} {input('c', 'r-3')}
        </label>
        <button type="submit" disabled={send.busy}>
          Send report
        </button>
      </form>
      <p id="report-done" role="status">
        {done}
      </p>
      <ErrorNotice error={mine.error ?? send.error} />
      <h2>Your reports</h2>
      <ol id="my-reports" aria-label="Your reports">
        {(mine.data ?? []).map((r) => (
          <li>
            <strong>{r.reference} </strong>
            {r.kind} · {r.status}
            {r.feedback && <p class="merged">Feedback: {r.feedback}</p>}
          </li>
        ))}
        {mine.data && !mine.data.length && <li>No reports yet.</li>}
      </ol>
    </div>
  );
}
