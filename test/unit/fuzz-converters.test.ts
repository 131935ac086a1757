// Hostile bytes through the Keras, TFLite, TensorFlow, PyTorch and Hugging Face paths of convertToOnnx, as the app and the CLI call it:
// real fixtures with a few bytes overwritten, or cut short, must either convert or fail with an OmnihubError (a
// sentence and a code the UI shows) — never a TypeError, RangeError, a WebAssembly trap or a hang. Seeded, so a
// failure reproduces; the outcome counts are printed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { convertToOnnx, type SourceFile } from '../../src/core/convert/index.js';
import { OmnihubError } from '../../src/core/errors.js';
import { mulberry32 } from '../../src/core/validate/inputs.js';
import { fixture } from '../support/paths.js';

interface Case {
  name: string;
  /** The source's files (path → bytes); the first listed is the one mutated unless `target` says otherwise. */
  files: Map<string, Uint8Array>;
  target: string;
  options?: Parameters<typeof convertToOnnx>[1];
}

function fileCase(name: string, path: string, options?: Case['options']): Case {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return { name, files: new Map([[base, new Uint8Array(readFileSync(fixture(path)))]]), target: base, options };
}

/** A fixture folder's files (or only `only` of them), keyed by their paths under the folder's name (as a dropped folder gives them). */
function folderCase(name: string, dir: string, target: string, only?: string[]): Case {
  const root = fixture(dir);
  const files = new Map<string, Uint8Array>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (!only || only.includes(relative(root, p))) files.set(`${name}/${relative(root, p)}`, new Uint8Array(readFileSync(p)));
    }
  };
  walk(root);
  return { name, files, target: `${name}/${target}` };
}

const sources = (files: Map<string, Uint8Array>): SourceFile[] =>
  [...files].map(([path, bytes]) => ({ path, size: bytes.length, read: async () => bytes }));

/** 'converted', or the OmnihubError's code; anything else is returned as a description, which fails the test. */
async function outcome(c: Case, files: Map<string, Uint8Array>): Promise<string> {
  try {
    await convertToOnnx(sources(files), { ...c.options });
    return 'converted';
  } catch (e) {
    if (e instanceof OmnihubError) return e.code;
    return `NOT AN OmnihubError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}

const CASES: Case[] = [
  fileCase('Keras full model .h5', 'keras/fml__keras_3layer.h5'),
  fileCase('Keras conv2d .h5', 'keras/fml__keras_conv2d_model.h5'),
  fileCase('Keras 3 .keras zip', 'tensorflow/keras3/keras_team_mlx_sequential_masking_lstm.keras'),
  fileCase('TFLite float', 'tflite/tflite-micro__hello_world_float.tflite'),
  fileCase('TFLite int8 (QDQ)', 'tflite/tflite-micro__hello_world_int8.tflite'),
  fileCase('TFLite LSTM', 'tflite/tflite-micro__trained_lstm.tflite'),
  fileCase('frozen GraphDef', 'tensorflow/graphdef/tf2onnx_fc-layers/frozen.pb'),
  folderCase('times_three', 'tensorflow/savedmodel/tfjs_node_times_three_float', 'saved_model.pb'),
  folderCase('times_three_index', 'tensorflow/savedmodel/tfjs_node_times_three_float', 'variables/variables.index'),
  folderCase('two_shards_data', 'tensorflow/savedmodel/tfkeras_lso_savedmodel_2shards', 'variables/variables.data-00000-of-00002'),
  folderCase('tfjs_dense', 'tensorflow/tfjs/tfjs_e2e_dense_model', 'model.json'),
  folderCase('tfjs_dense_weights', 'tensorflow/tfjs/tfjs_e2e_dense_model', 'group1-shard1of1.bin'),
  fileCase('TF Hub .tar.gz', 'tensorflow/savedmodel/tfhub_half_plus_two_v1_archive/half_plus_two_v1.tar.gz'),
  fileCase('ARM KWS DS_CNN from Mfcc:0', 'tensorflow/graphdef/arm_kws/DS_CNN_S.pb', { tensorInputs: ['Mfcc:0'] }),
  fileCase('Keras ResNet-8 .h5', 'keras/mlperftiny__pretrainedResnet.h5'),
  fileCase('torchvision .pth', 'pytorch/torchvision/squeezenet1_1-random.pth'),
  folderCase('gpt2_config', 'hf/gpt2-tiny', 'config.json', ['config.json', 'model.safetensors']),
  folderCase('bert_safetensors', 'hf/bert-tiny', 'model.safetensors', ['config.json', 'model.safetensors']),
];

// FUZZ_MUTANTS=2000 for a longer local run.
const MUTANTS = Number(process.env.FUZZ_MUTANTS ?? 120);

describe('fuzzed Keras, TFLite, TensorFlow, PyTorch and Hugging Face sources', () => {
  for (const c of CASES) {
    it(`${c.name}: ${MUTANTS} mutants only convert or fail with OmnihubErrors`, async () => {
      expect(await outcome(c, c.files), 'the unmutated source').toBe('converted');
      const original = c.files.get(c.target)!;
      const next = mulberry32(c.name.length * 7919 + original.length);
      const pick = (n: number) => Math.floor(next() * n);
      const counts = new Map<string, number>();
      for (let i = 0; i < MUTANTS; i++) {
        let bytes: Uint8Array;
        if (i % 6 === 5) {
          bytes = original.subarray(0, pick(original.length));
        } else {
          bytes = original.slice();
          // Mostly near the start, where headers, offsets and lengths are; sometimes anywhere.
          const span = i % 2 ? bytes.length : Math.min(bytes.length, 512);
          for (let k = 1 + pick(4); k > 0; k--) bytes[pick(span)] = pick(256);
        }
        const files = new Map(c.files);
        files.set(c.target, bytes);
        const o = await outcome(c, files);
        counts.set(o, (counts.get(o) ?? 0) + 1);
      }
      const summary = [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ×${n}`).join(', ');
      console.log(`${c.name.padEnd(28)} ${summary}`);
      expect([...counts.keys()].filter((k) => k.startsWith('NOT AN')), summary).toEqual([]);
    }, 60_000);
  }
});
