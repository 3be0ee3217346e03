import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app (src/web) builds to dist/web, which the API server serves with an index.html
 * fallback (`npm start`). `npm run dev:web` serves it with hot reload and proxies /api to the
 * API server on :3000. `#src/*` mirrors package.json `imports`, so the web app reads shared
 * domain code (schemas, labels) exactly as the server does.
 */
export default defineConfig({
  root: `${repoRoot}src/web`,
  publicDir: false,
  plugins: [react()],
  resolve: {
    alias: [{ find: /^#src\/(.*)$/, replacement: `${repoRoot}src/$1` }],
  },
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
