// The real `omnihub` binary, as `npx omnihub` runs it, on real files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { firstDifference } from '../support/model-equal.js';
import { REPO, fixture } from '../support/paths.js';

function omnihub(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, 'bin/omnihub.mjs'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('omnihub CLI', () => {
  it('inspect --json prints the summary', () => {
    const r = omnihub('inspect', fixture('onnx/burn_mnist.onnx'), '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.irVersion).toBe(7);
    expect(s.opsets).toEqual({ 'ai.onnx': 13 });
    expect(s.producer).toBe('pytorch');
    expect(s.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }]);
    expect(s.nodes).toBe(13);
    expect(s.nodesTotal).toBe(13);
    expect(s.nodesByOp).toEqual({ Relu: 4, Conv: 3, BatchNormalization: 2, Gemm: 2, Flatten: 1, LogSoftmax: 1 });
    expect(s.initializers).toBe(18);
    expect(s.parameters).toBe(376_938);
    expect(s.weightBytes).toBe(1_507_752);
  });

  it('inspect prints a readable summary', () => {
    const r = omnihub('inspect', fixture('onnx/silero_vad_v6.onnx'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nodes: 5 \(689 with 50 subgraphs\)/);
    expect(r.stdout).toMatch(/Constant ×341/);
  });

  it('roundtrip re-encodes byte for byte, and with external data', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-cli-'));
    const source = fixture('onnx/tv_squeezenet1_1.onnx');
    const plain = omnihub('roundtrip', source, '-o', join(dir, 'same.onnx'));
    expect(plain.code).toBe(0);
    expect(readFileSync(join(dir, 'same.onnx')).equals(readFileSync(source))).toBe(true);

    const ext = omnihub('roundtrip', source, '-o', join(dir, 'ext.onnx'), '--external-data-threshold', '4096');
    expect(ext.code).toBe(0);
    expect(ext.stdout).toMatch(/ext\.onnx\.data/);
    expect(readFileSync(join(dir, 'ext.onnx')).length).toBeLessThan(100_000);
    // Reading it back resolves the side file beside it and gives the original model.
    const back = omnihub('roundtrip', join(dir, 'ext.onnx'), '-o', join(dir, 'back.onnx'));
    expect(back.code).toBe(0);
    expect(firstDifference(decodeModel(readFileSync(join(dir, 'back.onnx'))), decodeModel(readFileSync(source)))).toBeNull();
    const inspect = JSON.parse(omnihub('inspect', join(dir, 'ext.onnx'), '--json').stdout);
    expect(inspect.externalData).toEqual(['ext.onnx.data']);
  });

  it.each([
    ['a 0-byte file', new Uint8Array(0), /empty \(0 bytes\)/],
    ['an HDF5 file named .onnx', readFileSync(fixture('keras/fml__keras_3layer.h5')), /HDF5/],
    ['a truncated model', readFileSync(fixture('onnx/burn_mnist.onnx')).subarray(0, 5000), /truncated/],
    ['random bytes', Uint8Array.from({ length: 3000 }, (_, i) => (i * 2654435761) >>> 24), /ONNX|protobuf|wire type|field/],
  ])('bad input (%s): exit 1, one line on stderr, no stack trace, nothing written', (_, bytes, pattern) => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-bad-'));
    writeFileSync(join(dir, 'model.onnx'), bytes);
    for (const args of [['inspect', join(dir, 'model.onnx')], ['roundtrip', join(dir, 'model.onnx'), '-o', join(dir, 'out.onnx')]]) {
      const r = omnihub(...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^omnihub: /);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, 'out.onnx'))).toBe(false);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('a missing file and wrong usage', () => {
    const missing = omnihub('inspect', '/nonexistent/model.onnx');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file/);
    const usage = omnihub('frobnicate');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage:/);
  });
});
