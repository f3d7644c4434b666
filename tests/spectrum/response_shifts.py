"""vitrum response's strain shifts and degenerate multiplets against finite differences of LAPACK
eigenvalues. The strain derivative is the analytic one of the sample's branch: with a pair placed
5e-5 below its cutoff (where the shifted LJ phi'' jumps) it equals differences at a step that does
not carry the pair across (1e-7), not those at 1e-4 (the former default step, which does); the same
for an EAM potential (tables LAMMPS's spline reproduces exactly) and, by central differences checked
at two steps, for Tersoff. Degenerate multiplets (an fcc crystal): the eigenvalues of E^T dH E =
numpy's sorted perturbed eigenvalues, the same on 1 and 2 ranks, for strain, a mass and eps_12."""
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

d, nev = 3, 8


def near_cutoff(src, dst, gap=5e-5):
    """Copy of src with the pair closest below its KA cutoff (2.5 sigma_ab) moved to rc (1 - gap):
    a strain of gap carries it across, where the shifted LJ phi'' jumps from phi''(rc) to 0."""
    s = sl.read_data(src)
    N, L = len(s["types"]), np.diag(s["cell"])
    sig = np.array([[1.0, 0.8], [0.8, 0.88]])
    t = s["types"] - 1
    best = (np.inf, 0, 0, None)
    for i in range(N):
        r = s["pos"] - s["pos"][i]
        r -= L * np.round(r / L)
        dist = np.linalg.norm(r, axis=1)
        rc = 2.5 * sig[t[i], t]
        below = np.where((dist < rc) & (np.arange(N) > i))[0]
        if len(below):
            j = below[np.argmin(rc[below] - dist[below])]
            if rc[j] - dist[j] < best[0]:
                best = (rc[j] - dist[j], i, j, r[j])
    gap0, i, j, r = best
    rc = np.linalg.norm(r) + gap0
    pos = s["pos"].copy()
    pos[j] += r / np.linalg.norm(r) * (rc * (1 - gap) - np.linalg.norm(r))
    vt.write_lammps_data(dst, s["cell"], s["lo"], s["types"], pos, s["masses"])
    return gap0


# Strain: the pair placed near its cutoff crosses it at a strain of 5e-5. The default run gives the
# derivative of the branch the sample sits on = differences at 1e-7; those at 1e-4 include the jump.
gap0 = near_cutoff(sl.make_ka_glass("ka216.data"), "near.data")
ev0 = np.linalg.eigvalsh(sl.hessian_dense("near.data"))[d:d + nev + 1]
nondeg = sl.nondegenerate(ev0, nev)
vt.check(len(nondeg) >= 4, "%d non-degenerate modes among the lowest %d" % (len(nondeg), nev))
vt.check(gap0 < 1e-2, "the pair closest to its cutoff was %.1e below it (moved to 5e-5)" % gap0)
for strain, (a, b) in (("iso", (-1, -1)), ("xy", (0, 1))):
    p = vt.run(["response", "-sample", "near.data", "-potential", "ka3d", "-response_nev", nev, "-response_dipole_pairs", 0, "-hessian_ftol", 1, "-response_strain", strain, "-response_masses", 0, "-o", "st.h5"], 2)
    got = sl.read("st.h5", "/response/strain/dlambda")
    ref = sl.fd_shifts(lambda sign: sl.write_deformed("near.data", "st%+d.data" % sign, strain=(a, b, sign * 1e-7)), lambda sign: (), 1e-7, nev)
    sl.check_shifts("strain %s, a pair 5e-5 below its cutoff" % strain, got, ref, nondeg)
    vt.check(not any(w in p.stdout for w in ("warning", "-response_strain_step")), "strain %s: no warning, no note on the step" % strain)
    if strain == "iso":
        old = sl.fd_shifts(lambda sign: sl.write_deformed("near.data", "st%+d.data" % sign, strain=(a, b, sign * 1e-4)), lambda sign: (), 1e-4, nev)
        jump = np.max(np.abs(old[nondeg] - ref[nondeg]) / np.abs(ref[nondeg]).max())
        vt.check(jump > 1e-3, "differences at the former step 1e-4 carry the pair across the cutoff: off by %.1e" % jump)
        lam = sl.read("st.h5", "/response/modes/eigenvalues")
        g = sl.read("st.h5", "/response/strain/gruneisen")
        vt.check(np.allclose(g, -got / (2 * d * lam), rtol=1e-12), "mode Grueneisen parameters -dlambda/deps / (2 d lambda)")
        vt.check(not sl.read("st.h5", "/response/strain/unreliable").any(), "no mode flagged (analytic)")

# Degenerate multiplets: an fcc crystal whose two species (the atoms below and above z = L/4) are
# alike, so that its two 12-fold multiplets at the bottom are exact and a strain xy, the mass of
# species 2 or eps_12 split them. First order: the eigenvalues of E^T dH E within each = one-sided
# differences of numpy's sorted eigenvalues (h = 1e-7), whatever basis the solver returned: the
# same on 1 and 2 ranks.
sl.make_fcc("fcc1.data")
c = sl.read_data("fcc1.data")
two = np.where(c["pos"][:, 2] < c["cell"][2, 2] / 4, 2, 1)
vt.write_lammps_data("fcc.data", c["cell"], c["lo"], two, c["pos"], [1.0, 1.0])
fcc, hf = sl.FCC_POTENTIAL, 1e-7


eps12 = lambda v: ["-lj_epsilon", "1,%.17g,1" % v]
# lambda(0), the same for the three perturbations (a strain, a mass or an eps_12 of 0 leaves fcc.data
# and eps_12 = 1 as they are): computed once
lam0 = np.linalg.eigvalsh(sl.hessian_dense("fcc.data", eps12(1), potential=fcc))[d:d + 24]


def sorted_shift(make, extra):
    """(lambda(h) - lambda(0)) / h of the sorted eigenvalues 3..26 (the two multiplets)."""
    return (np.linalg.eigvalsh(sl.hessian_dense(make(hf), list(extra(hf)), potential=fcc))[d:d + 24] - lam0) / hf


ref = {"strain": sorted_shift(lambda x: sl.write_deformed("fcc.data", "fcc_s.data", strain=(0, 1, x)), lambda x: eps12(1)),
       "mass": sorted_shift(lambda x: sl.write_deformed("fcc.data", "fcc_m.data", masses=[1.0, 1.0 + x]), lambda x: eps12(1)),
       "param": sorted_shift(lambda x: "fcc.data", lambda x: eps12(1 + x))}
got = {}
for n in (1, 2):
    vt.run(["response", "-sample", "fcc.data"] + fcc + eps12(1) + ["-response_nev", 20, "-response_strain", "xy", "-response_param", "lj_epsilon", "-response_param_index", 1, "-response_dipole_pairs", 0, "-o", "fcc%d.h5" % n], n)
    lam = sl.read("fcc%d.h5" % n, "/response/modes/eigenvalues")
    vt.check(len(lam) == 24 and np.array_equal(sl.read("fcc%d.h5" % n, "/response/modes/multiplet"), np.repeat([0, 1], 12)), "fcc, %d rank(s): -response_nev 20 gives the 24 modes of two 12-fold multiplets" % n)
    got[n] = {"strain": sl.read("fcc%d.h5" % n, "/response/strain/dlambda"), "mass": sl.read("fcc%d.h5" % n, "/response/mass/dlambda")[1], "param": sl.read("fcc%d.h5" % n, "/response/param/dlambda")}
    for key in ref:
        err = np.max(np.abs(got[n][key] - ref[key])) / np.max(np.abs(ref[key]))
        split = max(np.ptp(ref[key][:12]), np.ptp(ref[key][12:])) / np.max(np.abs(ref[key]))
        vt.check(err < 1e-4 and split > 0.1, "fcc, %d rank(s), %s: the split multiplets = numpy's sorted eigenvalue shifts (max rel. %.1e; split %.2f of the largest)" % (n, key, err, split))
for key in ref:
    err = np.max(np.abs(got[2][key] - got[1][key])) / np.max(np.abs(got[1][key]))
    vt.check(err < 1e-7, "fcc, %s: the same on 1 and 2 ranks to the eigensolver's accuracy (max rel. %.1e)" % (key, err))

# EAM: tables of polynomials (cubic in r, C2 at the cutoff; F cubic in rho) that LAMMPS's spline
# reproduces exactly, so that differences of H are smooth; a Cu-Zr fcc alloy relaxed by vitrum.
rc, nr, nrho, drho = 4.6, 3000, 3000, 0.005
dr, rr, rho = 1.25 * rc / (nr - 1), np.arange(nr) * 1.25 * rc / (nr - 1), np.arange(nrho) * drho
cube = np.where(rr < rc, (rc - rr) / rc, 0.0) ** 3
block = lambda v: "\n".join(" ".join("%.17g" % x for x in v[k:k + 5]) for k in range(0, len(v), 5)) + "\n"
with open("poly.eam.fs", "w") as f:
    f.write("polynomial eam/fs test tables\n#\n#\n2 Cu Zr\n%d %.17g %d %.17g %.17g\n" % (nrho, drho, nr, dr, rc))
    for a, mass in enumerate((63.546, 91.224)):
        f.write("%d %g 4.0 fcc\n" % (a + 1, mass) + block(-(1.0 + 0.3 * a) * rho + (0.05 + 0.02 * a) * rho ** 2 - 0.002 * rho ** 3))
        for b in range(2):
            f.write(block((3.0 + 0.5 * a + 0.3 * b) * cube))
    for a in range(2):
        for b in range(a + 1):
            f.write(block((1.5 + 0.2 * (a + b)) * rc * cube))
fcc_basis = np.array([[0, 0, 0], [0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
lattice = lambda n, basis: (np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float)[:, None, :] + basis[None]).reshape(-1, 3)
rng = np.random.default_rng(7)
x = (lattice(3, fcc_basis) * 3.6 + rng.normal(scale=0.02, size=(108, 3))) % 10.8
vt.write_lammps_data("cuzr_u.data", np.diag([10.8] * 3), (0, 0, 0), rng.choice([1, 2], size=108, p=[0.6, 0.4]), x, [63.546, 91.224])
eam = ("-potential", "eam/fs", "-potential_file", "poly.eam.fs", "-potential_elements", "Cu,Zr")
vt.run(["minimize", "-sample", "cuzr_u.data"] + list(eam) + ["-o", "cuzr.data"])
ev0 = np.linalg.eigvalsh(sl.hessian_dense("cuzr.data", potential=eam))[d:d + nev + 1]
idx = sl.nondegenerate(ev0, nev)
for strain, (a, b) in (("iso", (-1, -1)), ("xy", (0, 1))):
    vt.run(["response", "-sample", "cuzr.data"] + list(eam) + ["-response_nev", nev, "-response_strain", strain, "-response_dipole_pairs", 0, "-o", "eam.h5"], 2)
    ref = sl.fd_shifts(lambda sign: sl.write_deformed("cuzr.data", "eam%+d.data" % sign, strain=(a, b, sign * 1e-6)), lambda sign: (), 1e-6, nev, eam)
    sl.check_shifts("EAM, strain " + strain, sl.read("eam.h5", "/response/strain/dlambda"), ref, idx)

# Tersoff (no analytic dH/deps): central differences at -response_strain_step, checked at twice it;
# a diamond Si crystal with two masses (no degeneracy), no distance near a kink of the cutoff function
x = lattice(2, np.vstack([fcc_basis, fcc_basis + .25])) * 5.431
vt.write_lammps_data("si.data", np.diag([2 * 5.431] * 3), (0, 0, 0), np.random.default_rng(5).choice([1, 2], size=64), x, [28.0855, 40.0])
ters = ("-potential", "tersoff", "-potential_file", "Si.tersoff", "-potential_elements", "Si,Si")
ev0 = np.linalg.eigvalsh(sl.hessian_dense("si.data", potential=ters))[d:d + nev + 1]
idx = sl.nondegenerate(ev0, nev)
for strain, (a, b) in (("iso", (-1, -1)), ("xy", (0, 1))):
    vt.run(["response", "-sample", "si.data"] + list(ters) + ["-response_nev", nev, "-response_strain", strain, "-response_dipole_pairs", 0, "-o", "ters.h5"], 2)
    ref = sl.fd_shifts(lambda sign: sl.write_deformed("si.data", "ters%+d.data" % sign, strain=(a, b, sign * 1e-6)), lambda sign: (), 1e-6, nev, ters)
    sl.check_shifts("Tersoff, strain %s (central differences)" % strain, sl.read("ters.h5", "/response/strain/dlambda"), ref, idx, 1e-4)
    attr = sl.h5py.File("ters.h5", "r")["/response/strain/dlambda"].attrs["derivative"]
    vt.check(not sl.read("ters.h5", "/response/strain/unreliable").any() and (attr.decode() if isinstance(attr, bytes) else attr) == "central difference", "Tersoff, strain %s: recorded as central differences, no mode flagged" % strain)
