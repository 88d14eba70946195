"""Render the documentation site to browsable HTML without Quarto.

`nbdev_docs` (Quarto) is the real site builder; wherever Quarto is installed, use it. Where it cannot be installed,
this runs the same notebook processing nbdev_docs runs before Quarto (hidden cells removed, directives stripped,
`show_doc` rendered, exported code shown) on every notebook in nbs/, then renders each processed notebook to HTML
with nbconvert (outputs and plots included), plus an index page with the sidebar order of the notebooks.

    python tools/docs.py                 # write _docs_html/ (open _docs_html/index.html)
    python tools/docs.py --out DIR       # somewhere else
    python tools/docs.py --check         # exit 1 if any notebook fails to render
"""
import argparse, html, json, re, shutil, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def processed(nb_path: Path, tmp: Path) -> Path:
    "nbdev's docs processing of one notebook (what nbdev_docs hands to Quarto)."
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults
    from execnb.nbio import write_nb
    nb = NBProcessor(nb_path, FilterDefaults().procs(), process=True).nb
    out = tmp/nb_path.name
    write_nb(nb, out)
    return out

def title_of(nb) -> tuple:
    "Title and description from the notebook's first markdown cell (`# Title` and `> description`) or front matter."
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source.startswith('---'):
            meta = dict(re.findall(r'^(\w+):\s*(.*)$', c.source, re.M))
            if 'title' in meta: return meta['title'].strip('"\''), meta.get('description', '').strip('"\'')
        if c.cell_type == 'markdown':
            t = re.search(r'^#\s+(.+)$', c.source, re.M)
            d = re.search(r'^>\s*(.+)$', c.source, re.M)
            if t: return t.group(1).strip(), (d.group(1).strip() if d else '')
    return '', ''

def render(out: Path) -> list:
    "Render every notebook in nbs/ to out/NAME.html and write out/index.html; returns the pages."
    import nbformat
    from nbconvert import HTMLExporter
    from nbdev.config import get_config
    cfg = get_config()
    nbs = sorted(p for p in Path(cfg.nbs_path).glob('*.ipynb') if not p.name.startswith('_'))
    if out.exists(): shutil.rmtree(out)
    out.mkdir(parents=True)
    if (Path(cfg.nbs_path)/'images').is_dir(): shutil.copytree(Path(cfg.nbs_path)/'images', out/'images')
    exporter = HTMLExporter(template_name='lab')
    exporter.exclude_input_prompt = exporter.exclude_output_prompt = True
    pages = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in nbs:
            nb = nbformat.read(processed(p, Path(tmp)), as_version=4)
            title, desc = title_of(nb)
            body, _ = exporter.from_notebook_node(nb, resources={'metadata': {'name': title or p.stem}})
            name = 'home' if p.name == cfg.readme_nb else p.stem
            (out/f'{name}.html').write_text(body)
            pages.append((name, title or p.stem, desc))
    home = [x for x in pages if x[0] == 'home']
    items = ''.join(f'<li><a href="{n}.html">{html.escape(t)}</a> — {html.escape(d)}</li>' for n, t, d in home + [x for x in pages if x[0] != 'home'])
    (out/'index.html').write_text(f'<!doctype html><meta charset="utf-8"><title>{cfg.lib_name}</title>'
                                  f'<body style="font-family:sans-serif;max-width:60em;margin:2em auto">'
                                  f'<h1>{cfg.lib_name}</h1><p>{html.escape(cfg.description)}</p><ul>{items}</ul></body>')
    return pages

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(ROOT/'_docs_html'), help="folder to write (default: _docs_html)")
    ap.add_argument('--check', action='store_true', help="render into a temporary folder; exit 1 on any failure")
    args = ap.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp: pages = render(Path(tmp)/'site')
        print(f"{len(pages)} pages render"); return
    pages = render(Path(args.out))
    print(f"wrote {len(pages)} pages to {args.out}; open {Path(args.out)/'index.html'}")

if __name__ == '__main__': main()
