#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between
// `npm ci` and `npm start`, and stack traces point at the real files.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
