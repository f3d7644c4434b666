"""Degenerate multiplets: on an fcc Lennard-Jones crystal (256 atoms, whose lowest modes come in
12-fold and 12-fold multiplets) the low modes of shift-and-invert and LOBPCG must be complete
multiplets that equal dense LAPACK (numpy) of the same Hessian, and shift-and-invert must return
every member of the multiplet of the nev-th mode (checked by an exact inertia count).
Without the check, a Krylov-Schur solve for 10 modes returned 7 of the 12 lowest and 3 of the next
multiplet. A perfect fcc crystal under tension (a saddle: zero forces, negative eigenvalues in
multiplets): chebyshev's lowest modes and shift-and-invert's nearest its target = LAPACK's.
Usage: multiplets.py NP"""
import sys

import h5py
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

np_ranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
potential = sl.FCC_POTENTIAL
H = sl.hessian_dense(sl.make_fcc("fcc.data"), np_ranks=np_ranks, potential=potential)
ref = np.linalg.eigvalsh(H)[3:]  # the 3 translations are the smallest


def multiplet_end(nev):
    """Number of modes up to and including the whole multiplet of the nev-th mode."""
    edge = ref[nev - 1] * (1 + 1e-8)
    return int(np.sum(ref <= edge))


vt.check(multiplet_end(10) == 12 and multiplet_end(13) == 24, "the reference has 12-fold multiplets at the bottom (%s)" % np.round(ref[:26], 4))
for method, nev in (("sinvert", 10), ("sinvert", 13), ("sinvert", 12), ("lobpcg", 12)):
    out = "%s_%d.h5" % (method, nev)
    vt.run(["spectrum", "-sample", "fcc.data", "-spectrum_method", method, "-spectrum_nev", nev, "-spectrum_inertia", "0",
            "-kpm_moments", 16, "-o", out] + potential, np_ranks)
    with h5py.File(out, "r") as f:
        lam = f["/spectrum/modes/eigenvalues"][()]
    k = multiplet_end(nev) if method == "sinvert" else nev
    vt.check(len(lam) == k, "%s, nev %d: %d modes returned (complete multiplets: %d)" % (method, nev, len(lam), k))
    err = np.max(np.abs(lam - ref[:k]) / ref[:k])
    vt.check(err < 1e-8, "%s, nev %d: eigenvalues = LAPACK to 1e-8 relative (max %.1e)" % (method, nev, err))


# A perfect fcc crystal under tension, nearest neighbours at 1.26 sigma (108 atoms): zero forces,
# but about a quarter of its eigenvalues negative, in multiplets. chebyshev scaled its filter at 0
# before the first Rayleigh-Ritz and its degree overflowed the directions of the negative
# eigenvalues (LAPACK syev failed: internal error, also in minimize's curvature check), and its
# cut was doubled when negative (below the wanted modes); shift-and-invert's multiplet check
# counted every eigenvalue below the top of its modes. Now chebyshev gives the nev lowest with the
# rest of the nev-th's multiplet, shift-and-invert the nev nearest its target 1e-6 Tr(H)/(dN) with
# the multiplets at both ends of that window, both = LAPACK.
stretched = sl.make_fcc("stretched.data", n=3, density=4 / (1.26 * np.sqrt(2)) ** 3)
Hs = sl.hessian_dense(stretched, np_ranks=np_ranks, potential=potential)
all_ev = np.linalg.eigvalsh(Hs)
nonzero = np.delete(all_ev, np.argsort(np.abs(all_ev))[:3])  # the translations: the 3 nearest 0
target = 1e-6 * np.trace(Hs) / len(Hs)
vt.check(np.sum(nonzero < -target) > 40, "the stretched crystal is a saddle: %d negative eigenvalues of %d" % (np.sum(nonzero < -target), len(nonzero)))
lowest = nonzero[nonzero <= nonzero[9] + 1e-8 * abs(nonzero[9])]
distance = np.abs(nonzero - target)
r = np.sort(distance)[9]
nearest = nonzero[distance <= r + 1e-8 * (target + r)]
for method, ref in (("chebyshev", lowest), ("sinvert", nearest)):
    out = "stretched_%s.h5" % method
    p = vt.run(["spectrum", "-sample", stretched, "-spectrum_method", method, "-spectrum_nev", 10, "-spectrum_inertia", "0",
                "-kpm_moments", 16, "-o", out] + potential, np_ranks)
    with h5py.File(out, "r") as f:
        lam = f["/spectrum/modes/eigenvalues"][()]
    vt.check(lam.size == ref.size and np.allclose(lam, ref, rtol=0, atol=1e-8 * abs(nonzero).max()),
             "stretched fcc, %s, nev 10: %d modes %s = LAPACK's %d %s" % (method, lam.size, np.round(lam, 4), ref.size, np.round(ref, 4)))
