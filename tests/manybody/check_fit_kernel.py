"""manybody_fit_kernel: `vitrum fit` given a many-body -potential (as the pipeline passes it to
every model) fits and writes the omega2_mean model without the exact kernels, which
exist for pair potentials only, and says so; with a pair potential (lj/cut) the kernel is
written as before. The dataset is synthetic (12 samples, partials g_Cu-Cu, g_Cu-Zr, g_Zr-Zr)."""
import os
import sys
import h5py
import numpy as np
import mbtools as mb

rng = np.random.default_rng(3)
r = np.arange(2.0, 5.0, 0.25)
names = ["g_%s(r=%g)" % (pair, x) for pair in ("Cu-Cu", "Cu-Zr", "Zr-Zr") for x in r]
X = 1 + 0.3 * rng.standard_normal((12, len(names)))
Y = X @ rng.standard_normal(len(names))[:, None] + 0.01 * rng.standard_normal((12, 1))
with h5py.File("dataset.h5", "w") as h5:
    h5["/dataset/X"], h5["/dataset/Y"] = X, Y
    h5["/dataset/feature_names"] = np.array(names, dtype=h5py.string_dtype())
    h5["/dataset/target_names"] = np.array(["omega2_mean"], dtype=h5py.string_dtype())
    h5["/dataset/sample_names"] = np.array(["s%d" % k for k in range(12)], dtype=h5py.string_dtype())
    h5["/dataset/structure/dim"], h5["/dataset/structure/density"], h5["/dataset/structure/natoms"] = 3.0, 0.06, 500.0
    h5["/dataset/structure/type_fraction"] = np.array([0.64, 0.36])
    h5["/dataset/structure/type_names"] = np.array(["Cu", "Zr"], dtype=h5py.string_dtype())

failed = False
for potential, options, kernel in (("eam/fs", mb.potential_options("eam/fs", "CuZr_mm.eam.fs", ["Cu", "Zr"]), False),
                                   ("lj/cut", ["-lj_sigma", "2.5", "-lj_cutoff_sigma", "2.0"], True)):
    if os.path.exists("model.h5"):
        os.remove("model.h5")
    out = mb.run(mb.mpirun(2) + [os.environ["VITRUM"], "fit", "-data", "dataset.h5", "-o", "model.h5", "-potential", potential] + options)
    with h5py.File("model.h5", "r") as h5:
        has_kernel = "/model/kernel" in h5
    said = "no exact kernels for -potential %s" % potential in out.stdout
    ok = has_kernel == kernel and said != kernel
    failed |= not ok
    print("%-6s -potential %s: model written, kernel %s%s" % ("ok" if ok else "FAILED", potential, "written" if has_kernel else "not written",
                                                             ", noted on stdout" if said else ""))
sys.exit(1 if failed else 0)
