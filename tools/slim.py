"""Keep the outputs saved in the notebooks light and clean (`make slim`).

`python tools/slim.py [NB ...]` rewrites notebooks (default: every notebook in nbs/) in place:
  - progress bars: carriage-return redraws collapse to what a terminal finally shows, and tqdm bar lines
    (and tqdm widgets) are dropped; other output lines are kept as they are;
  - machine paths become their meaningful tail: `/tmp/tmpab12cd/run/x.csv` -> `…/run/x.csv`,
    `/home/me/data` -> `~/data`, `/work/main/.venv/lib/python3.11/site-packages/x.py` -> `…/site-packages/x.py`;
  - PNG outputs get the smallest palette of 64, 128 or 256 colours that keeps colours true (transparency kept),
    or stay full colour where a palette would band smooth gradients, and
    retina figures (saved wider than they are shown) are scaled down to the width they are shown at; each only where that makes the PNG smaller.
It writes the JSON exactly as nbdev_clean does, so nbdev_clean changes nothing afterwards, and a second
run changes nothing.

`python tools/slim.py --check [NB ...]` changes nothing: it lists each problem (and a notebook over 250 KB)
and exits 1, or prints one line. It takes well under a second once the notebooks are slim.
"""
import argparse, base64, io, json, re, sys, time
from collections import Counter
from pathlib import Path
from PIL import Image, ImageChops, ImageStat

ROOT = Path(__file__).resolve().parent.parent
MAX_KB = 250     # no notebook larger than this
MAX_COLOUR_ERROR = 1.0   # a palette may move colours by this much on average (0-255), or the PNG keeps full colour
WIDTH = 900      # PNGs without a shown width are scaled down to this (when wider)
RETINA = 1.0     # PNGs shown narrower than their pixels (retina figures) are scaled to the width they are shown at

# a tqdm bar: `desc:  45%|####5     | 9/20 [00:01<00:02, 4.5it/s]`, or without a total `desc: 42it [00:01, 30.1it/s]`
TQDM_BAR = re.compile(r'\d[\d.]*[kMGTP]?/[\d.?]+[kMGTP]? \[\d+:\d\d(?::\d\d)?<[\d:?]+, '
                      r'|\d[\d.]*[kMGTP]?[a-zA-Z]+ \[\d+:\d\d(?::\d\d)?, +[\d.?]+\w*/\w+')
CURSOR_MOVE = re.compile(r'\x1b\[\d*[A-HJK]')   # nested tqdm bars move the cursor up and erase lines
_C = r"""[^/\s'"<>():,\]]"""                     # a character of a path component
MACHINE_PATHS = [(re.compile(r'(?<![\w.~/-])' + pat), new) for pat, new in [
    (rf'/(?:{_C}+/)+(?:site|dist)-packages/', '…/site-packages/'),  # a virtual env or a Python install
    (rf'(?:/private)?/var/folders/{_C}+/{_C}+/T/{_C}+', '…'),      # a macOS temporary dir
    (rf'/tmp/{_C}+', '…'),                                          # a temporary dir (mkdtemp, ipykernel_1234)
    (rf'/work/{_C}+', '…'),                                         # a checkout on a build machine
    (rf'/(?:home|Users)/{_C}+|/root(?=/)', '~'),                    # a home dir
]]
PATH_TAIL = re.compile(r"""[^\s'"<>()]*""")

def clean_stream(text):
    "The text a terminal finally shows, less progress-bar lines; and the number of bar redraws dropped."
    kept, redraws_dropped = [], 0
    for line in re.findall(r'[^\n]*\n|[^\n]+', CURSOR_MOVE.sub('', text)):
        body = line.removesuffix('\n')
        redraws = body.rstrip('\r').split('\r')      # `\r\n` just ends a line; any other `\r` starts it again
        redraws_dropped += sum(bool(TQDM_BAR.search(r)) for r in redraws)
        shown = redraws[-1]
        if TQDM_BAR.search(shown) or (len(redraws) > 1 and not shown.strip()): continue   # a bar, or a cleared one
        kept.append(shown + line[len(body):])
    return ''.join(kept), redraws_dropped

def neutral_paths(text, table=False):
    "`text` with machine paths cut to their meaningful tail, padded in place in a `table` column; and the paths found."
    found = []
    def cut(m, new):
        found.append((m.group() + PATH_TAIL.match(m.string, m.end()).group()).rstrip('.,:;'))
        in_column = table and m.string[max(m.start() - 2, 0):m.start()] == '  '   # a pandas column: keep it aligned
        return new.rjust(len(m.group())) if in_column else new
    for pat, new in MACHINE_PATHS: text = pat.sub(lambda m: cut(m, new), text)
    return text, found

def colour_error(im, pal):
    "Mean absolute difference of `pal`'s colours from `im`'s (0-255)."
    return sum(ImageStat.Stat(ImageChops.difference(im, pal.convert(im.mode))).mean) / len(im.getbands())

def slim_png(b64, shown_width=None):
    "`b64` re-encoded smaller, or None when it is already slim or would not shrink."
    png = base64.b64decode(b64)
    im = Image.open(io.BytesIO(png))
    width = round(RETINA * shown_width) if shown_width else WIDTH
    if im.mode == 'P' and im.width <= width: return None
    im = im.convert('RGBA')
    if im.width > width: im = im.resize((width, round(im.height * width / im.width)), Image.BOX)   # BOX: no ringing
    if im.getchannel('A').getextrema() == (255, 255):   # opaque
        im = im.convert('RGB')
        for n in (64, 128, 256):                                          # the fewest colours that keep them true
            pal = im.quantize(n, method=Image.Quantize.MAXCOVERAGE)      # (MAXCOVERAGE: the truest palette)
            if colour_error(im, pal) <= MAX_COLOUR_ERROR: im = pal; break  # else smooth gradients would band
    else: im = im.quantize(256, method=Image.Quantize.FASTOCTREE)   # the one Pillow offers with transparency
    out = io.BytesIO()
    im.save(out, 'PNG', optimize=True)
    return base64.b64encode(out.getvalue()).decode() if out.tell() < len(png) else None

def _text(v): return ''.join(v) if isinstance(v, list) else v
def _like(v, text): return text.splitlines(keepends=True) if isinstance(v, list) else text   # as nbformat stores it

def is_progress(out):
    "Whether a display output is only a tqdm bar (a widget, or its text repr)."
    data = out.get('data', {})
    text = _text(data.get('text/plain', ''))
    if 'application/vnd.jupyter.widget-view+json' in data and 'Progress(' in text: return True
    return bool(text.strip()) and not clean_stream(text)[0].strip()

def slim_cell(cell):
    "Slim `cell`'s outputs in place: the progress-bar redraws dropped, the machine paths cut, the bytes each image saved."
    redraws, paths, saved, kept = 0, [], [], []
    def clean(old, stream=False, table=False):
        nonlocal redraws
        text, n = clean_stream(_text(old)) if stream else (_text(old), 0)
        text, found = neutral_paths(text, table)
        redraws += n; paths.extend(found)
        return old if text == _text(old) else _like(old, text)
    for out in cell.get('outputs', []):
        kind, data = out['output_type'], out.get('data', {})
        if kind in ('display_data', 'execute_result') and is_progress(out): redraws += 1; continue
        if kind == 'stream':
            out['text'] = clean(out['text'], stream=True)
            if not _text(out['text']): continue
        if kind == 'error': out['traceback'] = [clean(line) for line in out['traceback']]
        for mime, v in data.items():
            if mime == 'image/png':
                new = slim_png(_text(v), out.get('metadata', {}).get('image/png', {}).get('width'))
                if new: saved.append((len(_text(v)) - len(new)) * 3 // 4); data[mime] = new
            elif not mime.startswith('image/') and isinstance(v, (str, list)): data[mime] = clean(v, table=mime == 'text/plain')
        kept.append(out)
    if 'outputs' in cell: cell['outputs'] = kept
    return redraws, paths, saved

def nb2str(nb): return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + '\n'   # as nbdev_clean writes

def slim_notebook(path, check=False):
    "Slim one notebook (in memory only when `check`): its problems, counts, and sizes before and after."
    old = path.read_text(encoding='utf-8')
    nb, problems, counts = json.loads(old), [], Counter()
    for i, cell in enumerate(nb['cells']):
        redraws, paths, saved = slim_cell(cell)
        if redraws: problems.append(f"cell {i}: {redraws} progress-bar redraws")
        if paths: problems.append(f"cell {i}: {len(paths)} machine path(s), e.g. `{paths[0]}`")
        problems += [f"cell {i}: image could shrink by {b // 1024} KB" for b in saved]
        counts.update(redraws=redraws, paths=len(paths), images=len(saved), image_bytes=sum(saved))
    new = nb2str(nb) if problems else old
    if not check and new != old: path.write_text(new, encoding='utf-8')
    return problems, counts, len(old.encode()), len(new.encode())

def notebooks():
    nbs = ROOT/'nbs'
    return sorted(p for p in nbs.rglob('*.ipynb') if not any(s.startswith(('.', '_')) for s in p.relative_to(nbs).parts))

def slim_image_file(path:Path, check:bool) -> int:
    "Bytes the PNG file `path` (a figure in nbs/images) saves re-encoded at its own size; it is rewritten unless `check`."
    old = path.read_bytes()
    new = slim_png(base64.b64encode(old).decode(), shown_width=Image.open(io.BytesIO(old)).width)
    if new is None: return 0
    if not check: path.write_bytes(base64.b64decode(new))
    return len(old) - len(base64.b64decode(new))

def show(path):
    path = path.resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='*', type=Path, help="notebooks to slim (default: every notebook in nbs/)")
    ap.add_argument('--check', action='store_true', help="change nothing; list the problems and exit 1 if there are any")
    args = ap.parse_args()
    start, paths, total, failed = time.time(), args.notebooks or notebooks(), Counter(), []
    for path in paths:
        problems, counts, before, after = slim_notebook(path, args.check)
        total.update(counts, before=before, after=after)
        size = before if args.check else after
        if size > MAX_KB * 1024: problems.append(f"{size // 1024} KB, over {MAX_KB} KB")
        if args.check: failed += [f"{show(path)}: {p}" for p in problems]
        else:
            if before != after: print(f"{show(path)}: {before // 1024} -> {after // 1024} KB")
            if size > MAX_KB * 1024: failed.append(f"{show(path)}: {problems[-1]}")
    if not args.notebooks:                                   # the figures the notebooks link to, too
        for png in sorted((ROOT/'nbs'/'images').glob('*.png')):
            saved = slim_image_file(png, args.check)
            if saved: total.update(images=1, image_bytes=saved)
            if saved and args.check: failed.append(f"{show(png)}: image could shrink by {saved // 1024} KB")
    if failed: print(*failed, sep='\n', file=sys.stderr)
    t = f"({time.time() - start:.1f} s)"
    if not args.check:
        print(f"slim: {len(paths)} notebooks, {total['before'] // 1024} -> {total['after'] // 1024} KB: dropped {total['redraws']} "
              f"progress-bar redraws, cut {total['paths']} machine paths, shrank {total['images']} PNGs by {total['image_bytes'] // 1024} KB {t}")
    elif total['redraws'] or total['paths'] or total['images']:
        print(f"slim --check: {total['redraws']} progress-bar redraws, {total['paths']} machine paths, {total['images']} PNGs "
              f"that could shrink by {total['image_bytes'] // 1024} KB; `make slim` fixes them {t}")
    else: print(f"slim --check: {len(paths)} notebooks, {total['before'] // 1024} KB, none over {MAX_KB} KB, no progress bars, "
                f"no machine paths, no PNG to shrink {t}")
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main())
