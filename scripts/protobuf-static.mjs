// Static protobufjs code for the ONNX and TensorFlow schemas (scripts/gen-onnx-proto.mjs, gen-tensorflow-proto.mjs).
// Static code needs no eval/Function at run time (CSP-safe), unlike protobufjs reflection. Field names stay as the
// .proto spells them (--keep-case). After generation three things are patched in: a message budget per decode (a
// small hostile file cannot expand into gigabytes of objects), unknown fields kept verbatim (a newer file may carry
// fields the schema does not know, and dropping them silently would break the lossless round trip), and the default
// message for a map entry that lacks its value (protobufjs leaves null there, which readers would trip over).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules/.bin', name);

/** `--out DIR` on the command line, else `fallback` (the test that checks committed code is current uses it). */
export function outDirFromArgs(fallback) {
  const at = process.argv.indexOf('--out');
  return at > 0 ? process.argv[at + 1] : fallback;
}

/** Generates `<outDir>/<base>.js` and `.d.ts` from `protos` (with `includeDir` for their imports), each file headed by `header`. */
export function generateStatic({ protos, includeDir, outDir, base, header }) {
  const js = join(outDir, `${base}.js`);
  const dts = join(outDir, `${base}.d.ts`);
  mkdirSync(outDir, { recursive: true });
  execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--keep-case', '--no-verify', '--no-delimited',
    '--no-convert', '--no-create', ...(includeDir ? ['-p', includeDir] : []), '-o', js, ...protos], { stdio: 'inherit' });
  execFileSync(bin('pbts'), ['--no-comments', '-o', dts, js], { stdio: 'inherit' });

  let code = readFileSync(js, 'utf8');
  const count = (re) => (code.match(re) || []).length;
  const decoders = count(/\.decode = function decode\(/g);
  const patches = [
    // Remember where each field starts so an unknown one can be kept verbatim.
    [/let tag = reader\.uint32\(\);/g, 'let tagStart = reader.pos, tag = reader.uint32();'],
    [/reader\.skipType\(tag & 7, long\);/g,
      'reader.skipType(tag & 7, long);\n                    $keepUnknown(message, reader.buf.subarray(tagStart, reader.pos));'],
    [/(\n\s+)message = new \$root\./g, '$1$countMessage(reader);$1message = new $root.'],
    // Unknown fields go last, as the reference protobuf runtimes write them.
    [/(\n\s+)return writer;/g, '$1$writeUnknown(message, writer);$1return writer;'],
  ];
  for (const [re, to] of patches) {
    const n = count(re);
    if (n !== decoders) throw new Error(`expected ${decoders} matches of ${re}, found ${n}`);
    code = code.replace(re, to);
  }
  // A map entry whose message value is missing holds the default message (protobuf's rule), not protobufjs's null.
  const mapEntries = count(/\n\s+value = null;/g);
  const mapPatch = /\n(\s+)value = null;([\s\S]*?)value = (\$root\.[\w.]+)\.decode\(([\s\S]*?)(message\.\w+\[[^\]\n]*key\]) = value;/g;
  if (count(mapPatch) !== mapEntries) throw new Error(`expected ${mapEntries} message-valued map entries, found ${count(mapPatch)}`);
  code = code.replace(mapPatch, '\n$1value = null;$2value = $3.decode($4$5 = value === null ? new $3() : value;');
  // Node's native ESM sees protobufjs/minimal as CommonJS without named exports: import its default (module.exports).
  code = code.replace('import * as $protobuf from "protobufjs/minimal";', 'import $protobuf from "protobufjs/minimal.js";');
  code = code.replace('const $root = ', `/** Unknown fields, as raw wire bytes (tag included), in the order they were read. */
function $keepUnknown(message, bytes) {
    (message.$unknown || (message.$unknown = [])).push(bytes);
}
/** Caps how many messages one decode may create, so a small hostile file cannot expand into gigabytes of objects. */
function $countMessage(reader) {
    if (reader.messageBudget !== undefined && --reader.messageBudget < 0)
        throw Error("message budget exceeded");
}
function $writeRaw(val, buf, pos) { buf.set(val, pos); }
function $writeUnknown(message, writer) {
    if (message.$unknown) for (const bytes of message.$unknown) writer._push($writeRaw, bytes.length, bytes);
}

const $root = `);
  writeFileSync(js, '// @ts-nocheck\n' + header + code);
  writeFileSync(dts, header + readFileSync(dts, 'utf8'));
  console.log(`generated ${js} (${decoders} message types)`);
}
