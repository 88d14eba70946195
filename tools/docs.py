"""Build the documentation site from the notebooks with MkDocs (Material theme): sidebar, search, no Quarto needed.

`nbdev_docs` (Quarto) stays the real site builder wherever Quarto is installed. Here each notebook in nbs/ goes
through the processing nbdev_docs runs before Quarto (front matter read, hidden and exported cells removed,
`show_doc` cells run, names linked), then becomes one Markdown page: the Quarto directives nbdev leaves in cells are
honoured (`echo: false` hides the input, `output: asis` renders the output as Markdown, `include: false` and
`output: false` drop cell or output), outputs become text, HTML tables or PNG files, links to notebooks or to the
published site point at the pages here, and `$math$` becomes MathML. MkDocs builds the site: the pages keep nbdev's
names (05_data.ipynb -> data.html) and Quarto's heading ids, so nbdev's doc links work. It opens from disk; search
there needs the internet (Material fetches a small shim from unpkg.com), served it needs nothing:
`python -m http.server -d _docs_html`, then http://localhost:8000.

    python tools/docs.py                     # write _docs_html/ (open _docs_html/index.html)
    python tools/docs.py --out DIR           # somewhere else
    python tools/docs.py --check             # build into a temporary folder; list problems, exit 1 if any
    python tools/docs.py --check --nbs DIR   # the same for a copy of the notebooks

Problems are listed as `page: problem`: a notebook nbdev_docs would fail on, a cell it would run because it mixes
imports with other code, a missing title or a description nbdev cuts off, directive or markup text on a page, a link
to a missing page or anchor, a missing image, an MkDocs warning.
This file is also MkDocs' hook file (`on_page_content`), so it imports little at the top.
"""
import argparse, base64, html, io, json, logging, re, shutil, sys, tempfile, time, traceback, warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT_TYPES = 'image/png', 'image/jpeg', 'text/markdown', 'text/html', 'text/plain'  # the first one present is shown

def page_stem(nb_name: str) -> str:
    "The page name nbdev gives a notebook: `05_data` -> `data`, `10_models.core` -> `models.core`."
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb_name.lower())

def anchor(text: str, separator: str = '-') -> str:
    "Pandoc's (so Quarto's) heading ids, which nbdev's doc links use: `CCCLoss.forward` -> `cccloss.forward`."
    slug = re.sub(r'\s+', '-', re.sub(r'[^\w\s.-]', '', text).strip().lower())
    return re.sub(r'^[^a-z]+', '', slug) or 'section'

def cell_options(source: str) -> tuple:
    "The `#| key: value` lines nbdev leaves atop a cell for Quarto (values lower-cased), and the code after them."
    lines, opts = source.splitlines(), {}
    while lines and (m := re.match(r'\s*#\|\s*([\w-]+)\s*:\s*(.*?)\s*$', lines[0])):
        opts[m[1]] = m[2].strip('"\'').lower()
        lines.pop(0)
    return opts, '\n'.join(lines)

def fence(text: str, lang: str) -> str:
    "A fenced code block, its fence longer than any run of backticks inside."
    ticks = '`' * max(3, 1 + max(map(len, re.findall('`+', text)), default=0))
    return f'{ticks}{lang}\n{text.rstrip()}\n{ticks}'

def plain(text) -> str:
    "Output text as a terminal shows it: no colour codes, carriage-return overwrites applied."
    text = re.sub(r'\x1b\[[0-9;]*[A-Za-z]', '', ''.join(text))
    return '\n'.join(line.rstrip('\r').rsplit('\r', 1)[-1] for line in text.split('\n'))

def local_links(md: str, site_url: str, pages: set) -> str:
    "Links to notebooks or to the published site point at the pages here: `(05_data.ipynb#x)` -> `(data.md#x)`."
    def local(m): return f']({page_stem(m[2])}.md{m[3] or ""})' if page_stem(m[2]) in pages else m[0]
    return re.sub(rf'\]\(({re.escape(site_url)})?([\w.-]+)\.(?:ipynb|html)(#[^)\s]*)?\)', local, md)

def dunders_kept(md: str) -> str:
    "Headings (show_doc's) keep `Learner.__init__` as written, where Markdown would make `init` bold."
    return re.sub(r'(?m)^#+ [^`\n]*$', lambda m: m[0].replace('__', r'\_\_'), md)

def output_md(out, asis: bool, image_path) -> str:
    "One cell output as Markdown; `image_path(ext)` gives a file to write an image to, and its link."
    if out.output_type == 'stream': return plain(out.text) if asis else fence(plain(out.text), 'text')
    if out.output_type == 'error': return fence(plain('\n'.join(out.traceback)), 'text')
    data = out.get('data', {})
    kind = next((k for k in OUTPUT_TYPES if k in data), None)
    if kind is None: return ''
    if kind.startswith('image/'):
        path, link = image_path(kind.split('/')[1])
        path.write_bytes(base64.b64decode(''.join(data[kind])))
        return f'![output]({link})'
    if kind == 'text/markdown' or asis: return dunders_kept(plain(data[kind]))
    if kind == 'text/html': return f'<div class="nb-output" markdown="0">\n{plain(data[kind]).strip()}\n</div>'
    return fence(plain(data[kind]), 'text')

def cell_md(cell, image_path, site_url: str, pages: set) -> str:
    "One processed cell as Markdown, honouring the Quarto directives nbdev leaves in it."
    if cell.cell_type == 'markdown': return local_links(cell.source, site_url, pages)
    if cell.cell_type == 'raw': return '' if cell.source.startswith('---') else cell.source  # '---': front matter
    opts, code = cell_options(cell.source)
    if opts.get('include') == 'false': return ''
    parts = [] if opts.get('echo') == 'false' or not code.strip() else [fence(code, 'python')]
    if opts.get('code-fold') in ('show', 'true'):  # nbdev's `#| exports` cells: the source, folded (open for 'show')
        fold = '???+' if opts['code-fold'] == 'show' else '???'
        parts = [f'{fold} abstract "Exported source"\n\n' + re.sub('(?m)^', '    ', p) for p in parts]
    if opts.get('output') != 'false':
        outs = [output_md(o, opts.get('output') == 'asis', image_path) for o in cell.get('outputs', [])]
        parts += [local_links(o, site_url, pages) for o in outs if o.strip()]
    return '\n\n'.join(parts)

def process(nb_path: Path) -> tuple:
    "nbdev's docs processing (what nbdev_docs hands Quarto) and its problems; if that fails, again without running cells."
    from nbdev.process import NBProcessor
    from nbdev.processors import FilterDefaults, exec_show_docs
    procs, main, problems = FilterDefaults().procs(), sys.modules['__main__'], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try: nb = NBProcessor(nb_path, procs, process=True).nb
        except Exception as e:
            problems.append(run_failure(e))
            nb = NBProcessor(nb_path, [p for p in procs if p is not exec_show_docs], process=True).nb
        finally: sys.modules['__main__'] = main  # IPython's shell replaced it; the worker's next task is looked up there
    mixed = [re.search(r'---\n(.*)', str(w.message))[1] for w in caught if 'imports and other code' in str(w.message)]
    return nb, problems + [f'a cell mixes imports with other code, so nbdev_docs runs all of it '
                           f'(give the imports a cell of their own): `{first_line}`' for first_line in mixed]

def run_failure(e: Exception) -> str:
    "What nbdev_docs would stop on: the code it ran and the error."
    cause, cell = e.__cause__ or e, re.search(r'in cell \d+ :\n(?:\s*#\|.*\n)*(.*)', str(e))
    in_cell = [f.line for f in traceback.extract_tb(cause.__traceback__) if f.filename.startswith('<')]  # the cell's lines
    message = str(cause) or f'at `{(in_cell or [""])[-1].strip()}`'
    return f'nbdev_docs fails{f" running `{cell[1]}`" if cell else ""}: {type(cause).__name__}: {message}'.splitlines()[0]

def title_problems(nb_path: Path, title: str) -> list:
    "A missing title, or a `> description` on several lines (nbdev keeps the first line only)."
    cells = json.loads(nb_path.read_text())['cells']
    first = ''.join(cells[0]['source']) if cells else ''
    no_title = [] if title else ["no title: the first cell should be '# Title' then '> description'"]
    wraps = len(re.findall('^>', first, re.M)) > 1
    return no_title + (['the description runs onto several `>` lines; nbdev keeps only the first'] if wraps else [])

def notebook_page(nb_path: Path, docs: Path, site_url: str) -> dict:
    "Write one notebook's page (and its images) into `docs`; return its name, title and problems."
    import yaml
    nb, problems = process(nb_path)
    name, fm = page_stem(nb_path.stem), getattr(nb, 'frontmatter_', {})
    title, description = str(fm.get('title', '')), str(fm.get('description', ''))
    problems += title_problems(nb_path, title)
    images = iter(range(1, 10_000))
    def image_path(ext):
        file = f'{name}_files/output-{next(images)}.{ext}'
        (docs/file).parent.mkdir(exist_ok=True)
        return docs/file, file
    meta = yaml.safe_dump({'title': title or name, 'description': description}, allow_unicode=True, width=10_000)
    subtitle = f'{description}\n{{: .nb-description }}\n\n' if description else ''
    header = f'---\n{meta}---\n\n# {title or name}\n\n{subtitle}'
    pages = {page_stem(p.stem) for p in nb_path.parent.glob('*.ipynb')}
    body = '\n\n'.join(md for c in nb.cells if (md := cell_md(c, image_path, site_url, pages).strip()))
    (docs/f'{name}.md').write_text(header + body + '\n')
    return dict(name=name, title=title or name, problems=[f'{name}: {p}' for p in problems])

def page_or_problem(nb_path: Path, docs: Path, site_url: str) -> dict:
    "`notebook_page`, or a problem naming the notebook when it cannot be read or processed at all."
    try: return notebook_page(nb_path, docs, site_url)
    except Exception as e:
        return dict(name=None, problems=[f'{page_stem(nb_path.stem)}: not built: {type(e).__name__}: {e}'])

def mkdocs_config(cfg, docs: Path, site: Path, nav: list) -> dict:
    "The MkDocs settings: Material theme, search that also works from disk, nbdev's page names and heading ids."
    return dict(
        site_name=cfg.title, site_description=cfg.description, site_url=f'{cfg.doc_host}{cfg.doc_baseurl}/',
        repo_url=cfg.git_url, docs_dir=str(docs), site_dir=str(site), nav=nav, use_directory_urls=False,
        theme=dict(name='material', font=False,  # font: no font downloads
                   features=['navigation.footer', 'search.highlight', 'content.code.copy']),
        plugins=['search', 'offline'], hooks=[__file__], extra_css=['styles.css'],
        validation=dict(links=dict(not_found='info', anchors='info', unrecognized_links='info')),  # check_site does
        markdown_extensions=[
            'tables', 'attr_list', 'md_in_html', 'admonition', 'pymdownx.details', 'pymdownx.superfences',
            {'pymdownx.highlight': {'pygments_lang_class': True}}, {'pymdownx.arithmatex': {'generic': True}},
            {'toc': {'slugify': anchor, 'permalink': True}}])

class Collect(logging.Handler):
    "Keeps MkDocs' warnings as problems."
    def __init__(self): super().__init__(level='WARNING'); self.messages = []
    def emit(self, record): self.messages.append(f'mkdocs: {record.getMessage()}')

def build(nbs: Path, site: Path, jobs: int) -> list:
    "Build the site from the notebooks in `nbs` into `site`; return the problems found on the way."
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from nbdev.config import get_config
    cfg = get_config()
    site_url = f'{cfg.doc_host}{cfg.doc_baseurl}/'
    notebooks = sorted(p for p in nbs.glob('*.ipynb') if not p.name.startswith(('_', '.')))
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp)/'docs'
        shutil.copytree(nbs/'images', docs/'images') if (nbs/'images').is_dir() else docs.mkdir()
        shutil.copy(ROOT/'nbs'/'styles.css', docs/'styles.css')
        with ProcessPoolExecutor(jobs) as pool:  # in workers, nbdev's IPython shells skip their slow exit handlers
            pages = list(pool.map(page_or_problem, notebooks, [docs]*len(notebooks), [site_url]*len(notebooks)))
        nav = [{('Overview' if p['name'] == 'index' else p['title']): f"{p['name']}.md"} for p in sorted(pages, key=lambda p: p['name'] != 'index') if p['name']]
        collect = Collect()
        logging.getLogger('mkdocs').addHandler(collect)
        settings = mkdocs_config(cfg, docs, site, nav)
        config = load_config(io.StringIO('{}'), config_file_path=f'{tmp}/mkdocs.yml', **settings)
        config.plugins.on_startup(command='build', dirty=False)
        try: mkdocs_build(config)
        finally: config.plugins.on_shutdown(); logging.getLogger('mkdocs').removeHandler(collect)
    return [p for page in pages for p in page['problems']] + collect.messages

def on_page_content(html_text, **kwargs):
    "MkDocs hook: the `$...$` and `$$...$$` that arithmatex kept aside become MathML, which browsers draw offline."
    from latex2mathml.converter import convert
    def mathml(m):
        try: return convert(html.unescape(m[3]), display='block' if m[1] == 'div' else 'inline')
        except Exception: return m[0]  # malformed TeX stays as text, and check_site reports its backslashes
    return re.sub(r'<(span|div) class="arithmatex">\\([(\[])(.*?)\\[)\]]</\1>', mathml, html_text, flags=re.S)

CODE_LEAKS = {r'(?m)^\s*#\|': 'a `#|` directive is shown', r'show_doc\(': 'a `show_doc(` cell is shown',
              r'(?m)^output-file:': 'front matter is shown as text'}
PROSE_LEAKS = {**CODE_LEAKS, r'\{\s*:?\s*[\w-]+=|\{[:.#][\w-]': 'attribute text `{...}` is shown',
               r'\\u[0-9a-fA-F]{4}': 'a `\\u` escape is shown', r'(?m)^:::': 'a Quarto `:::` div is shown',
               r'\\': 'a stray backslash is shown'}

def leaks(name: str, text: str, patterns: dict) -> list:
    "A problem for each of the first three matches of each pattern in `text`, with the text around it."
    found = ((m, msg) for pat, msg in patterns.items() for m in list(re.finditer(pat, text))[:3])
    return [f'{name}: {msg}: ...{text[max(0, m.start()-40):m.end()+30]!r}...' for m, msg in found]

def private(fragment: str) -> bool:
    "nbdev links `_helper` to its page though only public names get a show_doc heading there: such links land on the page."
    return bool(re.search(r'(^|\.)_(?!_)', fragment))

def check_site(site: Path, failed: set) -> list:
    "Problems on the built pages: leaked markup, links to missing files or anchors (not `failed` pages'), missing images."
    from bs4 import BeautifulSoup
    texts = {p: p.read_text() for p in site.glob('*.html') if p.name != '404.html'}
    articles = {p: BeautifulSoup(t[t.index('<article'):t.index('</article>')], 'html.parser') for p, t in texts.items()}
    ids = {p: {t['id'] for t in a.find_all(id=True)} for p, a in articles.items()}
    problems = []
    for page, main in articles.items():
        name, head = page.stem, texts[page][:texts[page].index('</head>')]
        links = [(t.name, t.get('href') or t.get('src')) for t in main.find_all(['a', 'img'])]
        code = '\n'.join(t.get_text() for t in main.find_all('pre'))
        heads = [h.get_text(' ', strip=True).rstrip('¶ ') for h in main.find_all(['h3', 'h4'])]   # show_doc's levels
        problems += [f'{name}: the heading {h!r} appears {heads.count(h)} times (a show_doc of what nbdev already documents?)'
                     for h in sorted(set(heads)) if heads.count(h) > 1]
        for t in main.find_all(['pre', 'code']): t.decompose()  # MathML stays: TeX it did not know shows a backslash
        title = re.findall(r'<title>(.*?)</title>', head) + re.findall(r'name="description" content="([^"]*)"', head)
        prose = html.unescape('\n'.join(title)) + '\n' + main.get_text(' ')
        problems += leaks(name, code, CODE_LEAKS) + leaks(name, prose, PROSE_LEAKS)
        for tag, url in links:
            if not url or re.match(r'[a-z]+:|//', url): continue  # another site
            path, _, frag = url.partition('#')
            target = (page.parent/path).resolve() if path else page
            if not target.exists():
                problems.append(f'{name}: {"image" if tag == "img" else "link"} to a missing file: {url}')
            elif frag and target in ids and frag not in ids[target] and target.stem not in failed and not private(frag):
                problems.append(f'{name}: link to a missing anchor: {url}')
    return problems

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=str(ROOT/'_docs_html'), help="folder to write (default: _docs_html)")
    ap.add_argument('--nbs', default=str(ROOT/'nbs'), help="notebooks folder (default: nbs)")
    ap.add_argument('--check', action='store_true', help="build into a temporary folder; list problems, exit 1 if any")
    ap.add_argument('--jobs', type=int, default=1, help="worker processes for the notebooks (default 1: each imports torch & co.)")
    args = ap.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)/'site' if args.check else Path(args.out).resolve()
        if any(site.glob('*')) and not (site/'sitemap.xml').exists():
            sys.exit(f'docs: {site} holds files but no built site; not overwriting it')
        problems = build(Path(args.nbs).resolve(), site, args.jobs)
        failed = {p.split(':')[0] for p in problems if 'nbdev_docs fails' in p}  # their show_doc anchors are missing
        problems = list(dict.fromkeys(problems + check_site(site, failed)))
        pages = len(list(site.glob('*.html'))) - 1  # less 404.html
    if problems: print(*problems, sep='\n')
    where = 'checked' if args.check else f'in {site}/index.html;'
    print(f'docs: {pages} pages {where} {len(problems)} problems ({time.perf_counter() - start:.0f} s)')
    sys.exit(1 if problems and args.check else 0)

if __name__ == '__main__': main()
