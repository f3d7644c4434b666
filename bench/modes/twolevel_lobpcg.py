"""Low modes with a two-level preconditioner: a measured study, not vitrum code (docs/BENCHMARKS.md,
"Two-level preconditioned LOBPCG: a prototype"). Run in a work directory (its files go there):

    /usr/bin/python3 REPO/bench/modes/twolevel_lobpcg.py BUILD_DIR SAMPLE.data [NEV] [--h H] [--degree K] [--alpha A] [--block M] [--affine] [--unsmoothed] [--no-pcg]

For one relaxed glass (LAMMPS data file, potential ka3d) it counts products with H, the cost that
grows with N in the low-mode solve:
1. vitrum's `-spectrum_method chebyshev` (the fallback where a factorisation does not fit): block
   and vector products from its -info lines;
2. LOBPCG (scipy.sparse.linalg.lobpcg, block M, default nev + max(8, nev/2) as vitrum's,
   translations as constraints) preconditioned by one two-level cycle for H: Chebyshev-Jacobi smoothing of degree K
   on [lambda_max/A, lambda_max], before and after a coarse correction P (P^T H P + s P^T P)^-1 P^T
   on aggregates (cubic cells of side H, the d translations of each; the prolongator smoothed by one
   damped-Jacobi step: smoothed aggregation, Vanek, Mandel & Brezina, Computing 56, 179 (1996);
   --unsmoothed keeps the plain translations; --affine takes the d (d + 1) displacements affine in
   the position instead, as vitrum's default coarse space),
   the coarse matrix factorised by SuperLU. Reported: the iteration at which the nev lowest reach
   ||H e - lambda e|| <= 1e-8 lambda (vitrum's tolerance), and the products per vector up to it;
3. conjugate gradients on H x = b (b random, orthogonal to the translations) to 1e-8 with the same
   cycle, with and without its coarse level: whether the preconditioner itself is independent of N.
Counts, not times, are compared (scipy against C). Nothing here is a test."""
import argparse
import os
import re
import subprocess
import warnings

import h5py
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as sla

cli = argparse.ArgumentParser(description="two-level preconditioned LOBPCG against vitrum's chebyshev (counts of products with H)")
cli.add_argument("build", help="vitrum's build directory")
cli.add_argument("sample", help="relaxed glass, LAMMPS data file (potential ka3d)")
cli.add_argument("nev", type=int, nargs="?", default=20, help="lowest non-zero modes wanted")
cli.add_argument("--h", type=float, default=2.5, help="side of the cubic aggregates (length units of the sample)")
cli.add_argument("--degree", type=int, default=6, help="Chebyshev smoothing degree")
cli.add_argument("--alpha", type=float, default=100, help="smoothing interval [lambda_max/alpha, lambda_max]")
cli.add_argument("--block", type=int, default=0, help="LOBPCG block (default nev + max(8, nev/2), as vitrum's chebyshev)")
cli.add_argument("--unsmoothed", action="store_true", help="plain aggregation: the aggregates' functions without the Jacobi step")
cli.add_argument("--affine", action="store_true", help="each aggregate's 12 affine displacements (vitrum's default coarse space) instead of its 3 translations")
cli.add_argument("--no-pcg", action="store_true", help="skip the conjugate-gradient counts (item 3)")
o = cli.parse_args()
build, sample, nev = os.path.abspath(o.build), os.path.abspath(o.sample), o.nev
h, degree, alpha = o.h, o.degree, o.alpha
block = o.block or nev + max(8, nev // 2)
vitrum = os.path.join(build, "vitrum")
stem = os.path.splitext(os.path.basename(sample))[0]


def hessian():
    """The mass-weighted Hessian in id order (scipy CSR), from `vitrum hessian`."""
    out = stem + ".hessian.h5"
    subprocess.run([vitrum, "hessian", "-sample", sample, "-potential", "ka3d", "-hessian_h5_matrix", "-o", out], check=True, stdout=subprocess.DEVNULL)
    with h5py.File(out, "r") as f:
        g = f["/hessian"]
        n = len(g["indptr"]) - 1
        return sp.csr_matrix((g["data"][()], g["indices"][()], g["indptr"][()]), shape=(n, n))


def section(lines, name):
    """The rows of a section of a LAMMPS data file (split into fields)."""
    start = next(k for k, l in enumerate(lines) if l.startswith(name)) + 2
    rows = []
    for l in lines[start:]:
        if not l.strip():
            break
        rows.append(l.split())
    return rows


def read_sample():
    """Box bounds, positions and masses in id order of an orthogonal LAMMPS data file (atom_style atomic)."""
    lines = open(sample).read().split("\n")
    box = [list(map(float, l.split()[:2])) for l in lines if l.rstrip().endswith(("xhi", "yhi", "zhi"))]
    mass = {int(r[0]): float(r[1]) for r in section(lines, "Masses")}
    atoms = sorted(section(lines, "Atoms"), key=lambda r: int(r[0]))
    return np.array(box), np.array([[float(v) for v in r[2:5]] for r in atoms]), np.array([mass[int(r[1])] for r in atoms])


def chebyshev_counts():
    """Block and vector products of vitrum's chebyshev solve for the nev lowest modes."""
    p = subprocess.run([vitrum, "spectrum", "-sample", sample, "-potential", "ka3d", "-spectrum_method", "chebyshev", "-spectrum_nev", str(nev),
                        "-spectrum_kpm", "0", "-spectrum_inertia", "0", "-info", ":sys", "-o", stem + ".chebyshev.h5"], check=True, stdout=subprocess.PIPE, text=True)
    m = re.search(r"chebyshev: (\d+) iterations, (\d+) block products, (\d+) vector products", p.stdout)
    return int(m.group(2)), int(m.group(3))


def coarse_functions(box, x, c, cells):
    """Per atom, the coarse functions of its aggregate before the mass weight: 1, or with --affine
    also the position relative to the cell's centre (nearest image, in units of h)."""
    if not o.affine:
        return np.ones((len(x), 1))
    L = box[:, 1] - box[:, 0]
    rel = x - ((c + 0.5) / cells * L + box[:, 0])
    rel -= L * np.round(rel / L)
    return np.hstack([np.ones((len(x), 1)), rel / h])


def prolongator(box, x, sqrt_mass, H, dinv, lmax):
    """The functions of each aggregate (cubic cells of side h; sqrt(m_i) f_k(x_i) e_c in the
    mass-weighted coordinates of H, columns ordered aggregate, function, component), smoothed by one
    damped-Jacobi step unless --unsmoothed."""
    L = box[:, 1] - box[:, 0]
    cells = np.maximum(1, np.floor(L / h).astype(int))
    c = np.floor((x - box[:, 0]) / L * cells).astype(int) % cells
    _, agg = np.unique((c[:, 0] * cells[1] + c[:, 1]) * cells[2] + c[:, 2], return_inverse=True)
    f = coarse_functions(box, x, c, cells)
    n, nagg, nf = len(x), agg.max() + 1, f.shape[1]
    atom, k, comp = np.meshgrid(np.arange(n), np.arange(nf), np.arange(3), indexing="ij")
    values = (sqrt_mass[:, None] * f)[atom, k]
    P = sp.csr_matrix((values.ravel(), ((3 * atom + comp).ravel(), ((agg[atom] * nf + k) * 3 + comp).ravel())), shape=(3 * n, 3 * nf * nagg))
    if o.unsmoothed:
        return P, nagg
    return (P - (4 / 3 / lmax) * (sp.diags(dinv) @ (H @ P))).tocsr(), nagg


class Cycle:
    """One two-level cycle for H (symmetric): smooth, coarse correction, smooth; counts products."""

    def __init__(self, H, P, dinv, lmax, coarse=True):
        self.H, self.P, self.dinv, self.coarse, self.products = H, P, dinv, coarse, 0
        self.a, self.b = lmax / alpha, lmax
        Ac, Mc = P.T @ H @ P, P.T @ P
        self.lu = sla.splu((Ac + 1e-6 * Ac.diagonal().mean() * Mc).tocsc())  # Ac is singular (translations)

    def mult(self, X):
        self.products += X.shape[1]
        return self.H @ X

    def smooth(self, R):
        """degree steps of Chebyshev iteration for H Z = R from Z = 0, Jacobi-scaled (Saad, Iterative
        Methods, Alg. 12.1)."""
        theta, delta = (self.b + self.a) / 2, (self.b - self.a) / 2
        sigma = theta / delta
        rho = 1 / sigma
        D = self.dinv[:, None] * R / theta
        Z = D.copy()
        for _ in range(degree - 1):
            rho_next = 1 / (2 * sigma - rho)
            D = rho_next * rho * D + 2 * rho_next / delta * (self.dinv[:, None] * (R - self.mult(Z)))
            Z, rho = Z + D, rho_next
        return Z

    def __call__(self, R):
        R = R.reshape(self.H.shape[0], -1)
        Z = self.smooth(R)
        if self.coarse:
            Z = Z + self.P @ self.lu.solve(self.P.T @ (R - self.mult(Z)))
        return Z + self.smooth(R - self.mult(Z))


def lobpcg(H, T, cycle, lowest):
    """Stops when every block vector has ||H x - theta x|| <= 1e-8 lowest (scipy's absolute test)."""
    X = np.random.default_rng(1).standard_normal((H.shape[0], block))
    counted = sla.LinearOperator(H.shape, matmat=cycle.mult, matvec=lambda v: cycle.mult(v.reshape(-1, 1)).ravel(), dtype=float)
    M = sla.LinearOperator(H.shape, matmat=cycle, matvec=lambda v: cycle(v).ravel(), dtype=float)
    per_iteration = []
    lam, _, lhist, rhist = sla.lobpcg(counted, X, M=M, Y=T, largest=False, tol=1e-8 * lowest, maxiter=300, retLambdaHistory=True, retResidualNormsHistory=True)
    for it, (l, r) in enumerate(zip(lhist, rhist)):
        o = np.argsort(l)[:nev]
        if np.all(np.asarray(r)[o] <= 1e-8 * np.asarray(l)[o]):
            return it, np.sort(lam)[:nev]
    return None, np.sort(lam)[:nev]


def pcg(H, T, cycle):
    b = np.random.default_rng(0).standard_normal(H.shape[0])
    b -= T @ (T.T @ b)
    its = [0]

    def precondition(v):
        z = cycle(v)[:, 0]
        return z - T @ (T.T @ z)
    _, info = sla.cg(H, b, M=sla.LinearOperator(H.shape, matvec=precondition), tol=1e-8, maxiter=3000, callback=lambda _: its.__setitem__(0, its[0] + 1))
    return its[0] if info == 0 else None


def main():
    warnings.simplefilter("ignore")  # scipy's lobpcg warns on every early exit
    H = hessian()
    box, x, mass = read_sample()
    n = len(x)
    T = np.zeros((3 * n, 3))
    for c in range(3):
        T[c::3, c] = np.sqrt(mass / mass.sum())  # the translations of H (mass weighted), orthonormal
    dinv = 1 / H.diagonal()
    scaled = sp.diags(np.sqrt(dinv)) @ H @ sp.diags(np.sqrt(dinv))
    lmax = 1.1 * sla.eigsh(scaled, k=1, which="LA", tol=1e-2)[0][0]
    P, nagg = prolongator(box, x, np.sqrt(mass), H, dinv, lmax)
    blocks, vectors = chebyshev_counts()
    ref = np.sort(h5py.File(stem + ".chebyshev.h5", "r")["/spectrum/modes/eigenvalues"][()])[:nev]
    converged, lam = lobpcg(H, T, Cycle(H, P, dinv, lmax), ref[0])
    # vector products up to convergence, at most: one H X and the cycle's 2 (degree - 1) + 2 per
    # vector and iteration (scipy drops converged vectors from both, so fewer)
    total = None if converged is None else converged * (1 + 2 * (degree - 1) + 2) * block
    with_coarse, without = (None, None) if o.no_pcg else (pcg(H, T, Cycle(H, P, dinv, lmax)), pcg(H, T, Cycle(H, P, dinv, lmax, coarse=False)))
    print("| atoms | aggregates | chebyshev: block products, vector products | LOBPCG + two-level (block %d): iterations to %d modes, vector products (at most) | "
          "max |lambda - chebyshev's| / lambda | PCG iterations, two-level / smoother only |" % (block, nev))
    print("| %d | %d | %d, %d | %s, %s | %.1e | %s / %s |" % (
        n, nagg, blocks, vectors, converged, total, np.max(np.abs(lam - ref) / ref), with_coarse, without))


main()
