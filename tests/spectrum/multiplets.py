"""Degenerate multiplets: on an fcc Lennard-Jones crystal (256 atoms, whose lowest modes come in
12-fold and 12-fold multiplets) the low modes of shift-and-invert and LOBPCG must be complete
multiplets that equal dense LAPACK (numpy) of the same Hessian, and shift-and-invert must return
every member of the multiplet of the nev-th mode (checked by an exact inertia count).
Without the check, a Krylov-Schur solve for 10 modes returned 7 of the 12 lowest and 3 of the next
multiplet. Usage: multiplets.py NP"""
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
