"""vitrum spectrum on a small relaxed KA glass (masses 1 and 2) against dense LAPACK (numpy) of the
same Hessian written by `vitrum hessian`: low modes (shift-and-invert, LOBPCG, dense), exact counts,
moments, participation ratios, eigenvectors and the soft-spot field. Usage: modes.py NP"""
import sys
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

np_ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
sample = sl.make_ka_glass("ka216.data")
H = sl.hessian_dense(sample)
ev, vec = np.linalg.eigh(H)
d, N = 3, H.shape[0] // 3
nonzero = ev[d:]                       # relaxed sample: the d translations are the d smallest
omegas = [1.0, 3.0, 5.0, 10.0]


def participation(v):
    a2 = (v.reshape(N, d) ** 2).sum(axis=1)
    return a2.sum() ** 2 / (N * (a2 ** 2).sum())


# shift-and-invert (default), with vectors and counts
nev = 20
vt.run(["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", nev, "-spectrum_vectors",
        "-spectrum_count_omega", ",".join(map(str, omegas)), "-kpm_moments", 64, "-o", "si.h5"], np_ranks)
lam = sl.read("si.h5", "/spectrum/modes/eigenvalues")
vt.check(len(lam) == nev, "sinvert returns %d modes" % nev)
rel = np.max(np.abs(lam - nonzero[:nev]) / nonzero[:nev])
vt.check(rel < 1e-8, "sinvert eigenvalues = LAPACK to 1e-8 relative (max %.2e)" % rel)
w = sl.read("si.h5", "/spectrum/modes/omega")
vt.check(np.allclose(w, np.sqrt(lam), rtol=1e-14), "omega = sqrt(lambda)")
V = sl.read("si.h5", "/spectrum/modes/vectors")
gaps = np.minimum(np.diff(nonzero[:nev + 1])[:nev], np.r_[np.inf, np.diff(nonzero[:nev])])
nondeg = [k for k in range(nev) if gaps[k] > 1e-6 * nonzero[k]]
overlap = np.array([abs(V[k] @ vec[:, d + k]) for k in nondeg])
vt.check(len(nondeg) > 5 and np.all(np.abs(overlap - 1) < 1e-8), "eigenvectors (id order) = LAPACK's for %d non-degenerate modes" % len(nondeg))
pr = sl.read("si.h5", "/spectrum/modes/participation")
pr_ref = np.array([participation(vec[:, d + k]) for k in range(nev)])
vt.check(np.allclose(pr[nondeg], pr_ref[nondeg], rtol=1e-8), "participation ratios = numpy's")
soft = sl.read("si.h5", "/spectrum/modes/softspot")
soft_ref = sum((V[k].reshape(N, d) ** 2).sum(axis=1) for k in range(nev))
vt.check(soft.shape == (N,) and np.allclose(soft, soft_ref, atol=1e-12) and abs(soft.sum() - nev) < 1e-8, "soft-spot field = sum of |e_n,i|^2 over the modes")
exact = sl.read("si.h5", "/spectrum/counts/exact")
ref = [int(np.sum(ev < o * o)) - d for o in omegas]
vt.check(list(exact) == ref, "inertia counts %s = LAPACK counts %s" % (list(exact), ref))
vt.check(sl.read("si.h5", "/spectrum/scalars/negative_count") == 0, "no negative eigenvalues in a relaxed glass")
m = sl.read("si.h5", "/spectrum/moments")
vt.check(abs(m[0] - ev.mean()) < 1e-12 * abs(ev.mean()) and abs(m[1] - (ev ** 2).mean()) < 1e-10 * (ev ** 2).mean(),
         "moments Tr(H)/(dN) and Tr(H^2)/(dN) = mean of the eigenvalues and of their squares")

# LOBPCG path (no factorisation)
vt.run(["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_nev", 8, "-spectrum_method", "lobpcg",
        "-spectrum_kpm", 0, "-spectrum_inertia", 0, "-eps_tol", 1e-10, "-o", "lo.h5"], np_ranks)
lam = sl.read("lo.h5", "/spectrum/modes/eigenvalues")
rel = np.max(np.abs(lam - nonzero[:8]) / nonzero[:8])
vt.check(rel < 1e-8, "LOBPCG eigenvalues = LAPACK to 1e-8 relative (max %.2e)" % rel)

# dense path: the whole spectrum
vt.run(["spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_dense", "-spectrum_kpm", 0, "-o", "de.h5"], np_ranks)
lam = sl.read("de.h5", "/spectrum/modes/eigenvalues")
vt.check(len(lam) == d * N - d, "dense path returns dN - d modes")
rel = np.max(np.abs(lam - nonzero) / nonzero)
vt.check(rel < 1e-8, "dense eigenvalues = numpy eigvalsh to 1e-8 relative (max %.2e)" % rel)
vt.check(abs(lam.sum() / (d * N) - sl.read("de.h5", "/spectrum/scalars/omega2_mean")) < 1e-10 * ev.mean(),
         "first moment: sum of the eigenvalues / dN = Tr(H)/(dN)")

# harmonic heat capacity of the modes: numpy's Einstein sum, and -> d k_B per atom at high T
T = sl.read("de.h5", "/spectrum/cv/T")
cv = sl.read("de.h5", "/spectrum/cv/cv_modes")
x = np.sqrt(nonzero)[None, :] / T[:, None]
ref = np.sum(x ** 2 * np.exp(-x) / (1 - np.exp(-x)) ** 2, axis=1) / N
vt.check(np.allclose(cv, ref, rtol=1e-10, atol=1e-300), "C_v(T) of the modes = numpy Einstein sum")
vt.check(abs(cv[-1] - d * (1 - 1 / N)) < 1e-3 and cv[0] < 1e-6, "C_v -> d (1 - 1/N) k_B per atom at high T (%.6f), -> 0 at low T" % cv[-1])
