// Refits the screening calibration on the tuning set and writes src/resolve/calibration.json.
//   npm run calibrate
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fitCalibration } from '../src/resolve/fit-calibration.js';
import { loadOfacCsv } from '../src/lists/ofac.js';

const fit = await fitCalibration(loadOfacCsv(fileURLToPath(new URL('../reference/ofac/', import.meta.url))).entries);
writeFileSync(new URL('../src/resolve/calibration.json', import.meta.url), `${JSON.stringify(fit, null, 1)}\n`);
console.log(`fitted on ${fit.pairs} labelled pairs: ${fit.points.length} points; default threshold ${fit.threshold}`);
