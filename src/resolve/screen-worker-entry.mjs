// Worker entry: register tsx's loader in this thread (Node 20 workers do not take
// --import from execArgv), then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./screen-worker.ts');
