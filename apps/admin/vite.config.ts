import vue from '@vitejs/plugin-vue';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const api = process.env.CONNECTIONS_API_URL ?? 'http://localhost:4000';
const INITIAL_JS_BUDGET = 200 * 1024;

/**
 * Prints the JavaScript a first visit downloads (the entry chunk and everything it imports statically,
 * gzipped) and fails the build past the budget. Pages are lazy routes, so they are not part of it.
 */
function initialJsBudget(): Plugin {
  return {
    name: 'initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = new Map(
        Object.values(bundle).flatMap((c) => (c.type === 'chunk' ? [[c.fileName, c] as const] : [])),
      );
      const initial = new Set<string>();
      const visit = (name: string) => {
        if (initial.has(name)) return;
        initial.add(name);
        chunks.get(name)?.imports.forEach(visit);
      };
      for (const c of chunks.values()) if (c.isEntry) visit(c.fileName);
      let total = 0;
      for (const name of initial) total += gzipSync(chunks.get(name)!.code).length;
      const kb = (total / 1024).toFixed(1);
      this.info(`initial JavaScript: ${kb} kB gzipped in ${initial.size} chunk(s) (budget 200 kB)`);
      if (total > INITIAL_JS_BUDGET)
        this.error(`initial JavaScript is ${kb} kB gzipped: over the 200 kB budget`);
    },
  };
}

export default defineConfig({
  plugins: [vue(), initialJsBudget()],
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/oauth': { target: api },
      '/proxy': { target: api },
    },
  },
  build: { reportCompressedSize: true },
});
