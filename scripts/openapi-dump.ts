// Writes the OpenAPI document the real server serves at /openapi.json, built on an
// in-memory store (no data directory, no network), for the validators of
// `npm run openapi:check` and the client generator of `npm run openapi:client`.
//   node --import tsx scripts/openapi-dump.ts [out.json]   (default: stdout)
import { writeFileSync } from 'node:fs';
import { openApiDocument } from '../src/api/openapi-document.js';

const json = `${JSON.stringify(await openApiDocument(), null, 1)}\n`;
if (process.argv[2]) writeFileSync(process.argv[2], json);
else process.stdout.write(json);
