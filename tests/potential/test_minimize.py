"""vitrum minimize: the relaxed sample has forces below the tolerance according to LAMMPS (run on the
written file), a lower energy, and (for the Hessian) exactly d zero eigenvalues, the rest positive
(dense numpy eigvalsh of the written matrix). Cases: tao3d (default TAO then FIRE, 3D KA, 2 ranks,
LAMMPS data output), fire2d (FIRE only, 2D KA, 3 ranks, H5MD output read back by vitrum energy).
Case ranks: a disordered 3D KA sample (an fcc lattice shaken by 0.2 of its spacing, far from any
minimum: domain rebuilds) relaxed on 1, 2 and 3 ranks, by TAO then FIRE and by FIRE alone, gives
bitwise the same data file (17 digits) on every rank count."""
import filecmp
import os
import sys

import h5py
import numpy as np

import vitref as vr

case = sys.argv[1]
ok = True
if case == "ranks":
    cell, x, types = vr.lattice_sample((4, 4, 4), 3, 1.2, 0.2, 0.8, seed=11)
    vr.write_data("glass.data", cell, x, types)
    for method in ("tao", "fire"):
        outs = []
        for n in (1, 2, 3):
            outs.append("%s%d.data" % (method, n))
            _, text = vr.vitrum("minimize", ["-sample", "glass.data", "-potential", "ka3d", "-minimize_type", method, "-minimize_saddle_escapes", 0, "-o", outs[-1]], n)
            print(text.strip().splitlines()[-2])
        for n, out in zip((2, 3), outs[1:]):
            ok &= vr.check(filecmp.cmp(outs[0], out, shallow=False), "-minimize_type %s: %s (%d ranks) is bitwise %s (1 rank)" % (method, out, n, outs[0]))
    sys.exit(0 if ok else 1)
dim = 3 if case == "tao3d" else 2
if dim == 3:
    cell, x, types = vr.lattice_sample((4, 4, 4), 3, 1.2, 0.15, 0.8, seed=5)
else:
    cell, x, types = vr.lattice_sample((12, 7), 2, 1.2, 0.1, 0.65, seed=6)
eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
rc = 2.5 * sig
vr.write_data("sample.data", cell, x, types)
coeffs = [(a + 1, b + 1, eps[a, b], sig[a, b], rc[a, b]) for a in range(2) for b in range(a, 2)]
ftol = 1e-9
out = "relaxed.data" if dim == 3 else "relaxed.h5"
args = ["-sample", "sample.data", "-potential", "ka%dd" % dim, "-minimize_ftol", ftol, "-o", out]
args += ["-minimize_type", "fire"] if case == "fire2d" else []
_, text = vr.vitrum("minimize", args, 2 if dim == 3 else 3)
print(text)
before = vr.lammps("sample.data", dim, coeffs, rc.max(), True)
if dim == 3:
    after = vr.lammps(out, dim, coeffs, rc.max(), True)
    fmax = np.linalg.norm(after["force"], axis=1).max()
    ok &= vr.check(fmax < 10 * ftol, "LAMMPS max force on the relaxed sample %.2e (< 10 x ftol; the file has 17 digits)" % fmax)
    energy = after["total"]
    ids, _, _, _, _, _ = vr.read_data(out)
    ok &= vr.check(np.array_equal(ids, np.arange(1, len(x) + 1)), "atom ids kept")
else:
    _, text = vr.vitrum("energy", ["-sample", out, "-potential", "ka2d", "-o", "e.h5"], 1)
    with h5py.File("e.h5", "r") as f:
        fmax = np.linalg.norm(f["/forces"][...], axis=1).max()
        energy = f["/energy/total"][()]
    ok &= vr.check(fmax <= ftol * 1.0001, "vitrum energy on the H5MD output: max force %.2e" % fmax)
ok &= vr.check(energy < before["total"], "energy decreased: %.10g -> %.10g" % (before["total"], energy))

# Hessian of the relaxed sample: no warning, d zero modes, the rest positive
_, text = vr.vitrum("hessian", ["-sample", out, "-potential", "ka%dd" % dim, "-o", "h.h5"], 2)
ok &= vr.check("not relaxed" not in text, "no 'not relaxed' warning for the relaxed sample")
H = vr.read_csr("h.h5").toarray()
w = np.linalg.eigvalsh(H)
zero = np.abs(w) < 1e-8 * w.max()
ok &= vr.check(zero.sum() == dim and np.all(w[~zero] > 0), "%d zero eigenvalues (%s), smallest non-zero %.3e" % (zero.sum(), ", ".join("%.1e" % v for v in w[zero]), w[~zero].min()))
_, text = vr.vitrum("hessian", ["-sample", "sample.data", "-potential", "ka%dd" % dim, "-o", "h0.h5"], 1)
ok &= vr.check("not relaxed" in text, "warning for the unrelaxed sample")
sys.exit(0 if ok else 1)
