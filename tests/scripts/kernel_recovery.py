"""bench/fit/kernel_recovery.py on 8 samples (fewer than the 24 of its first default subset): one
table row, whose numbers are those of the model file it wrote (held-out R^2 recomputed here from
the dataset, W and b; correlation of W with /model/kernel/K), fitted without a prior (the kernel
is what is being recovered); a relative --vitrum works with --workdir."""
import os
import subprocess

import h5py
import numpy as np

import vitrum_testlib as vt

SRC = os.environ["SRC"]
p = subprocess.run(["/usr/bin/python3", os.path.join(SRC, "bench", "fit", "kernel_recovery.py"), "--vitrum", os.path.relpath(os.environ["VITRUM"]),
                    "--samples", "8", "--workdir", "kr"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode == 0, "kernel_recovery.py ran (%s)" % p.stdout[-2000:])
rows = [l for l in p.stdout.splitlines() if l.startswith("| 8 |")]
vt.check(len(rows) == 1, "one row for 8 samples (%s)" % p.stdout)
r2_row, corr_row, lam_row = (float(c) for c in rows[0].strip("|").split("|")[1:])

with h5py.File("kr/lj_8.h5", "r") as f:
    X, y = f["/dataset/X"][()], f["/dataset/Y"][()][:, 0]
with h5py.File("kr/lj_8.model.h5", "r") as f:
    m = f["/model"]
    W, b, fold, K, lam = m["W"][0], m["b"][0], m["row_fold"][()], m["kernel/K"][()], m["lambda"][0]
    prior = m.attrs["prior"]
prior = prior.decode() if isinstance(prior, bytes) else str(prior)
test = fold < 0
r2 = 1 - ((y[test] - X[test] @ W - b) ** 2).sum() / ((y[test] - y[test].mean()) ** 2).sum()
vt.check(prior == "none", "fitted without a prior (%s)" % prior)
vt.check(test.sum() >= 1, "rows held out")
vt.check(abs(r2_row - r2) < 1e-3, "held-out R^2 of the table %g == %g from the model file" % (r2_row, r2))
vt.check(abs(corr_row - np.corrcoef(W, K)[0, 1]) < 1e-2, "correlation of the table %g == corr(W, K)" % corr_row)
vt.check(abs(lam_row - lam) <= 1e-2 * lam, "lambda of the table %g == /model/lambda %g" % (lam_row, lam))
p = subprocess.run(["/usr/bin/python3", os.path.join(SRC, "bench", "fit", "kernel_recovery.py"), "--samples", "7"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode == 2 and "at least 8" in p.stdout and "Traceback" not in p.stdout, "--samples 7 refused with a usage line (%s)" % p.stdout)
print("ok")
