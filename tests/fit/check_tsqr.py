"""TSQR R factor of vitrum (tests/fit/test_tsqr.c) = LAPACK QR (numpy) of the gathered matrix,
up to the signs of the rows, on 1, 2 and 4 ranks, for tall matrices and for fewer rows than
columns (some ranks then hold no row at all)."""
import os
import subprocess
import sys

import numpy as np

exe = sys.argv[1]
mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
cases = [(200, 13), (37, 37), (9, 20), (3, 5)]
worst = 0.0
for np_ in (1, 2, 4):
    for n, c in cases:
        out = f"tsqr_{np_}_{n}_{c}.txt"
        subprocess.run(mpirun + ["-n", str(np_), exe, "-n", str(n), "-c", str(c), "-seed", str(n + c), "-o", out], check=True)
        with open(out) as f:
            n_, c_, k = map(int, f.readline().split())
            data = np.loadtxt(f, ndmin=2)
        A, R = data[:n], data[n:]
        assert (n_, c_, k) == (n, c, min(n, c)), (n_, c_, k)
        Rref = np.linalg.qr(A, mode="r")
        signs = np.sign(np.diag(R)) * np.sign(np.diag(Rref))
        err = np.abs(signs[:, None] * R - Rref).max() / np.abs(Rref).max()
        assert np.allclose(np.tril(R, -1), 0), "R is not upper triangular"
        print(f"ranks {np_} n {n} c {c}: max |R - R_lapack| / max|R| = {err:.2e}")
        worst = max(worst, err)
assert worst < 1e-12, worst
print("ok")
