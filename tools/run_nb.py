"""Execute notebooks in place, keeping their outputs (plots, tables) for the docs.

Cells carrying a test flag from settings.ini's tst_flags (slow, cuda, hub, msp) are skipped unless the flag is
given with --flags, exactly as nbdev_test does, so a notebook can be refreshed on a machine without a GPU or the
corpus and keep the saved outputs of the cells it could not run.

    python tools/run_nb.py nbs/05_data.ipynb                 # run it, skipping flagged cells
    python tools/run_nb.py nbs/05_data.ipynb --flags slow    # also run the slow cells
"""
import argparse, os, time
from pathlib import Path

def run(fn: Path, force_flags: set):
    os.environ['EMOACT_RECORD'] = '1'               # notebooks write their figures to nbs/results/ (emoact.testing.record)
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    skip = set(get_config().tst_flags.split()) - force_flags
    nb = read_nb(fn)
    proc = NBProcessor(fn, process=True).nb
    flagged = [bool(skip & set((getattr(c, 'directives_', {}) or {}).keys())) for c in proc.cells]
    kept = {i: c.outputs for i, (c, f) in enumerate(zip(nb.cells, flagged)) if f and c.cell_type == 'code'}
    pos = {id(c): i for i, c in enumerate(nb.cells)}
    def preproc(cell):
        if cell.cell_type != 'code': return True
        return flagged[pos[id(cell)]] or 'nbdev_export' + '(' in cell.source
    sh = CaptureShell(fn)
    start = time.time()
    with_cwd = os.getcwd(); os.chdir(fn.parent)
    try: sh.run_all(nb, exc_stop=True, preproc=preproc)
    finally: os.chdir(with_cwd)
    for i, outs in kept.items(): nb.cells[i].outputs = outs      # keep what the skipped cells showed last time
    write_nb(nb, fn)
    return time.time() - start

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('notebooks', nargs='+', type=Path)
    ap.add_argument('--flags', default='', help="space-separated test flags to run (e.g. 'slow cuda')")
    args = ap.parse_args()
    for fn in args.notebooks:
        secs = run(fn.resolve(), set(args.flags.split()))
        print(f"{fn}: ran in {secs:.1f} s")

if __name__ == '__main__': main()
