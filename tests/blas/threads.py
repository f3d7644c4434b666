"""One BLAS thread per rank (src/common/common.c, docs/BENCHMARKS.md): with a stand-in for OpenBLAS's
openblas_set_num_threads preloaded (threads_shim.c, records its calls),
- 2 ranks on this node: each rank calls it once with 1;
- 1 rank: no call (a single rank keeps OpenBLAS's threads);
- 2 ranks with OPENBLAS_NUM_THREADS or OMP_NUM_THREADS set: no call (the user's choice stands)."""
import os
import subprocess
import sys

import vitrum_testlib as vt

shim = sys.argv[1]
sample = os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "ka3d_216.data")


def calls(ranks, extra_env):
    if os.path.exists("calls.txt"):
        os.remove("calls.txt")
    env = dict(os.environ, VIT_SHIM_OUT=os.path.abspath("calls.txt"), LD_PRELOAD=shim, **extra_env)
    for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if k not in extra_env:
            env.pop(k, None)
    exports = sum((["-x", k] for k in ["VIT_SHIM_OUT", "LD_PRELOAD"] + list(extra_env)), [])
    p = subprocess.run(os.environ["MPIRUN"].split() + ["-n", str(ranks)] + exports + [os.environ["VITRUM"], "info", "-sample", sample],
                       env=env, capture_output=True, text=True)
    vt.check(p.returncode == 0, "vitrum info on %d rank(s) %s: exit 0 (%s)" % (ranks, extra_env, p.stderr.strip()[-200:]))
    return sorted(open("calls.txt").read().split("\n")[:-1]) if os.path.exists("calls.txt") else []


got = calls(2, {})
vt.check(got == ["0 1", "1 1"], "2 ranks on one node: each sets 1 BLAS thread (%s)" % got)
got = calls(1, {})
vt.check(got == [], "1 rank: BLAS threads left alone (%s)" % got)
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
    got = calls(2, {var: "2"})
    vt.check(got == [], "2 ranks with %s=2: left alone (%s)" % (var, got))
