"""Boxes narrower than twice the cutoff (allowed, as in LAMMPS): every periodic image within the cutoff
interacts, several images of one neighbour add into one Hessian block, and an atom's own images add a
constant to its energy and nothing to its forces or H.

Cases (3D KA on an fcc lattice with noise, ka3d, rc = 2.5): 'between' 32 atoms in a box of 2.99
(between rc and 2 rc), 'below' 4 atoms in a box of 1.49 (below rc: up to four images of a neighbour
per direction), 'tilted' 32 atoms in a box tilted by 0.1. Checks, on 1 and 2 ranks:
  * vitrum energy against LAMMPS (energy per atom 1e-10 relative, forces 1e-8) and against a numpy
    sum over all images (vitref.lj_images), virial 1e-10;
  * vitrum hessian (baij on 1 and 2 ranks, sbaij on 2) against the numpy image sum (1e-12),
    bitwise the same on 1 and 2 ranks, symmetric to round-off (1e-15: images of one neighbour add in
    different orders for H_ij and H_ji), the acoustic sum rule;
  * the shell Hessian's product and diagonal against baij (tests/hessian/shell_mult.c, argv[2]);
  * vitrum minimize: LAMMPS finds the relaxed sample's forces below 10 x ftol; its curvature check
    of the minimum solves the tiny Hessian densely ('below': 12 degrees of freedom, too few for
    LOBPCG's block, which used to stop with an internal error);
  * 'below', on the relaxed sample: `spectrum` and `response` with their defaults (20 and 10 modes)
    compute all 9 non-zero modes with a note, by dense LAPACK (recorded), equal to numpy's
    eigenvalues of the Hessian (1e-12); an explicit -spectrum_nev 20 is one error line;
  * 'below', one atom (no mode but the translations): minimize writes it unchanged with a note and
    no curvature check, spectrum and response refuse in one line and write nothing."""
import subprocess
import sys

import h5py
import numpy as np

import vitref as vr

case, shell_exe = sys.argv[1], sys.argv[2]
ok = True
eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
rc = 2.5 * sig
cells = {"between": (2, 0.0), "below": (1, 0.0), "tilted": (2, 0.1)}
n_side, tilt = cells[case]
cell, x, types = vr.lattice_sample((n_side,) * 3, 3, 1.2, 0.1, 0.7, seed=21, tilt=tilt)
vr.write_data("sample.data", cell, x, types)
print("%s: %d atoms, box widths %s, cutoff 2.5" % (case, len(x), " ".join("%.3f" % w for w in np.diag(cell))))
e_ref, f_ref, w_ref, H_ref = vr.lj_images(x, types, cell, eps, sig, rc, shift=True)

# energy and forces: LAMMPS and the numpy image sum
coeffs = [(a + 1, b + 1, eps[a, b], sig[a, b], rc[a, b]) for a in range(2) for b in range(a, 2)]
lmp = vr.lammps("sample.data", 3, coeffs, rc.max(), True)
ok &= vr.check(np.abs(lmp["energy"] - e_ref).max() < 1e-10 * np.abs(e_ref).max(), "numpy image sum = LAMMPS energies (the reference is right)")
for nranks in (1, 2):
    vr.vitrum("energy", ["-sample", "sample.data", "-potential", "ka3d", "-o", "e%d.h5" % nranks], nranks)
    with h5py.File("e%d.h5" % nranks, "r") as f:
        e, F, virial = f["/energy/per_atom"][...], f["/forces"][...], f["/energy/virial"][...]
    ok &= vr.check(np.abs(e - lmp["energy"]).max() < 1e-10 * np.abs(e_ref).max(), "%d ranks: energy per atom = LAMMPS (%.1e)" % (nranks, np.abs(e - lmp["energy"]).max()))
    ok &= vr.check(np.abs(F - lmp["force"]).max() < 1e-8, "%d ranks: forces = LAMMPS (%.1e)" % (nranks, np.abs(F - lmp["force"]).max()))
    ok &= vr.check(np.abs(F - f_ref).max() < 1e-8, "%d ranks: forces = numpy image sum (%.1e)" % (nranks, np.abs(F - f_ref).max()))
    w6 = np.array([w_ref[0, 0], w_ref[1, 1], w_ref[2, 2], w_ref[0, 1], w_ref[0, 2], w_ref[1, 2]])
    ok &= vr.check(np.abs(virial - w6).max() < 1e-10 * np.abs(w6).max(), "%d ranks: virial = numpy image sum (%.1e)" % (nranks, np.abs(virial - w6).max()))

# the Hessian
scale = np.abs(H_ref).max()
H = {}
for nranks, mattype in ((1, "baij"), (2, "baij"), (2, "sbaij")):
    vr.vitrum("hessian", ["-sample", "sample.data", "-potential", "ka3d", "-hessian_type", mattype, "-o", "h.h5"], nranks)
    H[nranks, mattype] = vr.read_csr("h.h5").toarray()
    err = np.abs(H[nranks, mattype] - H_ref).max() / scale
    ok &= vr.check(err < 1e-12, "hessian %s on %d ranks = numpy image sum (%.1e)" % (mattype, nranks, err))
H1 = H[1, "baij"]
ok &= vr.check(np.array_equal(H[2, "baij"], H1), "hessian bitwise the same on 1 and 2 ranks")
asym = np.abs(H1 - H1.T).max() / scale
ok &= vr.check(asym <= 1e-15, "symmetric to round-off (%.1e)" % asym)
rule = max(np.abs(H1 @ np.tile(np.eye(3)[a], len(x))).max() for a in range(3)) / scale
ok &= vr.check(rule < 1e-12, "acoustic sum rule (%.1e)" % rule)
mpirun = vr.os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
for nranks in (1, 2):
    out = subprocess.run(mpirun + ["-n", str(nranks), shell_exe, "-sample", "sample.data", "-potential", "ka3d"], capture_output=True, text=True)
    print(out.stdout + out.stderr)
    ok &= vr.check(out.returncode == 0, "shell Hessian product and diagonal = baij on %d ranks" % nranks)

ftol = 1e-9
_, text = vr.vitrum("minimize", ["-sample", "sample.data", "-potential", "ka3d", "-minimize_ftol", ftol, "-o", "relaxed.data"], 2)
after = vr.lammps("relaxed.data", 3, coeffs, rc.max(), True)
fmax = np.linalg.norm(after["force"], axis=1).max()
ok &= vr.check(fmax < 10 * ftol, "minimize: LAMMPS max force on the relaxed sample %.1e (< 10 x ftol)" % fmax)
ok &= vr.check(after["total"] < lmp["total"], "minimize: energy decreased %.10g -> %.10g" % (lmp["total"], after["total"]))
ok &= vr.check(("dense," if 3 * len(x) <= 300 else "LOBPCG,") in text, "minimize: the curvature check's solver is named")

if case == "below":
    vr.vitrum("hessian", ["-sample", "relaxed.data", "-potential", "ka3d", "-o", "hr.h5"], 1)
    w = np.linalg.eigvalsh(vr.read_csr("hr.h5").toarray())[3:]  # masses 1: H is the dynamical matrix
    for cmd, group in (("spectrum", "/spectrum/modes/eigenvalues"), ("response", "/response/modes/eigenvalues")):
        for nranks in (1, 2):
            _, text = vr.vitrum(cmd, ["-sample", "relaxed.data", "-potential", "ka3d", "-o", "%s.h5" % cmd], nranks)
            with h5py.File("%s.h5" % cmd, "r") as f:
                lam, method = f[group][...], f[group].attrs.get("method", b"").decode()
            err = np.abs(lam - w).max() / w.max() if len(lam) == len(w) else np.inf
            ok &= vr.check("9 non-zero modes" in text and method == "dense" and err < 1e-12,
                           "%s defaults on %d ranks: the note, all %d modes by dense LAPACK = numpy (%.1e)" % (cmd, nranks, len(lam), err))
    rc_, text = vr.vitrum("spectrum", ["-sample", "relaxed.data", "-potential", "ka3d", "-spectrum_nev", 20, "-o", "bad.h5"], 1, expect_fail=True)
    errors = [l for l in text.splitlines() if l.startswith("vitrum: error:")]
    ok &= vr.check(rc_ == 1 and len(errors) == 1 and "-spectrum_nev 20" in errors[0], "-spectrum_nev 20 given: %s" % errors)
    # One atom (its own images within the cutoff): no mode but the 3 translations. minimize writes it
    # unchanged with a note and no curvature check; spectrum and response refuse in one line. All
    # three ended in "-spectrum_nev 0: must lie in [1, 0]", an option never given.
    vr.write_data("one.data", np.diag([1.49] * 3), np.array([[0.3, 0.4, 0.5]]), np.zeros(1, int), masses=(1.0,))
    for nranks in (1, 2):
        _, text = vr.vitrum("minimize", ["-sample", "one.data", "-potential", "lj", "-o", "one%d.h5" % nranks], nranks)
        vr.vitrum("convert", ["-sample", "one%d.h5" % nranks, "-o", "one%d.data" % nranks])
        moved = np.abs(vr.read_data("one%d.data" % nranks)[2] - [[0.3, 0.4, 0.5]]).max()
        with h5py.File("one%d.h5" % nranks, "r") as f:
            checked = "minimize/lowest_curvature" in f
        ok &= vr.check("1 atom has no vibrational modes" in text and "no curvature check" in text and "error" not in text and not checked and moved < 1e-15,
                       "one atom, minimize on %d ranks: a note, no curvature check, written unchanged (moved %.1e)" % (nranks, moved))
        for cmd in ("spectrum", "response"):
            rc_, text = vr.vitrum(cmd, ["-sample", "one.data", "-potential", "lj", "-o", "one_%s.h5" % cmd], nranks, expect_fail=True)
            errors = [l for l in text.splitlines() if "error" in l]
            ok &= vr.check(rc_ == 1 and len(errors) == 1 and errors[0].startswith("vitrum: error: one.data: 1 atom has no vibrational modes") and not vr.os.path.exists("one_%s.h5" % cmd),
                           "one atom, %s on %d ranks: one error line, no output: %s" % (cmd, nranks, errors))
sys.exit(0 if ok else 1)
