"""vitrum energy against LAMMPS (lj/cut on the same data file) and a dense numpy evaluation.

Cases: ka3d (shifted KA, 3D, 2 ranks), ka2d (2D, 2 ranks), lj3 (three species with per-pair
epsilon/sigma/cutoff given as options, no shift, tilted box, 3 ranks), smooth (smoothed KA against
numpy only: LAMMPS has no such pair style; 2 ranks). Tolerances: energy per atom 1e-10 relative,
forces 1e-8 absolute, total energy and pressure 1e-10 relative."""
import sys

import h5py
import numpy as np

import vitref as vr

case = sys.argv[1]
ok = True
if case in ("ka3d", "smooth"):
    cell, x, types = vr.lattice_sample((4, 4, 4), 3, 1.2, 0.1, 0.8, seed=1)
    eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
    rc = 2.5 * sig
    args = ["-potential", "ka3d"] + (["-potential_smooth"] if case == "smooth" else [])
    shift, smooth, nranks = True, case == "smooth", 2
elif case == "ka2d":
    cell, x, types = vr.lattice_sample((12, 7), 2, 1.2, 0.08, 0.65, seed=2)
    eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
    rc = 2.5 * sig
    args, shift, smooth, nranks = ["-potential", "ka2d"], True, False, 2
elif case == "lj3":
    cell, x, _ = vr.lattice_sample((4, 4, 4), 3, 1.0, 0.1, 0.5, seed=3, tilt=0.1)
    types = np.random.default_rng(3).integers(0, 3, len(x))
    pe, ps, pr = [1.0, 1.2, 0.7, 0.9, 1.1, 0.6], [1.0, 0.9, 1.05, 0.95, 1.1, 1.0], [2.5, 2.2, 2.6, 2.4, 2.45, 2.3]
    full = lambda v: np.array([[v[0], v[1], v[2]], [v[1], v[3], v[4]], [v[2], v[4], v[5]]])
    eps, sig, rc = full(pe), full(ps), full(pr)
    join = lambda v: ",".join(str(t) for t in v)
    args = ["-potential", "lj", "-lj_epsilon", join(pe), "-lj_sigma", join(ps), "-lj_cutoff", join(pr)]
    shift, smooth, nranks = False, False, 3
else:
    sys.exit("unknown case " + case)

ntypes = eps.shape[0]
dim = cell.shape[0]
vr.write_data("sample.data", cell, x, types, masses=[1.0] * ntypes)
_, text = vr.vitrum("energy", ["-sample", "sample.data", "-o", "energy.h5"] + args, nranks)
print(text)
with h5py.File("energy.h5", "r") as f:
    e, F, total, press = f["/energy/per_atom"][...], f["/forces"][...], f["/energy/total"][()], f["/energy/pressure"][()]
    ok &= vr.check(f["/forces"].attrs["units"] is not None, "units attribute on /forces")

# numpy reference (always)
en, fn, wn = vr.lj_numpy(x, types, cell, eps, sig, rc, shift, smooth)
pn = np.trace(wn) / (dim * np.prod(np.diag(cell)))
ok &= vr.check(np.allclose(e, en, rtol=1e-10, atol=1e-12), "per-atom energy vs numpy: max diff %.2e" % np.abs(e - en).max())
ok &= vr.check(np.abs(F - fn).max() < 1e-8, "forces vs numpy: max diff %.2e" % np.abs(F - fn).max())
ok &= vr.check(abs(press - pn) <= 1e-10 * abs(pn), "pressure vs numpy: %.15g %.15g" % (press, pn))
ok &= vr.check(np.abs(F.sum(axis=0)).max() < 1e-10 * np.abs(F).max() * len(F), "forces sum to zero")

if not smooth:  # LAMMPS reference
    coeffs = [(a + 1, b + 1, eps[a, b], sig[a, b], rc[a, b]) for a in range(ntypes) for b in range(a, ntypes)]
    ref = vr.lammps("sample.data", dim, coeffs, rc.max(), shift)
    de = np.abs(e - ref["energy"])
    ok &= vr.check(np.all(de <= 1e-10 * np.abs(ref["energy"])), "per-atom energy vs LAMMPS: max rel diff %.2e" % (de / np.abs(ref["energy"])).max())
    ok &= vr.check(np.abs(F - ref["force"]).max() < 1e-8, "forces vs LAMMPS: max diff %.2e" % np.abs(F - ref["force"]).max())
    ok &= vr.check(abs(total - ref["total"]) <= 1e-10 * abs(ref["total"]), "total energy vs LAMMPS: %.15g %.15g" % (total, ref["total"]))
    ok &= vr.check(abs(press - ref["press"]) <= 1e-10 * abs(ref["press"]), "pressure vs LAMMPS: %.15g %.15g" % (press, ref["press"]))
else:  # phi, phi', phi'' of the smoothed potential vanish at rc (numpy solve), and energy is continuous
    for a in range(ntypes):
        for b in range(ntypes):
            r = np.array([rc[a, b] * (1 - 1e-9)])
            vals = vr.lj_terms(r, eps[a, b], sig[a, b], rc[a, b], smooth=True)
            ok &= vr.check(max(abs(v[0]) for v in vals) < 1e-6, "smoothed terms vanish at rc for pair %d-%d" % (a, b))
sys.exit(0 if ok else 1)
