#!/usr/bin/python3
"""The table of docs/RESULTS.md from study folders of scripts/results_study.py: one row per family
with atoms, samples (train/test), generation and analysis time, and per target group the held-out
R^2 on all training samples of each model of scripts/baselines.py (OUT/baselines.csv):
linear = vitrum's defaults (the model file), smooth = -fit_smooth 2 -fit_smooth_weight 1000 without
prior (the fixed weight of earlier releases), local = local-linear (per-atom rows), krr = kernel ridge, cnn = 1D CNN. The cells are the
pipeline's own split (split 0); when baselines.py ran with --splits K, a second table gives per
family and target the mean and the worst held-out R^2 of each model over the K splits. A target
constant on a split's held-out samples has no R^2 there (n/a; the splits that score it are counted).
Where baselines.py ran with --protocols, a third table gives the protocol reference's R^2 (each held-out
sample predicted by the mean of the training samples of its protocol) and each model's skill beyond it.

Usage: /usr/bin/python3 scripts/results_table.py STUDY [STUDY...] [--targets D,Dcum,...]
"""
import argparse
import csv
import json
import os

import h5py
import numpy as np

MODELS = ('linear', 'smooth', 'local', 'krr', 'cnn')


def split_of(r):
    return int(r.get('split') or 0)


def full_size(rows):
    """{(target, model): R^2 at the largest training size} on the pipeline's split."""
    out = {}
    for r in rows:
        if split_of(r):
            continue
        key = (r['target'], r['model'])
        if key not in out or int(r['n_train']) > out[key][0]:
            out[key] = (int(r['n_train']), float(r['r2_heldout']), int(r['n_test']))
    return out


def row(study, targets):
    rows = list(csv.DictReader(open(os.path.join(study, 'baselines.csv'))))
    best = full_size(rows)
    times = json.load(open(os.path.join(study, 'times.json'))) if os.path.exists(os.path.join(study, 'times.json')) else {}
    with h5py.File(os.path.join(study, 'run', 'dataset.h5'), 'r') as f:
        n, p = f['dataset/X'].shape
        natoms = float(np.ravel(f['dataset/structure/natoms'][()])[0]) if 'dataset/structure/natoms' in f else float('nan')
    label = rows[0]['label'] or os.path.basename(study)
    any_key = next(iter(best.values()))
    cells = []
    for t in targets:
        vals = [best.get((t, m)) for m in MODELS]
        cells.append(' / '.join('-' if v is None else 'n/a' if np.isnan(v[1]) else ('%.4f' if v[1] > 0.99 else '%.2f') % v[1] for v in vals) if any(vals) else 'n/a')
    gen = times.get('generate_s')
    analysis = sum(v for k, v in times.items() if k == 'pipeline_s' or (k.startswith('atoms_') and k.endswith('_s')))
    return '| %s | %.0f | %d (%d/%d) | %d | %s | %s | %s |' % (
        label, natoms, n, any_key[0], any_key[2], p, '%.0f s' % gen if gen else '?', '%.0f s' % analysis if analysis else '?', ' | '.join(cells))


def per_split(rows, target, model):
    """{split: held-out R^2 on all of that split's training samples} of one model and target."""
    largest = {}
    for r in rows:
        if r['target'] == target and r['model'] == model:
            if split_of(r) not in largest or int(r['n_train']) > int(largest[split_of(r)]['n_train']):
                largest[split_of(r)] = r
    return {k: float(r['r2_heldout']) for k, r in largest.items()}


def mean_worst(values, count):
    """'mean (worst)' of the scored values (NaN: the target was constant on that split's held-out samples)."""
    scored = np.array([v for v in values if not np.isnan(v)])
    if not count:
        return '-'
    if not len(scored):
        return 'n/a'
    return '%.2f (%.2f)%s' % (scored.mean(), scored.min(), '' if len(scored) == count else ', %d of %d splits' % (len(scored), count))


def over_splits(study, targets):
    """Rows '| family | target | mean (worst) per model |' over every split's full training set;
    none when baselines.py ran on the pipeline's split alone."""
    rows = list(csv.DictReader(open(os.path.join(study, 'baselines.csv'))))
    splits = sorted({split_of(r) for r in rows})
    if len(splits) < 2:
        return []
    label = rows[0]['label'] or os.path.basename(study)
    out = []
    for t in targets:
        cells = [mean_worst(list(r2.values()), len(r2)) for r2 in (per_split(rows, t, m) for m in MODELS)]
        if any(c != '-' for c in cells):
            out.append('| %s | %s | %d | %s |' % (label, t, len(splits), ' | '.join(cells)))
    return out


def beyond_protocol(study, targets):
    """Rows '| family | target | protocol R^2 | skill beyond the protocol per model |' where baselines.py
    ran with --protocols: the protocol reference's held-out R^2 (mean (worst) over the splits) and, per
    model, 1 - (1 - R^2) / (1 - R^2_protocol) on the same split, averaged over the splits: above 0, the
    model predicts differences between glasses of one protocol; below, it does worse than the label."""
    rows = list(csv.DictReader(open(os.path.join(study, 'baselines.csv'))))
    label = rows[0]['label'] or os.path.basename(study)
    out = []
    for t in targets:
        reference = per_split(rows, t, 'protocol')
        if not reference:
            continue
        cells = []
        for m in MODELS:
            r2 = per_split(rows, t, m)
            skill = [1 - (1 - r2[k]) / (1 - reference[k]) for k in r2 if k in reference and reference[k] < 1]
            cells.append(mean_worst(skill, len(skill)))
        out.append('| %s | %s | %s | %s |' % (label, t, mean_worst(list(reference.values()), len(reference)), ' | '.join(cells)))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('studies', nargs='+')
    p.add_argument('--targets', default='omega2_mean,energy_per_atom,cv,Ncount,Dcum,D,boson_peak_omega,low_mode_count')
    args = p.parse_args()
    targets = args.targets.split(',')
    print('| family | atoms | samples (train/test) | features | generation | analysis | ' + ' | '.join(targets) + ' |')
    print('|' + '---|' * (6 + len(targets)))
    for s in args.studies:
        print(row(s, targets))
    spread = [line for s in args.studies for line in over_splits(s, targets)]
    if spread:
        print('\nHeld-out R^2 over K seeded splits (the pipeline\'s and K-1 others of the same size): mean (worst)\n')
        print('| family | target | K | ' + ' | '.join(MODELS) + ' |')
        print('|' + '---|' * (3 + len(MODELS)))
        print('\n'.join(spread))
    beyond = [line for s in args.studies for line in beyond_protocol(s, targets)]
    if beyond:
        print('\nThe protocol reference (a sample predicted by the mean of the training samples of its protocol): its held-out R^2,'
              ' and each model\'s skill beyond it, 1 - (1 - R^2) / (1 - R^2_protocol) per split: mean (worst) over the splits\n')
        print('| family | target | protocol R^2 | ' + ' | '.join(MODELS) + ' |')
        print('|' + '---|' * (3 + len(MODELS)))
        print('\n'.join(beyond))


if __name__ == '__main__':
    main()
