"""The MUMPS memory and time guard of vitrum spectrum (the time: -spectrum_factor_max_flops, last): with -spectrum_factor_max_memory below a lower
estimate of any factor (no MUMPS analysis then) or below MUMPS's own estimate, the default run (inertia counts and shift-and-invert modes on) skips both with a one-line
note each, exits 0, keeps the KPM counts and computes the modes by LOBPCG with the two-level
preconditioner instead (no multigrid: -spectrum_precond_max_memory does not concern it; LOBPCG asked
for with its multigrid above that limit: no modes, with a note); a shell Hessian (no entries to
factor, no blocks for the coarse level) gets a note for each and and Chebyshev-filtered subspace iteration
gives the same modes; with a generous limit the exact counts are written and equal LAPACK's."""
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
ev = np.linalg.eigvalsh(sl.hessian_dense(sample))
omegas = [5.0, 10.0, 20.0]
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-kpm_moments", 64, "-spectrum_count_omega", ",".join(map(str, omegas))]
# below the lower estimate of any factor (a dense block of the dofs that cut the box in two) the
# guard decides without MUMPS's analysis; between it and MUMPS's estimate (5 MB here), MUMPS decides
said = {}
for n, limit, how in ((1, 0.001, "MUMPS's analysis is not run"), (2, 0.001, "MUMPS's analysis is not run"), (1, 3, "MUMPS estimates"), (2, 3, "MUMPS estimates")):
    p = vt.run(base + ["-spectrum_factor_max_memory", limit, "-o", "small%d.h5" % n], n)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    vt.check(len(notes) == 2 and "exact counts (inertia)" in notes[0] and "shift-and-invert skipped" in notes[1] and "-spectrum_method twolevel" in notes[1]
             and all(how in note for note in notes), "%d rank(s), limit %g MB: inertia and shift-and-invert skipped (%s), one note each: %s" % (n, limit, how, notes))
    said[how] = float(notes[0].split(" MB")[0].split()[-1])
    names = []
    sl.h5py.File("small%d.h5" % n, "r").visit(names.append)
    vt.check("spectrum/counts/exact" not in names and "spectrum/counts/kpm" in names, "%d rank(s): no exact counts written, KPM counts written" % n)
    lam = sl.read("small%d.h5" % n, "/spectrum/modes/eigenvalues")
    method = sl.h5py.File("small%d.h5" % n, "r")["/spectrum/modes/eigenvalues"].attrs["method"]
    method = method.decode() if isinstance(method, bytes) else method
    vt.check(method == "twolevel" and "modes (twolevel" in p.stdout, "%d rank(s): the output and the summary name the solver used, twolevel (%s)" % (n, method))
    vt.check(len(lam) == 20 and np.allclose(lam, ev[3:23], rtol=1e-8), "%d rank(s): the 20 modes of the twolevel fallback = LAPACK's" % n)
vt.check(0 < said["MUMPS's analysis is not run"] < said["MUMPS estimates"], "the lower estimate (%g MB) is below MUMPS's estimate (%g MB)" % (said["MUMPS's analysis is not run"], said["MUMPS estimates"]))
# the default limit: half of the memory available (MemAvailable, or less under the job's cgroup
# limit), read once per node (2 ranks on this one node: not twice); the guard is set up before any
# stage (cmd_spectrum.c), so no modes: the 2-rank shift-and-invert solve cost more than the rest of the test
for n in (1, 2):
    p = vt.run(base + ["-spectrum_nev", 0, "-o", "limit%d.h5" % n, "-info", ":sys"], n)
    limit = [float(l.split("may take ")[1].split(" MB")[0]) for l in p.stdout.splitlines() if "factor guard: a MUMPS factor may take" in l]
    avail = vt.memory_available() / 1048576
    vt.check(len(limit) >= 1 and all(abs(x / (0.5 * avail) - 1) < 0.2 for x in limit), "%d rank(s): the default factor limit %s MB = half of the memory available (%.0f MB) of the one node" % (n, limit, avail))
# the fallback needs no second matrix: a tiny multigrid limit does not stop it
p = vt.run(base + ["-spectrum_factor_max_memory", 0.001, "-spectrum_precond_max_memory", 1, "-o", "filter.h5"], 2)
vt.check(len(sl.read("filter.h5", "/spectrum/modes/eigenvalues")) == 20 and "multigrid" not in p.stdout, "the twolevel fallback ignores the multigrid limit")
# a shell Hessian (the default run) has no entries to factor nor blocks for the coarse level:
# inertia and shift-and-invert are skipped, twolevel declines, each with a note, chebyshev runs
for n in (1, 2):
    p = vt.run(base + ["-hessian_type", "shell", "-o", "shell%d.h5" % n], n)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    lam = sl.read("shell%d.h5" % n, "/spectrum/modes/eigenvalues")
    method = sl.h5py.File("shell%d.h5" % n, "r")["/spectrum/modes/eigenvalues"].attrs["method"]
    method = method.decode() if isinstance(method, bytes) else method
    vt.check(len(notes) == 3 and all("shell" in note for note in notes) and "two-level preconditioner not used" in notes[2] and "-spectrum_method chebyshev" in notes[2]
             and method == "chebyshev" and len(lam) == 20 and np.allclose(lam, ev[3:23], rtol=1e-8),
             "%d rank(s), shell Hessian: twolevel declines with one note, chebyshev's 20 modes = LAPACK's (%s, %s)" % (n, method, notes))
# LOBPCG's multigrid has its own limit: below its estimate (100 kB/atom) the modes are skipped
p = vt.run(base + ["-spectrum_method", "lobpcg", "-spectrum_precond_max_memory", 1, "-o", "nomodes.h5"], 2)
names = []
sl.h5py.File("nomodes.h5", "r").visit(names.append)
vt.check("lowest modes skipped: the multigrid preconditioner" in p.stdout and "-spectrum_precond_max_memory" in p.stdout and "spectrum/modes/eigenvalues" not in names,
         "multigrid above -spectrum_precond_max_memory: modes skipped with a note, none written, exit 0")
p = vt.run(base + ["-spectrum_nev", 0, "-spectrum_factor_max_memory", 1e6, "-o", "big.h5"], 2)
vt.check("vitrum: note" not in p.stdout, "a generous limit prints no note")
exact = sl.read("big.h5", "/spectrum/counts/exact")
vt.check(list(exact) == [int(np.sum(ev < w * w)) - 3 for w in omegas], "exact counts %s = LAPACK's" % list(exact))
# the time limit: MUMPS's estimate of the factorisation's flops above -spectrum_factor_max_flops
# (per rank) skips both with a note naming it, whatever the memory; the default (1e12) does not
# concern a 216-atom glass (a dense factor's n^3/3 is below it: no analysis, as "big.h5" above)
for n in (1, 2):
    p = vt.run(base + ["-spectrum_factor_max_flops", 1e5, "-o", "slow%d.h5" % n], n)
    notes = [l for l in p.stdout.splitlines() if l.startswith("vitrum: note:")]
    vt.check(len(notes) == 2 and all("-spectrum_factor_max_flops" in note and "flops per rank" in note for note in notes)
             and "exact counts (inertia)" in notes[0] and "-spectrum_method twolevel" in notes[1], "%d rank(s), flop limit 1e5: inertia and shift-and-invert skipped, one note each naming the option: %s" % (n, notes))
    lam = sl.read("slow%d.h5" % n, "/spectrum/modes/eigenvalues")
    vt.check(len(lam) == 20 and np.allclose(lam, ev[3:23], rtol=1e-8), "%d rank(s), flop limit: the 20 modes of the twolevel fallback = LAPACK's" % n)
p = vt.run(base + ["-spectrum_nev", 0, "-spectrum_factor_max_flops", 0, "-o", "noflops.h5"], 1)
vt.check("vitrum: note" not in p.stdout and list(sl.read("noflops.h5", "/spectrum/counts/exact")) == list(exact), "-spectrum_factor_max_flops 0: no time limit, the exact counts")
p = vt.run(base + ["-spectrum_factor_max_flops", -1], 1, expect_fail=True)
vt.check("-spectrum_factor_max_flops -1" in p.stderr + p.stdout, "a negative flop limit is a user error naming the option")
p = vt.run(base + ["-spectrum_factor_max_memory", -1], 1, expect_fail=True)
vt.check("-spectrum_factor_max_memory -1" in p.stderr + p.stdout, "a negative limit is a user error naming the option")
