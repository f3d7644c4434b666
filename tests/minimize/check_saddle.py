"""vitrum minimize from a saddle point (docs/potentials.md#minimize): a flat sheet has zero forces but
negative out-of-plane curvatures. Cases (argument):
  lj:      a 2D Kob-Andersen inherent structure put flat (z = const) in a 3D box with vacuum, ka2d;
  tersoff: graphene compressed 2% in-plane (Tersoff, Debian's BNC.tersoff);
  fcc:     a perfect Lennard-Jones fcc crystal under tension (108 atoms, nearest neighbours at 1.26
           sigma): zero forces, 83 negative eigenvalues, where twolevel declines and chebyshev
           computes the first check (its filter overflowed there: LAPACK syev failed, internal error);
on 1 and 2 ranks. Checked independently:
  * the checks run twolevel, or chebyshev where twolevel declines (both samples have more than
    300 degrees of freedom, so not dense LAPACK);
  * before: the lowest non-translation eigenvalue of the dense Hessian (numpy eigvalsh; LJ: a numpy
    Hessian from the positions, Tersoff: the matrix of `vitrum hessian`, itself tested against finite
    differences) is negative, and equals the first curvature vitrum reports (/minimize/lowest_curvature[0]);
  * after: the lowest one of the written sample is >= -1e-6 x the mean curvature, the energy (LAMMPS)
    decreased, LAMMPS's largest force is at the tolerance, and /minimize/saddle_escapes >= 1;
  * an already-stable sample (the 2D glass itself; graphene stretched 0.3%; the fcc crystal at
    density 1.2) is unchanged: 0 escapes,
    positions equal to round-off; for graphene its curvature check (twolevel) finds the dense lowest
    curvature;
  * -minimize_saddle_escapes 0 restores the old behaviour (0 iterations, no check, no curvature data);
  * a saddle left in place (-minimize_saddle_escapes 1 with a step too small to move) gives the
    SADDLE warning and ends_on = "saddle"; bad option values are one-line errors."""
import os
import re
import subprocess
import sys

import h5py
import numpy as np
import scipy.linalg

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "potential"))
import vitref as vr  # noqa: E402

case = sys.argv[1]
TERSOFF = "/usr/share/lammps/potentials/BNC.tersoff"
ok = True
tol = 1e-6


def graphene(a, nx, ny, lz, path):
    """Flat graphene (rectangular 4-atom cell a x sqrt(3) a, bond a/sqrt(3)) at z = lz/2."""
    b = a / np.sqrt(3)
    basis = np.array([[0, 0], [a / 2, b / 2], [a / 2, 1.5 * b], [0, 2 * b]])
    xy = np.array([p + [i * a, j * 3 * b] for i in range(nx) for j in range(ny) for p in basis])
    with open(path, "w") as f:
        f.write("graphene\n\n%d atoms\n1 atom types\n\n0 %.17g xlo xhi\n0 %.17g ylo yhi\n0 %.17g zlo zhi\n\n" % (len(xy), nx * a, ny * 3 * b, lz))
        f.write("Masses\n\n1 12.011 # C\n\nAtoms # atomic\n\n")
        for i, p in enumerate(xy):
            f.write("%d 1 %.17g %.17g %.17g\n" % (i + 1, p[0], p[1], lz / 2))


def cell_of(lo, hi):
    return np.diag([hi[a] - lo[a] for a in "xyz"])


def lowest_projected(H, dim):
    """Lowest eigenvalue of H on the complement of the d translations, and the mean diagonal."""
    n = H.shape[0] // dim
    T = np.zeros((H.shape[0], dim))
    for a in range(dim):
        T[a::dim, a] = 1 / np.sqrt(n)
    Q = scipy.linalg.null_space(T.T)
    return np.linalg.eigvalsh(Q.T @ H @ Q)[0], np.trace(H) / H.shape[0]


def lammps_tersoff(data):
    """LAMMPS total energy (eV) and largest force of a carbon data file with BNC.tersoff."""
    with open("in.tersoff", "w") as f:
        f.write("units metal\natom_style atomic\nboundary p p p\nread_data %s\npair_style tersoff\n" % data)
        f.write("pair_coeff * * %s C\ncompute f all property/atom fx fy fz\nvariable fm atom sqrt(fx*fx+fy*fy+fz*fz)\n" % TERSOFF)
        f.write("compute fmax all reduce max v_fm\nthermo_style custom step pe c_fmax\nthermo_modify format float %.17g\nrun 0\n")
    subprocess.run(["lmp", "-in", "in.tersoff", "-log", "log.tersoff", "-screen", "none"], check=True)
    log = open("log.tersoff").read().splitlines()
    k = max(i for i, ln in enumerate(log) if ln.split()[:2] == ["Step", "PotEng"])
    v = [float(t) for t in log[k + 1].split()]
    return v[1], v[2]


if case == "lj":
    cell2, x2, types2 = vr.lattice_sample((12, 7), 2, 1.2, 0.1, 0.65, seed=6)
    vr.write_data("s2d.data", cell2, x2, types2)
    vr.vitrum("minimize", ["-sample", "s2d.data", "-potential", "ka2d", "-o", "glass2d.data", "-minimize_saddle_escapes", 0])
    text = open("glass2d.data").read()
    open("flat.data", "w").write(text.replace("-0.5 0.5 zlo zhi", "-15 15 zlo zhi"))  # z = 0 in a 30 sigma box
    stable, potential = "glass2d.data", ["-potential", "ka2d"]
    eps, sig = np.array(vr.KA["eps"]), np.array(vr.KA["sig"])
    rc = 2.5 * sig
    coeffs = [(a + 1, b + 1, eps[a, b], sig[a, b], rc[a, b]) for a in range(2) for b in range(a, 2)]

    def hessian(data):
        ids, types, x, lo, hi, _ = vr.read_data(data)
        return vr.lj_hessian_numpy(x, types, cell_of(lo, hi), eps, sig, rc, shift=True), 3

    def energy_force(data):
        ref = vr.lammps(data, 3, coeffs, rc.max(), True)
        return ref["total"], np.linalg.norm(ref["force"], axis=1).max()
elif case == "fcc":
    eps, sig, rc = np.ones((1, 1)), np.ones((1, 1)), np.full((1, 1), 2.5)
    for path, density in (("flat.data", 4 / (1.26 * np.sqrt(2)) ** 3), ("stable.data", 1.2)):
        cell, x, types = vr.lattice_sample((3, 3, 3), 3, density, 0.0, 1.0, seed=1)
        vr.write_data(path, cell, x, types, masses=(1.0,))
    stable, potential = "stable.data", ["-potential", "lj", "-potential_shift"]

    def hessian(data):  # every periodic image: the stable crystal's box is narrower than 2 rc
        ids, types, x, lo, hi, _ = vr.read_data(data)
        return vr.lj_images(x, types, cell_of(lo, hi), eps, sig, rc, shift=True)[3], 3

    def energy_force(data):
        ref = vr.lammps(data, 3, [(1, 1, 1.0, 1.0, 2.5)], 2.5, True)
        return ref["total"], np.linalg.norm(ref["force"], axis=1).max()
else:
    graphene(2.44, 8, 5, 20.0, "flat.data")    # 2% below the equilibrium a = 2.49 A: buckles
    graphene(2.50, 8, 5, 20.0, "stable.data")  # slightly stretched: a minimum
    stable, potential = "stable.data", ["-potential", "tersoff", "-potential_file", TERSOFF, "-potential_elements", "C"]

    def hessian(data):
        vr.vitrum("hessian", ["-sample", data, "-mass_weighted", 0, "-o", "h.h5"] + potential)
        return vr.read_csr("h.h5").toarray(), 3

    energy_force = lammps_tersoff

lam0, scale0 = lowest_projected(*hessian("flat.data"))
e_before, _ = energy_force("flat.data")
ok &= vr.check(lam0 < -1e-3 * scale0, "%s: the starting sample (flat.data) is a saddle: lowest curvature %.6e (mean %.4e)" % (case, lam0, scale0))

for n in (1, 2):
    out = "relaxed%d.h5" % n
    _, text = vr.vitrum("minimize", ["-sample", "flat.data", "-o", out] + potential, n)
    print(text)
    with h5py.File(out, "r") as f:
        m = f["minimize"]
        escapes, lowest = int(m["saddle_escapes"][()]), m["lowest_curvature"][...]
        ends_on = m["lowest_curvature"].attrs["ends_on"]
        ends_on = ends_on.decode() if isinstance(ends_on, bytes) else ends_on
    ok &= vr.check(abs(lowest[0] - lam0) <= 1e-6 * abs(lam0), "[%d ranks] first check = dense lowest curvature: %.10e vs %.10e" % (n, lowest[0], lam0))
    methods = re.findall(r"curvature check \d+: .*; (\w+), \d+ iterations\)", text)
    ok &= vr.check(len(methods) >= 2 and set(methods) <= {"twolevel", "chebyshev"},
                   "[%d ranks] the checks ran the block solvers (more than 300 degrees of freedom: not dense): %s" % (n, methods))
    ok &= vr.check(escapes >= 1 and "saddle escape 1" in text and ends_on == "minimum", "[%d ranks] %d escape(s), ends on a %s" % (n, escapes, ends_on))
    vr.vitrum("convert", ["-sample", out, "-o", "relaxed%d.data" % n])
    lam, scale = lowest_projected(*hessian("relaxed%d.data" % n))
    ok &= vr.check(lam >= -tol * scale, "[%d ranks] result: lowest non-translation eigenvalue (dense) %.3e >= -%g x mean %.4e" % (n, lam, tol, scale))
    e_after, fmax = energy_force("relaxed%d.data" % n)
    ok &= vr.check(e_after < e_before - 1e-6 * abs(e_before), "[%d ranks] energy decreased (LAMMPS): %.10f -> %.10f" % (n, e_before, e_after))
    ok &= vr.check(fmax < 1e-7, "[%d ranks] LAMMPS largest force on the result %.2e" % (n, fmax))

    # an already-stable sample is left alone
    _, text = vr.vitrum("minimize", ["-sample", stable, "-o", "same%d.h5" % n] + potential, n)
    with h5py.File("same%d.h5" % n, "r") as f:
        escapes, lowest = int(f["minimize/saddle_escapes"][()]), f["minimize/lowest_curvature"][...]
    if case == "tersoff":  # hessian() is the 3D one: the LJ case's stable sample is 2D; the fcc one is a minimum by symmetry
        lam_stable, _ = lowest_projected(*hessian(stable))
        ok &= vr.check(abs(lowest[0] - lam_stable) <= 1e-6 * abs(lam_stable) and "; twolevel, " in text,
                       "[%d ranks] stable sample: twolevel's lowest curvature = dense: %.10e vs %.10e" % (n, lowest[0], lam_stable))
    vr.vitrum("convert", ["-sample", "same%d.h5" % n, "-o", "same%d.data" % n])
    _, _, x_in, lo, hi, _ = vr.read_data(stable)
    L = np.array([hi[a] - lo[a] for a in "xyz"])
    dx = vr.read_data("same%d.data" % n)[2] - x_in
    moved = np.abs(dx - L * np.round(dx / L)).max()  # the writer goes through fractional coordinates
    ok &= vr.check(escapes == 0 and "saddle escape" not in text and "SADDLE" not in text and moved < 1e-12 * L.max(),
                   "[%d ranks] stable sample: 0 escapes (%d), positions unchanged (largest move %.1e)" % (n, escapes, moved))

# the check can be switched off: the old behaviour, 0 iterations on the flat sheet
_, text = vr.vitrum("minimize", ["-sample", "flat.data", "-o", "off.h5", "-minimize_saddle_escapes", 0] + potential, 2)
with h5py.File("off.h5", "r") as f:
    has_curvature = "minimize/lowest_curvature" in f
    escapes = int(f["minimize/saddle_escapes"][()])
ok &= vr.check("0 TAO + 0 FIRE" in text and "curvature check" not in text and not has_curvature and escapes == 0,
               "-minimize_saddle_escapes 0: no check, no curvature data, 0 iterations")

# a saddle that is left in place is reported
_, text = vr.vitrum("minimize", ["-sample", "flat.data", "-o", "left.h5", "-minimize_saddle_escapes", 1, "-minimize_saddle_step", 1e-13] + potential, 2)
with h5py.File("left.h5", "r") as f:
    ends_on = f["minimize/lowest_curvature"].attrs["ends_on"]
    ends_on = ends_on.decode() if isinstance(ends_on, bytes) else ends_on
ok &= vr.check("SADDLE" in text and ends_on == "saddle", "a saddle left in place: SADDLE warning, ends_on = saddle")

# bad values: one line naming the option, exit status 1, nothing written
for option, value in (("-minimize_saddle_step", 0), ("-minimize_saddle_escapes", -1), ("-minimize_saddle_nev", 0), ("-minimize_saddle_tol", "nan")):
    rc, text = vr.vitrum("minimize", ["-sample", "flat.data", "-o", "bad.h5", option, value] + potential, 1, expect_fail=True)
    errors = [ln for ln in text.splitlines() if "vitrum: error" in ln]
    ok &= vr.check(rc == 1 and len(errors) == 1 and option in errors[0] and not os.path.exists("bad.h5"), "%s %s: %s" % (option, value, errors))
sys.exit(0 if ok else 1)
