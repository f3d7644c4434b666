#!/usr/bin/python3
"""Baselines on vitrum's own splits: held-out R^2 and learning curves of vitrum's linear model,
the local-linear model (rows = atoms), scikit-learn kernel ridge (RBF) and a small 1D CNN over the
partial RDFs (PyTorch; skipped with a note when `import torch` fails).

Inputs are the files of a pipeline run folder (docs/pipeline.md), read with h5py:
  RUN/dataset.h5                 /dataset/X (features), feature_names, sample_names
  RUN/models/NAME/dataset.h5     /dataset/Y, target_names of model NAME (one target group)
  RUN/models/NAME/model.h5       /model/row_fold (-1 = held out: THE split), W, b, lambda,
                                 smooth_order/smooth_weight, x_scale, prior/W0, metrics/dropped
The target groups are a parameter (--models; default: every folder under RUN/models), so new
target groups of the pipeline are compared without changing this script. Targets that fit dropped
(constant over the training rows) are not scored. A group's R^2 is pooled over its targets,
1 - sum SSE / sum SST on the held-out rows (scikit-learn's variance_weighted); NaN (not scored)
when every target of the group is constant on the held-out rows, where R^2 means nothing.

Models (hyper-parameters chosen on the training rows only):
  linear      vitrum's estimator as the model file records it (penalty, scaling, prior, lambda by
              GCV on the same path as `vitrum fit`, and the smoothness weight with it where the model
              chose one from /model/smooth_weights); on all training rows it is the model file
              itself (its W x + b is scored)
  smooth      with --smooth ORDER,MU: the same estimator with that smoothness penalty and no prior
              (the settings of runs/*.opts: --smooth 2,1000), lambda by GCV
  local       with --local ATOMS.h5[:GROUP] (a per-atom dataset of `vitrum features -features_per_atom`,
              rows = atoms, /dataset/row_sample): ridge on the atoms of the training samples (lambda
              by GCV, the estimator of `vitrum fit`), a sample predicted by the mean of its atoms'
              predictions; scored against the sample-level target group GROUP (default
              --local-target, omega2_mean, whose value is exactly the atoms' mean of omega2_atom;
              energy_per_atom for a dataset of -features_atom_target energy). Repeat --local for
              several groups. With --local-self ATOMS.h5[:LABEL] the group is the per-atom dataset's
              own targets, a sample's value their mean over its atoms (the exact local VDOS of
              -features_atom_target vdos averages to the sample's VDOS on that grid), scored for
              every model (the sample-level linear model: the pipeline's default penalty, its weight
              by GCV, no prior) on the split of the first model file
  krr         sklearn KernelRidge, RBF, standardised features and targets, alpha and gamma by
              5-fold GridSearchCV on the training rows
  cnn         1D CNN over the partial g_ab(r) (one channel per pair; dropped constant bins filled
              with 0), two conv layers + linear head, Adam with weight decay, epochs chosen on a 20%
              validation part of the training rows (at most 300 full-batch epochs), then refitted on all of them
  protocol    with --protocols ENSEMBLE.csv (columns name, protocol: make_ensemble.py's table): not a
              structural model but the reference every one of them should beat: a held-out sample is
              predicted by the mean target of the training samples of its protocol (the training mean
              where none was), knowing the label no other model is given. Its R^2 is the share of the
              held-out variance that lies between protocols; a model with a lower R^2 has not even
              learned to tell the protocols apart, and one above it predicts differences between glasses
              made the same way (its skill beyond the protocol: 1 - (1 - R^2) / (1 - R^2_protocol))

Learning curves: nested random subsets of the training rows (--sizes points from 8 to all,
--repeats subsets each), always scored on the same held-out rows (split 0, the pipeline's).
--splits K: every model is also fitted on all training rows of K-1 other seeded random splits of the
same test size (splits 1..K-1), so that a table can show how far R^2 moves with the held-out samples.
Writes OUT.csv (label,target,model,n_train,repeat,r2_heldout,n_test,split) and OUT.png.

Usage: /usr/bin/python3 scripts/baselines.py --run RUN [--models omega2_mean,Ncount] [--local atoms.h5[:GROUP] ...] [--smooth 2,1000]
                                            [--protocols SAMPLES/ensemble.csv]
                                            [--out RUN/report/baselines] [--repeats 3] [--splits 5] [--no-cnn]
"""
import argparse
import csv
import os
import re
import sys
import time
import warnings

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from learning_curve import VitrumRidge, model_penalties, penalty_band, pooled_r2  # noqa: E402


def strings(ds):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in ds[()]]


def feature_groups(names):
    """{partial name: column indices} from names 'g_A-B(r=...)' (species may be named Cu(2))."""
    out = {}
    for k, name in enumerate(names):
        out.setdefault(re.sub(r'\([A-Za-z_]+=[^()]*\)$', '', name), []).append(k)
    return {g: np.array(i) for g, i in out.items()}


class Group:
    """One target group of a run: its targets, the model file's split and estimator setup."""

    def __init__(self, run, name, X, feature_names):
        folder = os.path.join(run, 'models', name)
        with h5py.File(os.path.join(folder, 'dataset.h5'), 'r') as f:
            self.Y = f['dataset/Y'][()].reshape(len(X), -1)
            self.target_names = strings(f['dataset/target_names'])
        with h5py.File(os.path.join(folder, 'model.h5'), 'r') as f:
            m = f['model']
            fold = m['row_fold'][()]
            W, b = m['W'][()].reshape(-1, X.shape[1]), np.atleast_1d(m['b'][()])
            dropped = m['metrics/dropped'][()].astype(bool) if 'metrics/dropped' in m else np.zeros(self.Y.shape[1], bool)
            penalties = model_penalties(m, list(feature_groups(feature_names).values()), X.shape[1])
            standardize = 'x_scale' in m and bool(np.any(m['x_scale'][()] != 1))
            W0 = m['prior/W0'][()].reshape(W.shape) if 'prior/W0' in m else None
            choice = m.attrs.get('lambda_choice', b'')
            lam = float(np.ravel(m['lambda'][()])[0])
        self.name = name
        self.test, self.train = np.flatnonzero(fold < 0), np.flatnonzero(fold >= 0)
        assert len(self.test) > 0, f'{folder}/model.h5: no held-out rows (fit with -fit_test_fraction > 0)'
        self.cols = np.flatnonzero(~dropped)
        self.Y = self.Y[:, self.cols]
        self.file_prediction = (X @ W.T + b)[:, self.cols]
        given = (choice.decode() if isinstance(choice, bytes) else str(choice)) == 'given'
        self.setup = dict(penalties, standardize=standardize, W0=None if W0 is None else W0[self.cols], lam=lam if given else None)


def make_krr(seed):
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.kernel_ridge import KernelRidge
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    class KRR:
        def fit(self, X, y):
            p = X.shape[1]
            grid = {'kernelridge__alpha': np.logspace(-4, 1, 6), 'kernelridge__gamma': np.logspace(-3, 1, 5) / p}
            search = GridSearchCV(make_pipeline(StandardScaler(), KernelRidge(kernel='rbf')), grid,
                                  cv=KFold(min(5, len(X)), shuffle=True, random_state=seed), scoring='neg_mean_squared_error')
            self.model = TransformedTargetRegressor(search, transformer=StandardScaler()).fit(X, y)
            return self

        def predict(self, X):
            return self.model.predict(X).reshape(len(X), -1)
    return KRR()


def torch_or_none():
    try:
        import torch
        return torch
    except Exception:  # missing or broken installation: the CNN is skipped with a note
        return None


def profile_tensor(X, feature_names):
    """(n, pairs, L) partial profiles on the union grid of each pair (missing = dropped bins: 0)."""
    parsed = [re.match(r'^(.*)\((?:r|q)=([-+0-9.eE]+)\)$', n) for n in feature_names]
    pairs = list(dict.fromkeys(m.group(1) for m in parsed))
    grid = np.unique(np.round([float(m.group(2)) for m in parsed], 9))
    out = np.zeros((len(X), len(pairs), len(grid)))
    for k, m in enumerate(parsed):
        out[:, pairs.index(m.group(1)), np.searchsorted(grid, round(float(m.group(2)), 9))] = X[:, k]
    return out


def make_cnn(torch, profiles, seed):
    nn = torch.nn

    class CNN:
        """AvgPool(2) Conv(pairs->8, 9) ReLU AvgPool(4) Conv(8->8, 9) ReLU AdaptiveAvgPool(16) Linear(128->t)."""

        def net(self, channels, t):
            torch.manual_seed(seed)
            return nn.Sequential(nn.AvgPool1d(2), nn.Conv1d(channels, 8, 9, padding=4), nn.ReLU(), nn.AvgPool1d(4), nn.Conv1d(8, 8, 9, padding=4), nn.ReLU(),
                                 nn.AdaptiveAvgPool1d(16), nn.Flatten(), nn.Linear(128, t))

        def train(self, Z, Y, epochs, Zval=None, Yval=None):
            net = self.net(Z.shape[1], Y.shape[1])
            opt = torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-3)
            best, best_epoch = np.inf, epochs
            for epoch in range(epochs):
                opt.zero_grad()
                loss = ((net(Z) - Y) ** 2).mean()
                loss.backward()
                opt.step()
                if Zval is not None and epoch % 10 == 9:
                    with torch.no_grad():
                        v = float(((net(Zval) - Yval) ** 2).mean())
                    if v < best:
                        best, best_epoch = v, epoch + 1
            return net, best_epoch

        def fit(self, rows, y):
            P = profiles[rows]
            self.pm, self.ps = P.mean((0, 2), keepdims=True), P.std((0, 2), keepdims=True) + 1e-12
            y = y.reshape(len(y), -1)
            self.ym, self.ys = y.mean(0), y.std(0) + 1e-12
            Z = torch.tensor((P - self.pm) / self.ps, dtype=torch.float32)
            Y = torch.tensor((y - self.ym) / self.ys, dtype=torch.float32)
            perm = np.random.default_rng(seed).permutation(len(rows))
            nval = max(1, len(rows) // 5)
            _, epochs = self.train(Z[perm[nval:]], Y[perm[nval:]], 300, Z[perm[:nval]], Y[perm[:nval]])
            self.model, _ = self.train(Z, Y, epochs)
            return self

        def predict(self, rows):
            Z = torch.tensor((profiles[rows] - self.pm) / self.ps, dtype=torch.float32)
            with torch.no_grad():
                return self.model(Z).numpy() * self.ys + self.ym
    torch.set_num_threads(1)
    return CNN()


class Local:
    """Local-linear model: rows = atoms, a sample = the mean of its atoms' predictions (each target)."""

    def __init__(self, path, sample_names):
        with h5py.File(path, 'r') as f:
            d = f['dataset']
            self.X = d['X'][()]
            self.Y = d['Y'][()].reshape(len(self.X), -1)
            self.target_names = strings(d['target_names'])
            self.row_sample = d['row_sample'][()].astype(int)
            names = [os.path.basename(s) for s in strings(d['samples'])]
        index = {os.path.basename(s): k for k, s in enumerate(sample_names)}
        missing = [n for n in names if n not in index]
        assert not missing, f'{path}: samples not in the run dataset: {missing[:4]}'
        self.row_of_sample = np.array([index[n] for n in names])[self.row_sample]  # run row of every atom

    def fit(self, rows):
        atoms = np.isin(self.row_of_sample, rows)
        self.model = VitrumRidge(dict(penalties=[(0.0, None)], standardize=False, W0=None, lam=None)).fit(self.X[atoms], self.Y[atoms])
        return self

    def predict(self, rows):
        pred = self.model.predict(self.X).reshape(len(self.X), -1)
        return np.array([pred[self.row_of_sample == r].mean(0) for r in rows])

    def sample_means(self, nsamples):
        """The atoms' mean of every target for run rows 0..nsamples-1 (each must have atoms here)."""
        missing = sorted(set(range(nsamples)) - set(self.row_of_sample))
        assert not missing, f'no atoms for {len(missing)} of the run\'s samples (run rows {missing[:4]})'
        return np.array([self.Y[self.row_of_sample == r].mean(0) for r in range(nsamples)])


AUTO_WEIGHTS = [10.0 ** k for k in range(7)]  # -fit_smooth_weight auto of vitrum fit


class AtomsGroup:
    """The target group of --local-self ATOMS.h5:LABEL: the targets of a per-atom dataset, a sample's
    value the mean of its atoms' (the exact local VDOS of -features_atom_target vdos averages to the
    sample's VDOS on that grid), so that sample-level and local models are scored on one target. The
    split is the pipeline's (the reference group's /model/row_fold); the sample-level linear model is
    the pipeline's default estimator (second-difference penalty, its weight by GCV from 1 to 1e6, no
    prior); targets constant over the training samples are left out."""

    def __init__(self, local, label, reference, X, feature_names):
        Y = local.sample_means(len(X))
        self.name, self.test, self.train = label, reference.test, reference.train
        self.cols = np.flatnonzero(np.ptp(Y[self.train], axis=0) > 0)
        self.Y, self.target_names, self.file_prediction = Y[:, self.cols], local.target_names, None
        self.local_cols = self.cols  # of the local model's predictions (all the atoms' targets)
        groups = list(feature_groups(feature_names).values())
        self.setup = dict(penalties=[(mu, penalty_band(groups, X.shape[1], 2, mu)) for mu in AUTO_WEIGHTS], standardize=False, W0=None, lam=None)


def protocol_labels(path, sample_names):
    """The protocol of every run row, from a CSV with columns name and protocol (sample file names,
    matched by base name); a sample the table does not list stops the script with one line."""
    with open(path) as f:
        reader = csv.DictReader(f)
        if not {'name', 'protocol'} <= set(reader.fieldnames or ()):
            sys.exit('baselines: %s: no columns name and protocol in its header line (make_ensemble.py\'s ensemble.csv has them)' % path)
        table = {os.path.basename(r['name']): r['protocol'] for r in reader}
    names = [os.path.basename(s) for s in sample_names]
    missing = [n for n in names if n not in table]
    if missing:
        sys.exit('baselines: %s: no protocol for %d of the run\'s samples (first: %s); give the ensemble.csv of these samples'
                 % (path, len(missing), missing[0]))
    return np.array([table[n] for n in names])


class ProtocolMean:
    """The protocol reference: a sample predicted by the mean target of the training samples made by
    the same protocol, the mean of all training samples where none was."""

    def __init__(self, labels):
        self.labels = labels

    def fit(self, train, Y):
        self.mean = Y.mean(0)
        self.by_label = {lab: Y[self.labels[train] == lab].mean(0) for lab in set(self.labels[train])}
        return self

    def predict(self, rows):
        return np.array([self.by_label.get(self.labels[r], self.mean) for r in rows])


def train_sizes(ntrain, count):
    sizes = np.unique(np.round(np.geomspace(min(8, ntrain), ntrain, count)).astype(int))
    return sizes[sizes >= 4]


def local_spec(spec, default):
    """ATOMS.h5[:GROUP] -> (path, group or default); a ':' inside the path is not a separator."""
    path, sep, group = spec.rpartition(':')
    if not sep or '/' in group or group.endswith('.h5'):
        return spec, default
    return path, group or default


def curves(args, X, feature_names, sample_names):
    rows, notes = [], []
    torch = None if args.no_cnn else torch_or_none()
    if torch is None:
        notes.append('CNN skipped: ' + ('--no-cnn' if args.no_cnn else '`import torch` failed (Debian: apt-get install python3-torch)'))
    ctx = dict(args=args, X=X, profiles=profile_tensor(X, feature_names) if torch is not None else None, torch=torch, rows=rows,
               protocols=protocol_labels(args.protocols, sample_names) if args.protocols else None, feature_names=feature_names)
    local = {}
    for spec in args.local or []:
        path, group = local_spec(spec, args.local_target)
        local[group] = Local(path, sample_names)
    names = args.models.split(',') if args.models else sorted(os.listdir(os.path.join(args.run, 'models')))
    groups = []
    for name in names:
        g = Group(args.run, name, X, feature_names)
        if g.Y.shape[1] == 0:  # every target of the group constant over the samples: fit dropped them
            notes.append('%s skipped: no target of the group varies over the samples (vitrum fit dropped them)' % name)
            continue
        groups.append(g)
        label = name if g.Y.shape[1] > 1 or g.target_names[g.cols[0]] == name else g.target_names[g.cols[0]]
        score_group(ctx, g, label, local.get(name))
    for spec in args.local_self or []:
        path, label = local_spec(spec, '')
        atoms = Local(path, sample_names)
        label = label or os.path.splitext(os.path.basename(path))[0]
        assert groups, '--local-self needs a model file of the run for its split'
        score_group(ctx, AtomsGroup(atoms, label, groups[0], X, feature_names), label, atoms)
    return rows, notes


def score_group(ctx, g, label, local):
    """Every model on group g: the learning curve on the pipeline's split, then the other splits."""
    args, X, rows, protocols = ctx['args'], ctx['X'], ctx['rows'], ctx['protocols']
    models = {'linear': lambda rep: VitrumRidge(g.setup), 'krr': make_krr}
    if args.smooth:
        order, mu = args.smooth.split(',')
        setup = dict(g.setup, penalties=[(float(mu), penalty_band(list(feature_groups(ctx['feature_names']).values()), X.shape[1], int(order), float(mu)))],
                     W0=None, lam=None)
        models['smooth'] = lambda rep, setup=setup: VitrumRidge(setup)
    if ctx['torch'] is not None:
        models['cnn'] = lambda rep: make_cnn(ctx['torch'], ctx['profiles'], rep)
    if local is not None:
        models['local'] = None
    if protocols is not None:
        models['protocol'] = None

    def score(model, make, rep, train, test, split):
        t0 = time.time()
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            if model == 'linear' and split == 0 and len(train) == len(g.train) and g.file_prediction is not None:
                pred = g.file_prediction[test]  # the model file itself
            elif model == 'local':
                pred = local.fit(train).predict(test)[:, getattr(g, 'local_cols', slice(None))]
            elif model == 'protocol':
                pred = ProtocolMean(protocols).fit(train, g.Y[train]).predict(test)
            elif model == 'cnn':
                pred = make(rep).fit(train, g.Y[train]).predict(test)
            else:
                pred = make(rep).fit(X[train], g.Y[train]).predict(X[test])
        # a target constant on the held-out samples has no R^2: not scored (NaN), never 0 or 1
        r2 = pooled_r2(g.Y[test], np.asarray(pred).reshape(g.Y[test].shape)) if np.ptp(g.Y[test], axis=0).any() else float('nan')
        rows.append((args.label, label, model, len(train), rep, r2, len(test), split))
        print(f'{label:24s} {model:7s} split {split} n = {len(train):4d} rep {rep}: held-out R^2 {r2:8.4f} ({time.time() - t0:.1f} s)', flush=True)

    # split 0: the pipeline's own split, with the learning curve on nested training subsets
    for n in train_sizes(len(g.train), args.sizes):
        for rep in range(args.repeats if n < len(g.train) else 1):
            sub = np.sort(np.random.default_rng(rep).permutation(g.train)[:n])
            for model, make in models.items():
                score(model, make, rep, sub, g.test, 0)
    # splits 1..K-1: other seeded random splits of the same sizes, all training samples
    for split in range(1, args.splits):
        perm = np.random.default_rng(1000 + split).permutation(len(X))
        test, train = np.sort(perm[:len(g.test)]), np.sort(perm[len(g.test):])
        for model, make in models.items():
            score(model, make, 0, train, test, split)


def plot(rows, notes, path):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = list(dict.fromkeys(r[1] for r in rows))
    ncols = min(3, len(labels))
    nrows = -(-len(labels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 3.3 * nrows), squeeze=False)
    for ax in axes.ravel()[len(labels):]:
        ax.set_visible(False)
    colors = dict(linear='tab:blue', smooth='tab:cyan', local='tab:green', krr='tab:red', cnn='tab:purple', protocol='tab:gray')
    for ax, label in zip(axes.ravel(), labels):
        below = []  # curves that leave the axis at -0.5: named with their lowest point, never hidden
        for model, color in colors.items():
            sel = [r for r in rows if r[1] == label and r[2] == model and r[7] == 0 and not np.isnan(r[5])]  # NaN: not scored
            if not sel:
                continue
            ns = sorted({r[3] for r in sel})
            r2 = [np.array([r[5] for r in sel if r[3] == n]) for n in ns]
            ax.errorbar(ns, [v.mean() for v in r2], yerr=[v.std() for v in r2], marker='o', ms=3, capsize=2, color=color, label=model)
            if min(v.mean() for v in r2) < -0.5:
                below.append('%s down to %.2f' % (model, min(v.mean() for v in r2)))
        if not ax.lines:
            ax.text(0.5, 0.5, 'not scored:\nconstant on the held-out samples', ha='center', va='center', transform=ax.transAxes, fontsize=8)
        ax.axhline(0, color='k', lw=0.6)
        ax.set_xscale('log')
        ax.set_ylim(max(-0.5, ax.get_ylim()[0]), 1.02)
        if below:
            ax.text(0.03, 0.03, 'below the axis:\n' + '\n'.join(below), transform=ax.transAxes, fontsize=6.5, color='tab:red', va='bottom')
        ax.set_xlabel('training samples')
        ax.set_ylabel(r'held-out $R^2$')
        ax.set_title(label, fontsize=9)
    handles = {h.get_label(): h for ax in axes.ravel() for h in ax.get_legend_handles_labels()[0]}
    axes[0][0].legend(handles.values(), handles.keys(), fontsize=7)
    fig.suptitle((rows[0][0] + ': ' if rows[0][0] else '') + 'same held-out samples, mean $\\pm$ std over training subsets'
                 + ('\n' + '; '.join(notes) if notes else ''), fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches='tight')
    plt.close(fig)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True, help='pipeline run folder (dataset.h5, models/NAME/{dataset,model}.h5)')
    p.add_argument('--models', help='comma list of target groups (folders under RUN/models; default: all)')
    p.add_argument('--local', action='append', help='ATOMS.h5[:GROUP]: a per-atom dataset (vitrum features -features_per_atom) for the '
                   'local-linear model of target group GROUP (default --local-target); repeat for several groups')
    p.add_argument('--local-target', default='omega2_mean', help='the target group of a --local without :GROUP (mean over atoms)')
    p.add_argument('--local-self', action='append', help='ATOMS.h5[:LABEL]: a per-atom dataset scored against its own targets\' '
                   'sample means (e.g. the exact local VDOS, -features_atom_target vdos): sample-level models and the local model on '
                   'one target; the split of the first model file')
    p.add_argument('--smooth', help='ORDER,MU: also the linear model with this smoothness penalty and no prior (e.g. 2,1000)')
    p.add_argument('--protocols', help='ENSEMBLE.csv (columns name, protocol; make_ensemble.py writes it): also score the protocol '
                   'reference, each held-out sample predicted by the mean of the training samples of its protocol')
    p.add_argument('--label', default='', help='family label written in the CSV')
    p.add_argument('--out', help='output prefix (default RUN/report/baselines)')
    p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--sizes', type=int, default=4, help='training sizes of the learning curve')
    p.add_argument('--splits', type=int, default=1, help='also score every model on SPLITS-1 other seeded random splits '
                   '(same test size, all other samples for training): how much R^2 depends on which samples are held out')
    p.add_argument('--no-cnn', action='store_true')
    p.add_argument('--replot', action='store_true', help='only redraw OUT.png from OUT.csv (and the notes of OUT.notes, if any)')
    args = p.parse_args()
    out = args.out or os.path.join(args.run, 'report', 'baselines')
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if args.replot:
        rows = [(r['label'], r['target'], r['model'], int(r['n_train']), int(r['repeat']), float(r['r2_heldout']), int(r['n_test']),
                 int(r.get('split') or 0)) for r in csv.DictReader(open(out + '.csv'))]
        notes = open(out + '.notes').read().splitlines() if os.path.exists(out + '.notes') else []
        plot(rows, notes, out + '.png')
        return
    with h5py.File(os.path.join(args.run, 'dataset.h5'), 'r') as f:
        X = f['dataset/X'][()]
        feature_names = strings(f['dataset/feature_names'])
        sample_names = strings(f['dataset/sample_names'])
    rows, notes = curves(args, X, feature_names, sample_names)
    with open(out + '.csv', 'w') as f:
        f.write('label,target,model,n_train,repeat,r2_heldout,n_test,split\n')
        f.writelines('"%s","%s",%s,%d,%d,%.6f,%d,%d\n' % r for r in rows)
    if notes:
        with open(out + '.notes', 'w') as f:
            f.writelines(note + '\n' for note in notes)
    plot(rows, notes, out + '.png')
    for note in notes:
        print('baselines: note: ' + note)
    print(f'baselines: wrote {out}.csv and {out}.png' + (f' ({out}.notes)' if notes else ''))


if __name__ == '__main__':
    main()
