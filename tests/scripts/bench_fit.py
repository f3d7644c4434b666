"""bench/fit (docs/BENCHMARKS.md, "## Fit"): bench_fit.py on a tiny dataset compares like with like,
so vitrum's coefficients at sklearn's alpha equal RidgeCV's to round-off (vitrum fit holds 20% out
by default: the script fits on every row); a relative --vitrum works with --workdir; check_large.py
agrees with the normal equations of numpy for that model and for one fitted with rows held out
(the equations of its training rows); every bench script answers -h with argparse's usage."""
import os
import re
import subprocess

import h5py
import numpy as np

import vitrum_testlib as vt

SRC = os.environ["SRC"]
PY = "/usr/bin/python3"


def script(*args, check=True):
    p = subprocess.run([PY] + [str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    vt.check(p.returncode == 0 or not check, "%s ran (%s)" % (" ".join(map(str, args)), p.stdout[-1500:]))
    return p


# The usage of every bench script, no traceback.
for path in ("fit/bench_fit.py", "fit/check_large.py", "fit/kernel_recovery.py", "scale/run_bench.py", "spectrum/run_bench.py", "spmv/run_bench.py"):
    p = script(os.path.join(SRC, "bench", path), "-h")
    vt.check(p.stdout.startswith("usage:") and "Traceback" not in p.stdout, "%s -h prints its usage" % path)

# bench_fit.py, the vitrum executable given relative to the folder the script starts in.
rel = os.path.relpath(os.environ["VITRUM"])
out = script(os.path.join(SRC, "bench", "fit", "bench_fit.py"), "--vitrum", rel, "--n", 300, "--p", 40, "--t", 3, "--ranks", "1,2", "--workdir", "work").stdout
rows = [l for l in out.splitlines() if l.startswith("| 3e+02 |")]
vt.check(len(rows) == 2, "one table row per rank count (%s)" % out)
for row in rows:
    cells = [c.strip() for c in row.strip("|").split("|")]
    vt.check("(same)" in cells[8], "vitrum's lambda is sklearn's alpha: %s" % cells[8])
    vt.check(float(cells[9]) < 1e-9, "coefficients at sklearn's alpha equal RidgeCV's: %s" % cells[9])

# The same coefficients against the normal equations written here (all rows).
data = "work/bench_300_40_3.h5"
with h5py.File(data, "r") as f:
    X, Y = f["/dataset/X"][()], f["/dataset/Y"][()]
with h5py.File("work/bench_300_1.model.h5", "r") as f:
    W, lam = f["/model/W"][()], f["/model/lambda"][0]
Xc, Yc = X - X.mean(0), Y - Y.mean(0)
Wref = np.linalg.solve(Xc.T @ Xc + lam * np.eye(X.shape[1]), Xc.T @ Yc).T
vt.check(np.abs(W - Wref).max() / np.abs(Wref).max() < 1e-10, "bench_fit's model: ridge on every row")

# check_large.py on those models, and on a model fitted with 20% held out (fit's default).
vt.run(["fit", "-data", data, "-o", "held.model.h5", "-fit_prior", "none"])
out = script(os.path.join(SRC, "bench", "fit", "check_large.py"), data, "work/bench_300_1.model.h5", "work/bench_300_2.model.h5", "held.model.h5").stdout
diffs = [float(v) for v in re.findall(r"W_normal_eq\| / max \|W\| = ([0-9.eE+-]+)", out)]
vt.check(len(diffs) == 3 and max(diffs) < 1e-10, "check_large: every model satisfies its normal equations (%s)" % out)
vt.check("240 training rows of 300" in out, "the held-out model's equations are those of its 240 training rows")
vt.run(["fit", "-data", data, "-o", "std.model.h5", "-fit_prior", "none", "-fit_standardize"])
p = script(os.path.join(SRC, "bench", "fit", "check_large.py"), data, "std.model.h5", check=False)
vt.check(p.returncode != 0 and len(p.stdout.strip().splitlines()) == 1 and "-fit_standardize" in p.stdout, "a standardized model is refused with one line (%s)" % p.stdout)
print("ok")
