import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const api = process.env.CONNECTIONS_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [vue()],
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
