"""vitrum response against finite differences of LAPACK eigenvalues: d lambda_n / dp for isotropic and
shear strain, a potential parameter (eps_AB) and a species mass, (lambda(p+h) - lambda(p-h)) / 2h to
1e-5 relative for non-degenerate modes; dipole stiffness kappa = f^T K^+ f against a dense solve.
Where the defaults do not fit (MUMPS's factor above -spectrum_factor_max_memory, GAMG above
-response_precond_max_memory) or cannot run (a shell Hessian), the modes come from twolevel or
chebyshev and the dipoles from CG with (point-block) Jacobi, each with one note, and every dataset
equals the default run's."""
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
s = sl.read_data(sample)
d, N, nev, h = 3, len(s["types"]), 8, 2e-5
ev0 = np.linalg.eigvalsh(sl.hessian_dense(sample))[d:d + nev + 1]
nondeg = [k for k in range(nev) if min(abs(ev0[k] - ev0[k - 1]) if k else np.inf, abs(ev0[k + 1] - ev0[k])) > 1e-3 * ev0[k]]
vt.check(len(nondeg) >= 4, "%d non-degenerate modes among the lowest %d" % (len(nondeg), nev))


def fd(make, extra=()):
    """(lambda(+h) - lambda(-h)) / 2h of the lowest nev non-zero eigenvalues."""
    lam = [np.linalg.eigvalsh(sl.hessian_dense(make(sign), list(extra(sign))))[d:d + nev] for sign in (1, -1)]
    return (lam[0] - lam[1]) / (2 * h)


def compare(name, got, ref):
    rel = np.max(np.abs(got[nondeg] - ref[nondeg]) / np.abs(ref[nondeg]).max())
    vt.check(rel < 1e-5, "%s: e^T dH e = finite-difference eigenvalue shift to 1e-5 (max rel. %.1e)" % (name, rel))


eps_ab = lambda v: ["-lj_epsilon", "1,%.17g,0.5" % v]
common = ["response", "-sample", sample, "-potential", "ka3d", "-response_nev", nev, "-response_dipole_pairs", 0, "-response_strain_step", h, "-response_param_step", h]
for strain, (a, b) in (("iso", (-1, -1)), ("xy", (0, 1))):
    vt.run(common + ["-response_strain", strain, "-response_masses", 0, "-o", "st.h5"], 2)
    ref = fd(lambda sign: sl.write_deformed(sample, "st%+d.data" % sign, strain=(a, b, sign * h)), lambda sign: ())
    compare("strain " + strain, sl.read("st.h5", "/response/strain/dlambda"), ref)
    if strain == "iso":
        lam = sl.read("st.h5", "/response/modes/eigenvalues")
        g = sl.read("st.h5", "/response/strain/gruneisen")
        vt.check(np.allclose(g, -ref / (2 * d * lam), rtol=1e-4, atol=1e-8), "mode Grueneisen parameters -dlambda/deps / (2 d lambda)")

vt.run(common + eps_ab(1.5) + ["-response_strain", "none", "-response_param", "lj_epsilon", "-response_param_index", 1, "-o", "pa.h5"], 2)
ref = fd(lambda sign: sample, lambda sign: eps_ab(1.5 + sign * h))
compare("eps_AB", sl.read("pa.h5", "/response/param/dlambda"), ref)
ref = fd(lambda sign: sl.write_deformed(sample, "m%+d.data" % sign, masses=[1.0, 2.0 + sign * h]), lambda sign: ())
compare("mass of species 2", sl.read("pa.h5", "/response/mass/dlambda")[1], ref)

# Dipole stiffness against a dense pseudo-inverse solve of the unweighted Hessian K
vt.run(["response", "-sample", sample, "-potential", "ka3d", "-response_nev", 0, "-response_dipole_pairs", 6, "-o", "di.h5"], 2)
K = sl.hessian_dense(sample, ["-mass_weighted", "0"])
Kp = np.linalg.pinv(K, rcond=1e-10)
L = np.diag(s["cell"])
kappa = sl.read("di.h5", "/response/dipole/kappa")
pairs = sl.read("di.h5", "/response/dipole/pairs")
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
