"""Coefficient check for the large benchmark runs where scikit-learn does not fit in memory:
vitrum's W at its chosen lambda against the normal equations (X_c^T X_c + lambda I) W^T = X_c^T Y_c
accumulated in row chunks with numpy (same centring), and 1 rank against 2 ranks.

    /usr/bin/python3 bench/fit/check_large.py DATA.h5 MODEL_1.h5 MODEL_2.h5"""
import sys

import h5py
import numpy as np

data, models = sys.argv[1], sys.argv[2:]
with h5py.File(data, "r") as f:
    X, Y = f["/dataset/X"], f["/dataset/Y"]
    n, p = X.shape
    t = Y.shape[1]
    sx, sy = np.zeros(p), np.zeros(t)
    G, C = np.zeros((p, p)), np.zeros((p, t))
    for start in range(0, n, 100000):
        x, y = X[start:start + 100000], Y[start:start + 100000]
        sx += x.sum(0)
        sy += y.sum(0)
        G += x.T @ x
        C += x.T @ y
mx, my = sx / n, sy / n
G -= n * np.outer(mx, mx)
C -= n * np.outer(mx, my)
Ws = []
for path in models:
    with h5py.File(path, "r") as f:
        W, lam = f["/model/W"][()], f["/model/lambda"][0]
    Wref = np.linalg.solve(G + lam * np.eye(p), C).T
    print(f"{path}: lambda {lam:.6g}, max |W - W_normal_eq| / max |W| = {np.abs(W - Wref).max() / np.abs(Wref).max():.2e}")
    Ws.append(W)
for W in Ws[1:]:
    print(f"rank counts: max |W_1 - W_k| / max |W_1| = {np.abs(W - Ws[0]).max() / np.abs(Ws[0]).max():.2e}")
