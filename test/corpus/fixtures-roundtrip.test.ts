// Every ONNX file among the shared fixtures decodes, re-encodes byte for byte, and decodes to the same model.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, encodeModelChunks } from '../../src/core/onnx/codec.js';
import { FIXTURES, findFiles, fixture } from '../support/paths.js';
import { firstDifference } from '../support/model-equal.js';

const files = findFiles(FIXTURES, '.onnx');

describe('fixture ONNX round trip', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });
  it.each(files.map((f) => [relative(FIXTURES, f), f]))('%s', (_, file) => {
    const bytes = readFileSync(file);
    const model = decodeModel(bytes);
    const encoded = encodeModel(model);
    expect(encoded.length).toBe(bytes.length);
    expect(Buffer.compare(Buffer.from(encoded), bytes)).toBe(0);
    expect(firstDifference(decodeModel(encoded), model)).toBeNull();
    // Chunked encoding, which files and Blobs are written from, gives the same bytes.
    expect(Buffer.concat(encodeModelChunks(model)).equals(bytes)).toBe(true);
  });

  it('chunked encoding passes large weights through without copying them', () => {
    const bytes = readFileSync(fixture('onnx/tv_mobilenet_v2.onnx'));
    const chunks = encodeModelChunks(decodeModel(bytes));
    const views = chunks.filter((c) => c.buffer === bytes.buffer);
    expect(views.length).toBeGreaterThan(10);
    // Almost the whole file is weights; only the graph's small fields are packed into a new buffer.
    expect(views.reduce((n, c) => n + c.length, 0) / bytes.length).toBeGreaterThan(0.9);
  });
});
