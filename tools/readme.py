"""Render README.md from nbs/index.ipynb without Quarto.

nbdev_readme needs Quarto, which cannot be installed on every machine. This runs nbdev's own notebook
processing (the step nbdev_docs runs before Quarto: hidden cells removed, directives stripped, show_doc
rendered) and renders the processed index notebook to GitHub Markdown with nbconvert.

    python tools/readme.py            # write README.md (+ README_files/ for plots)
    python tools/readme.py --check    # exit 1 if README.md is not what index.ipynb renders to
"""
import argparse, re, shutil, sys, tempfile
import yaml
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def processed_index(tmp: Path) -> Path:
    "Run nbdev's docs processing on nbs/index.ipynb alone; returns the processed notebook."
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults
    from execnb.nbio import write_nb
    cfg = get_config()
    procs = FilterDefaults().procs()
    nb = NBProcessor(cfg.nbs_path/cfg.readme_nb, procs, process=True).nb
    out = tmp/'index.ipynb'
    write_nb(nb, out)
    return out

def render(dest_dir: Path) -> Path:
    "Render the processed index notebook to dest_dir/README.md (plots to dest_dir/README_files/)."
    from nbconvert import MarkdownExporter
    from nbconvert.writers import FilesWriter
    import nbformat
    with tempfile.TemporaryDirectory() as tmp:
        nb = nbformat.read(processed_index(Path(tmp)), as_version=4)
        nb.metadata['language_info'] = {'name': 'python'}     # fenced code blocks tagged as python
        fm = next((c for c in nb.cells if c.cell_type == 'raw' and c.source.startswith('---')), None)
        for c in nb.cells:                                     # `#| echo: false`: the output without its code
            if c.cell_type == 'code' and re.search(r'^#\|\s*echo:\s*false\s*$', c.source, re.M): c.source = ''
        nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and not c.source and not c.get('outputs'))]
        body, resources = MarkdownExporter(exclude_input_prompt=True).from_notebook_node(nb, resources={'output_files_dir': 'README_files'})
        body = body.replace('```python\n\n```\n', '')                # the emptied cells' code fences
    header = ''
    if fm is not None:
        meta = yaml.safe_load(fm.source.strip().strip('-')) or {}
        header = (f"# {meta['title']}\n\n" if 'title' in meta else '') + (f"> {meta['description']}\n\n" if 'description' in meta else '')
        body = body.replace(fm.source, '', 1)
    body = header + body.lstrip()
    body = re.sub(r'\n{3,}', '\n\n', body).rstrip() + '\n'
    body = re.sub(r'\]\(images/', '](nbs/images/', body)        # index.ipynb's pictures live in nbs/images/
    if (dest_dir/'README_files').exists(): shutil.rmtree(dest_dir/'README_files')
    FilesWriter(build_directory=str(dest_dir)).write(body, resources, notebook_name='README')
    return dest_dir/'README.md'

def same_tree(a: Path, b: Path) -> list:
    "Files that differ between README outputs in folders a and b."
    def files(d): return {p.relative_to(d) for p in [d/'README.md', *(d/'README_files').rglob('*')] if p.is_file()}
    fa, fb = files(a), files(b)
    return sorted(str(f) for f in fa ^ fb) + sorted(str(f) for f in fa & fb if (a/f).read_bytes() != (b/f).read_bytes())

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--check', action='store_true', help="don't write; exit 1 if README.md is out of date")
    args = ap.parse_args()
    if not args.check:
        print(f"wrote {render(ROOT)}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        render(Path(tmp))
        diff = same_tree(Path(tmp), ROOT)
    if diff:
        print(f"README.md is out of date with nbs/index.ipynb ({', '.join(diff)}): run `make readme`", file=sys.stderr)
        sys.exit(1)
    print("README.md matches nbs/index.ipynb")

if __name__ == '__main__': main()
