// The analyst's web application (src/web), built into dist/web and served by the API
// server (src/api/routes/web.ts). Preact's JSX through esbuild: no plugin needed.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/web',
  base: '/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    // No inline scripts or styles: the server's CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  logLevel: 'warn',
});
