"""The GPU check: what emoact does on an NVIDIA GPU, measured, in one JSON file (run by tools/gpu_check.sh).

  1. the `cuda`-flagged notebook cells (with every unflagged cell before them), run without nbdev;
  2. the paper preset's rehearsal — all five models at full size, every phase, on the longest clips of a synthetic
     corpus with MSP-Podcast's clip lengths (2.75-11 s) — once in fp16 with loss scaling and once in bf16;
  3. detection of a long recording with each fp16 rehearsal run: the real-time factor.

Per model it records samples per second, seconds per optimiser step, peak CUDA memory and resident memory, padding,
fp16 against bf16, and the detection real-time factor. Pretrained checkpoints are the random-init stand-ins of
emoact.testing (the machine reaches no hub); speed and memory do not depend on the weights.

    python tools/gpu_check.py --out DIR [--models a,b] [--clips N] [--skip-cells]
"""
import argparse, json, os, platform, re, sys, tempfile, time, traceback, warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ('cuda',)

def run_flagged_cells(nb_path: Path, flags=FLAGS) -> dict:
    "Run a notebook's code cells as nbdev_test would with `flags` (flagged cells skipped unless their flag is given)."
    nb = json.loads(nb_path.read_text())
    known = {'slow', 'cuda', 'hub', 'msp'}
    g = {'__name__': '__main__'}
    exec('from fastcore.test import *', g)
    ran, t = 0, time.time()
    cwd = os.getcwd(); os.chdir(nb_path.parent)
    try:
        for c in nb['cells']:
            if c['cell_type'] != 'code': continue
            src = ''.join(c['source'])
            directives = set(re.findall(r'^#\|\s*(\w+)', src, re.M))
            if (directives & known) - set(flags) or 'nbdev_export(' in src or 'default_exp' in src: continue
            src = re.sub(r'^from nbdev\.showdoc import \*$', 'pass', src, flags=re.M)
            exec(compile(src, f'{nb_path.name}', 'exec'), g)
            ran += 1
    finally: os.chdir(cwd)
    return {'cells_run': ran, 'seconds': round(time.time() - t, 1)}

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='gpu-check-out', help="folder for gpu_check.json and the runs (default: gpu-check-out)")
    ap.add_argument('--models', default='cnn_transformer,convnext,deit,wav2vec2,hybrid')
    ap.add_argument('--clips', type=int, default=400, help="clips of the synthetic corpus (default: 400)")
    ap.add_argument('--precisions', default='fp16,bf16')
    ap.add_argument('--detect-minutes', type=float, default=10., help="length of the recording detection scores (default: 10)")
    ap.add_argument('--skip-cells', action='store_true', help="skip the cuda-flagged notebook cells")
    ap.add_argument('--allow-cpu', action='store_true', help="run without a GPU (a smoke test of this script; use --precisions bf16)")
    args = ap.parse_args()
    out = Path(args.out); out.mkdir(parents=True, exist_ok=True)
    result = {'started': time.strftime('%Y-%m-%d %H:%M:%S'), 'python': platform.python_version(), 'errors': []}
    def save(): (out/'gpu_check.json').write_text(json.dumps(result, indent=1, default=str))
    import torch
    result.update(torch=torch.__version__, cuda=torch.version.cuda, gpu=torch.cuda.get_device_name(0) if torch.cuda.is_available() else None)
    print(f"torch {torch.__version__}, GPU: {result['gpu']}", flush=True)
    if not torch.cuda.is_available() and not args.allow_cpu: result['errors'].append('no CUDA device'); save(); sys.exit(1)
    save()
    if not args.skip_cells:
        for nb in sorted((ROOT/'nbs').glob('*.ipynb')):
            if '#| cuda' not in nb.read_text(): continue
            try: result.setdefault('cuda_cells', {})[nb.name] = {'ok': True, **run_flagged_cells(nb)}
            except Exception as e:
                result.setdefault('cuda_cells', {})[nb.name] = {'ok': False, 'error': f"{type(e).__name__}: {e}"}
                result['errors'].append(f"{nb.name}: {traceback.format_exc(limit=3)}")
            print(f"cuda cells of {nb.name}: {result['cuda_cells'][nb.name]}", flush=True); save()
    warnings.filterwarnings('ignore')
    from emoact.synth import synth_corpus
    from emoact.testing import write_stand_in_checkpoints, offline_hub
    from emoact.rehearse import rehearse, report_markdown
    from emoact.cli import main as cli
    import numpy as np, pandas as pd, soundfile as sf
    work = Path(tempfile.mkdtemp(prefix='emoact-gpu-'))
    t = time.time()
    corpus = synth_corpus(work/'corpus', n_clips=args.clips, layout='msp-1.11', show_progress=False)
    write_stand_in_checkpoints(work/'hub')
    result['setup_seconds'] = round(time.time() - t, 1); save()
    reports = {}
    with offline_hub(work/'hub'):
        for prec in args.precisions.split(','):
            t = time.time()
            try:
                rep = rehearse(corpus, args.models, out/f'rehearsal-{prec}', preset='paper', baseline=False, clips='longest',
                               overrides=[f'precision={prec}', f'cache_dir={work/"cache"}'], show_progress=False)
                reports[prec] = rep
                result[f'rehearsal_{prec}'] = {'seconds': round(time.time() - t, 1), 'models': rep.to_dict('records')}
                print(f"\nrehearsal in {prec} ({time.time() - t:.0f} s):\n{report_markdown(rep)}", flush=True)
            except Exception as e:
                result['errors'].append(f"rehearsal {prec}: {traceback.format_exc(limit=5)}")
                print(f"rehearsal in {prec} failed: {e}", flush=True)
            save()
        # a long recording: the corpus's clips one after another
        wavs = [sf.read(p)[0] for p in sorted((Path(corpus)/'Audios').glob('*.wav'))]
        n = int(args.detect_minutes * 60 * 16000)
        long = np.concatenate(wavs * (1 + n // sum(map(len, wavs))))[:n]
        sf.write(work/'long.wav', long.astype(np.float32), 16000)
        first = next(iter(reports), None)                # detection with the first precision's runs (fp16)
        if first:
            for m in reports[first].model:
                try:
                    cli(['detect', str(out/f'rehearsal-{first}'/m), str(work/'long.wav'), '--out', str(out/f'detect-{m}')])
                    s = pd.read_csv(out/f'detect-{m}'/'summary.csv').iloc[0]
                    result.setdefault('detect', {})[m] = {'precision': first, 'minutes': args.detect_minutes, 'seconds': float(s.seconds), 'rtf': float(s.rtf)}
                except Exception as e: result['errors'].append(f"detect {m}: {traceback.format_exc(limit=5)}")
                save()
    summary = {}
    for prec, rep in reports.items():
        for r in rep.to_dict('records'):
            s = summary.setdefault(r['model'], {})
            s[prec] = {'samples_per_s': r['clips_per_step'] / r['s_per_step'], 's_per_step': r['s_per_step'],
                       'cuda_peak_gb': r['cuda_peak_gb'], 'peak_rss_gb': r['peak_rss_gb'], 'padding': r['padding'],
                       'budget_s': r['budget_s'], 'auc_valid': r['auc_valid']}
    for m, s in summary.items():
        if 'fp16' in s and 'bf16' in s: s['bf16_over_fp16_time'] = s['bf16']['s_per_step'] / s['fp16']['s_per_step']
        if m in result.get('detect', {}): s['detect_rtf'] = result['detect'][m]['rtf']
    result['summary'] = summary
    result['finished'] = time.strftime('%Y-%m-%d %H:%M:%S'); save()
    print(json.dumps(summary, indent=1, default=str))
    print(f"wrote {out/'gpu_check.json'}; {len(result['errors'])} error(s)")
    sys.exit(1 if result['errors'] else 0)

if __name__ == '__main__': main()
