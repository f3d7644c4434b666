"""vitrum response against finite differences of LAPACK eigenvalues: d lambda_n / dp for a potential
parameter (eps_AB) and a species mass, (lambda(p+h) - lambda(p-h)) / 2h to 1e-5 relative for
non-degenerate modes, without notes or warnings from the perturbed potentials; dipole stiffness
kappa = f^T K^+ f against a dense solve, the pairs named by the sample's atom ids (non-contiguous
ids). Where the defaults do not fit (MUMPS's factor above -spectrum_factor_max_memory, GAMG above
-response_precond_max_memory) or cannot run (a shell Hessian), the modes come from twolevel or
chebyshev and the dipoles from CG with (point-block) Jacobi, each with one note, and every dataset
equals the default run's. Option values out of range are one-line errors; on a dimer in a large box
the default dipole radius is capped at the ghost width and CG falls back from GAMG.
Strain shifts and degenerate multiplets: response_shifts.py."""
import os
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
s = sl.read_data(sample)
d, N, nev, h = 3, len(s["types"]), 8, 2e-5
L = np.diag(s["cell"])


ev0 = np.linalg.eigvalsh(sl.hessian_dense(sample))[d:d + nev + 1]
nondeg = sl.nondegenerate(ev0, nev)
vt.check(len(nondeg) >= 4, "%d non-degenerate modes among the lowest %d" % (len(nondeg), nev))

eps_ab = lambda v: ["-lj_epsilon", "1,%.17g,0.5" % v]
common = ["response", "-sample", sample, "-potential", "ka3d", "-response_nev", nev, "-response_dipole_pairs", 0, "-response_param_step", h]
p = vt.run(common + eps_ab(1.5) + ["-response_strain", "none", "-response_param", "lj_epsilon", "-response_param_index", 1, "-o", "pa.h5"], 2)
ref = sl.fd_shifts(lambda sign: sample, lambda sign: eps_ab(1.5 + sign * h), h, nev)
sl.check_shifts("eps_AB", sl.read("pa.h5", "/response/param/dlambda"), ref, nondeg)
ref = sl.fd_shifts(lambda sign: sl.write_deformed(sample, "m%+d.data" % sign, masses=[1.0, 2.0 + sign * h]), lambda sign: (), h, nev)
sl.check_shifts("mass of species 2", sl.read("pa.h5", "/response/mass/dlambda")[1], ref, nondeg)
# eps_AA, which the file's Pair Coeffs give too: the perturbed potentials say nothing about it (they
# warned "pair 1-1 has epsilon 1 in its Pair Coeffs, the options 1.00002" twice)
p = vt.run(common + eps_ab(1.5) + ["-response_strain", "none", "-response_param", "lj_epsilon", "-response_param_index", 0, "-o", "pa0.h5"], 2)
vt.check("warning" not in p.stdout and p.stdout.count("vitrum: note: Lennard-Jones") <= 1, "-response_param: no warnings or notes from the perturbed potentials (%s)" % p.stdout.splitlines())

# Dipole stiffness against a dense pseudo-inverse solve of the unweighted Hessian K
vt.run(["response", "-sample", sample, "-potential", "ka3d", "-response_nev", 0, "-response_dipole_pairs", 6, "-o", "di.h5"], 2)
K = sl.hessian_dense(sample, ["-mass_weighted", "0"])
Kp = np.linalg.pinv(K, rcond=1e-10)
kappa = sl.read("di.h5", "/response/dipole/kappa")
ids = sl.read("di.h5", "/response/dipole/pairs")
pairs = ids - 1  # the sample's ids are 1..N
ref = []
for i, j in pairs:
    r = s["pos"][j] - s["pos"][i]
    r -= L * np.round(r / L)
    f = np.zeros(d * N)
    f[3 * i:3 * i + 3], f[3 * j:3 * j + 3] = -r / np.linalg.norm(r), r / np.linalg.norm(r)
    ref.append(f @ Kp @ f)
rel = np.max(np.abs(kappa - ref) / np.abs(ref))
vt.check(len(kappa) == 6 and rel < 1e-6, "dipole stiffness kappa = f^T K^+ f of a dense solve (max rel. %.1e)" % rel)
vt.check(np.allclose(sl.read("di.h5", "/response/dipole/distance"), [np.linalg.norm((s["pos"][j] - s["pos"][i]) - L * np.round((s["pos"][j] - s["pos"][i]) / L)) for i, j in pairs]), "pair distances")
# the pairs are named by the sample's atom ids: the same glass with ids 10 k + 7 gives the same
# pairs (chosen by position in id order), named 10 k + 7 (they were the 0-based positions)
lines, section = open(sample).read().split("\n"), None
with open("ids.data", "w") as f:
    for line in lines:
        w = line.split()
        if w and w[0] in ("Atoms", "Velocities"):
            section = w[0]
        elif w and w[0][0].isalpha():
            section = None
        if section and len(w) >= 4 and w[0].isdigit():
            line = " ".join([str(10 * int(w[0]) + 7)] + w[1:])
        f.write(line + "\n")
vt.run(["response", "-sample", "ids.data", "-potential", "ka3d", "-response_nev", 0, "-response_dipole_pairs", 6, "-o", "di_ids.h5"], 2)
vt.check(np.array_equal(sl.read("di_ids.h5", "/response/dipole/pairs"), 10 * ids + 7) and np.allclose(sl.read("di_ids.h5", "/response/dipole/kappa"), kappa, rtol=1e-10),
         "/response/dipole/pairs holds the sample's atom ids (ids 10 k + 7: %s)" % sl.read("di_ids.h5", "/response/dipole/pairs")[0])
u2 = sl.read("di.h5", "/response/dipole/decay_u2")
u2 = u2[u2 > 0]
vt.check(len(u2) > 5 and u2[0] > 10 * u2[-1], "response |u|^2 decays with distance from the dipole (%.2e -> %.2e)" % (u2[0], u2[-1]))

# The scaled paths give the default run's numbers: shift-and-invert above the factor limit ->
# twolevel, GAMG above its limit -> point-block Jacobi, a shell H -> chebyshev and Jacobi, and
# chebyshev asked for (its interval from the KPM bounds, as in `spectrum`)
full = ["response", "-sample", sample, "-potential", "ka3d", "-response_nev", nev, "-response_dipole_pairs", 6]
vt.run(full + ["-o", "ref.h5"], 2)
notes_of = {"fallback": ["shift-and-invert skipped: a factor of this Hessian needs more than", "-response_precond_max_memory); CG runs with point-block Jacobi"],
            "shell": ["-hessian_type shell has no entries to factor", "Chebyshev-filtered subspace iteration instead", "CG runs with Jacobi"],
            "chebyshev": []}
extra = {"fallback": ["-spectrum_factor_max_memory", 0.01, "-response_precond_max_memory", 1], "shell": ["-hessian_type", "shell"], "chebyshev": ["-spectrum_method", "chebyshev"]}
for case, want in notes_of.items():
    for n in (1, 2):
        p = vt.run(full + extra[case] + ["-o", "%s%d.h5" % (case, n)], n)
        notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
        method = sl.h5py.File("%s%d.h5" % (case, n), "r")["/response/modes/eigenvalues"].attrs["method"]
        method = method.decode() if isinstance(method, bytes) else method
        vt.check(method == {"fallback": "twolevel"}.get(case, "chebyshev"), "%s, %d rank(s): the modes' solver is recorded (%s)" % (case, n, method))
        vt.check(len(notes) == len(want) and all(w in note for w, note in zip(want, notes)), "%s, %d rank(s): one note per path changed (%s)" % (case, n, notes))
        for key, tol in (("/response/modes/eigenvalues", 1e-12), ("/response/strain/dlambda", 1e-8), ("/response/mass/dlambda", 1e-8), ("/response/dipole/kappa", 1e-8)):
            ref, got = sl.read("ref.h5", key), sl.read("%s%d.h5" % (case, n), key)
            rel = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
            vt.check(got.shape == ref.shape and rel < tol, "%s, %d rank(s): %s = the default run's to %g (max rel. %.1e)" % (case, n, key, tol, rel))
# bad input is one line on 2 ranks: too many dipole bins (a billion: killed for memory until session
# 20), a misspelt -response_pc_type (internal error 86)
for args, words in ((["-response_dipole_bins", 10 ** 9], ["-response_dipole_bins 1000000000", "between 1 and 1000000"]),
                    (["-response_pc_type", "bogus"], ["PC type bogus"])):
    p = vt.run(full + args + ["-o", "bad.h5"], 2, expect_fail=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
    vt.check(p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words), "%s: one line on 2 ranks (%s)" % (args[0], lines))
# Option values out of range: one line on 2 ranks naming the option given, no output file
dimer = "dimer.data"
vt.write_lammps_data(dimer, np.diag([10.0] * 3), (0, 0, 0), [1, 1], [[5.0, 5.0, 5.0], [5.0 + 2 ** (1 / 6), 5.0, 5.0]], [1.0])
for args, words in ((["-response_dipole_pairs", -2], ["-response_dipole_pairs -2", "-1 for all"]),
                    (["-response_dipole_rmax", -1], ["-response_dipole_rmax -1", "must be positive"]),
                    (["-hessian_ftol", -1], ["-hessian_ftol -1", ">= 0"]),
                    (["-response_nev", -1], ["-response_nev -1", ">= 0"]),
                    (["-response_nev", 10 ** 5], ["-response_nev 100000", "must lie in [0, 645]"]),
                    (["-response_strain_step", 0.5], ["-response_strain_step 0.5", "(0, 1e-2]"]),
                    (["-response_dipole_rmax", 3.0], ["-response_dipole_rmax 3", "at most 2.5", "ghost width"])):
    p = vt.run(["response", "-sample", sample, "-potential", "ka3d", "-o", "bad.h5"] + args, 2, expect_fail=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
    vt.check(p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words) and not os.path.exists("bad.h5"), "%s %s: one line on 2 ranks (%s)" % (args[0], args[1], lines))
# A dimer in a box of 10: the default dipole radius (1.6 (V/N)^(1/3) = 11.3) is capped at the ghost
# width 2.5 with a note (it stopped at the neighbour search), its two rotations (zero modes, phi'(r0)
# = 0) are left out with the translations, with a note, and CG, whose GAMG fails on the dimer's
# singular diagonal blocks, falls back to point-block Jacobi: kappa = 1/phi''(r0)
for n in (1, 2):
    p = vt.run(["response", "-sample", dimer, "-potential", "lj", "-o", "dimer.h5"], n)
    notes = [l for l in p.stdout.splitlines() if "dipole responses" in l]
    kappa = sl.read("dimer.h5", "/response/dipole/kappa")
    vt.check(len(notes) == 3 and "exceeds the ghost width 2.5" in notes[0] and "2 modes of H within" in notes[1] and "point-block Jacobi" in notes[2] and abs(kappa[0] * 57.1464571 - 1) < 1e-6,
             "dimer, %d rank(s): default run with the three notes, kappa = 1/phi'' (%s)" % (n, kappa))
