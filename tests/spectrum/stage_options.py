"""Options that the spectrum stages read only when they run (the modes' solvers: -spectrum_chebyshev_*,
-spectrum_twolevel_*, -spectrum_precond*, -spectrum_complete_multiplets; the KPM's -kpm_kernel) are
read and checked before the sample is read, in every command that runs those stages (spectrum,
response, minimize's curvature check, features, pipeline): a bad value is one line, once, exit
status 1, on 2 ranks (where a line printed by every rank would show; the option checks do not
depend on the ranks), and for a sample that does not exist it is that line, not the sample's
(before, the sample was read, the Hessian assembled and, for up to 4096 degrees of freedom, every
eigenvalue computed by LAPACK before such a value was refused; a missing sample was reported first).
What needs the sample is still checked where it is known: a block against the wanted modes and
dN - d. A block below the default nev that a small sample shrinks (and solves densely) still runs, as
an explicit small block does where the block solver runs, its modes = numpy's. -help lists each of
these options at most once (spectrum: once)."""
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

RANKS = (1, 2)  # the runs; the errors run on 2 ranks only (ERROR_RANKS)
ERROR_RANKS = (2,)
MISSING = "missing.data"
BAD = [  # (option, value, what the error line says)
    ("-spectrum_twolevel_coarse_solve", "shared", "Unknown option shared for -spectrum_twolevel_coarse_solve"),
    ("-spectrum_twolevel_coarse_space", "cubic", "Unknown option cubic for -spectrum_twolevel_coarse_space"),
    ("-spectrum_twolevel_degree", 0, "-spectrum_twolevel_degree 0"),
    ("-spectrum_twolevel_aggregate", -1, "-spectrum_twolevel_aggregate -1"),
    ("-spectrum_twolevel_max_it", 0, "-spectrum_twolevel_max_it 0"),
    ("-spectrum_twolevel_tol", 1, "-spectrum_twolevel_tol"),
    ("-spectrum_twolevel_coarse_memory", 2, "-spectrum_twolevel_coarse_memory"),
    ("-spectrum_twolevel_single_memory", 0, "-spectrum_twolevel_single_memory"),
    ("-spectrum_chebyshev_tol", 2, "-spectrum_chebyshev_tol"),
    ("-spectrum_chebyshev_max_degree", 4, "-spectrum_chebyshev_max_degree 4"),
    ("-spectrum_precond", "bogus", "Unknown option bogus for -spectrum_precond"),
    ("-spectrum_precond_shift", -1, "-spectrum_precond_shift"),
    ("-spectrum_complete_multiplets", "maybe", "-spectrum_complete_multiplets maybe"),
    ("-kpm_kernel", "v9", "Unknown option v9 for -kpm_kernel"),
]
STAGE_OPTIONS = sorted({b[0] for b in BAD} | {"-spectrum_chebyshev_block", "-spectrum_chebyshev_max_it", "-spectrum_twolevel_block",
                                               "-spectrum_twolevel_single", "-spectrum_twolevel_lock"})


def refused_first(what, args, text):
    """args fail on 2 ranks with one error line that says text and not the missing sample's."""
    for n in ERROR_RANKS:
        p = vt.run(args, n, expect_fail=True)
        out = p.stdout + p.stderr
        lines = [l for l in out.splitlines() if "vitrum: error:" in l]
        tag = "%s (%d rank%s)" % (what, n, "s" if n > 1 else "")
        ok = p.returncode == 1 and len(lines) == 1 and text in lines[0] and "missing" not in lines[0]
        ok = ok and not any(bad in out for bad in ("PETSC ERROR", "internal error", "MPI_ABORT", "Traceback"))
        if not ok:
            print(out)
        vt.check(ok, "%s: exit status 1 (%d), one error line (%d) saying '%s', before the sample is read (%s)" % (tag, p.returncode, len(lines), text, lines[0].strip() if lines else ""))


# spectrum: every bad stage option, with a sample that does not exist
for option, value, text in BAD:
    refused_first("spectrum %s %s" % (option, value), ["spectrum", "-sample", MISSING, "-potential", "ka3d", option, value], text)
# the other commands that run the stages
BY_NAME = {b[0]: b for b in BAD}
for option, value, text in (BY_NAME[o] for o in ("-spectrum_twolevel_coarse_solve", "-spectrum_chebyshev_tol", "-kpm_kernel")):
    for cmd, args in (("response", ["response", "-sample", MISSING, "-potential", "ka3d"]),
                      ("minimize", ["minimize", "-sample", MISSING, "-potential", "ka3d"]),  # its curvature check: twolevel, chebyshev
                      ("features", ["features", "-samples", MISSING, "-potential", "ka3d"]),
                      ("pipeline", ["pipeline", "-pipeline_samples", "missing.txt", "-pipeline_dir", "pdir", "-potential", "ka3d"])):
        refused_first("%s %s %s" % (cmd, option, value), args + [option, value], text)
for option, value, text in (BY_NAME[o] for o in ("-spectrum_precond", "-spectrum_complete_multiplets")):  # response's modes: LOBPCG, sinvert
    refused_first("response %s %s" % (option, value), ["response", "-sample", MISSING, "-potential", "ka3d", option, value], text)

# A tetrahedron of Lennard-Jones atoms at the pair minimum (12 degrees of freedom): the default
# modes (spectrum 20, response 10) shrink to the 9 off the translations, solved by dense LAPACK, so a
# block of 8, below those defaults, is never used and the run works; a check of the block against
# the default nev before the sample would refuse it. spectrum -spectrum_method chebyshev|twolevel
# builds no block operator either (it released the Hessian for one, and the dense solve crashed).
r = 2 ** (1 / 6)
tetra = np.array([[0, 0, 0], [1, 0, 0], [0.5, np.sqrt(3) / 2, 0], [0.5, np.sqrt(3) / 6, np.sqrt(2 / 3)]]) * r + 5
vt.write_lammps_data("tetra.data", np.eye(3) * 10, (0, 0, 0), [1] * 4, tetra, masses=(1.0,))
ev = np.sort(np.linalg.eigvalsh(sl.hessian_dense("tetra.data", potential=("-potential", "lj"))))[3:]  # the translations are the 3 smallest (with the rotations, 0)
small_blocks = ["-spectrum_chebyshev_block", 8, "-spectrum_twolevel_block", 8]
for n in RANKS:
    runs = (("spectrum", "/spectrum/modes/eigenvalues", ["-kpm_moments", 32]),
            ("spectrum", "/spectrum/modes/eigenvalues", ["-kpm_moments", 32, "-spectrum_method", "chebyshev"]),
            ("spectrum", "/spectrum/modes/eigenvalues", ["-kpm_moments", 32, "-spectrum_method", "twolevel"]),
            ("response", "/response/modes/eigenvalues", ["-response_dipole_pairs", 0, "-spectrum_method", "chebyshev"]),
            ("response", "/response/modes/eigenvalues", ["-response_dipole_pairs", 0, "-spectrum_method", "twolevel"]))
    for k, (cmd, name, extra) in enumerate(runs):
        out = "tetra_%d_%d.h5" % (k, n)
        vt.run([cmd, "-sample", "tetra.data", "-potential", "lj", "-o", out] + small_blocks + extra, n)
        lam = np.sort(sl.read(out, name))
        vt.check(lam.size == 9 and np.allclose(lam, ev, rtol=1e-8, atol=1e-8 * ev.max()),
                 "tetrahedron, %s %s with blocks of 8 below the default nev, %d rank(s): runs, the 9 modes (dense) = numpy's %s" % (cmd, " ".join(map(str, extra)), n, np.round(ev, 3)))

# where the block solvers run (216 atoms, 648 degrees of freedom), an explicit small block is used,
# and checked against the sample: above -spectrum_nev, at most dN - d
sample = sl.make_ka_glass("ka216.data")
ev = np.sort(np.linalg.eigvalsh(sl.hessian_dense(sample)))[3:]
for n in RANKS:
    for method in ("chebyshev", "twolevel"):
        out = "ka216_%s_%d.h5" % (method, n)
        args = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_method", method, "-spectrum_nev", 4, "-spectrum_kpm", 0, "-spectrum_inertia", 0]
        vt.run(args + ["-spectrum_%s_block" % method, 8, "-o", out], n)
        lam = np.sort(sl.read(out, "/spectrum/modes/eigenvalues"))
        vt.check(lam.size >= 4 and np.allclose(lam[:4], ev[:4], rtol=1e-6), "ka216, %s, -spectrum_nev 4 -spectrum_%s_block 8, %d rank(s): the lowest modes %s = numpy's %s" % (method, method, n, lam[:4], ev[:4]))
        p = vt.run(args + ["-spectrum_nev", 8, "-spectrum_%s_block" % method, 8, "-o", "bad.h5"], n, expect_fail=True)
        lines = [l for l in (p.stdout + p.stderr).splitlines() if "vitrum: error:" in l]
        vt.check(p.returncode == 1 and len(lines) == 1 and "-spectrum_%s_block 8: must lie in (8, 645]" % method in lines[0],
                 "ka216, %s, -spectrum_nev 8 -spectrum_%s_block 8, %d rank(s): refused when the solver runs, with the sample's dN - d (%s)" % (method, method, n, lines[0].strip() if lines else ""))

# -help: the stage options are listed, none twice
for cmd in ("spectrum", "response", "minimize", "features", "pipeline"):
    text = vt.run([cmd, "-help"], 1).stdout
    counts = {o: sum(1 for l in text.splitlines() if l.strip().startswith(o + " ") or l.strip().startswith(o + ":")) for o in STAGE_OPTIONS}
    twice = [o for o, c in counts.items() if c > 1]
    vt.check(not twice, "%s -help: no stage option listed twice (%s)" % (cmd, " ".join(twice)))
    if cmd == "spectrum":
        vt.check(all(c == 1 for c in counts.values()), "spectrum -help lists every stage option once (%s)" % counts)
print("ok")
