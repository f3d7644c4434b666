"""Bad input and edge cases of vitrum spectrum: an unrelaxed sample (negative eigenvalues counted
as LAPACK counts them, run continues; the default's modes nearest its target; counts of the modes of
real frequency), an isolated dimer (KPM vectors that are translations), nev too large, a non-positive target, non-convergence,
zero bins, a KPM interval that misses the spectrum, too few Lanczos steps for the bounds; Lanczos
bounds after an odd number of steps or an early stop; an odd number of VDOS bins; a -vdos_resolution
finer than -kpm_max_moments allows; a -boson_omega_min above the VDOS grid; most of the modes by
LOBPCG (dense LAPACK instead); a misspelt -eps_type."""
import h5py
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
base = ["spectrum", "-potential", "ka3d", "-kpm_moments", 64]

# Unrelaxed: displace every atom at random by ~0.03 sigma.
lines = open(sample).read().split("\n")
start = [k for k, l in enumerate(lines) if l.startswith("Atoms")][0] + 2
rng = np.random.default_rng(3)
for k in range(start, len(lines)):
    w = lines[k].split()
    if len(w) < 5:
        break
    lines[k] = " ".join(w[:2] + ["%.12f" % (float(v) + 0.03 * rng.standard_normal()) for v in w[2:5]])
open("unrelaxed.data", "w").write("\n".join(lines))
ev = np.linalg.eigvalsh(sl.hessian_dense("unrelaxed.data"))
tol = 1e-6 * ev.mean()
nonzero = np.delete(ev, np.argsort(np.abs(ev))[:3])  # without the 3 translations
nneg = int(np.sum(ev < -tol))
# The default method (sinvert here) returns the modes nearest its target 1e-6 Tr(H)/(dN), negative
# ones included, on any rank count: its multiplet check counted every eigenvalue below the top of
# them, so the 30-odd negative ones below made it search on and return an arbitrary window of them
# (different on 1 and 2 ranks). Counts below omega: the modes of real frequency,
# 0 <= lambda < omega^2, by inertia and by KPM alike (inertia counted the negative ones too).
omegas = (2.0, 5.0, 10.0)
nearest = np.sort(nonzero[np.argsort(np.abs(nonzero - tol))[:10]])
for n in (1, 2):
    out = "u%d.h5" % n
    p = vt.run(base[:-2] + ["-sample", "unrelaxed.data", "-spectrum_nev", 10, "-spectrum_count_omega", ",".join(map(str, omegas)),
                            "-kpm_moments", 256, "-kpm_vectors", 32, "-o", out], n)
    got = int(sl.read(out, "/spectrum/scalars/negative_count")[0])
    vt.check(nneg > 0 and got == nneg, "unrelaxed sample, %d rank(s): %d negative eigenvalues counted (LAPACK: %d)" % (n, got, nneg))
    vt.check("not relaxed" in p.stdout and "negative eigenvalues" in p.stdout, "%d rank(s): the sample is not relaxed, and the negative eigenvalues, reported on stdout" % n)
    lam = sl.read(out, "/spectrum/modes/eigenvalues")
    with h5py.File(out, "r") as f:
        method = f["/spectrum/modes/eigenvalues"].attrs["method"]
    method = method.decode() if isinstance(method, bytes) else method
    vt.check(method == "sinvert" and lam.size == 10 and lam[0] < 0 and np.allclose(lam, nearest, rtol=1e-8, atol=1e-8 * abs(ev).max()),
             "%d rank(s): the default's 10 modes (%s) are LAPACK's 10 nearest the target, negative ones included (%s, got %s)" % (n, method, np.round(nearest, 3), np.round(lam, 3)))
    exact = sl.read(out, "/spectrum/counts/exact")
    ref = np.array([np.sum((nonzero >= -tol) & (nonzero < o * o)) for o in omegas])
    vt.check(np.array_equal(exact, ref), "%d rank(s): exact counts %s = LAPACK's modes with 0 <= lambda < omega^2 %s (all below omega^2: %s)" % (n, exact, ref, [np.sum(nonzero < o * o) for o in omegas]))
    lo, hi = float(sl.read(out, "/spectrum/kpm/lambda_min")), float(sl.read(out, "/spectrum/kpm/lambda_max"))
    kpm, err = sl.read(out, "/spectrum/counts/kpm"), sl.read(out, "/spectrum/counts/kpm_err")
    smooth = np.array([sl.jackson_count(256, o * o, nonzero, lo, hi) - sl.jackson_count(256, 0.0, nonzero, lo, hi) for o in omegas])
    vt.check(np.all(np.abs(kpm - smooth) < 4.5 * err) and np.all(np.abs(kpm - exact) < 0.5 * nneg), "%d rank(s): KPM counts %s = the Jackson-smoothed LAPACK count of 0 <= lambda < omega^2 %s within 4.5 errors %s, and near the exact ones" % (n, np.round(kpm, 1), np.round(smooth, 1), np.round(err, 1)))
    vt.check(lo <= ev.min(), "%d rank(s): KPM interval covers the negative eigenvalues" % n)
    vt.check(hi >= ev.max(), "%d rank(s): KPM interval covers the largest eigenvalue (an isolated outlier)" % n)
vt.run(base + ["-sample", "unrelaxed.data", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-o", "u0.h5"], 2)
vt.check(sl.read("u0.h5", "/spectrum/kpm/lambda_min") <= ev.min(), "without inertia or modes the KPM interval (Lanczos) still covers the negative eigenvalues")


def fails(args, words, what):
    p = vt.run(base + ["-sample", sample] + args, 1, expect_fail=True)
    text = p.stdout + p.stderr
    vt.check(p.returncode == 1 and all(w in text for w in words) and "PETSC ERROR" not in text,
             "%s: one-line error naming %s" % (what, words))


fails(["-spectrum_nev", 100000], ["-spectrum_nev 100000", "645"], "nev larger than the space")
fails(["-eps_target", -1], ["-eps_target", "positive"], "non-positive shift-and-invert target")
fails(["-spectrum_method", "lobpcg", "-eps_max_it", 3, "-spectrum_kpm", 0], ["converged", "3 iterations", "-spectrum_allow_unconverged"], "non-convergence")
p = vt.run(base + ["-sample", sample, "-spectrum_method", "lobpcg", "-eps_max_it", 3, "-spectrum_kpm", 0, "-spectrum_allow_unconverged", "-o", "unc.h5"], 1)
vt.check("warning" in p.stdout, "-spectrum_allow_unconverged: warning and exit status 0")
fails(["-vdos_bins", 0], ["-vdos_bins 0"], "zero bins")
fails(["-kpm_lambda_max", 100], ["-kpm_lambda_min/-kpm_lambda_max", "the interval used, [", "eigenvalue unit; -kpm_lambda_min"], "KPM interval that misses part of the spectrum: the interval used named")
fails(["-kpm_bounds_steps", 0, "-spectrum_method", "chebyshev", "-spectrum_kpm", 0], ["-kpm_bounds_steps 0", "between 2 and"], "too few Lanczos steps for the bounds (also those of chebyshev's interval)")


# The Lanczos bounds swap two work vectors at every step: after an odd number of steps (an option,
# or an early stop when a tiny sample's space is exhausted) the wrong one was freed and the run
# crashed (until session 19). Both now end normally, with an interval that covers every eigenvalue.
def covers(out, what):
    lam = sl.read(out, "/spectrum/vdos/eigenvalues")  # every eigenvalue (dense LAPACK: small samples)
    lo, hi = sl.read(out, "/spectrum/kpm/lambda_min")[0], sl.read(out, "/spectrum/kpm/lambda_max")[0]
    vt.check(lo <= min(lam.min(), 0) and hi >= lam.max(), "%s: KPM interval [%g, %g] covers the eigenvalues [%g, %g] and 0" % (what, lo, hi, lam.min(), lam.max()))


vt.run(base + ["-sample", sample, "-spectrum_nev", 0, "-spectrum_inertia", 0, "-kpm_bounds_steps", 5, "-o", "odd.h5"], 1)
covers("odd.h5", "-kpm_bounds_steps 5")


def four_atoms(path, types, masses):
    """4 atoms on the fcc sites of a cubic box of 3 sigma: neighbours through images of images."""
    sites = [(0, 0, 0), (1.5, 1.5, 0), (1.5, 0, 1.5), (0, 1.5, 1.5)]
    text = "LAMMPS data file\n\n4 atoms\n%d atom types\n\n" % len(masses)
    text += "".join("0 3.0 %slo %shi\n" % (a, a) for a in "xyz")
    text += "\nMasses\n\n" + "".join("%d %s\n" % (t + 1, m) for t, m in enumerate(masses))
    text += "\nAtoms # atomic\n\n" + "".join("%d %d %g %g %g\n" % ((k + 1, types[k]) + sites[k]) for k in range(4))
    open(path, "w").write(text)


# a tiny space: Lanczos stops early, after an odd number of steps
four_atoms("four.data", (1, 2, 1, 2), ("28.0855", "12.011"))
vt.run(["spectrum", "-potential", "ka3d", "-sample", "four.data", "-spectrum_nev", 0, "-o", "four.h5"], 1)
covers("four.h5", "4-atom sample, early Lanczos stop")
# every mode but the translations negative (lj at these distances): Lanczos, started off the
# translations, ends below their zero modes; the interval keeps 0, so the run stops with the error
# that the sample is far from a minimum, not with an interval that misses the spectrum
four_atoms("negative.data", (1, 1, 1, 1), ("1.0",))
p = vt.run(["spectrum", "-potential", "lj", "-sample", "negative.data", "-spectrum_nev", 0, "-o", "negative.h5"], 2, expect_fail=True)
text = p.stdout + p.stderr
vt.check(p.returncode == 1 and "far from a minimum" in text and "grew beyond" not in text and text.count("error:") == 1 and "PETSC ERROR" not in text,
         "every non-translation mode negative, 2 ranks: one line, once, saying the sample is far from a minimum")
# An isolated Lennard-Jones dimer at its minimum, 2^(1/6) sigma apart in a box of 10 sigma: 3 states
# off the translations, two of them zero (free rotations). One +-1 vector in 8 is a translation: its
# a + b mu_1/mu_0 was 0/0, so the default run wrote <omega^2> = NaN; one Lanczos start vector in 8 is
# one too (internal error 72, -kpm_seed 3) and one in 2 misses the stretch (an interval that missed
# the spectrum, -kpm_seed 4): such a start uses Gershgorin's bounds. No dataset holds a NaN.
text = "dimer\n\n2 atoms\n1 atom types\n\n0 10 xlo xhi\n0 10 ylo yhi\n0 10 zlo zhi\n\nMasses\n\n1 1.0\n\n"
open("dimer.data", "w").write(text + "Atoms # atomic\n\n1 1 5 5 5\n2 1 %.17g 5 5\n" % (5 + 2 ** (1 / 6)))
exact = 2 * 4 * (156 * 2 ** (-14 / 6) - 42 * 2 ** (-8 / 6)) / 6  # Tr(H)/(dN): 2 phi''(r_min) over 6 degrees of freedom
for n, seed in ((1, 1), (2, 1), (1, 3), (1, 4)):
    out = "dimer_%d_%d.h5" % (n, seed)
    vt.run(["spectrum", "-potential", "lj", "-sample", "dimer.data", "-kpm_seed", seed, "-o", out], n)
    with h5py.File(out, "r") as f:
        nonfinite = []
        f.visititems(lambda name, o: nonfinite.append(name) if isinstance(o, h5py.Dataset) and o.dtype.kind == "f" and not np.all(np.isfinite(o[()])) else None)
        w2, err, w2_exact = (f["/spectrum/scalars/" + k][()].item() for k in ("omega2_mean_kpm", "omega2_mean_kpm_err", "omega2_mean"))
    vt.check(not nonfinite and abs(w2_exact - exact) < 1e-12 * exact and abs(w2 - exact) < 4 * err,
             "dimer, %d rank(s), -kpm_seed %d: no NaN or Inf written (%s); KPM <omega^2> %.3f +- %.2f = exact %.4f (numpy %.4f)" % (n, seed, nonfinite, w2, err, w2_exact, exact))
    lam = sl.read(out, "/spectrum/vdos/eigenvalues")  # LAPACK's: the zero modes to round-off, Gershgorin's ends exact
    lo, hi = sl.read(out, "/spectrum/kpm/lambda_min")[0], sl.read(out, "/spectrum/kpm/lambda_max")[0]
    vt.check(lo <= 1e-12 * exact and hi >= lam.max() * (1 - 1e-12), "dimer, -kpm_seed %d: KPM interval [%g, %g] covers the eigenvalues [%g, %g] to round-off" % (seed, lo, hi, lam.min(), lam.max()))
p = vt.run(["spectrum", "-potential", "lj", "-sample", "dimer.data", "-kpm_seed", 3, "-kpm_vectors", 1, "-o", "dimer_r1.h5"], 2, expect_fail=True)
text = p.stdout + p.stderr
vt.check(p.returncode == 1 and text.count("error:") == 1 and "-kpm_vectors" in text and "PETSC ERROR" not in text,
         "dimer, its one KPM vector a translation: one line, once, on 2 ranks, naming -kpm_vectors")
fails(["-kpm_bounds_steps", 3, "-spectrum_nev", 0, "-spectrum_inertia", 0], ["-kpm_lambda_min/-kpm_lambda_max", "-kpm_bounds_steps"],
      "an interval from 3 Lanczos steps that misses the top of the spectrum")
# The VDOS alternated two cumulative arrays from bin to bin: an odd -vdos_bins freed the wrong one (a
# crash until session 19; the array is now copied).
vt.run(base + ["-sample", sample, "-spectrum_nev", 0, "-vdos_bins", 7, "-o", "bins7.h5"], 1)
D, omega = sl.read("bins7.h5", "/spectrum/vdos/D"), sl.read("bins7.h5", "/spectrum/vdos/omega")
vt.check(D.size == 7 and abs(D.sum() * (omega[1] - omega[0]) - 1) < 1e-12, "-vdos_bins 7: 7 bins, normalised (sum D dw = %.15f)" % (D.sum() * (omega[1] - omega[0])))
# -vdos_resolution far below what any moment count gives: the moments it asks for overflowed a 32-bit
# integer and the run silently used 2 (until session 20); now -kpm_max_moments caps them, with a warning
base_auto = ["spectrum", "-potential", "ka3d", "-sample", sample, "-spectrum_nev", 0, "-spectrum_inertia", 0]
p = vt.run(base_auto + ["-vdos_resolution", 1e-9, "-kpm_max_moments", 128, "-boson_max_moments", 128, "-o", "fine.h5"], 2)
moments = sl.read("fine.h5", "/spectrum/kpm/mu").shape[-1]
vt.check(moments == 128 and "above -kpm_max_moments 128" in p.stdout, "-vdos_resolution 1e-9: capped at -kpm_max_moments 128 with a warning (%d moments)" % moments)
asked = float(p.stdout.split("asks for ")[1].split(" KPM moments")[0])
vt.check(asked > 1e9 and "2147483647" not in p.stdout, "-vdos_resolution 1e-9: the warning gives the moments asked for, %.4g (was clipped to 2147483647)" % asked)
p = vt.run(base_auto + ["-boson_omega_min", 1e9, "-o", "boson.h5"], 2, expect_fail=True)
text = p.stdout + p.stderr
vt.check(p.returncode == 1 and text.count("error:") == 1 and "-boson_omega_min" in text and "upper end of the VDOS grid" in text,
         "-boson_omega_min above the VDOS grid: one line, once, on 2 ranks")
# most of the modes by an iterative method: SLEPc's LOBPCG stopped with internal error 56 (block too
# large for the space; minimize -minimize_saddle_nev 1e9 too); now dense LAPACK with a note, and the
# 600 lowest modes are numpy's
p = vt.run(["spectrum", "-potential", "ka3d", "-sample", sample, "-spectrum_method", "lobpcg", "-spectrum_nev", 600, "-spectrum_kpm", 0, "-o", "most.h5"], 2)
lam = sl.read("most.h5", "/spectrum/modes/eigenvalues")
ref = np.sort(np.linalg.eigvalsh(sl.hessian_dense(sample)))[3:603]
vt.check("computed by dense LAPACK" in p.stdout and lam.size == 600 and np.abs(lam - ref).max() < 1e-9 * ref.max(),
         "600 of 645 modes by lobpcg on 2 ranks: dense LAPACK with a note, = numpy (%.1e)" % np.abs(lam - ref).max())
# a misspelt PETSc type is one line on 2 ranks (internal error 86 before)
p = vt.run(base + ["-sample", sample, "-eps_type", "bogus", "-o", "bogus.h5"], 2, expect_fail=True)
text = p.stdout + p.stderr
vt.check(p.returncode == 1 and text.count("vitrum: error:") == 1 and "bogus" in text and "PETSC ERROR" not in text, "-eps_type bogus: one line on 2 ranks")
# values that could only exhaust memory or time are refused before any work (a billion moments,
# vectors, Lanczos steps, bins or temperatures ended in internal errors or a kill until session 20)
for option, limit in (("-kpm_moments", "1000000"), ("-kpm_max_moments", "1000000"), ("-kpm_vectors", "10000"),
                      ("-kpm_bounds_steps", "10000"), ("-vdos_bins", "1000000"), ("-cv_temperatures", "100000")):
    fails([option, 10 ** 9], ["%s 1000000000" % option, limit], "%s 1e9" % option)
