"""Kernel polynomial method: VDOS and moments bitwise identical on 1, 2 and 4 ranks; cumulative
counts against exact inertia counts (and LAPACK) within the stated error, converging as the number
of moments grows; the stochastic moments against exact Chebyshev moments of the LAPACK spectrum;
more moments of a run (boson-peak refinement, the pilot of the default count) continue its
recursion and give bitwise the moments of a run of that length."""
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sample = sl.make_ka_glass("ka216.data")
H = sl.hessian_dense(sample)
ev = np.linalg.eigvalsh(H)
d = 3
nonzero = ev[d:]
omegas = [2.0, 4.0, 6.0, 8.0, 12.0, 16.0, 20.0, 25.0, 30.0]
base = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 0, "-kpm_vectors", 24, "-kpm_seed", 11]

# Bitwise identity on 1, 2, 4 ranks
for n in (1, 2, 4):
    vt.run(base + ["-kpm_moments", 128, "-spectrum_inertia", 0, "-o", "np%d.h5" % n], n)
for name in ("/spectrum/kpm/mu", "/spectrum/vdos/D", "/spectrum/vdos/D_err", "/spectrum/kpm/lambda_max", "/spectrum/moments", "/spectrum/scalars/omega2_mean"):
    ref = sl.read("np1.h5", name)
    vt.check(all(np.array_equal(ref, sl.read("np%d.h5" % n, name)) for n in (2, 4)), "%s bitwise identical on 1, 2, 4 ranks" % name)
# The exact moments Tr(H)/(dN), Tr(H^2)/(dN) against numpy's (exact sums: identical on every rank
# count above; the SBAIJ storage below sums other terms per row, so to rounding)
exact_moments = [np.trace(H) / len(H), np.sum(H * H) / len(H)]
got = sl.read("np1.h5", "/spectrum/moments")
vt.check(np.allclose(got, exact_moments, rtol=1e-13, atol=0), "/spectrum/moments %s = numpy's %s" % (got, exact_moments))
# Every compiled kernel variant gives the same bits (-kpm_kernel; those this CPU supports), with 24
# vectors (whole SIMD chunks) and 13 (the 8, 4, 1 remainders)
flags = open("/proc/cpuinfo").read().split()
v3 = all(f in flags for f in ("avx2", "fma", "bmi2"))  # the features kpm.c requires of each level
v4 = v3 and all(f in flags for f in ("avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"))
variants = ["v2"] + (["v3"] if v3 else []) + (["v4"] if v4 else [])
for R in (24, 13):
    runs = {}
    for k in ["auto"] + variants:
        out = "kernel_%s_%d.h5" % (k, R)
        p = vt.run(base[:-4] + ["-kpm_vectors", R, "-kpm_seed", 11, "-kpm_moments", 64, "-spectrum_inertia", 0, "-kpm_kernel", k, "-info", ":sys", "-o", out], 1)
        vt.check(k == "auto" or "KPM kernel: %s" % k in p.stdout, "-kpm_kernel %s is the kernel used" % k)
        runs[k] = sl.read(out, "/spectrum/kpm/mu")
    vt.check(all(np.array_equal(runs["auto"], runs[k]) for k in variants), "%d vectors: moments bitwise the same with the kernels %s and auto" % (R, variants))
p = vt.run(base + ["-kpm_moments", 64, "-spectrum_inertia", 0, "-kpm_kernel", "avx9"], 1, expect_fail=True)
vt.check("-kpm_kernel" in p.stdout + p.stderr and (p.stdout + p.stderr).count("vitrum: error") == 1, "-kpm_kernel avx9: one user error naming the option")
omega = sl.read("np1.h5", "/spectrum/vdos/omega")
D = sl.read("np1.h5", "/spectrum/vdos/D")
vt.check(abs(np.sum(D) * (omega[1] - omega[0]) - 1) < 1e-12, "D integrates to 1 over the omega grid")

# Stochastic moments vs exact Chebyshev moments of the spectrum (translations deflated)
lo, hi = float(sl.read("np1.h5", "/spectrum/kpm/lambda_min")), float(sl.read("np1.h5", "/spectrum/kpm/lambda_max"))
x = (nonzero - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
gersh = np.max(np.diag(H) + np.abs(H).sum(axis=1) - np.abs(np.diag(H)))
vt.check(lo <= 0 and hi >= ev.max(), "KPM interval [%g, %g] contains the spectrum (LAPACK max %g)" % (lo, hi, ev.max()))
vt.check(hi <= min(gersh, 1.03 * ev.max()), "KPM upper bound (Lanczos + margin) within 3%% of LAPACK's largest eigenvalue and below Gershgorin's %g" % gersh)
mu_exact = np.cos(np.outer(np.arange(128), np.arccos(x))).sum(axis=1)
mu = sl.read("np1.h5", "/spectrum/kpm/mu")
z = (mu.mean(axis=0) - mu_exact) / (mu.std(axis=0, ddof=1) / np.sqrt(mu.shape[0]) + 1e-300)
vt.check(np.max(np.abs(z[1:])) < 5, "KPM moments = exact Chebyshev moments within 5 standard errors (max %.2f)" % np.max(np.abs(z[1:])))

# Counts: exact (inertia) = LAPACK; KPM within smoothing + 4 standard errors; error shrinks with M.
# The inertia counts do not depend on M (nor the KPM counts on the inertia: bitwise the same without
# it): they are computed once, at M = 128 (9 MUMPS factorisations on 2 ranks per run), and the KPM
# counts of every M are compared with LAPACK's, which they equal.
exact_ref = np.array([np.sum(ev < o * o) - d for o in omegas])
errors = []
for M in (32, 128, 512):
    out = "M%d.h5" % M
    vt.run(base + ["-kpm_moments", M, "-spectrum_count_omega", ",".join(map(str, omegas)), "-o", out] + ([] if M == 128 else ["-spectrum_inertia", 0]), 2)
    if M == 128:
        exact = sl.read(out, "/spectrum/counts/exact")
        vt.check(np.array_equal(exact, exact_ref), "inertia counts = LAPACK counts (M=%d)" % M)
    exact = exact_ref
    kpm, err = sl.read(out, "/spectrum/counts/kpm"), sl.read(out, "/spectrum/counts/kpm_err")
    # The Jackson kernel has width pi (hi-lo)/(2M) in lambda: count the eigenvalues within 2 widths.
    width = np.pi * (hi - lo) / (2 * M)
    smear = np.array([np.sum(np.abs(nonzero - o * o) < 2 * width) for o in omegas])
    ok = np.abs(kpm - exact) <= smear + 4 * err + 0.5
    vt.check(np.all(ok), "M=%d: |KPM - exact| within smoothing + 4 errors: %s" % (M, np.round(kpm - exact, 2)))
    errors.append(np.mean(np.abs(kpm - exact)))
vt.check(errors[0] > errors[1] > errors[2], "KPM count error decreases with moments: %s" % np.round(errors, 3))
vt.check(errors[2] < 0.25 * errors[0], "KPM count error with 512 moments < 1/4 of that with 32")


smooth = np.array([sl.jackson_count(128, o * o, nonzero, lo, hi) - sl.jackson_count(128, 0.0, nonzero, lo, hi) for o in omegas])
kpm, err = sl.read("M128.h5", "/spectrum/counts/kpm"), sl.read("M128.h5", "/spectrum/counts/kpm_err")
z = (kpm - smooth) / err
vt.check(np.max(np.abs(z)) < 4.5, "M=128: KPM counts = Jackson-smoothed exact counts within the stated error (max %.2f sigma)" % np.max(np.abs(z)))

# Other Hessian storage: SBAIJ (applied as stored, each pair's block shared by both rows: the same
# additions, bitwise BAIJ's moments) and matrix-free shell (MatMult per vector: to rounding)
for t in ("sbaij", "shell"):
    vt.run(base + ["-kpm_moments", 128, "-spectrum_inertia", 0, "-hessian_type", t, "-o", "%s.h5" % t], 2)
    dev = np.max(np.abs(sl.read("%s.h5" % t, "/spectrum/kpm/mu") - sl.read("np1.h5", "/spectrum/kpm/mu")))
    vt.check(dev == 0 if t == "sbaij" else dev < 1e-9, "-hessian_type %s: KPM moments = BAIJ's %s (%.1e)" % (t, "bitwise" if t == "sbaij" else "to rounding", dev))
    if t == "sbaij":  # Tr(H^2) counts each off-diagonal block of the upper triangle twice
        vt.check(np.allclose(sl.read("sbaij.h5", "/spectrum/moments"), exact_moments, rtol=1e-13, atol=0), "-hessian_type sbaij: exact moments = numpy's")
# The shell after SLEPc's STFILTER, which duplicates H (the copy shares the shell's context) and
# destroys its copy: the KPM then applies H (freed memory, a SEGV, until session 21)
args = list(base)
args[args.index("-spectrum_nev") + 1] = 6
vt.run(args + ["-kpm_moments", 128, "-spectrum_inertia", 0, "-hessian_type", "shell", "-spectrum_method", "filter", "-o", "shell_filter.h5"], 2)
lam = sl.read("shell_filter.h5", "/spectrum/modes/eigenvalues")
vt.check(np.allclose(lam, nonzero[:6], rtol=1e-8, atol=0), "-hessian_type shell -spectrum_method filter: the 6 lowest modes = LAPACK's (%s)" % lam)
dev = np.max(np.abs(sl.read("shell_filter.h5", "/spectrum/kpm/mu") - sl.read("np1.h5", "/spectrum/kpm/mu")))
vt.check(dev < 1e-9, "-hessian_type shell after the filter's modes: KPM moments = BAIJ's to rounding (%.1e)" % dev)

# More moments continue the same recursion (VitKpmContinue): the boson-peak refinement (moments
# doubled while the peak sits on its lower bound) and the main run after the resolution pilot give
# bitwise what a run of that many moments gives from the start, on 1 and 2 ranks; an odd count
# cannot continue and is recomputed (the same bits again).
cont = ["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 0, "-spectrum_inertia", 0, "-vdos_exact_max_dof", 0, "-kpm_vectors", 4]
boson = ("boson_peak_omega", "boson_peak_height", "boson_peak_moments", "boson_peak_at_bound")
for start, top in ((64, 128), (63, 126)):
    for n in (1, 2):
        vt.run(cont + ["-kpm_moments", start, "-boson_max_moments", top, "-o", "refined%d_%d.h5" % (start, n)], n)
    vt.run(cont + ["-kpm_moments", top, "-boson_max_moments", top, "-o", "direct%d.h5" % top], 1)
    ref = [sl.read("direct%d.h5" % top, "/spectrum/scalars/" + k)[0] for k in boson]
    got = [[sl.read("refined%d_%d.h5" % (start, n), "/spectrum/scalars/" + k)[0] for k in boson] for n in (1, 2)]
    vt.check(got[0][2] == top and got[0] == ref and got[1] == ref,
             "%d moments refined to %d for the boson peak (%s): omega, height bitwise those of a %d-moment run, 1 and 2 ranks" % (start, top, "continued" if start % 2 == 0 else "recomputed", top))
vt.run(cont + ["-o", "auto.h5"], 2)  # -kpm_moments from the resolution pilot of 128 moments, continued
mu_auto = sl.read("auto.h5", "/spectrum/kpm/mu")
vt.run(cont + ["-kpm_moments", mu_auto.shape[1], "-boson_max_moments", mu_auto.shape[1], "-o", "auto_direct.h5"], 1)
vt.check(mu_auto.shape[1] > 128 and np.array_equal(mu_auto, sl.read("auto_direct.h5", "/spectrum/kpm/mu")),
         "default moments (%d, the 128-moment pilot continued; 2 ranks) bitwise those of -kpm_moments %d (1 rank)" % (mu_auto.shape[1], mu_auto.shape[1]))
