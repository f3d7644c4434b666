"""Coefficient check for the large benchmark runs where scikit-learn does not fit in memory:
vitrum's W at its chosen lambda against the normal equations (X_c^T X_c + lambda I) W^T = X_c^T Y_c
accumulated in row chunks with numpy (same centring), and 1 rank against 2 ranks.

    /usr/bin/python3 bench/fit/check_large.py DATA.h5 MODEL_1.h5 [MODEL_2.h5 ...]

The normal equations are those of the rows each model was trained on (/model/row_fold >= 0: all
rows for the models of bench_fit.py, which fits with -fit_test_fraction 0; the training rows when
a model held some out). They hold for a plain ridge fit only: a model with a prior (/model/prior/W0,
fit's default -fit_prior auto with -potential), a smoothness penalty (-fit_smooth) or scaled
features (-fit_standardize) is refused with one line; fit such a model with -fit_prior none
-fit_smooth 0 and without -fit_standardize."""
import argparse
import sys

import h5py
import numpy as np

CHUNK = 100000


def normal_equations(data, train):
    """Centred Gram matrix and cross products of the rows where train is True, in row chunks."""
    with h5py.File(data, "r") as f:
        X, Y = f["/dataset/X"], f["/dataset/Y"]
        n, p = X.shape
        if len(train) != n:
            sys.exit(f"check_large: the model has {len(train)} rows in /model/row_fold, {data} has {n}: give the dataset it was fitted on")
        t = Y.shape[1]
        sx, sy, G, C = np.zeros(p), np.zeros(t), np.zeros((p, p)), np.zeros((p, t))
        for start in range(0, n, CHUNK):
            keep = train[start:start + CHUNK]
            x, y = X[start:start + CHUNK][keep], Y[start:start + CHUNK][keep]
            sx += x.sum(0)
            sy += y.sum(0)
            G += x.T @ x
            C += x.T @ y
    m = int(train.sum())
    mx, my = sx / m, sy / m
    return G - m * np.outer(mx, mx), C - m * np.outer(mx, my)


def read_model(path):
    """W, lambda and the training rows of a plain ridge model (anything else refused)."""
    with h5py.File(path, "r") as f:
        g = f["/model"]
        if "prior" in g and "W0" in g["prior"]:
            sys.exit(f"check_large: {path} was fitted with a prior ({g.attrs.get('prior', b'?')!r}): "
                     "the plain normal equations do not hold; fit with -fit_prior none")
        if "smooth_order" in g and g["smooth_order"][0] != 0:
            sys.exit(f"check_large: {path} was fitted with -fit_smooth {int(g['smooth_order'][0])}: fit with -fit_smooth 0")
        if "x_scale" in g and not np.all(g["x_scale"][()] == 1):
            sys.exit(f"check_large: {path} was fitted with -fit_standardize: fit without it")
        fold = g["row_fold"][()] if "row_fold" in g else None
        return g["W"][()], g["lambda"][0], fold


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", help="the dataset (/dataset/X, /dataset/Y) the models were fitted on")
    ap.add_argument("models", nargs="+", help="model files of vitrum fit (e.g. one per rank count)")
    args = ap.parse_args()
    with h5py.File(args.data, "r") as f:
        n = f["/dataset/X"].shape[0]
    systems = {}  # normal equations per set of training rows
    Ws = []
    for path in args.models:
        W, lam, fold = read_model(path)
        train = np.ones(n, bool) if fold is None else fold >= 0
        key = train.tobytes()
        if key not in systems:
            systems[key] = normal_equations(args.data, train)
        G, C = systems[key]
        Wref = np.linalg.solve(G + lam * np.eye(G.shape[0]), C).T
        print(f"{path}: lambda {lam:.6g}, {int(train.sum())} training rows of {n}, "
              f"max |W - W_normal_eq| / max |W| = {np.abs(W - Wref).max() / np.abs(Wref).max():.2e}")
        Ws.append(W)
    for path, W in zip(args.models[1:], Ws[1:]):
        print(f"{args.models[0]} vs {path}: max |W_1 - W_k| / max |W_1| = {np.abs(W - Ws[0]).max() / np.abs(Ws[0]).max():.2e}")


if __name__ == "__main__":
    main()
