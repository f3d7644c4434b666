"""Helpers of the spectrum tests: small Kob-Andersen glasses made with LAMMPS, the Hessian in
id order (from `vitrum hessian`) as a dense numpy array, and HDF5 reading."""
import fcntl
import os
import re
import subprocess
import numpy as np
import h5py
import scipy.sparse
import vitrum_testlib as vt

KA_LAMMPS = """
units lj
atom_style atomic
dimension {dim}
boundary p p p
lattice sc {density}
region box block 0 {n} 0 {n} 0 {nz}
create_box 2 box
create_atoms 1 box
set type 1 type/fraction 2 {fracB} {seed}
mass 1 1.0
mass 2 {massB}
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
pair_coeff 1 2 1.5 0.8 2.0
pair_coeff 2 2 0.5 0.88 2.2
pair_modify shift yes
velocity all create 2.0 {seed}
fix 1 all nvt temp 2.0 0.5 0.5
{fix2d}
timestep 0.003
run {steps}
unfix 1
min_style cg
minimize 0 1e-12 20000 100000
write_data {out}
"""


def make_ka_glass(path, n_side=6, dim=3, seed=7, steps=2000, massB=2.0, density=1.2):
    """Melt on a simple cubic lattice, quench by minimisation: a relaxed KA glass (80:20 in 3D, 65:35 in 2D).
    A bare file name is made once in testrun/spectrum_shared (next to the test's folder) and reused."""
    if os.path.dirname(path) == "":
        shared = os.path.join(os.getcwd(), "..", "spectrum_shared")
        os.makedirs(shared, exist_ok=True)
        path = os.path.abspath(os.path.join(shared, path))
    if os.path.exists(path):
        return path
    # one maker at a time: a test that asks while another makes it (ctest -j2, a fresh build) waits
    # for that file instead of running LAMMPS for the same sample beside it
    with open(path + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            make_ka_glass_locked(path, n_side, dim, seed, steps, massB, density)
    return path


def make_ka_glass_locked(path, n_side, dim, seed, steps, massB, density):
    """make_ka_glass's LAMMPS run, its lock held."""
    final, path = path, "%s.%d.tmp" % (path, os.getpid())
    script = KA_LAMMPS.format(dim=dim, density=density, n=n_side, nz=n_side if dim == 3 else 1,
                              fracB=0.2 if dim == 3 else 0.35, massB=massB, seed=seed, steps=steps, out=path,
                              fix2d="fix 2 all enforce2d" if dim == 2 else "")
    if dim == 2:
        script = script.replace("boundary p p p", "boundary p p p").replace("lattice sc", "lattice sq")
        script = script.replace("region box block 0 %d 0 %d 0 1" % (n_side, n_side), "region box block 0 %d 0 %d -0.5 0.5" % (n_side, n_side))
    with open(path + ".in", "w") as f:
        f.write(script)
    subprocess.run(["lmp", "-in", path + ".in", "-log", "none", "-screen", "none"], check=True)
    os.remove(path + ".in")
    os.replace(path, final)  # atomic: tests running in parallel never see a partial file
    return final


# The potential of make_fcc's crystal: Lennard-Jones, energy shifted to 0 at the cutoff.
FCC_POTENTIAL = ["-potential", "lj", "-potential_shift"]


def make_fcc(path, n=4, density=1.2):
    """An fcc Lennard-Jones crystal of 4 n^3 atoms (n^3 cubic cells) at the given number density,
    in its ideal positions (an energy minimum): its lowest modes come in exact multiplets (12-fold
    at the bottom for n = 4)."""
    a = (4 / density) ** (1 / 3)
    basis = np.array([[0, 0, 0], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]])
    pos = np.array([(np.array([i, j, k]) + b) * a for i in range(n) for j in range(n) for k in range(n) for b in basis])
    vt.write_lammps_data(path, np.diag([n * a] * 3), (0, 0, 0), np.ones(len(pos), int), pos)
    return path


def hessian_sparse(sample, extra=(), np_ranks=1, potential=("-potential", "ka3d")):
    """The mass-weighted Hessian of a sample (scipy CSR), written by `vitrum hessian` in id order."""
    out = os.path.basename(sample) + ".hessian.h5"
    vt.run(["hessian", "-sample", sample, "-o", out, "-hessian_h5_matrix"] + list(potential) + list(extra), np_ranks)
    with h5py.File(out, "r") as f:
        g = f["/hessian"]
        shape = tuple(g["shape"][()]) if "shape" in g else (len(g["indptr"]) - 1,) * 2
        return scipy.sparse.csr_matrix((g["data"][()], g["indices"][()], g["indptr"][()]), shape=shape)


def hessian_dense(sample, extra=(), np_ranks=1, potential=("-potential", "ka3d")):
    """The mass-weighted Hessian of a sample as a dense array."""
    return hessian_sparse(sample, extra, np_ranks, potential).toarray()


def jackson_count(M, lam, eigenvalues, lo, hi):
    """The KPM's count of states below lam from M moments on [lo, hi] with the Jackson kernel,
    made from the exact Chebyshev moments of the given eigenvalues (Weisse et al. 2006)."""
    a, b = 0.5 * (hi + lo), 0.5 * (hi - lo)
    n = np.arange(M)
    q = np.pi / (M + 1)
    g = ((M - n + 1) * np.cos(n * q) + np.sin(n * q) / np.tan(q)) / (M + 1)
    mu = np.cos(np.outer(n, np.arccos((np.asarray(eigenvalues) - a) / b))).sum(axis=1)
    th = np.arccos(np.clip((lam - a) / b, -1, 1))
    return (g[0] * mu[0] * (np.pi - th) - 2 * np.sum(g[1:] * mu[1:] * np.sin(n[1:] * th) / n[1:])) / np.pi


def read(path, name):
    with h5py.File(path, "r") as f:
        return f[name][()]


TWOLEVEL_COARSE = re.compile(r"twolevel: (\d+) aggregates \((\d+) coarse unknowns, (\w+), (\d+) functions dropped\)")


def twolevel_coarse(stdout):
    """twolevel's coarse level from a run's -info :sys output (its last set-up): (aggregates,
    coarse unknowns, coarse space, functions dropped), or None where no set-up was reported."""
    found = TWOLEVEL_COARSE.findall(stdout)
    if not found:
        return None
    aggregates, unknowns, space, dropped = found[-1]
    return int(aggregates), int(unknowns), space, int(dropped)


def read_data(path):
    """Box, masses, types and positions (sorted by atom id) of an orthogonal LAMMPS data file."""
    lines = open(path).read().split("\n")
    lo, hi, masses = np.zeros(3), np.zeros(3), {}
    atoms = []
    section = None
    for line in lines:
        w = line.split("#")[0].split()
        if not w:
            continue
        if len(w) >= 4 and w[2].endswith("lo") and w[3].endswith("hi"):
            k = "xyz".index(w[2][0])
            lo[k], hi[k] = float(w[0]), float(w[1])
        elif w[0] in ("Masses", "Atoms", "Velocities", "Pair"):
            section = w[0]
        elif section == "Masses":
            masses[int(w[0])] = float(w[1])
        elif section == "Atoms":
            atoms.append((int(w[0]), int(w[1]), float(w[2]), float(w[3]), float(w[4])))
    atoms.sort()
    types = np.array([a[1] for a in atoms])
    pos = np.array([a[2:] for a in atoms])
    return dict(cell=np.diag(hi - lo), lo=lo, types=types, pos=pos, masses=[masses[k] for k in sorted(masses)])


def write_deformed(src, dst, strain=None, masses=None):
    """Copy of a data file with positions and box deformed by x_a += eps x_b (strain = (a, b, eps);
    a = b = -1: isotropic) and/or other masses."""
    s = read_data(src)
    cell, pos = s["cell"].copy(), s["pos"] - s["lo"]
    if strain is not None:
        a, b, eps = strain
        F = np.eye(3) * (1 + eps) if a < 0 else np.eye(3) + eps * np.outer(np.eye(3)[a], np.eye(3)[b])
        cell, pos = cell @ F.T, pos @ F.T
    vt.write_lammps_data(dst, cell, (0, 0, 0), s["types"], pos, masses if masses is not None else s["masses"])
    return dst


def fd_shifts(make, extra, step, nev, potential=("-potential", "ka3d"), d=3):
    """(lambda(+h) - lambda(-h)) / 2h of the lowest nev non-zero eigenvalues (numpy of `vitrum
    hessian`), the samples and extra options at +-h from make(sign) and extra(sign)."""
    lam = [np.linalg.eigvalsh(hessian_dense(make(sign), list(extra(sign)), potential=potential))[d:d + nev] for sign in (1, -1)]
    return (lam[0] - lam[1]) / (2 * step)


def nondegenerate(ev, nev):
    """The modes among the first nev of the eigenvalues ev (nev + 1 of them) 1e-3 away from their neighbours."""
    return [k for k in range(nev) if min(abs(ev[k] - ev[k - 1]) if k else np.inf, abs(ev[k + 1] - ev[k])) > 1e-3 * ev[k]]


def check_shifts(name, got, ref, idx, tol=1e-5):
    """got = ref at the modes idx, to tol relative to the largest |ref|."""
    rel = np.max(np.abs(got[idx] - ref[idx]) / np.abs(ref[idx]).max())
    vt.check(rel < tol, "%s: first-order shift = finite-difference eigenvalue shift to %g (max rel. %.1e)" % (name, tol, rel))
