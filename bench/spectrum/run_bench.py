"""Spectrum benchmark (docs/BENCHMARKS.md, "## Spectrum"), run from the repository root:

    /usr/bin/python3 bench/spectrum/run_bench.py BUILD_DIR WORK_DIR [N_SIDE_MODES [N_SIDE_DENSE [N_SIDE_KPM]]]

(N = N_SIDE^3 atoms; defaults 22, 13, 22: N = 10648, 2197, 10648). Rows are printed as measured.

1. N ~ 1e4 3D KA glass (LAMMPS melt + minimisation): lowest 20 modes, vitrum shift-and-invert
   (Krylov-Schur + MUMPS) on 1 and 2 ranks vs scipy.sparse.linalg.eigsh shift-invert (ARPACK +
   SuperLU) on the same Hessian (`vitrum hessian` CSR in id order); accuracy and time.
2. N ~ 2200: full spectrum, vitrum -spectrum_dense (LAPACK via EPSLAPACK) vs numpy.linalg.eigvalsh.
3. KPM on the 1e4 glass: time per moment, bytes streamed per product with H, achieved bandwidth,
   against a STREAM triad measured in the same run (one core, like the 1-rank KPM)."""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np
import scipy.sparse
import scipy.sparse.linalg

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "..", "..", "tests"), os.path.join(here, "..", "..", "tests", "spectrum")]
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("build", help="build folder with vitrum")
ap.add_argument("work", help="work folder (samples, logs)")
ap.add_argument("side_modes", nargs="?", type=int, default=22, help="N_SIDE of the lowest-modes sample (default 22)")
ap.add_argument("side_dense", nargs="?", type=int, default=13, help="N_SIDE of the full-spectrum sample (default 13)")
ap.add_argument("side_kpm", nargs="?", type=int, default=22, help="N_SIDE of the KPM sample (default 22)")
a = ap.parse_args()
build, work = os.path.abspath(a.build), os.path.abspath(a.work)
side_modes, side_dense, side_kpm = a.side_modes, a.side_dense, a.side_kpm
os.environ["VITRUM"] = os.path.join(build, "vitrum")
import spectrumlib as sl  # noqa: E402
import vitrum_testlib as vt  # noqa: E402

os.makedirs(work, exist_ok=True)
os.chdir(work)


def event_time(text, name):
    """Max time of a log event from -log_view."""
    for line in text.split("\n"):
        if line.startswith(name + " "):
            return float(line.split()[3])
    return float("nan")


def csr(sample):
    vt.run(["hessian", "-sample", sample, "-potential", "ka3d", "-o", sample + ".hessian.h5", "-hessian_h5_matrix"])
    with h5py.File(sample + ".hessian.h5", "r") as f:
        n = len(f["/hessian/indptr"]) - 1
        return scipy.sparse.csr_matrix((f["/hessian/data"][()], f["/hessian/indices"][()], f["/hessian/indptr"][()]), shape=(n, n))


def row(*r):
    print("| %s | %s | %.3f | %.1e |" % r, flush=True)


print("| problem | method | time (s) | max rel. deviation from reference |")
print("|---|---|---|---|", flush=True)
big = sl.make_ka_glass(os.path.join(work, "ka%d.data" % side_modes ** 3), n_side=side_modes, massB=1.0)
H = csr(big)
N = H.shape[0] // 3
sigma = 1e-6 * H.diagonal().mean()
t0 = time.perf_counter()
ref = np.sort(scipy.sparse.linalg.eigsh(H.tocsc(), k=23, sigma=sigma, which="LM", tol=1e-12, return_eigenvectors=False))[3:]
row("lowest 20 modes, N=%d" % N, "scipy eigsh shift-invert (ARPACK+SuperLU), 1 core", time.perf_counter() - t0, 0.0)
for n in (1, 2):
    p = vt.run(["spectrum", "-sample", big, "-potential", "ka3d", "-spectrum_nev", 20, "-spectrum_kpm", 0,
                "-spectrum_inertia", 0, "-eps_tol", 1e-12, "-log_view", "-o", "modes%d.h5" % n], n)
    lam = sl.read("modes%d.h5" % n, "/spectrum/modes/eigenvalues")
    row("lowest 20 modes, N=%d" % N, "vitrum Krylov-Schur sinvert + MUMPS, %d rank(s)" % n, event_time(p.stdout, "VitSpecModes"), float(np.max(np.abs(lam - ref) / ref)))

small = sl.make_ka_glass(os.path.join(work, "ka%d.data" % side_dense ** 3), n_side=side_dense, massB=1.0)
Hs = csr(small).toarray()
t0 = time.perf_counter()
ev = np.linalg.eigvalsh(Hs)
problem = "full spectrum, N=%d (dN=%d)" % (Hs.shape[0] // 3, Hs.shape[0])
row(problem, "numpy eigvalsh (eigenvalues only)", time.perf_counter() - t0, 0.0)
p = vt.run(["spectrum", "-sample", small, "-potential", "ka3d", "-spectrum_dense", "-spectrum_kpm", 0, "-spectrum_inertia", 0,
            "-log_view", "-o", "dense.h5"], 1)
lam = sl.read("dense.h5", "/spectrum/modes/eigenvalues")
row(problem, "vitrum -spectrum_dense (EPSLAPACK + MRRR, with vectors), 1 rank", event_time(p.stdout, "VitSpecModes"), float(np.max(np.abs(lam - ev[3:]) / ev[3:].max())))

subprocess.run(["cc", "-O3", "-march=native", "-o", "stream_triad", os.path.join(here, "stream_triad.c")], check=True)
triad = float(subprocess.run(["./stream_triad", str(1 << 25)], stdout=subprocess.PIPE, text=True, check=True).stdout)
kpm_sample = sl.make_ka_glass(os.path.join(work, "ka%d.data" % side_kpm ** 3), n_side=side_kpm, massB=1.0)
print()
print("STREAM triad, 1 core, same run: %.2f GB/s" % triad)
print("| KPM, N=%d, M=256 | ranks | R | time per moment (s) | bytes per product (MB) | achieved GB/s | fraction of triad |" % side_kpm ** 3)
print("|---|---|---|---|---|---|---|", flush=True)
for R in (16, 1):
    for n in (1, 2):
        out = "kpm%d_%d.h5" % (n, R)
        vt.run(["spectrum", "-sample", kpm_sample, "-potential", "ka3d", "-spectrum_nev", 0, "-spectrum_inertia", 0,
                "-kpm_moments", 256, "-kpm_vectors", R, "-o", out], n)
        tpm = float(sl.read(out, "/spectrum/kpm/time_per_moment")[0])
        bpp = float(sl.read(out, "/spectrum/kpm/bytes_per_product")[0])
        bw = bpp / (2 * tpm) / 1e9
        print("| | %d | %d | %.4f | %.1f | %.2f | %.2f |" % (n, R, tpm, bpp / 1e6, bw, bw / triad), flush=True)
