// The committed protobuf code is what `npm run gen:onnx` makes from the vendored schema today.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from '../support/paths.js';

it('src/core/onnx/generated is up to date with schema/onnx.proto', () => {
  const out = mkdtempSync(join(tmpdir(), 'omnihub-gen-'));
  execFileSync(process.execPath, [join(REPO, 'scripts/gen-onnx-proto.mjs'), '--out', out], { stdio: 'pipe' });
  for (const file of ['onnx.js', 'onnx.d.ts']) {
    const committed = readFileSync(join(REPO, 'src/core/onnx/generated', file), 'utf8');
    expect(readFileSync(join(out, file), 'utf8') === committed, `${file} differs: run npm run gen:onnx`).toBe(true);
  }
});
