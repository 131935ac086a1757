import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { summarizeModel } from '../../src/core/onnx/summary.js';
import { FIXTURES, REPO, findFiles, fixture } from '../support/paths.js';

const summaryOf = (path: string) => summarizeModel(decodeModel(readFileSync(fixture(path))));

describe('model summary', () => {
  it('burn_mnist.onnx: 13 nodes, 18 initializers, opset 13', () => {
    const s = summaryOf('onnx/burn_mnist.onnx');
    expect(s.irVersion).toBe(7);
    expect(s.opsets).toEqual({ 'ai.onnx': 13 });
    expect(s.producer).toBe('pytorch');
    expect(s.nodes).toBe(13);
    expect(s.nodesTotal).toBe(13);
    expect(s.nodesByOp).toEqual({ Relu: 4, Conv: 3, BatchNormalization: 2, Gemm: 2, Flatten: 1, LogSoftmax: 1 });
    expect(s.initializers).toBe(18);
    // 376,940 tensors elements in burn__mnist.pt minus the two num_batches_tracked scalars torch does not export.
    expect(s.parameters).toBe(376_938);
    expect(s.parametersByDtype).toEqual({ float32: 376_938 });
    expect(s.weightBytes).toBe(376_938 * 4);
    expect(s.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: ['batch', 1, 28, 28] }]);
    expect(s.outputs).toEqual([{ name: 'log_probs', dtype: 'float32', shape: ['batch', 10] }]);
  });

  it('silero_vad_v6.onnx counts the nodes of its 50 If subgraphs', () => {
    const s = summaryOf('onnx/silero_vad_v6.onnx');
    expect(s.nodes).toBe(5);
    expect(s.nodesTotal).toBe(689);
    expect(s.subgraphs).toBe(50);
    expect(s.nodesByOp.Constant).toBe(341);
    expect(s.nodesByOp.If).toBe(25);
    expect(s.initializers).toBe(0);
    // Its weights live in Constant nodes; they still count as parameters.
    expect(s.parameters).toBeGreaterThan(500_000);
  });

  it('old models listing initializers as inputs show only the real inputs', () => {
    const s = summaryOf('onnx/fml__three_layer_bn_pytorch.onnx');
    expect(s.opsets).toEqual({ 'ai.onnx': 6 });
    expect(s.inputs).toEqual([{ name: '0', dtype: 'float32', shape: [789444, 16] }]);
    expect(s.initializers).toBe(28);
  });

  it('non-tensor outputs and custom domains are described', () => {
    const s = summaryOf('onnx/kotlindl__lgbmSequenceOutput.onnx');
    expect(s.outputs.map((o) => o.dtype)).toEqual(['int64', 'seq(map(int64,float32))']);
    expect(s.nodesByOp).toEqual({ 'ai.onnx.ml:TreeEnsembleClassifier': 1, 'ai.onnx.ml:ZipMap': 1, Cast: 1 });
    expect(summaryOf('onnx/fml__tiny_unet_ch_last.onnx').nodesByOp['qonnx.custom_op.general:Quant']).toBe(113);
  });

  // The same facts as Python's `onnx` package sees them (Debian python3-onnx, installed by .ci/run).
  const python = '/usr/bin/python3';
  const hasPythonOnnx = existsSync(python) && (() => {
    try { execFileSync(python, ['-c', 'import onnx'], { stdio: 'ignore' }); return true; } catch { return false; }
  })();
  it.runIf(hasPythonOnnx || process.env.CI)('agrees with Python onnx on every fixture', () => {
    const files = findFiles(FIXTURES, '.onnx');
    const facts = JSON.parse(execFileSync(python, [join(REPO, 'test/support/onnx_facts.py'), ...files], { maxBuffer: 64 << 20 }).toString());
    const pythonDtype: Record<string, string> = { float: 'float32', double: 'float64' };
    for (const file of files) {
      const ours = summarizeModel(decodeModel(readFileSync(file)));
      const theirs = facts[file];
      const label = basename(file);
      expect({ label, ...pick(ours) }).toEqual({ label, ...pick(theirs) });
      expect(ours.inputs, label).toEqual(
        theirs.inputs.map((i: { name: string; dtype: string; shape: unknown }) => ({ ...i, dtype: pythonDtype[i.dtype] ?? i.dtype })));
      expect(ours.outputs.map((o) => o.name), label).toEqual(theirs.outputs);
    }
  });
});

function pick(s: { irVersion: number; opsets: object; producer: string; nodes: number; nodesTotal: number; subgraphs: number; nodesByOp: object; initializers: number }) {
  const { irVersion, opsets, producer, nodes, nodesTotal, subgraphs, nodesByOp, initializers } = s;
  return { irVersion, opsets, producer, nodes, nodesTotal, subgraphs, nodesByOp: Object.fromEntries(Object.entries(nodesByOp).sort()), initializers };
}
