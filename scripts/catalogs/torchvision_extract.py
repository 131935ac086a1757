# Extracts torchvision's WeightsEnum rows from torchvision/models/**.py with Python's ast (never imported or run).
# Usage: python3 torchvision_extract.py SITE_PACKAGES/torchvision/models > tv.json; the rows of
# src/core/sources/torchvision/catalog.ts were generated from that JSON.
import ast, json, os, re, sys
ROOT = sys.argv[1]  # .../torchvision/models
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")  # torch/hub.py
out = {"weights": [], "builders": [], "defaults": {}}

def task_of(rel):
    if rel.startswith('quantization/'): return 'quantized-classification'
    if rel.startswith('detection/'): return 'detection'
    if rel.startswith('segmentation/'): return 'segmentation'
    if rel.startswith('video/'): return 'video'
    if rel.startswith('optical_flow/'): return 'optical-flow'
    return 'classification'

for dirpath, _, files in os.walk(ROOT):
    for f in sorted(files):
        if not f.endswith('.py'): continue
        path = os.path.join(dirpath, f)
        rel = os.path.relpath(path, ROOT)
        tree = ast.parse(open(path).read())
        module_dicts = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Dict):
                module_dicts[node.targets[0].id] = node.value
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(node.value, ast.Dict):
                module_dicts[node.target.id] = node.value
        def dict_items(d):
            """Flatten a Dict node, resolving ** of module-level dicts; later keys win."""
            res = {}
            for k, v in zip(d.keys, d.values):
                if k is None:
                    if isinstance(v, ast.Name) and v.id in module_dicts:
                        res.update(dict_items(module_dicts[v.id]))
                    elif isinstance(v, ast.Dict):
                        res.update(dict_items(v))
                    else:
                        res['__unresolved__'] = ast.unparse(v)
                elif isinstance(k, ast.Constant):
                    res[k.value] = v
            return res
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(ast.unparse(b) == 'WeightsEnum' for b in node.bases):
                enum = node.name
                for st in node.body:
                    if not (isinstance(st, ast.Assign) and len(st.targets) == 1 and isinstance(st.targets[0], ast.Name)): continue
                    member = st.targets[0].id
                    v = st.value
                    if isinstance(v, ast.Name):
                        out['defaults'].setdefault(enum, {})[member] = v.id
                        continue
                    if not (isinstance(v, ast.Call) and ast.unparse(v.func) == 'Weights'): continue
                    kw = {k.arg: k.value for k in v.keywords}
                    url = ast.literal_eval(kw['url'])
                    meta = dict_items(kw['meta']) if isinstance(kw.get('meta'), ast.Dict) else {}
                    def lit(key):
                        n = meta.get(key)
                        if n is None: return None
                        try: return ast.literal_eval(n)
                        except Exception: return None
                    fn = url.rsplit('/', 1)[1]
                    m = HASH_REGEX.search(fn)
                    out['weights'].append({
                        'enum': enum, 'member': member, 'url': url, 'file': 'torchvision/models/' + rel,
                        'task': task_of(rel), 'numParams': lit('num_params'), 'metrics': lit('_metrics'),
                        'gflops': lit('_ops'), 'fileSizeMB': lit('_file_size'), 'recipe': lit('recipe'),
                        'license': lit('license'), 'unresolved': meta.get('__unresolved__'),
                        'hashPrefix': (m.group(1) if m else None),
                    })
            if isinstance(node, ast.FunctionDef):
                decos = [d for d in node.decorator_list if ast.unparse(d).startswith('register_model')]
                if not decos: continue
                d = decos[0]
                name = node.name
                if isinstance(d, ast.Call):
                    for k in d.keywords:
                        if k.arg == 'name': name = ast.literal_eval(k.value)
                ann = None
                for a in node.args.args + node.args.kwonlyargs:
                    if a.arg == 'weights' and a.annotation is not None: ann = ast.unparse(a.annotation)
                enums = re.findall(r'\b(\w+_Weights|\w+Weights)\b', ann or '')
                enums = [e for e in enums if e not in ('WeightsEnum',)]
                out['builders'].append({'builder': name, 'function': node.name, 'enums': enums, 'annotation': ann, 'file': 'torchvision/models/' + rel})
json.dump(out, sys.stdout, indent=1)
