"""Train the demo's CNN-Transformer with each change tried for transfer, and score it in-domain and zero-shot.

Each variant is the `cpu` preset's CNN-Transformer with some settings changed (float32 throughout). For every one it
trains on the demo corpus, reads Test1 AUC from the run, scores the run zero-shot on an eSpeak NG corpus
(`emoact tts`) and appends one JSON line (variant, settings, Test1 AUC, transfer AUC with its speaker-resampled
interval, Spearman correlation with EmoAct, training seconds) to OUT/results.jsonl. What 24_demo reports was
measured with this procedure.

    emoact synth demo-corpus --n-clips 5000 && emoact tts tts-corpus
    python tools/transfer_experiments.py --data demo-corpus --tts tts-corpus --out transfer-runs
    python tools/transfer_experiments.py --data demo-corpus --tts tts-corpus --out transfer-runs --variants cmn,cmn_aug
"""
import argparse, json, time
from pathlib import Path

AUG = {'gain': 6, 'eq': 6, 'noise': 0.5, 'band': 0.3, 'reverb': 0.3}
STRONG = {'gain': 10, 'eq': 10, 'noise': 0.7, 'snr': [0, 30], 'band': 0.5, 'reverb': 0.5}
OPTS = {'size': 'tiny', 'freq': 'flatten', 'pooling': 'mean'}
VARIANTS = {   # name: (what changes, TrainingConfig changes on top of the cpu preset without input_norm and augment)
    'none': ('the preset before this work, in float32', {}),
    'aug': ('log-mel augmentation: level, colour, noise, band-limiting, reverberation', {'augment': AUG}),
    'cmn': ('per-utterance normalisation (each band\'s mean over the clip removed)', {'input_norm': 'utterance'}),
    'cmn_aug': ('both', {'input_norm': 'utterance', 'augment': AUG}),
    'cmn_aug_shift_tempo': ('both, plus frequency scaling and speed changes', {'input_norm': 'utterance', 'augment': {**AUG, 'shift': 2, 'tempo': 0.1}}),
    'aug_shift_tempo': ('augmentation with frequency scaling and speed changes', {'augment': {**AUG, 'shift': 2, 'tempo': 0.1}}),
    'strong': ('stronger augmentation', {'augment': STRONG}),
    'cmn_strong': ('per-utterance normalisation and stronger augmentation', {'input_norm': 'utterance', 'augment': STRONG}),
    'cmn_aug_freqmean': ('both, frame vectors averaged over frequency', {'input_norm': 'utterance', 'augment': AUG, 'freq': 'mean'}),
    'cmn_aug_crop5': ('both, 5 s crops', {'input_norm': 'utterance', 'augment': AUG, 'crop': 5.}),
}

def run(name, data, tts, out):
    from emoact.compare import preset_configs
    from emoact.experiment import train
    from emoact.transfer import transfer_report
    what, change = VARIANTS[name]
    change = dict(change)
    opts = {**OPTS, **({'input_norm': change.pop('input_norm')} if 'input_norm' in change else {}),
            **({'freq': change.pop('freq')} if 'freq' in change else {})}
    _, cfgs = preset_configs(data, ['cnn_transformer'], 'cpu')
    cfg = cfgs['cnn_transformer'].update(model_options=opts, augment=change.pop('augment', {}), precision='fp32', **change)
    start = time.time()
    m = train(cfg, Path(out)/name, overwrite=True, show_progress=False)
    seconds = time.time() - start
    t = transfer_report(Path(out)/name, tts, show_progress=False)
    return dict(name=name, what=what, test1=m['test1']['auc'], valid=m['valid']['auc'], transfer=t['auc'], transfer_lo=t['auc_lo'],
                transfer_hi=t['auc_hi'], spearman=t['spearman'], seconds=round(seconds), corpus=str(data))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data', required=True, help="the demo corpus to train on")
    ap.add_argument('--tts', required=True, help="the eSpeak NG corpus to score zero-shot")
    ap.add_argument('--out', required=True, help="folder for the runs and results.jsonl")
    ap.add_argument('--variants', default=','.join(VARIANTS), help=f"comma-separated, from: {', '.join(VARIANTS)}")
    args = ap.parse_args()
    names = [v.strip() for v in args.variants.split(',') if v.strip()]
    bad = [v for v in names if v not in VARIANTS]
    if bad: ap.error(f"unknown variant(s) {', '.join(bad)}; choose from {', '.join(VARIANTS)}")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for name in names:
        r = run(name, args.data, args.tts, args.out)
        print(json.dumps(r), flush=True)
        with open(Path(args.out)/'results.jsonl', 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
