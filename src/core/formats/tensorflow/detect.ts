/** Which TensorFlow thing a set of files is, from names (and, when given, first bytes). */
export type TfKind =
  | 'saved-model' // saved_model.pb (+ variables/, assets/)
  | 'tfhub-archive' // .tar.gz / .tgz (TF Hub download)
  | 'tfjs-graph-model' // model.json with a GraphDef topology
  | 'tfjs-layers-model' // model.json with a Keras topology
  | 'tfjs-model' // model.json whose bytes were not given
  | 'checkpoint' // a bare TensorBundle: PREFIX.index + PREFIX.data-*
  | 'frozen-graph' // one .pb GraphDef
  | 'unknown';

export interface TfDetection {
  kind: TfKind;
  /** The file that decides it (saved_model.pb, model.json, the archive, the .pb, the .index). */
  path?: string;
}

const utf8 = new TextDecoder();

export function detectTensorFlow(files: Map<string, Uint8Array> | readonly string[]): TfDetection {
  const names = Array.isArray(files) ? [...files] : [...(files as Map<string, Uint8Array>).keys()];
  const bytes = (p: string) => (files instanceof Map ? files.get(p) : undefined);
  const norm = names.map((n) => n.replace(/\\/g, '/'));
  const byDepth = (a: string, b: string) => a.split('/').length - b.split('/').length || a.localeCompare(b);
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

  const sm = norm.filter((n) => base(n) === 'saved_model.pb').sort(byDepth);
  if (sm.length) return { kind: 'saved-model', path: names[norm.indexOf(sm[0])] };

  const archive = norm.find((n) => /\.(tar\.gz|tgz)$/i.test(n));
  if (archive) {
    const b = bytes(names[norm.indexOf(archive)]);
    if (!b || (b[0] === 0x1f && b[1] === 0x8b)) return { kind: 'tfhub-archive', path: names[norm.indexOf(archive)] };
  }

  const jsons = norm.filter((n) => n.endsWith('.json'));
  const modelJson = jsons.filter((n) => base(n) === 'model.json').sort(byDepth)[0] ?? (jsons.length === 1 ? jsons[0] : undefined);
  if (modelJson) {
    const path = names[norm.indexOf(modelJson)];
    const b = bytes(path);
    if (!b) return { kind: 'tfjs-model', path };
    try {
      const m = JSON.parse(utf8.decode(b)) as Record<string, unknown>;
      const topo = m?.modelTopology as Record<string, unknown> | undefined;
      if (topo && typeof topo === 'object') {
        const layers = m.format === 'layers-model' || typeof topo.class_name === 'string' || typeof topo.model_config === 'object';
        return { kind: layers ? 'tfjs-layers-model' : 'tfjs-graph-model', path };
      }
    } catch {
      // not JSON: fall through
    }
  }

  const index = norm.find((n) => n.endsWith('.index') && norm.some((m) => m.startsWith(n.slice(0, -'.index'.length) + '.data-')));
  if (index) return { kind: 'checkpoint', path: names[norm.indexOf(index)] };

  const pbs = norm.filter((n) => n.endsWith('.pb'));
  if (pbs.length === 1) return { kind: 'frozen-graph', path: names[norm.indexOf(pbs[0])] };
  return { kind: 'unknown' };
}
