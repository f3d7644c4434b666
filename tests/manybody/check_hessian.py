"""manybody_ Hessian tests: the analytic Hessian of an EAM, Tersoff or Stillinger-Weber potential (hessian_fd
program, dense, atom id order) against central finite differences of the forces, symmetry, the
acoustic sum rule, the same matrix on 1, 2 and 4 ranks, and (--cli) `vitrum hessian` exactly preallocated.

--narrow-box: a box narrower than the coupling range (2 cutoffs), where several periodic images of an
atom add into one block in orders that differ between H_ij and H_ji: symmetry (and so SBAIJ against
BAIJ) holds to round-off (1e-15 of max |H|) instead of bitwise; the ranks still agree bitwise."""
import argparse
import os
import sys
import h5py
import numpy as np
import scipy.sparse
import mbtools as mb

p = argparse.ArgumentParser()
p.add_argument("exe")
p.add_argument("--potential", required=True)
mb.add_sample_arguments(p)
p.add_argument("--jitter", type=float, default=0.12, help="random displacements (0: perfect crystal, then also the spectrum is checked)")
p.add_argument("--relax", metavar="PAIR_STYLE", help="relax the sample with LAMMPS (this pair_style) first; then also the spectrum is checked")
p.add_argument("--melt", type=float, default=0.0, help="with --relax: melt at this temperature (K) first, then quench")
p.add_argument("--fd-atoms", default="1000000")
p.add_argument("--fd-h", default="1e-5")
p.add_argument("--fd-tol", type=float, default=1e-6)
p.add_argument("--cli", action="store_true", help="also compare `vitrum hessian` (baij and sbaij, 1 and 2 ranks)")
p.add_argument("--narrow-box", action="store_true", help="the box is narrower than 2 cutoffs: symmetric to round-off, not bitwise")
o = p.parse_args()
elements = o.elements.split(",")
if o.file == "smooth-fs":
    o.file = "smooth.eam.fs"
    mb.write_smooth_fs(o.file, elements)
n = mb.make_sample("unrelaxed.data" if o.relax else "sample.data", o.lattice, o.a, o.reps, elements, [float(f) for f in o.fractions.split(",")], o.jitter, 7)
N = 3 * n
SYM_TOL = 1e-15 if o.narrow_box else 0.0  # relative to max |H|
if o.relax:
    mb.lammps_relax("unrelaxed.data", o.relax, o.file, elements, "sample.data", melt=o.melt)


def hessian(nranks, fd):
    args = [o.exe, "-sample", "sample.data", "-potential", o.potential] + mb.potential_options(o.potential, o.file, elements) + [
            "-hessian_out", "H%d.bin" % nranks, "-fd_atoms", o.fd_atoms, "-fd_h", o.fd_h]
    mb.run(mb.mpirun(nranks) + args + (["-fd_out", "fd.bin"] if fd else []))
    return np.fromfile("H%d.bin" % nranks).reshape(N, N)


H = hessian(1, True)
scale = np.abs(H).max()
fd = np.fromfile("fd.bin").reshape(-1, 2 * N + 1)
cols = fd[:, 0].astype(int)
forward, backward = fd[:, 1:N + 1].T, fd[:, N + 1:].T
# H is only piecewise smooth (EAM tables are C1 splines; the Tersoff cutoff's second derivative jumps
# at R +- D): where a pair distance or a density crosses a knot within h, H must equal the derivative
# from the other side, so each entry is compared with the closest of the central, forward and
# backward differences (a wrong entry differs from all three).
error = np.minimum(np.abs(H[:, cols] - (forward + backward) / 2), np.minimum(np.abs(H[:, cols] - forward), np.abs(H[:, cols] - backward)))
central = np.abs(H[:, cols] - (forward + backward) / 2).max() / scale
checks = {
    "finite differences (max over entries of the closest, / max |H|)": (error.max() / scale, o.fd_tol),
    "symmetry (max |H - H^T| / max |H|)": (np.abs(H - H.T).max() / scale, SYM_TOL),
    "acoustic sum rule (max |sum_j H_ij| / max |H|)": (np.abs(H.reshape(N, n, 3).sum(axis=1)).max() / scale, 1e-12),
}
for nranks in (2, 4):
    checks["%d ranks vs 1 (max |H_p - H_1| / max |H|)" % nranks] = (np.abs(hessian(nranks, False) - H).max() / scale, 0.0)


def vitrum_hessian(nranks, mattype, weighted=False):
    """`vitrum hessian` (not mass weighted unless asked), CSR in atom id order, as a dense array."""
    out = "cli_%s_%d_%s.h5" % (mattype, nranks, weighted)
    mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"], "hessian", "-sample", "sample.data", "-potential", o.potential]
           + mb.potential_options(o.potential, o.file, elements) + ["-mass_weighted", "true" if weighted else "false", "-hessian_type", mattype, "-o", out])
    with h5py.File(out, "r") as h5:
        return scipy.sparse.csr_matrix((h5["/hessian/data"][...], h5["/hessian/indices"][...], h5["/hessian/indptr"][...]), shape=(N, N)).toarray()


for nranks, mattype in ((1, "baij"), (2, "baij"), (2, "sbaij")) if o.cli else ():
    checks["vitrum hessian -hessian_type %s, %d ranks (max |diff| / max |H|)" % (mattype, nranks)] = (np.abs(vitrum_hessian(nranks, mattype) - H).max() / scale, SYM_TOL if mattype == "sbaij" else 0.0)
if o.cli:  # mass weighted (metal units: no mass is 1): still exactly symmetric, so SBAIJ is BAIJ on any rank count
    Hw = vitrum_hessian(1, "baij", True)
    wscale = np.abs(Hw).max()
    checks["mass weighted: symmetry (max |H - H^T| / max |H|, exact)"] = (np.abs(Hw - Hw.T).max() / wscale, SYM_TOL)
    for nranks in (1, 2, 3):
        checks["mass weighted: sbaij on %d ranks = baij on 1 (max |diff| / max |H|, bitwise)" % nranks] = (np.abs(vitrum_hessian(nranks, "sbaij", True) - Hw).max() / wscale, SYM_TOL)
if o.cli:  # exact preallocation: blocks only for atoms that share a site ({i} + N(i)), every one of them written
    for mattype in ("baij", "sbaij"):
        out = mb.run(mb.mpirun(3) + [os.environ["VITRUM"], "hessian", "-sample", "sample.data", "-potential", o.potential] + mb.potential_options(o.potential, o.file, elements)
                     + ["-hessian_type", mattype, "-hessian_h5_matrix", "false", "-o", "info.h5", "-info"])
        parts = [ln.split("storage space:")[1].split(",")[0].split()[0] for ln in (out.stdout + out.stderr).splitlines() if "MatAssemblyEnd_Seq" in ln and "storage space:" in ln]
        checks["%s on 3 ranks: preallocated blocks never written (%d parts)" % (mattype, len(parts))] = (sum(int(u) for u in parts) if len(parts) == 6 else float("inf"), 0)
if o.jitter == 0 or o.relax:  # a minimum (perfect crystal, relaxed sample): H >= 0 with exactly d = 3 zero modes
    w = np.linalg.eigvalsh(H) / scale
    checks["minimum: 3 zero eigenvalues (max |w_0..2| / max |H|)"] = (np.abs(w[:3]).max(), 1e-12)
    checks["minimum: positive spectrum (-w_3 / max |H|)"] = (-w[3], -1e-6)
print("%s %s %s: N = %d, %d finite-difference columns (h = %s), max |H| = %g" % (o.potential, o.file, o.elements, n, len(cols), o.fd_h, scale))
print("  (central differences alone: max |H - H_fd| / max |H| = %.3e; %d entries closer to a one-sided difference by more than 1e-6 max |H|)"
      % (central, int((np.abs(H[:, cols] - (forward + backward) / 2) - error > 1e-6 * scale).sum())))
failed = False
for name, (value, tol) in checks.items():
    ok = value <= tol
    failed |= not ok
    print("  %-65s %.3e (tolerance %.0e) %s" % (name, value, tol, "ok" if ok else "FAILED"))
sys.exit(1 if failed else 0)
