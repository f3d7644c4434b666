"""Benchmark: vitrum fit (parallel TSQR + SVD ridge path, GCV) against scikit-learn RidgeCV
(efficient leave-one-out over the same alphas) on a synthetic dataset of n rows, p features,
t targets. Reports wall times, their ratio, the chosen lambdas and the coefficient difference.

    /usr/bin/python3 bench/fit/bench_fit.py --vitrum build/vitrum --n 100000 --ranks 1,2

Like for like: vitrum fits on every row (-fit_test_fraction 0; its default holds 20% out, which
sklearn would not see) and shrinks towards zero (-fit_prior none), as RidgeCV does; lambdas are
compared on the same path. A relative --vitrum is taken from the folder the script starts in
(before --workdir).

The vitrum time is the whole command (start-up, parallel HDF5 read, TSQR, path, metrics, write);
the fit-stage time from -log_view excludes start-up. The sklearn time is RidgeCV.fit alone (data
already in memory)."""
import argparse
import os
import re
import resource
import subprocess
import sys
import time

import h5py
import numpy as np
from sklearn.linear_model import RidgeCV

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--vitrum", default=os.environ.get("VITRUM", "vitrum"))
ap.add_argument("--n", type=int, default=100000)
ap.add_argument("--p", type=int, default=300)
ap.add_argument("--t", type=int, default=50)
ap.add_argument("--ranks", default="1,2")
ap.add_argument("--nlambda", type=int, default=20)
ap.add_argument("--skip_sklearn", action="store_true")
ap.add_argument("--workdir", default=".")
args = ap.parse_args()
if os.sep in args.vitrum:  # a path, not a name looked up on PATH: relative to where the script started
    args.vitrum = os.path.abspath(args.vitrum)
os.makedirs(args.workdir, exist_ok=True)
os.chdir(args.workdir)
mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()

data = f"bench_{args.n}_{args.p}_{args.t}.h5"
rng = np.random.default_rng(0)
A = np.eye(args.p) + 0.3 * rng.standard_normal((args.p, args.p)) / np.sqrt(args.p)
W = rng.standard_normal((args.t, args.p)) / np.sqrt(args.p)
if not os.path.exists(data):
    with h5py.File(data, "w") as f:
        X = f.create_dataset("/dataset/X", (args.n, args.p), "f8")
        Y = f.create_dataset("/dataset/Y", (args.n, args.t), "f8")
        for start in range(0, args.n, 50000):
            m = min(50000, args.n - start)
            x = rng.standard_normal((m, args.p)) @ A + 1.0
            X[start:start + m] = x
            Y[start:start + m] = x @ W.T + 0.5 * rng.standard_normal((m, args.t))
alphas = np.logspace(-3, 5, args.nlambda)

results = {}
for nranks in [int(k) for k in args.ranks.split(",")]:
    out = f"bench_{args.n}_{nranks}.model.h5"
    cmd = mpirun + ["-n", str(nranks), args.vitrum, "fit", "-data", data, "-o", out, "-fit_lambda_min", str(alphas[0]),
                    "-fit_lambda_max", str(alphas[-1]), "-fit_lambda_count", str(args.nlambda), "-fit_test_fraction", "0", "-fit_prior", "none", "-log_view", f":log_{nranks}.txt"]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        sys.exit(f"bench_fit: vitrum fit failed (status {proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}")
    log = open(f"log_{nranks}.txt").read()
    stage = float(re.search(r"^\s*\d+:\s+Fit:\s+([0-9.eE+-]+)", log, re.M).group(1))
    tsqr = float(re.search(r"^VitFitTSQR\s+\d+\s+[0-9.]+\s+([0-9.eE+-]+)", log, re.M).group(1))
    with h5py.File(out, "r") as f:
        results[nranks] = dict(wall=wall, stage=stage, tsqr=tsqr, lam=f["/model/lambda"][0], W=f["/model/W"][()], W_path=f["/model/W_path"][()],
                               path=f["/model/lambda_path"][()])
    print(f"vitrum fit n={args.n} p={args.p} t={args.t} ranks={nranks}: wall {wall:.2f} s, Fit stage {stage:.2f} s "
          f"(TSQR {tsqr:.2f} s), lambda {results[nranks]['lam']:.4g}", flush=True)

if not args.skip_sklearn:
    with h5py.File(data, "r") as f:
        X, Y = f["/dataset/X"][()], f["/dataset/Y"][()]
    t0 = time.perf_counter()
    model = RidgeCV(alphas=alphas).fit(X, Y)
    t_sk = time.perf_counter() - t0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"sklearn RidgeCV n={args.n}: {t_sk:.2f} s, alpha {model.alpha_:.4g}, peak RSS of this script {maxrss:.1f} GB")
    for nranks, r in results.items():
        k = int(np.argmin(np.abs(r["path"] - model.alpha_)))
        same = np.isclose(r["lam"], model.alpha_, rtol=1e-10)
        diff = np.abs(r["W_path"][k] - model.coef_).max() / np.abs(model.coef_).max()
        print(f"| {args.n:.0e} | {args.p} | {args.t} | {nranks} | {r['wall']:.2f} | {r['stage']:.2f} | {t_sk:.2f} | "
              f"{t_sk / r['wall']:.1f} | {r['lam']:.4g} / {model.alpha_:.4g} ({'same' if same else 'differ'}) | {diff:.1e} |")
