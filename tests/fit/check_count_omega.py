"""-spectrum_count_omega takes any number of frequencies (once silently cut at 32): 40 values give
40 exact inertia counts, each = the LAPACK count of the sample's dense Hessian; a frequency given
twice is an error naming it."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "spectrum"))
import spectrumlib as sl  # noqa: E402
import vitrum_testlib as vt  # noqa: E402

sample = sl.make_ka_glass("ka216.data")
ev = np.linalg.eigvalsh(sl.hessian_dense(sample))
omegas = np.round(np.linspace(0.5, 30.0, 40), 6)
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 0, "-kpm_moments", 32, "-kpm_vectors", 4]
vt.run(base + ["-spectrum_count_omega", ",".join(map(str, omegas)), "-o", "many.h5"], 2)
exact = sl.read("many.h5", "/spectrum/counts/exact")
vt.check(len(exact) == 40 and len(sl.read("many.h5", "/spectrum/counts/kpm")) == 40, "40 frequencies, 40 counts (got %d)" % len(exact))
vt.check(np.array_equal(exact, [np.sum(ev < w * w) - 3 for w in omegas]), "inertia counts = LAPACK counts at all 40 frequencies")
proc = vt.run(base + ["-spectrum_count_omega", "1.5,3,1.5", "-o", "dup.h5"], 2, expect_fail=True)
lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
vt.check(proc.returncode == 1 and len(lines) == 1 and "value 1.5 is given twice" in lines[0], "duplicate frequency: one line naming it: %s" % lines)
