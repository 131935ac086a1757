import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { mnistAsset } from './scripts/vite-mnist-asset.js';

// Cross-origin isolation gives SharedArrayBuffer, which onnxruntime-web needs for more than one thread.
// Every subresource must then be same-origin (or send CORP/CORS): never point wasm paths at a CDN.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// Unit tests are configured in vitest.config.ts (which vitest prefers over this file).
export default defineConfig({
  plugins: [
    svelte(),
    // The MNIST digits (mnist-1000.bin) the Transform page calibrates and measures accuracy on, precached below.
    mnistAsset(),
    VitePWA({
      registerType: 'autoUpdate',
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Omnihub',
        short_name: 'Omnihub',
        description: 'Open, inspect and convert ONNX models in the browser; nothing leaves your machine.',
        theme_color: '#1f4e79',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '.',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,wasm,bin}'],
        // The default 2 MiB cap fails the build once onnxruntime's wasm (14 MB+) is emitted.
        maximumFileSizeToCacheInBytes: 40 * 1024 * 1024,
      },
    }),
  ],
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
});
