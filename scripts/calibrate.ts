// Refits the matching model on the tuning half of the real labelled sets
// (src/lists/labelled.ts) and writes src/resolve/matcher.json.
//   npm run calibrate
import { writeFileSync } from 'node:fs';
import { tuningFit } from '../src/lists/labelled.js';

const fit = await tuningFit();
writeFileSync(new URL('../src/resolve/matcher.json', import.meta.url), `${JSON.stringify(fit, null, 1)}\n`);
console.log(
  `fitted on ${fit.pairs} labelled pairs from ${fit.tuning.queries} tuning queries; default threshold ${fit.threshold}; tuning precision ${fit.tuning.precision}, recall ${fit.tuning.recall}`,
);
console.log(
  Object.entries(fit.weights)
    .map(([k, v]) => `  ${k} ${v}`)
    .join('\n'),
);
