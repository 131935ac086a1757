/**
 * Writes a valid ~220 MB ONNX model to bench/.data/big.onnx (or the path given as the first argument) for the
 * read/write benchmark (bench/onnx-io.ts).
 *
 * The graph is a chain  y = ((x·W0 + b0)·W1 + b1)…  of LAYERS MatMul+Add pairs, opset 17, IR 8. Each W is an
 * N×N float32 initializer of ~55 MB raw_data, so the file is dominated by a few large bytes fields, like real
 * weight-heavy models. Values come from a fixed-seed xorshift PRNG: deterministic (same bytes every run) and not
 * zeros, so no layer (page cache, file system, protobuf) gets an easy case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeModel, onnx } from '../src/core/onnx/codec.js';
import type { onnx as pb } from '../src/core/onnx/codec.js';

const N = 3712; // 3712² × 4 B = 55.1 MB per weight
const LAYERS = 4; // 4 × 55.1 MB ≈ 220 MB ≥ 200 MiB
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export const DEFAULT_BIG_MODEL = join(dirname(fileURLToPath(import.meta.url)), '.data', 'big.onnx');

/** Fills `count` float32 values in [-0.05, 0.05) from a xorshift32 stream; returns their little-endian bytes. */
function randomFloats(count: number, state: { s: number }): Uint8Array {
  const out = new Float32Array(count); // x86/ARM are little-endian, as ONNX raw_data requires
  let s = state.s;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 8) / 16777216 - 0.5) * 0.1;
  }
  state.s = s;
  return new Uint8Array(out.buffer);
}

function tensorType(dims: number[]): pb.ITypeProto {
  return { tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => ({ dim_value: d })) } } };
}

export function buildBigModel(): pb.ModelProto {
  const state = { s: 0x9e3779b9 | 0 };
  const nodes: pb.INodeProto[] = [];
  const initializers: pb.ITensorProto[] = [];
  let prev = 'x';
  for (let i = 0; i < LAYERS; i++) {
    initializers.push({ name: `W${i}`, data_type: FLOAT, dims: [N, N], raw_data: randomFloats(N * N, state) });
    initializers.push({ name: `b${i}`, data_type: FLOAT, dims: [N], raw_data: randomFloats(N, state) });
    const out = i === LAYERS - 1 ? 'y' : `h${i}`;
    nodes.push({ op_type: 'MatMul', name: `matmul${i}`, input: [prev, `W${i}`], output: [`mm${i}`] });
    nodes.push({ op_type: 'Add', name: `add${i}`, input: [`mm${i}`, `b${i}`], output: [out] });
    prev = out;
  }
  return new onnx.ModelProto({
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    producer_name: 'omnihub-bench',
    graph: {
      name: 'big_matmul_chain',
      node: nodes,
      initializer: initializers,
      input: [{ name: 'x', type: tensorType([1, N]) }],
      output: [{ name: 'y', type: tensorType([1, N]) }],
    },
  });
}

export function writeBigModel(path = DEFAULT_BIG_MODEL): number {
  const bytes = encodeModel(buildBigModel());
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return bytes.length;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.argv[2] ?? DEFAULT_BIG_MODEL;
  const size = writeBigModel(path);
  console.log(`wrote ${path} (${(size / 1e6).toFixed(1)} MB)`);
}
