"""The factorisation-free low modes (Chebyshev-filtered subspace iteration, src/spectrum/subspace.c;
the polynomial filter, SLEPc STFILTER; LOBPCG with the multigrid preconditioner of
src/spectrum/precond.c; LOBPCG on blocks with the two-level preconditioner, src/spectrum/twolevel.c)
against scipy (ARPACK shift-and-invert for the glass, dense LAPACK for the
crystal) of the same Hessian:
- a relaxed 1000-atom KA glass, the default run with a MUMPS memory limit below the factor's
  estimate: shift-and-invert is skipped with a one-line note naming -spectrum_method twolevel,
  which gives the lowest 20 non-zero eigenvalues to 1e-8 relative and the eigenvectors of the
  non-degenerate modes; the same for -spectrum_method chebyshev (with converged vectors locked
  out of its block, in groups of 8), filter and lobpcg (GAMG); Jacobi does not
  converge in twice the GAMG iterations (the preconditioner is in effect); twolevel converges in
  fewer block products than chebyshev; with one atom per aggregate (an exact coarse solve) in
  fewer iterations, and with one aggregate per rank (a singular coarse matrix but for its shift)
  to the same modes; the coarse space: affine by default (d (d + 1) unknowns per aggregate), or
  the translations, in as many iterations or more, the same modes; aggregates of one or two atoms
  drop the functions they cannot carry, the same modes; a coarse factor over
  -spectrum_twolevel_coarse_memory: larger aggregates with a note, or an error, or chebyshev; a 2D
  glass against LAPACK;
- an fcc crystal (256 atoms, 12-fold multiplets at the bottom): LOBPCG with nev 10 (ending inside a
  multiplet) and 13 (one past it), eigenvalues to 1e-8 relative; the filter and chebyshev with
  nev 10 return the whole 12-fold multiplet, = LAPACK's lowest 12, and so does twolevel; chebyshev
  with a block of 12 (the multiplet fills it) warns that the block may be too small;
- input errors: a non-positive shift, an unknown preconditioner, a chebyshev or twolevel block not
  above nev, twolevel on a shell Hessian.
Usage: precond.py NP. modes_precond_np1 and modes_precond_np2 run this file on 1 and on 2 ranks; each
case runs on one of them (a 2-rank run costs 2-4x the CPU time of a 1-rank run here). On 2 ranks
(NP > 1): what depends on the ranks or runs vitrum's own distributed code: the default fallback (its
note once, twolevel's modes), chebyshev with its locking, one aggregate per rank, the memory
decisions each rank must take alike (-spectrum_twolevel_single_memory, -spectrum_twolevel_coarse_memory:
the notes, the error, the fallback to chebyshev), the warning of chebyshev's block of 12 and the
input errors (each printed once). On 1 rank: the default fallback again (the base of the iteration
counts), the filter, LOBPCG with GAMG and with Jacobi (SLEPc's and PETSc's solvers; on 2 ranks in
modes_filter_lowest_np2, spectrum_modes_np2, modes_multiplets_np2), the exact coarse solve, the
coarse spaces and dropped functions, the cycle in double, the tolerance 1e-10, no locking, the 2D
glass and the fcc multiplets."""
import sys

import h5py
import numpy as np
import scipy.sparse
import scipy.sparse.linalg

import spectrumlib as sl
import vitrum_testlib as vt

np_ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
distributed = np_ranks > 1  # the cases that run on 2 ranks only; the others on 1 rank only (see above)
sample = sl.make_ka_glass("ka1000.data", n_side=10)
d, nev = 3, 20
# Reference: ARPACK (scipy) in shift-and-invert mode about sigma < 0 with SuperLU, independent of
# SLEPc and MUMPS; a dense eigh of 3000 x 3000 takes minutes on a loaded machine. The glass has no
# exact degeneracies, so the Lanczos process sees every eigenvalue nearest sigma.
H = sl.hessian_sparse(sample).tocsc()
ev, vec = scipy.sparse.linalg.eigsh(H, k=d + nev + 6, sigma=-1e-3 * H.diagonal().mean(), which="LM", tol=1e-14)
order = np.argsort(ev)
ev, vec = ev[order], vec[:, order]
vt.check(np.all(np.abs(ev[:d]) < 1e-8 * ev[d]), "the reference's d smallest are the translations (%s)" % ev[:d + 1])
ref = ev[d:]
# -vdos_exact_max_dof 0: no dense LAPACK of all 3000 eigenvalues in every run (most of its time)
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", nev, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-vdos_exact_max_dof", 0]


def lowest(out, k):
    lam = sl.read(out, "/spectrum/modes/eigenvalues")
    vt.check(len(lam) == k, "%s: %d modes returned (%d wanted)" % (out, len(lam), k))
    return lam, np.max(np.abs(lam - ref[:k]) / ref[:k])


def check_modes(out, what):
    lam, err = lowest(out, nev)
    vt.check(err < 1e-8, "%s: lowest %d eigenvalues = the reference to 1e-8 relative (max %.1e)" % (what, nev, err))
    V = sl.read(out, "/spectrum/modes/vectors")
    gap = np.minimum(np.diff(ref[:nev + 1])[:nev], np.r_[np.inf, np.diff(ref[:nev])])
    nondeg = [k for k in range(nev) if gap[k] > 1e-3 * ref[k]]
    overlap = np.array([abs(V[k] @ vec[:, d + k]) for k in nondeg])
    vt.check(len(nondeg) > 5 and np.all(np.abs(overlap - 1) < 1e-6), "%s: eigenvectors of %d non-degenerate modes = the reference's (min overlap %.9f)" % (what, len(nondeg), overlap.min()))


def block_products(stdout, method):
    """Block products with H of a chebyshev or twolevel run, from its -info summary line."""
    line = [l for l in stdout.splitlines() if "%s:" % method in l and "block products" in l][-1]
    return int(line.split(" block products")[0].split()[-1])


# The default method with the factor over the memory limit: shift-and-invert is skipped with a note
# and the modes come from LOBPCG with the two-level preconditioner.
p = vt.run(base + ["-spectrum_factor_max_memory", 0.001, "-spectrum_vectors", "-o", "glass_twolevel.h5", "-info", ":sys"], np_ranks)
notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
vt.check(len(notes) == 1 and "shift-and-invert skipped" in notes[0] and "-spectrum_method twolevel" in notes[0], "one note: shift-and-invert skipped, twolevel used (%s)" % notes)
check_modes("glass_twolevel.h5", "twolevel (default fallback)")
products = block_products(p.stdout, "twolevel")
open_info = p.stdout
if distributed:  # chebyshev's block and its locking are vitrum's own distributed code
    p = vt.run(base + ["-spectrum_method", "chebyshev", "-spectrum_vectors", "-o", "glass_cheb.h5", "-info", ":sys"], np_ranks)
    check_modes("glass_cheb.h5", "chebyshev")
    # the modes above were found with converged vectors locked out of the block (in groups of 8)
    summary = [l for l in p.stdout.splitlines() if "chebyshev:" in l and "vector products" in l]
    locked = int(summary[-1].split("(")[-1].split()[0]) if summary else 0
    vt.check(locked >= 8 and locked % 8 == 0, "chebyshev locked %d converged vectors (%s)" % (locked, summary[-1:]))
    vt.check(products < block_products(p.stdout, "chebyshev"), "twolevel: %d block products, chebyshev %d" % (products, block_products(p.stdout, "chebyshev")))
else:  # SLEPc's filter and LOBPCG, PETSc's GAMG: on 2 ranks in modes_filter_lowest_np2, spectrum_modes_np2
    vt.run(base + ["-spectrum_method", "filter", "-spectrum_vectors", "-o", "glass_stfilter.h5"], np_ranks)
    check_modes("glass_stfilter.h5", "filter (SLEPc STFILTER)")
    out = "glass_gamg.h5"
    vt.run(base + ["-spectrum_method", "lobpcg", "-spectrum_vectors", "-o", out], np_ranks)
    check_modes(out, "LOBPCG + GAMG")
    # The preconditioner is in effect: Jacobi (6x as many iterations on this glass) does not converge
    # all modes in twice the multigrid iterations.
    its = int(sl.read(out, "/spectrum/modes/iterations")[0])
    p = vt.run(base + ["-spectrum_method", "lobpcg", "-spectrum_precond", "jacobi", "-eps_max_it", 2 * its, "-spectrum_allow_unconverged", "-o", "jacobi.h5"], np_ranks)
    with h5py.File("jacobi.h5", "r") as f:
        found = len(f["/spectrum/modes/eigenvalues"]) if "/spectrum/modes/eigenvalues" in f else 0
    vt.check("warning: only" in p.stdout and found < nev, "Jacobi: %d of %d modes in %d iterations, GAMG: all in %d" % (found, nev, 2 * its, its))


# The two-level preconditioner's coarse level is wired right: with one atom per aggregate the
# coarse correction is (H + sigma I)^-1 itself (P = M^1/2 on every atom), an exact solve, and
# LOBPCG converges in fewer iterations; with one aggregate per rank (nearly only the global
# translations, a coarse matrix singular but for its shift) it still converges to the same modes.
its = int(sl.read("glass_twolevel.h5", "/spectrum/modes/iterations")[0])
if not distributed:
    exact = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_aggregate", 1, "-o", "glass_exact.h5", "-info", ":sys"], np_ranks)
    its_exact = int(sl.read("glass_exact.h5", "/spectrum/modes/iterations")[0])
    vt.check(its_exact < its, "twolevel: %d iterations, with the exact coarse solve (one atom per aggregate) %d" % (its, its_exact))
else:  # an aggregate on each of the ranks
    vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_aggregate", 10 ** 6, "-o", "glass_onecell.h5"], np_ranks)
    lam, err = lowest("glass_onecell.h5", nev)
    vt.check(err < 1e-8, "twolevel with one aggregate per rank: the same modes to 1e-8 (max %.1e)" % err)

# The coarse space: by default each aggregate's affine displacements (d (d + 1) coarse unknowns per
# aggregate, at least 16 (d + 1) atoms per aggregate), or its translations (d unknowns, 16 atoms):
# the same modes, the affine space in no more iterations. An aggregate whose atoms cannot carry a
# function (one atom: no extent; two: one direction) drops it, and the modes are the same.
aggregates, unknowns, space, dropped = sl.twolevel_coarse(open_info)
vt.check(space == "affine" and unknowns == 12 * aggregates and dropped == 0 and aggregates <= 1000 // 64,
         "twolevel by default: the affine space, %d aggregates of at least 64 atoms, %d coarse unknowns, %d functions dropped" % (aggregates, unknowns, dropped))
if not distributed:
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_coarse_space", "translations", "-spectrum_vectors", "-o", "glass_translations.h5", "-info", ":sys"], np_ranks)
    aggregates, unknowns, space, dropped = sl.twolevel_coarse(p.stdout)
    vt.check(space == "translations" and unknowns == 3 * aggregates and 1000 // 32 < aggregates <= 1000 // 16,
             "-spectrum_twolevel_coarse_space translations: %d aggregates of 16-32 atoms, %d coarse unknowns" % (aggregates, unknowns))
    check_modes("glass_translations.h5", "twolevel, translations")
    its_translations = int(sl.read("glass_translations.h5", "/spectrum/modes/iterations")[0])
    vt.check(its <= its_translations, "twolevel: %d iterations with the affine space, %d with the translations" % (its, its_translations))
    for size, low, high in ((1, 2900, 3000), (2, 1, 3000)):
        out = "glass_exact.h5" if size == 1 else "glass_small.h5"  # one atom per aggregate: the run above
        p = exact if size == 1 else vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_aggregate", size, "-o", out, "-info", ":sys"], np_ranks)
        aggregates, unknowns, space, dropped = sl.twolevel_coarse(p.stdout)
        lam, err = lowest(out, nev)
        vt.check(low <= dropped <= high and err < 1e-8, "affine space, aggregates of %d atoms (%d of them): %d functions dropped, the same modes to 1e-8 (max %.1e)" % (size, aggregates, dropped, err))

# The cycle's products in single precision (the default run above said so in -info) or in double:
# the same modes to the tolerance either way, and the same iterations give or take a few; where
# the float copy does not fit in the given share of the node's memory, one note and double.
vt.check("the cycle's products in single precision" in open_info, "twolevel by default: the cycle's products in single precision (-info)")
if not distributed:
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_single", 0, "-spectrum_vectors", "-o", "glass_double.h5", "-info", ":sys"], np_ranks)
    vt.check("the cycle's products in double precision" in p.stdout and "vitrum: note" not in p.stdout, "-spectrum_twolevel_single 0: the cycle's products in double precision, no note")
    check_modes("glass_double.h5", "twolevel, cycle in double precision")
    its_double = int(sl.read("glass_double.h5", "/spectrum/modes/iterations")[0])
    vt.check(abs(its_double - its) <= 3, "twolevel: %d iterations with the cycle in single precision, %d in double" % (its, its_double))
# The second orthogonalisation of the search directions runs only where the first left an overlap
# with X or P above 1e-3 of the tolerance: never on this glass at 1e-8, in most iterations at 1e-10,
# which gives the same modes.
def twice(stdout):
    line = [l for l in stdout.splitlines() if "orthogonalised twice in" in l][-1]
    return int(line.split("orthogonalised twice in")[1].split()[0].rstrip(",")), int(line.split("twolevel:")[1].split()[0])
k, total = twice(open_info)
vt.check(0 <= k < total, "twolevel, tol 1e-8: search directions orthogonalised twice in %d of %d iterations" % (k, total))
if not distributed:
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_tol", 1e-10, "-spectrum_vectors", "-o", "glass_tight.h5", "-info", ":sys"], np_ranks)
    k, total = twice(p.stdout)
    vt.check(0 < k <= total, "twolevel, tol 1e-10: search directions orthogonalised twice in %d of %d iterations" % (k, total))
    check_modes("glass_tight.h5", "twolevel, tol 1e-10")
# Soft locking: converged wanted modes get no search direction, so fewer vectors go through the
# cycle than block products times the block; without it every product holds the whole block, and
# the modes are the same to the tolerance either way.
def work(stdout):
    line = [l for l in stdout.splitlines() if "search directions saved by locking" in l][-1]
    after = line.split("twolevel:")[1]
    blocks = int(after.split(" block products")[0].split()[-1])
    vectors = int(after.split(" vector products")[0].split()[-1])
    return blocks, vectors, int(after.split(", ")[-1].split()[0])
blocks, vectors, saved = work(open_info)
m = 32  # the default block for nev 20: 20 + 10, rounded up to 8
vt.check(saved > 0 and vectors < blocks * m, "twolevel: soft locking saved %d search directions (%d vector products in %d block products of %d)" % (saved, vectors, blocks, m))
if not distributed:
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_lock", 0, "-spectrum_vectors", "-o", "glass_nolock.h5", "-info", ":sys"], np_ranks)
    blocks, vectors, saved = work(p.stdout)
    vt.check(saved == 0 and vectors == blocks * m, "-spectrum_twolevel_lock 0: no direction saved, %d vector products = %d block products x %d" % (vectors, blocks, m))
    check_modes("glass_nolock.h5", "twolevel without locking")
# The memory decisions, taken alike on every rank: on 2 ranks only.
if distributed:
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_single_memory", 1e-12, "-o", "glass_nomem.h5", "-info", ":sys"], np_ranks)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    vt.check(len(notes) == 1 and "-spectrum_twolevel_single_memory" in notes[0] and "the cycle's products in double precision" in p.stdout, "no room for the float copy: one note naming -spectrum_twolevel_single_memory, products in double (%s)" % notes)
    lam, err = lowest("glass_nomem.h5", nev)
    vt.check(err < 1e-8, "twolevel with the products in double after the note: the same modes to 1e-8 (max %.1e)" % err)
    # The coarse factor must fit with LOBPCG's blocks in -spectrum_twolevel_coarse_memory of the
    # available memory: one atom per aggregate (12,000 coarse unknowns, MUMPS estimates about 1.5 GB)
    # in 0.005 of it (about 0.1 GB) takes larger aggregates, with one note, and the same modes; where
    # not even one aggregate per rank fits, -spectrum_method twolevel stops with one error naming the
    # option, and the default method falls back to chebyshev with a note.
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_aggregate", 1, "-spectrum_twolevel_coarse_memory", 0.005, "-o", "glass_coarsened.h5", "-info", ":sys"], np_ranks)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    aggregates, unknowns, space, dropped = sl.twolevel_coarse(p.stdout)
    lam, err = lowest("glass_coarsened.h5", nev)
    vt.check(len(notes) == 1 and "-spectrum_twolevel_coarse_memory" in notes[0] and "with 1 atoms per aggregate" in notes[0] and aggregates < 1000 and err < 1e-8,
             "coarse factor over -spectrum_twolevel_coarse_memory: one note, %d aggregates instead of 1000, the same modes to 1e-8 (max %.1e; %s)" % (aggregates, err, notes))
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_coarse_memory", 1e-9], np_ranks, expect_fail=True)
    msg = p.stdout + p.stderr
    vt.check(msg.count("vitrum: error") == 1 and "-spectrum_twolevel_coarse_memory" in msg and "one aggregate per rank" in msg, "not even one aggregate per rank fits: one error naming -spectrum_twolevel_coarse_memory (%s)" % msg.strip()[-200:])
    p = vt.run(base + ["-spectrum_factor_max_memory", 0.001, "-spectrum_twolevel_coarse_memory", 1e-9, "-o", "glass_fallback.h5"], np_ranks)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    vt.check(len(notes) == 2 and "chebyshev" in notes[1] and "-spectrum_twolevel_coarse_memory" in notes[1] and lowest("glass_fallback.h5", nev)[1] < 1e-8,
             "the default method: twolevel declined with a note naming -spectrum_twolevel_coarse_memory, chebyshev's modes to 1e-8 (%s)" % notes)

potential = sl.FCC_POTENTIAL
sl.make_fcc("fcc.data")
if not distributed:  # the 2D glass and the fcc multiplets (twolevel and the fcc on 2 ranks: modes_coarse_materials, modes_multiplets_np2)
    # In 2D the affine space has d (d + 1) = 6 functions per aggregate of at least 48 atoms: a 2D KA
    # glass's lowest 10 modes against LAPACK.
    glass2 = sl.make_ka_glass("ka2d_400.data", n_side=20, dim=2)
    ref2 = np.linalg.eigvalsh(sl.hessian_dense(glass2, np_ranks=np_ranks, potential=("-potential", "ka2d")))[2:12]
    p = vt.run(["spectrum", "-sample", glass2, "-potential", "ka2d", "-spectrum_method", "twolevel", "-spectrum_nev", 10, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-o", "ka2d.h5", "-info", ":sys"], np_ranks)
    aggregates, unknowns, space, dropped = sl.twolevel_coarse(p.stdout)
    lam = sl.read("ka2d.h5", "/spectrum/modes/eigenvalues")
    err = np.max(np.abs(lam - ref2) / ref2) if len(lam) == 10 else np.inf
    vt.check(space == "affine" and unknowns == 6 * aggregates and aggregates <= 400 // 48 and err < 1e-8,
             "2D glass: affine space, %d aggregates, %d coarse unknowns; lowest 10 = LAPACK to 1e-8 (max %.1e)" % (aggregates, unknowns, err))

    # Degenerate multiplets: fcc Lennard-Jones crystal (as tests/spectrum/multiplets.py).
    Hf = sl.hessian_dense("fcc.data", np_ranks=np_ranks, potential=potential)
    ref_fcc = np.linalg.eigvalsh(Hf)[d:]
    vt.check(np.sum(ref_fcc <= ref_fcc[9] * (1 + 1e-8)) == 12, "the fcc reference has a 12-fold multiplet at the bottom")
    for k in (10, 13):
        out = "fcc_%d.h5" % k
        vt.run(["spectrum", "-sample", "fcc.data", "-spectrum_method", "lobpcg", "-spectrum_nev", k, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-o", out] + potential, np_ranks)
        lam = sl.read(out, "/spectrum/modes/eigenvalues")
        err = np.max(np.abs(lam - ref_fcc[:k]) / ref_fcc[:k]) if len(lam) == k else np.inf
        vt.check(err < 1e-8, "fcc, nev %d: %d modes = LAPACK to 1e-8 relative (max %.1e)" % (k, len(lam), err))
    for method in ("filter", "chebyshev", "twolevel"):
        p = vt.run(["spectrum", "-sample", "fcc.data", "-spectrum_method", method, "-spectrum_nev", 10, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-o", "fcc_filter.h5"] + potential, np_ranks)
        lam = sl.read("fcc_filter.h5", "/spectrum/modes/eigenvalues")
        err = np.max(np.abs(lam - ref_fcc[:12]) / ref_fcc[:12]) if len(lam) == 12 else np.inf
        vt.check(err < 1e-8 and "warning" not in p.stdout, "fcc, %s, nev 10: the whole multiplet, %d modes = LAPACK's lowest 12 to 1e-8 relative (max %.1e), no warning" % (method, len(lam), err))
# On 2 ranks: the warning and the input errors, each printed once.
if distributed:
    p = vt.run(["spectrum", "-sample", "fcc.data", "-spectrum_method", "chebyshev", "-spectrum_chebyshev_block", 12, "-spectrum_nev", 10, "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-o", "fcc_full.h5"] + potential, np_ranks)
    warnings = [l for l in p.stdout.splitlines() if l.startswith("vitrum: warning:")]
    vt.check(len(warnings) == 1 and "-spectrum_chebyshev_block" in warnings[0], "fcc, chebyshev, block 12 = the multiplet: one warning naming the block option (%s)" % warnings)

    base = base[:6] + [1] + base[7:]  # the errors need no 20 modes
    for bad, words in ((["-spectrum_precond_shift", 0], ["-spectrum_precond_shift 0", "positive"]), (["-spectrum_precond", "amg"], ["-spectrum_precond", "amg"])):
        p = vt.run(base + ["-spectrum_method", "lobpcg"] + bad, np_ranks, expect_fail=True)
        msg = p.stdout + p.stderr
        vt.check(all(w in msg for w in words) and "vitrum: error" in msg, "%s: user error naming it" % bad)
    for method in ("chebyshev", "twolevel"):
        p = vt.run(base + ["-spectrum_method", method, "-spectrum_%s_block" % method, 1], np_ranks, expect_fail=True)
        msg = p.stdout + p.stderr
        vt.check("-spectrum_%s_block 1" % method in msg and msg.count("vitrum: error") == 1, "%s block 1 with nev 1: one user error naming it" % method)
    p = vt.run(base + ["-spectrum_method", "twolevel", "-hessian_type", "shell"], np_ranks, expect_fail=True)
    msg = p.stdout + p.stderr
    vt.check("twolevel" in msg and "assembled" in msg and msg.count("vitrum: error") == 1, "twolevel on a shell Hessian: one user error (%s)" % msg.strip()[-200:])
    p = vt.run(base + ["-spectrum_method", "twolevel", "-spectrum_twolevel_single_memory", 0], np_ranks, expect_fail=True)
    msg = p.stdout + p.stderr
    vt.check("-spectrum_twolevel_single_memory 0" in msg and msg.count("vitrum: error") == 1, "-spectrum_twolevel_single_memory 0: one user error naming it")
    for bad in (["-spectrum_twolevel_coarse_memory", 0], ["-spectrum_twolevel_coarse_space", "rigid"], ["-spectrum_twolevel_coarse_solve", "shared"]):
        p = vt.run(base + ["-spectrum_method", "twolevel"] + bad, np_ranks, expect_fail=True)
        msg = p.stdout + p.stderr
        vt.check(bad[0] in msg and str(bad[1]) in msg and msg.count("vitrum: error") == 1, "%s %s: one user error naming it" % tuple(bad))
