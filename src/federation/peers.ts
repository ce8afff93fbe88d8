// Federation: agencies that run their own Chokepoint instance deconflict across
// instances. A peer asks with target keys and gets pointers back (agency, contact,
// kind of match), never records, case numbers or target values, the pattern of the
// nationwide pointer interface that links the existing deconfliction systems.
// Each direction has its own bearer token; only hashes of inbound tokens are kept.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../store/db.js';
import { appendAudit, audit } from '../store/audit.js';
import { assertMay, type Principal } from '../domain/users.js';
import { targetKeys, type TargetInput } from '../deconflict/keys.js';
import { findTargets, DeconflictionError } from '../deconflict/targets.js';
import { casePointer, type Pointer } from '../deconflict/pointer.js';

const hash = (t: string): string => createHash('sha256').update(t).digest('hex');

export interface PeerPointer extends Pointer {
  instance: string;
  basis: string;
}

export async function addPeer(
  db: Database,
  me: Principal,
  p: { name: string; url: string; outboundToken: string },
): Promise<{ id: number; inboundToken: string }> {
  assertMay(me, 'manageUsers');
  const inboundToken = `cpp_${randomBytes(24).toString('base64url')}`;
  return db.transaction(async (tx) => {
    const [dup] = await tx.query('SELECT 1 FROM federation_peers WHERE name = $1', [p.name]);
    if (dup) throw new DeconflictionError(`peer "${p.name}" exists`, 409);
    const [row] = await tx.query<{ id: number }>(
      'INSERT INTO federation_peers (name, url, outbound_token, inbound_token_hash) VALUES ($1, $2, $3, $4) RETURNING id',
      [p.name, p.url.replace(/\/$/, ''), p.outboundToken, hash(inboundToken)],
    );
    await appendAudit(tx, {
      actor: me.username,
      action: 'federation.peer.add',
      target: p.name,
      details: { url: p.url },
    });
    return { id: row!.id, inboundToken };
  });
}

export async function listPeers(
  db: Database,
  me: Principal,
): Promise<{ id: number; name: string; url: string; active: boolean }[]> {
  assertMay(me, 'manageUsers');
  return db.query('SELECT id, name, url, active FROM federation_peers ORDER BY name');
}

/** The peer presenting this token, if any (compared by hash, in constant time). */
export async function peerForToken(db: Database, token: string): Promise<{ id: number; name: string } | undefined> {
  const h = hash(token);
  const rows = await db.query<{ id: number; name: string; inbound_token_hash: string }>(
    'SELECT id, name, inbound_token_hash FROM federation_peers WHERE active',
  );
  return rows.find((r) => timingSafeEqual(Buffer.from(r.inbound_token_hash), Buffer.from(h)));
}

/** Answering a peer: pointers to our open cases whose targets these keys or names resolve to. */
export async function answerPeer(
  db: Database,
  instance: string,
  peer: { name: string },
  q: { keys: string[]; names: { value: string; person: boolean; birthDate?: string }[] },
): Promise<PeerPointer[]> {
  return db.transaction(async (tx) => {
    const matches = [
      ...(q.keys.length ? await findTargets(tx, db, { keys: q.keys }) : []),
      ...(await Promise.all(q.names.map((n) => findTargets(tx, db, { keys: [], name: n })))).flat(),
    ];
    const byCase = new Map<number, string>();
    for (const m of matches) if (!byCase.has(m.caseId)) byCase.set(m.caseId, m.basis);
    const out: PeerPointer[] = [];
    for (const [caseId, basis] of byCase) out.push({ instance, basis, ...(await casePointer(tx, caseId)) });
    await appendAudit(tx, {
      actor: `peer:${peer.name}`,
      action: 'federation.query',
      details: { keys: q.keys.length, names: q.names.length, pointers: out.length },
    });
    return out;
  });
}

export interface FederatedAnswer {
  peer: string;
  pointers: PeerPointer[];
  error?: string;
}

/** Asks every active peer at once (5 s each); one unreachable peer does not fail the others. */
export async function queryPeers(
  db: Database,
  me: Principal,
  targets: TargetInput[],
  fetchImpl: typeof fetch = fetch,
): Promise<FederatedAnswer[]> {
  assertMay(me, 'manageCases');
  const keys: string[] = [];
  const names: { value: string; person: boolean; birthDate?: string }[] = [];
  targets.forEach((t, i) => {
    try {
      const k = targetKeys(t);
      if (t.kind === 'person' || t.kind === 'company')
        names.push({ value: t.value, person: t.kind === 'person', birthDate: t.birthDate });
      else keys.push(...k);
    } catch (e) {
      throw new DeconflictionError(`targets[${i}]: ${(e as Error).message}`);
    }
  });
  const peers = await db.query<{ name: string; url: string; outbound_token: string }>(
    'SELECT name, url, outbound_token FROM federation_peers WHERE active ORDER BY name',
  );
  const answers = await Promise.all(
    peers.map(async (p): Promise<FederatedAnswer> => {
      try {
        const res = await fetchImpl(`${p.url}/federation/pointers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Peer ${p.outbound_token}` },
          body: JSON.stringify({ keys, names }),
          signal: AbortSignal.timeout(5000),
        });
        if (!res.ok) return { peer: p.name, pointers: [], error: `HTTP ${res.status}` };
        const body = (await res.json()) as { pointers: PeerPointer[] };
        return { peer: p.name, pointers: body.pointers };
      } catch (e) {
        return { peer: p.name, pointers: [], error: (e as Error).message };
      }
    }),
  );
  await audit(db, {
    actor: me.username,
    action: 'federation.ask',
    details: { peers: peers.length, pointers: answers.reduce((a, x) => a + x.pointers.length, 0) },
  });
  return answers;
}
