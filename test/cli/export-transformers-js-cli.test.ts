// `omnihub export-transformers-js` as a user runs it: the real binary, bert-tiny from a file (into a zip and a
// folder) and from a library entry (its config.json comes along; into the library as a huggingface entry).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../src/core/onnx/codec.js';
import { countOps } from '../../src/core/rewrites/graph.js';
import { FolderLibrary } from '../../src/core/library/node.js';
import { REPO, fixture } from '../support/paths.js';

const MODEL = fixture('hf/bert-tiny/model.onnx');
const CONFIG = fixture('hf/bert-tiny/config.json');
const model = readFileSync(MODEL);
const config = readFileSync(CONFIG);

function omnihub(home: string, args: string[]) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/omnihub.mjs'), ...args], { env: { ...process.env, OMNIHUB_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

describe('omnihub export-transformers-js', () => {
  it('writes a zip and a folder with the same files, the layout transformers.js loads', async () => {
    const home = tmp('omnihub-home-');
    const out = tmp('omnihub-tjs-');
    const zipped = await omnihub(home, ['export-transformers-js', MODEL, join(out, 'bert.zip'), '--variants', 'fp32,q8', '--with', CONFIG]);
    expect(zipped.stderr).toContain('[2/2] onnx/model_quantized.onnx');
    expect(zipped.code).toBe(0);
    expect(zipped.stdout).toMatch(/onnx\/model_quantized\.onnx: [\d,]+ bytes \(quantize-int8-dynamic\)/);
    expect(zipped.stdout).toContain(`wrote ${join(out, 'bert.zip')} (3 files)`);
    const files = unzipSync(readFileSync(join(out, 'bert.zip')));
    expect(Object.keys(files)).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']);
    expect(Buffer.from(files['config.json']).equals(config)).toBe(true);
    expect(Buffer.from(files['onnx/model.onnx']).equals(model)).toBe(true);
    expect(countOps(decodeModel(files['onnx/model_quantized.onnx'])).MatMulInteger).toBeGreaterThan(0);
    expect(readdirSync(out)).toEqual(['bert.zip']); // no temporary file left

    const dir = join(out, 'bert');
    const folder = await omnihub(home, ['export-transformers-js', MODEL, dir, '--variants=fp32,q8', '--with', CONFIG]);
    expect(folder.code).toBe(0);
    expect(folder.stdout).toContain(`wrote 3 files under ${dir}`);
    for (const [path, bytes] of Object.entries(files)) expect(readFileSync(join(dir, path)).equals(Buffer.from(bytes)), path).toBe(true);

    // Nothing is overwritten; bad variants are refused before any work.
    const again = await omnihub(home, ['export-transformers-js', MODEL, join(out, 'bert.zip')]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(`omnihub: ${join(out, 'bert.zip')} exists already; choose another name.`);
    const bad = await omnihub(home, ['export-transformers-js', MODEL, join(out, 'x.zip'), '--variants', 'fp32,int3']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown variant 'int3'/);
    expect(existsSync(join(out, 'x.zip'))).toBe(false);
  });

  it('exports a library entry with its other files, into a new huggingface entry with lineage', async () => {
    const home = tmp('omnihub-home-');
    const store = new FolderLibrary({ env: { OMNIHUB_HOME: home } });
    const entry = { framework: 'huggingface' as const, name: 'prajjwal1--bert-tiny', source: { kind: 'hf' as const, repo: 'prajjwal1/bert-tiny' } };
    await store.addFile(entry, 'onnx/model.onnx', new Uint8Array(model));
    await store.addFile(entry, 'config.json', new Uint8Array(config));
    const saved = await omnihub(home, ['export-transformers-js', 'huggingface/prajjwal1--bert-tiny', '--library', '--variants', 'fp32,fp16,q8,q4']);
    expect(saved.stderr).toContain('[4/4] onnx/model_q4.onnx');
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain('huggingface/prajjwal1--bert-tiny-transformers-js (5 files)');
    const made = (await store.get('huggingface/prajjwal1--bert-tiny-transformers-js'))!;
    expect(made.files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model.onnx', 'onnx/model_fp16.onnx', 'onnx/model_q4.onnx', 'onnx/model_quantized.onnx']);
    expect(made.lineage?.from).toBe('huggingface/prajjwal1--bert-tiny');
    expect(made.lineage?.steps).toMatchObject([{ step: 'transformers-js-export', options: { variants: { 'onnx/model_q4.onnx': { variant: 'q4', recipe: { steps: [{ step: 'quantize-int4' }] } } } } }]);
    expect(Buffer.from(await (await store.openFile(made.id, 'onnx/model.onnx')).bytes()).equals(model)).toBe(true);

    const twice = await omnihub(home, ['export-transformers-js', 'huggingface/prajjwal1--bert-tiny', '--library', '--variants', 'fp32']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/has huggingface\/prajjwal1--bert-tiny-transformers-js already/);
    const missing = await omnihub(home, ['export-transformers-js', 'onnx/nothing', '--library']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such entry/);
  });
});
