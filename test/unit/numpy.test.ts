// .npy/.npz and serialized TensorProto readers, checked against files written by numpy and by the ONNX test suite.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/core/formats/numpy/npy.js';
import { readNpz } from '../../src/core/formats/numpy/npz.js';
import { decodeTensorProto, encodeTensorProto } from '../../src/core/onnx/codec.js';
import { npyToRuntime, runtimeToTensorProto, tensorProtoToRuntime } from '../../src/core/onnx/runtime-tensor.js';
import { OmnihubError } from '../../src/core/errors.js';
import { ONNX_TESTDATA, fixture } from '../support/paths.js';
import { maxExcess, runModel } from '../support/ort.js';

describe('.npz', () => {
  it('reads the MNIST input and PyTorch output, and onnxruntime reproduces the output from the input', async () => {
    const io = readNpz(readFileSync(fixture('onnx/burn_mnist.io.npz')));
    expect([...io.keys()].sort()).toEqual(['input', 'log_probs']);
    const input = io.get('input')!;
    expect(input.dtype).toBe('float32');
    expect(input.shape).toEqual([1, 1, 28, 28]);
    const out = await runModel(readFileSync(fixture('onnx/burn_mnist.onnx')), { input: npyToRuntime(input) });
    const expected = io.get('log_probs')!.data as Float32Array;
    expect(maxExcess(out.log_probs.data as Float32Array, expected, 1e-4)).toBeLessThan(1e-5);
    expect(Math.exp(Math.max(...expected))).toBeGreaterThan(0.9); // one class above 90 %: a real digit
  });

  it('reads int64 arrays (BERT token ids)', () => {
    const ref = readNpz(readFileSync(fixture('hf/bert-tiny/reference.npz')));
    expect(ref.get('input_ids')!.dtype).toBe('int64');
    expect(ref.get('input_ids')!.shape).toEqual([1, 8]);
    expect(ref.get('output')!.shape).toEqual([1, 8, 128]);
  });

  it('refuses archives that inflate past the limit, and broken archives', () => {
    expect(() => readNpz(readFileSync(fixture('hf/bert-tiny/reference.npz')), { maxBytes: 1000 })).toThrow(/inflate to more than 1000 bytes/);
    expect(() => readNpz(Uint8Array.from([0x50, 0x4b, 3, 4, 1, 2, 3]))).toThrow(OmnihubError);
  });
});

const python = '/usr/bin/python3';
const hasNumpy = existsSync(python) && (() => {
  try { execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

describe('.npy', () => {
  it.runIf(hasNumpy || process.env.CI)('reads what numpy writes: dtypes, Fortran order, format 2.0, 0-d', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omnihub-npy-'));
    execFileSync(python, ['-c', `
import numpy as np
d = ${JSON.stringify(dir)}
np.save(d + '/f16.npy', np.array([1, -2, 0.5], dtype=np.float16))
np.save(d + '/fortran.npy', np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)))
np.save(d + '/scalar.npy', np.float64(3.25))
np.save(d + '/bool.npy', np.array([True, False]))
np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(3, dtype=np.uint64), version=(2, 0))
`]);
    const f16 = readNpy(readFileSync(join(dir, 'f16.npy')));
    expect(f16.dtype).toBe('float16');
    expect(Array.from(f16.data as Uint16Array)).toEqual([0x3c00, 0xc000, 0x3800]);
    const fortran = readNpy(readFileSync(join(dir, 'fortran.npy')));
    expect(fortran.shape).toEqual([2, 3]);
    expect(Array.from(fortran.data as Int32Array)).toEqual([0, 1, 2, 3, 4, 5]);
    const scalar = readNpy(readFileSync(join(dir, 'scalar.npy')));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([3.25]);
    expect(Array.from(readNpy(readFileSync(join(dir, 'bool.npy'))).data as Uint8Array)).toEqual([1, 0]);
    expect(Array.from(readNpy(readFileSync(join(dir, 'v2.npy'))).data as BigUint64Array)).toEqual([0n, 1n, 2n]);
  });

  it('gives typed errors for bad files', () => {
    const code = (bytes: Uint8Array) => { try { readNpy(bytes); return 'ok'; } catch (e) { return (e as OmnihubError).code; } };
    expect(code(new Uint8Array(0))).toBe('empty-file');
    expect(code(readFileSync(fixture('onnx/burn_mnist.onnx')))).toBe('wrong-format');
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000,), }".padEnd(118) + '\n';
    const truncated = Uint8Array.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0, ...Buffer.from(header), 0, 0, 0, 0]);
    expect(code(truncated)).toBe('truncated');
    const object = Uint8Array.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0, ...Buffer.from(header.replace('<f4', '|O8'))]);
    expect(code(object)).toBe('unsupported'); // pickled object arrays are never unpickled
  });
});

describe('serialized TensorProto (.pb)', () => {
  it.runIf(existsSync(ONNX_TESTDATA))('reads the ONNX test suite inputs and writes them back byte for byte', () => {
    const file = join(ONNX_TESTDATA, 'node/test_abs/test_data_set_0/input_0.pb');
    const bytes = readFileSync(file);
    const tensor = decodeTensorProto(bytes);
    const runtime = tensorProtoToRuntime(tensor);
    expect(runtime.type).toBe('float32');
    expect(runtime.dims).toEqual([3, 4, 5]);
    expect(Buffer.from(encodeTensorProto(tensor)).equals(bytes)).toBe(true);
    const rebuilt = decodeTensorProto(encodeTensorProto(runtimeToTensorProto(tensor.name, runtime)));
    expect(Array.from(tensorProtoToRuntime(rebuilt).data as Float32Array)).toEqual(Array.from(runtime.data as Float32Array));
  });
});
