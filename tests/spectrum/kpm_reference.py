"""KPM kernel: moments bitwise identical to the stored moments of the original block-CSR kernel
(tests/spectrum/data/*.mu.txt, made by make_kpm_reference.py at commit 259491b) on 1, 2 and 4 ranks,
for a 3D and a 2D glass and vector counts that use every compile-time width (23 = 16+4+2+1, 7 = 4+2+1),
with the Hessian stored as BAIJ and as SBAIJ (each pair's block stored once, read transposed for
the other row, the off-process blocks of both triangles exchanged: the same additions).
The interval is given explicitly so that only the kernel and the exact dot products are compared."""
import os
import sys
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_kpm_reference as ref  # noqa: E402  (the cases, without running the generator)

for name, (dim, side, pot, R, lmin, lmax) in ref.CASES.items():
    sample = os.path.join(ref.here, name + ".data")
    with open(os.path.join(ref.here, name + ".mu.txt")) as f:
        expected = np.array([[float.fromhex(t) for t in line.split()] for line in f])
    for storage in ("baij", "sbaij"):
        for n in (1, 2, 4):
            out = "%s_%s_np%d.h5" % (name, storage, n)
            vt.run(["spectrum", "-sample", sample, "-potential", pot, "-spectrum_nev", 0, "-spectrum_inertia", 0, "-hessian_type", storage,
                    "-kpm_moments", 64, "-kpm_vectors", R, "-kpm_seed", 5, "-kpm_lambda_min", lmin, "-kpm_lambda_max", lmax, "-o", out], n)
            mu = sl.read(out, "/spectrum/kpm/mu")
            ndiff = int(np.sum(mu != expected))
            vt.check(mu.shape == expected.shape and ndiff == 0,
                     "%s, %s, %d ranks: KPM moments bitwise equal to the original kernel's (%d of %d differ, max %.1e)"
                     % (name, storage, n, ndiff, mu.size, np.max(np.abs(mu - expected))))
