"""Check emoact's import graph: one-way layers, no cycles, no private cross-module imports, no lazy imports.

Reads every module of the package with `ast` (nothing is imported or run) and fails, listing each problem, when
  1. a module imports a module of a *higher* layer than its own (LAYERS below: data flows one way),
  2. the imports form a cycle (imports inside functions count too),
  3. a module imports another module's `_private` name,
  4. a module other than the CLI imports an emoact module inside a function (the CLI may, to start fast),
  5. a module of the package is missing from LAYERS (so every new module gets a place).
The package root (`emoact/__init__.py`, its version only) is below every layer.

    python tools/check_imports.py            # exit 1 on any problem
    python tools/check_imports.py --layers   # also print the layers, one line per module with its docstring
"""
import argparse, ast, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = 'emoact'
LAYERS = [                         # lowest first: a module may import from its own layer (acyclically) or below
    ['core'], ['audio'], ['corpus'], ['synth', 'tts'], ['features'], ['data'], ['metrics'],
    ['learner'], ['callbacks', 'distributed'],
    ['models.core'], ['models.cnn_transformer', 'models.convnext', 'models.deit', 'models.wav2vec2'], ['models.hybrid'], ['models'],
    ['config'], ['runs'], ['experiment'],
    ['baseline', 'detect', 'export'], ['transfer'], ['compare'], ['rehearse'], ['demo'],
    ['cli'], ['testing'],
]
LAZY_OK = {'cli'}
LAYER = {'': -1, **{m: i for i, layer in enumerate(LAYERS) for m in layer}}   # '': the package root (its __version__)

def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT/PKG).with_suffix('').parts
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts) or ''

def resolve(node: ast.ImportFrom, mod: str, is_pkg: bool) -> str:
    "The absolute dotted name (within the package, '' for the package itself) an ImportFrom refers to."
    if node.level == 0: return node.module
    base = mod.split('.') if mod else []
    if not is_pkg: base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return '.'.join([PKG, *base, *([node.module] if node.module else [])])

def own(name: str):
    "`emoact.x.y` -> 'x.y' ('' for the package), None for other packages."
    if name == PKG: return ''
    return name[len(PKG) + 1:] if name.startswith(PKG + '.') else None

def scan():
    "{module: [(imported module, names, line, inside a function)]} for every module of the package."
    graph = {}
    for path in sorted((ROOT/PKG).rglob('*.py')):
        if path.name == '_modidx.py': continue
        mod, is_pkg = module_name(path), path.name == '__init__.py'
        tree = ast.parse(path.read_text(), str(path))
        funcs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        in_func = {id(c) for f in funcs for c in ast.walk(f) if c is not f}
        edges = []
        for node in ast.walk(tree):
            lazy = id(node) in in_func
            if isinstance(node, ast.Import):
                for a in node.names:
                    m = own(a.name)
                    if m is not None: edges.append((m, [], node.lineno, lazy))
            elif isinstance(node, ast.ImportFrom):
                target = resolve(node, mod, is_pkg)
                m = own(target)
                if m is None: continue
                names = [a.name for a in node.names]
                subs = [n for n in names if f"{m}.{n}".strip('.') in LAYER or (ROOT/PKG/m.replace('.', '/')/f'{n}.py').is_file()]
                if subs: edges += [(f"{m}.{n}".strip('.'), [], node.lineno, lazy) for n in subs]
                rest = [n for n in names if n not in subs]
                if rest: edges.append((m, rest, node.lineno, lazy))
        graph[mod] = edges
    return graph

def cycles(graph) -> list:
    "Every cycle found by a depth-first search (each reported once, from its smallest module)."
    adj = {m: sorted({t for t, *_ in es if t != m and t in graph}) for m, es in graph.items()}
    found, state = set(), {}
    def dfs(m, stack):
        state[m] = 1; stack.append(m)
        for t in adj[m]:
            if state.get(t) == 1:
                cyc = stack[stack.index(t):]
                i = cyc.index(min(cyc)); found.add(tuple(cyc[i:] + cyc[:i]))
            elif not state.get(t): dfs(t, stack)
        stack.pop(); state[m] = 2
    for m in adj:
        if not state.get(m): dfs(m, [])
    return sorted(found)

def problems(graph) -> list:
    out = []
    for m in graph:
        if m and m not in LAYER: out.append(f"emoact.{m}: not in LAYERS of tools/check_imports.py: give it its place")
    for m, edges in graph.items():
        for t, names, line, lazy in edges:
            where = f"emoact.{m or '__init__'}:{line}"
            if t not in LAYER or m not in LAYER: continue
            if LAYER[t] > LAYER[m]: out.append(f"{where}: imports emoact.{t}, a higher layer ({LAYER[t]} > {LAYER[m]})")
            private = [n for n in names if n.startswith('_') and not n.endswith('__') and t != m]
            if private: out.append(f"{where}: imports private name(s) {', '.join(private)} of emoact.{t}")
            if lazy and m not in LAZY_OK: out.append(f"{where}: imports emoact.{t} inside a function (only the CLI may import lazily)")
    out += [f"import cycle: {' -> '.join('emoact.' + c for c in (*cyc, cyc[0]))}" for cyc in cycles(graph)]
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--layers', action='store_true', help="print the layers, one line per module with its docstring")
    args = ap.parse_args()
    graph = scan()
    if args.layers:
        for i, layer in enumerate(LAYERS):
            for m in layer:
                p = ROOT/PKG/(m.replace('.', '/') + '.py')
                if not p.is_file(): p = ROOT/PKG/m.replace('.', '/')/'__init__.py'
                doc = ast.get_docstring(ast.parse(p.read_text())) if p.is_file() else '(missing)'
                print(f"{i:2d} emoact.{m:<24} {(doc or '').splitlines()[0] if doc else ''}")
    found = problems(graph)
    for p in found: print(p)
    n_edges = sum(len(e) for e in graph.values())
    print(f"import graph: {len(graph)} modules, {n_edges} imports of emoact modules, {len(found)} problem(s)")
    sys.exit(1 if found else 0)

if __name__ == '__main__': main()
