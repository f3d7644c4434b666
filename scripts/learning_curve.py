#!/usr/bin/python3
"""Linear vs nonlinear: held-out R^2 against the number of training samples, for the linear model
of `vitrum fit` and kernel ridge regression with an RBF kernel, on the same held-out samples as
the pipeline's evaluation.

For each training size n (nested random subsets of the pipeline's training rows, several repeats),
both models are fitted on the raw features (partial g(r) values, as the pipeline's fit uses them)
with their hyper-parameters chosen on the n training samples only, then scored on the held-out
rows. The linear model is the estimator of the metrics table, as each model file records it: the
same smoothness penalty (/model/smooth_order, smooth_weight, or the weights smooth_weights it was
chosen from, chosen again with lambda on each training set), scaling (x_scale), prior
(/model/prior/W0) and lambda path rule, lambda by GCV as `fit` (or the model's lambda when it was
given; K-fold models use GCV here). Kernel ridge: alpha and the RBF width gamma by closed-form
leave-one-out from one eigendecomposition of the kernel matrix per gamma, gamma on a grid around
1/median squared distance.
Targets: each scalar target, and the VDOS vector (R^2 pooled over its bins).

Writes RUN/report/learning_curve.csv and learning_curve.png.
Usage: /usr/bin/python3 scripts/learning_curve.py --run RUN [--repeats 5]
"""
import argparse
import os
import sys
import warnings

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import h5py  # noqa: E402
from scipy.linalg import cholesky_banded, solve_banded  # noqa: E402
from sklearn.metrics.pairwise import euclidean_distances  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vitrum_run as vr  # noqa: E402

def pooled_r2(y, yhat):
    """1 - sum SSE / sum SST (SST about each column's mean); 0 (or 1 if exact) for constant truth,
    as scikit-learn's r2_score."""
    y, yhat = y.reshape(len(y), -1), yhat.reshape(len(y), -1)
    sse, sst = ((y - yhat) ** 2).sum(), ((y - y.mean(0)) ** 2).sum()
    return 1 - sse / sst if sst > 0 else float(sse == 0)


def smoothness_gram(run, order, mu):
    """Gamma^T Gamma = I + mu L^T L of vitrum fit -fit_smooth ORDER (docs/fit.md): L = differences of
    the given order along r within each feature group."""
    p = run.X.shape[1]
    G = np.eye(p)
    if order > 0:
        for idx, _ in run.features.values():
            if len(idx) > order:
                L = np.diff(np.eye(len(idx)), n=order, axis=0)
                G[np.ix_(idx, idx)] += mu * L.T @ L
    return G


STENCIL = {1: np.array([-1.0, 1.0]), 2: np.array([1.0, -2.0, 1.0])}  # differences of order 1 and 2


def penalty_band(groups, p, order, mu):
    """Gamma of vitrum fit -fit_smooth ORDER -fit_smooth_weight MU, the upper Cholesky factor of
    I + mu L^T L (L = differences of the given order along r within each group of column indices),
    in LAPACK's upper band storage (order + 1 rows; None for the identity), as src/fit/ridge.c."""
    kd = order if mu > 0 else 0
    if not kd:
        return None
    ab = np.zeros((kd + 1, p))
    ab[kd] = 1.0
    st = STENCIL[order]
    for idx in groups:
        idx = np.asarray(idx)
        for a in range(order + 1):
            for c in range(a, order + 1):  # (i + a, i + c) of every difference row i of the group
                np.add.at(ab[kd + a - c], idx[c:len(idx) - order + c], mu * st[a] * st[c])
    return cholesky_banded(ab, lower=False)


def gamma_solve(ab, B, transposed):
    """Gamma^{-1} B, or Gamma^{-T} B when transposed (B p x m); Gamma = I when ab is None."""
    if ab is None:
        return B
    if not transposed:
        return solve_banded((0, len(ab) - 1), ab, B)
    kd, p = len(ab) - 1, ab.shape[1]
    low = np.zeros_like(ab)  # Gamma^T in lower band storage: low[d, j] = Gamma[j, j + d]
    for d in range(kd + 1):
        low[d, :p - d] = ab[kd - d, d:]
    return solve_banded((kd, 0), low, B)


def fit_setup(run, cols):
    """How `fit` fitted the model holding the target columns cols (of run.Y): the smoothness penalty
    (one weight, or the weights it chose from with lambda), standardising, prior rows, lambda choice."""
    offsets = np.cumsum([0] + [m['Y'].shape[1] for m in run.models])
    k = int(np.searchsorted(offsets, cols[0], side='right') - 1)
    m, local = run.models[k], np.asarray(cols) - offsets[k]
    with h5py.File(os.path.join(run.folder, 'models', m['name'], 'model.h5'), 'r') as f:
        g = f['model']
        standardize = 'x_scale' in g and bool(np.any(g['x_scale'][()] != 1))
        W0 = g['prior/W0'][()][local] if 'prior/W0' in g else None
        setup = model_penalties(g, [idx for idx, _ in run.features.values()], run.X.shape[1])
    return dict(setup, standardize=standardize, W0=W0, lam=m['lambda'] if m['lambda_choice'] == 'given' else None)


def model_penalties(g, groups, p):
    """{'penalties': [(mu, Gamma band)]} of a model file's group /model: the weight it used, or every
    weight it chose from (/model/smooth_weights)."""
    order = int(np.ravel(g['smooth_order'][()])[0]) if 'smooth_order' in g else 0
    weights = np.ravel(g['smooth_weights'][()]) if 'smooth_weights' in g else np.ravel(g['smooth_weight'][()]) if 'smooth_weight' in g else [0.0]
    return dict(penalties=[(float(mu), penalty_band(groups, p, order, float(mu))) for mu in weights])


class VitrumRidge:
    """The estimator of `vitrum fit` (docs/fit.md): min ||Y - X W^T - 1 b^T||^2 + lambda ||Gamma (W - W0)^T||^2
    with X centred (and scaled to unit variance when the model was standardised), solved as ridge on
    the shifted targets Y - X W0^T through the SVD of X Gamma^{-1}; lambda minimises
    GCV = (RSS / (n t)) / (1 - (df + 1)/n)^2 over 41 log-spaced values in [1e-8, 10] s_max^2, and with
    several smoothness weights (setup['penalties']) the weight and lambda of the lowest GCV are kept
    (the first weight on a tie, as fit). self.mu is the weight used, self.gcv its score."""

    def __init__(self, setup):
        self.setup = setup

    def fit(self, X, y):
        Y = y.reshape(len(y), -1)
        n, t = Y.shape
        W0 = self.setup['W0'] if self.setup['W0'] is not None else np.zeros((t, X.shape[1]))
        Ys = Y - X @ W0.T
        mean = X.mean(0)
        scale = X.std(0) if self.setup['standardize'] else np.ones(X.shape[1])
        scale = np.where(scale > 0, scale, 1.0)
        Xc = ((X - mean) / scale).T  # p x n
        yc = Ys - Ys.mean(0)
        best = None
        for mu, ab in self.setup['penalties']:
            U, s, Vt = np.linalg.svd(gamma_solve(ab, Xc, True).T, full_matrices=False)  # X Gamma^{-1}
            C = U.T @ yc
            rss_perp = ((yc - U @ C) ** 2).sum()
            lams = [self.setup['lam']] if self.setup['lam'] else np.geomspace(1e-8, 10, 41) * max(s[0] ** 2, 1e-300)

            def gcv(lam):
                f = lam / (s ** 2 + lam)
                rss = rss_perp + ((f[:, None] * C) ** 2).sum()
                denom = 1 - ((s ** 2 / (s ** 2 + lam)).sum() + 1) / n
                return rss / (n * t) / denom ** 2 if denom > 0 else np.inf
            lam = min(lams, key=gcv)
            if best is None or gcv(lam) < best[0]:
                best = (gcv(lam), mu, ab, lam, s, Vt, C)
        self.gcv, self.mu, ab, lam, s, Vt, C = best
        Wt = gamma_solve(ab, Vt.T @ ((s / (s ** 2 + lam))[:, None] * C), False) / scale[:, None]  # p x t, original units
        self.W = Wt.T + W0
        self.b = Ys.mean(0) - mean @ Wt
        self.shape = y.shape[1:]
        return self

    def predict(self, X):
        return (X @ self.W.T + self.b).reshape((len(X),) + self.shape)


class KernelRidgeLOO:
    """Kernel ridge regression, k(x, x') = exp(-gamma |x - x'|^2), targets centred. With
    K = Q diag(l) Q^T the hat matrix for alpha is H = Q diag(l / (l + alpha)) Q^T and the
    leave-one-out residuals are (y_i - yhat_i) / (1 - H_ii): the (alpha, gamma) pair with the
    smallest LOO mean squared error is kept."""

    def __init__(self, p):
        self.alphas = np.logspace(-8, 1, 19)

    def fit(self, X, y):
        self.Z = X
        self.ymean = y.mean(0)
        yc = (y - self.ymean).reshape(len(y), -1)
        d2 = euclidean_distances(self.Z, squared=True)
        best = np.inf
        for gamma in np.logspace(-2, 1, 7) / np.median(d2[d2 > 0]):
            lam, Q = np.linalg.eigh(np.exp(-gamma * d2))
            Qy = Q.T @ yc
            for alpha in self.alphas:
                f = lam / (lam + alpha)
                resid = yc - Q @ (f[:, None] * Qy)
                loo = np.mean((resid / (1 - (Q ** 2) @ f)[:, None]) ** 2)
                if loo < best:
                    best, self.gamma = loo, gamma
                    self.coef = Q @ (Qy / (lam + alpha)[:, None])
        return self

    def predict(self, X):
        k = np.exp(-self.gamma * euclidean_distances(X, self.Z, squared=True))
        return (k @ self.coef).reshape((len(X),) + np.shape(self.ymean)) + self.ymean


MODELS = (('linear (vitrum fit)', lambda setup, p: VitrumRidge(setup)), ('kernel ridge, RBF', lambda setup, p: KernelRidgeLOO(p)))


def target_sets(run):
    """(label, target column indices) for the scalar targets and the VDOS vector."""
    sets = []
    pooled = dict(vdos='VDOS (pooled bins)', cumulative='cumulative VDOS (pooled bins)', counts='exact mode counts (pooled)')
    for key in ('vdos', 'cumulative', 'counts', 'omega2', 'boson', 'lowcount'):
        t = run.target(key)
        if t is not None:
            sets.append((pooled.get(key, run.targets[key]), t[0]))
    return sets


def train_sizes(ntrain):
    sizes = np.unique(np.round(np.geomspace(min(8, ntrain), ntrain, 6)).astype(int))
    return sizes[sizes >= 4]


def curves(run, repeats):
    """Rows (target, model, n, repeat, R^2)."""
    X, Y = run.X, run.Y
    test, train = run.test_rows, run.train_rows
    setups = {label: fit_setup(run, cols) for label, cols in target_sets(run)}
    rows = []
    for rep in range(repeats):
        perm = np.random.default_rng(rep).permutation(train)
        for n in train_sizes(len(train)):
            sub = perm[:n]
            for label, cols in target_sets(run):
                y = Y[np.ix_(sub, cols)].squeeze(axis=1) if len(cols) == 1 else Y[np.ix_(sub, cols)]
                for name, make in MODELS:
                    with warnings.catch_warnings():
                        warnings.simplefilter('ignore')
                        model = make(setups[label], X.shape[1]).fit(X[sub], y)
                    rows.append((label, name, n, rep, pooled_r2(Y[np.ix_(test, cols)], model.predict(X[test]))))
    return rows


def plot(rows, outdir):
    labels = list(dict.fromkeys(r[0] for r in rows))
    ncols = min(3, len(labels))
    nrows = -(-len(labels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.8 * ncols, 3.4 * nrows), squeeze=False)
    for ax in axes.ravel()[len(labels):]:
        ax.set_visible(False)
    for ax, label in zip(axes.ravel(), labels):
        for (name, _), color in zip(MODELS, ('tab:blue', 'tab:red')):
            sel = [r for r in rows if r[0] == label and r[1] == name]
            ns = sorted({r[2] for r in sel})
            r2 = np.array([[r[4] for r in sel if r[2] == n] for n in ns])
            ax.errorbar(ns, r2.mean(1), yerr=r2.std(1), marker='o', ms=3, capsize=2, color=color, label=name)
        ax.axhline(0, color='k', lw=0.6)
        ax.set_xscale('log')
        ax.set_ylim(max(-0.5, ax.get_ylim()[0]), 1.0)
        ax.set_xlabel('training samples')
        ax.set_ylabel(r'held-out $R^2$')
        ax.set_title(label)
    axes[0][0].legend(fontsize=8)
    fig.suptitle('Learning curves on the same held-out samples (mean $\\pm$ std over random training subsets)', y=1.03)
    fig.tight_layout()
    fig.savefig(os.path.join(outdir, 'learning_curve.png'), bbox_inches='tight')
    plt.close(fig)


def summary(rows):
    """Markdown table of the mean held-out R^2 at the smallest and largest training size."""
    labels = list(dict.fromkeys(r[0] for r in rows))
    ns = sorted({r[2] for r in rows})
    lines = ['Held-out R^2, mean over %d random training subsets (both models on the raw g(r) features, their '
             'hyper-parameters chosen on the training subset only: the linear model as `vitrum fit` made the metrics '
             'table (penalty, scaling, prior, GCV), kernel ridge by leave-one-out):' % len({r[3] for r in rows}), '',
             '| target | model | n = %d | n = %d |' % (ns[0], ns[-1]), '|---|---|---|---|']
    for label in labels:
        for name, _ in MODELS:
            mean = [np.mean([r[4] for r in rows if r[0] == label and r[1] == name and r[2] == n]) for n in (ns[0], ns[-1])]
            lines.append('| %s | %s | %.3f | %.3f |' % (label, name, mean[0], mean[1]))
    return '\n'.join(lines)


def run_and_plot(run, outdir, repeats=5):
    rows = curves(run, repeats)
    with open(os.path.join(outdir, 'learning_curve.csv'), 'w') as f:
        f.write('target,model,n_train,repeat,r2_heldout\n')
        f.writelines('"%s","%s",%d,%d,%.6f\n' % r for r in rows)
    plot(rows, outdir)
    return 'learning_curve.png', summary(rows)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True, help='pipeline run folder')
    p.add_argument('--repeats', type=int, default=5)
    args = p.parse_args()
    outdir = os.path.join(args.run, 'report')
    os.makedirs(outdir, exist_ok=True)
    print(run_and_plot(vr.Run(args.run), outdir, args.repeats)[1])


if __name__ == '__main__':
    main()
