// Every ONNX file among the shared fixtures decodes, re-encodes byte for byte, and decodes to the same model.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/core/onnx/codec.js';
import { FIXTURES, findFiles } from '../support/paths.js';
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
  });
});
