// The OpenAPI document of the real server, without serving it: the server built on an
// in-memory store, asked for its document, closed. For the check and the client generator.
import { Store } from '../store/store.js';
import { openPglite } from '../store/db.js';
import { buildServer } from './server.js';

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const store = await Store.over(await openPglite());
  try {
    const app = await buildServer({ store, escalateEveryMs: 0, resumeAfterWritesEveryMs: 0 });
    await app.ready();
    const doc = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return doc;
  } finally {
    await store.close();
  }
}
