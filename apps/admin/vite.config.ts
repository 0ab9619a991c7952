import vue from '@vitejs/plugin-vue';
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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

/** What is worth compressing: text formats. Images other than SVG and fonts are compressed already. */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|webmanifest)$/;

/**
 * Writes `.br` and `.gz` beside every compressible file of the build, once, at maximum effort (the API sends
 * them as they are: apps/api/src/http/console.ts). A variant that would not be smaller is not written.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      let before = 0;
      let after = 0;
      for (const file of fs.readdirSync(outDir, { recursive: true, encoding: 'utf8' })) {
        const full = path.join(outDir, file);
        if (!COMPRESSIBLE.test(file) || !fs.statSync(full).isFile()) continue;
        const raw = fs.readFileSync(full);
        const br = brotliCompressSync(raw, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
          },
        });
        const gz = gzipSync(raw, { level: 9 });
        if (br.length < raw.length) fs.writeFileSync(`${full}.br`, br);
        if (gz.length < raw.length) fs.writeFileSync(`${full}.gz`, gz);
        before += raw.length;
        after += Math.min(br.length, raw.length);
      }
      this.info(
        `precompressed: ${(before / 1024).toFixed(1)} kB -> ${(after / 1024).toFixed(1)} kB (brotli)`,
      );
    },
  };
}

export default defineConfig({
  plugins: [vue(), initialJsBudget(), precompress()],
  server: {
    port: 5173,
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/oauth': { target: api },
      '/proxy': { target: api },
      '/logos': { target: api },
    },
  },
  build: { reportCompressedSize: true },
});
