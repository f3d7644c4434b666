"""Independent references for the pair-potential and Hessian tests: sample generation, LAMMPS data
files, LAMMPS runs, a dense numpy Lennard-Jones (energy, forces, Hessian) and helpers to run vitrum."""
import itertools
import os
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse

KA = {"eps": [[1.0, 1.5], [1.5, 0.5]], "sig": [[1.0, 0.8], [0.8, 0.88]], "rc_sigma": 2.5}


def lattice_sample(n_cells, dim, density, noise, frac_a, seed, tilt=0.0):
    """FCC (3D) or triangular (2D) crystal at the given number density, with uniform noise on every
    coordinate and random species (fraction frac_a of type 0). Returns (cell rows, positions, types)."""
    rng = np.random.default_rng(seed)
    if dim == 3:
        basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
        a = (4 / density) ** (1 / 3)
        grid = np.array([[i, j, k] for i in range(n_cells[0]) for j in range(n_cells[1]) for k in range(n_cells[2])])
        frac = (grid[:, None, :] + basis[None, :, :]).reshape(-1, 3)
        cell = np.diag([n_cells[0] * a, n_cells[1] * a, n_cells[2] * a])
        x = frac * a
    else:
        a = np.sqrt(2 / (np.sqrt(3) * density))
        basis = np.array([[0, 0], [0.5, 0.5]])
        grid = np.array([[i, j] for i in range(n_cells[0]) for j in range(n_cells[1])])
        frac = (grid[:, None, :] + basis[None, :, :]).reshape(-1, 2)
        x = frac * np.array([a, a * np.sqrt(3)])
        cell = np.diag([n_cells[0] * a, n_cells[1] * a * np.sqrt(3)])
    cell = cell.astype(float)
    cell[1, 0] = tilt * cell[0, 0]  # xy tilt
    x = x + rng.uniform(-noise, noise, size=x.shape)
    # positions through fractional coordinates so a tilt moves them with the cell
    s = x @ np.linalg.inv(np.diag(np.diag(cell)))
    x = np.mod(s, 1.0) @ cell
    types = np.where(rng.random(len(x)) < frac_a, 0, 1)
    return cell, x, types


def write_data(path, cell, x, types, masses=(1.0, 1.0), ids=None):
    """LAMMPS data file (atomic style); 2D: z bounds -0.5..0.5 and z = 0."""
    dim = cell.shape[0]
    n = len(x)
    ids = np.arange(1, n + 1) if ids is None else ids
    with open(path, "w") as f:
        f.write("vitrum test sample\n\n%d atoms\n%d atom types\n" % (n, len(masses)))
        f.write("0 %.17g xlo xhi\n0 %.17g ylo yhi\n" % (cell[0, 0], cell[1, 1]))
        f.write("%s zlo zhi\n" % ("0 %.17g" % cell[2, 2] if dim == 3 else "-0.5 0.5"))
        xy = cell[1, 0]
        xz, yz = (cell[2, 0], cell[2, 1]) if dim == 3 else (0.0, 0.0)
        if xy or xz or yz:
            f.write("%.17g %.17g %.17g xy xz yz\n" % (xy, xz, yz))
        f.write("\nMasses\n\n")
        for t, m in enumerate(masses):
            f.write("%d %.17g\n" % (t + 1, m))
        f.write("\nAtoms # atomic\n\n")
        for i in range(n):
            z = x[i, 2] if dim == 3 else 0.0
            f.write("%d %d %.17g %.17g %.17g\n" % (ids[i], types[i] + 1, x[i, 0], x[i, 1], z))


def read_data(path):
    """Positions (id order), types, cell of a LAMMPS data file written by vitrum or write_data."""
    lines = open(path).read().splitlines()
    lo, hi, tilt = {}, {}, [0.0, 0.0, 0.0]
    n = 0
    for ln in lines:
        t = ln.split()
        if len(t) >= 2 and t[1] == "atoms":
            n = int(t[0])
        for ax in "xyz":
            if len(t) >= 4 and t[2] == ax + "lo":
                lo[ax], hi[ax] = float(t[0]), float(t[1])
        if len(t) >= 6 and t[3] == "xy":
            tilt = [float(v) for v in t[:3]]
    start = next(i for i, ln in enumerate(lines) if ln.startswith("Atoms")) + 2
    rows = [ln.split() for ln in lines[start:start + n]]
    rows.sort(key=lambda r: int(r[0]))
    ids = np.array([int(r[0]) for r in rows])
    types = np.array([int(r[1]) - 1 for r in rows])
    x = np.array([[float(v) for v in r[2:5]] for r in rows])
    return ids, types, x, lo, hi, tilt


def pair_params(ntypes, eps, sig, rc):
    return np.array(eps, float).reshape(ntypes, ntypes), np.array(sig, float).reshape(ntypes, ntypes), np.array(rc, float).reshape(ntypes, ntypes)


def lj_terms(r, eps, sig, rc, shift=False, smooth=False):
    """phi, phi', phi'' for one species pair (scalars eps, sig, rc; r an array) with shift or smoothing;
    smoothing coefficients from a numpy 3x3 solve of phi_s(rc) = phi_s'(rc) = phi_s''(rc) = 0 for
    phi_s = phi + C0 + C2 (r/sig)^2 + C4 (r/sig)^4."""
    def bare(r):
        sr6 = (sig / r) ** 6
        return 4 * eps * (sr6 * sr6 - sr6), 24 * eps / r * (sr6 - 2 * sr6 * sr6), 24 * eps / r**2 * (26 * sr6 * sr6 - 7 * sr6)

    with np.errstate(divide="ignore", invalid="ignore"):
        p, dp, d2p = bare(r)
    if smooth:
        pc, dpc, d2pc = bare(rc)
        xc = rc / sig
        A = np.array([[1, xc**2, xc**4], [0, 2 * xc / sig, 4 * xc**3 / sig], [0, 2 / sig**2, 12 * xc**2 / sig**2]])
        c0, c2, c4 = np.linalg.solve(A, -np.array([pc, dpc, d2pc]))
        x = r / sig
        p = p + c0 + c2 * x**2 + c4 * x**4
        dp = dp + (2 * c2 * x + 4 * c4 * x**3) / sig
        d2p = d2p + (2 * c2 + 12 * c4 * x**2) / sig**2
    elif shift:
        p = p - bare(rc)[0]
    inside = r < rc
    return np.where(inside, p, 0), np.where(inside, dp, 0), np.where(inside, d2p, 0)


def pair_terms(r, types, eps, sig, rc, shift=False, smooth=False):
    """lj_terms for a matrix of distances between atoms of the given species."""
    out = [np.zeros_like(r) for _ in range(3)]
    for a in range(eps.shape[0]):
        for b in range(eps.shape[0]):
            m = (types[:, None] == a) & (types[None, :] == b)
            for o, v in zip(out, lj_terms(r[m], eps[a, b], sig[a, b], rc[a, b], shift, smooth)):
                o[m] = v
    return out


def min_image(x, cell):
    """All pair displacements d_ij = x_j - x_i under the minimum image convention (N x N x dim)."""
    inv = np.linalg.inv(cell)
    ds = (x[None, :, :] - x[:, None, :]) @ inv
    ds -= np.round(ds)
    return ds @ cell


def lj_numpy(x, types, cell, eps, sig, rc, shift=False, smooth=False):
    """Per-atom energy (half of each pair), forces and virial W_ab = -1/2 sum_ij phi' d_a d_b / r."""
    n, dim = x.shape
    d = min_image(x, cell)
    r = np.linalg.norm(d, axis=2)
    np.fill_diagonal(r, np.inf)
    p, dp, _ = pair_terms(r, types, eps, sig, rc, shift, smooth)
    energy = 0.5 * p.sum(axis=1)
    coef = np.where(np.isfinite(r), dp / r, 0)
    force = (coef[:, :, None] * d).sum(axis=1)
    virial = -0.5 * np.einsum("ij,ija,ijb->ab", coef, d, d)
    return energy, force, virial


def lj_hessian_numpy(x, types, cell, eps, sig, rc, shift=False, smooth=False):
    """Dense analytic Hessian (dN x dN), atoms in the given order."""
    n, dim = x.shape
    d = min_image(x, cell)
    r = np.linalg.norm(d, axis=2)
    np.fill_diagonal(r, np.inf)
    _, dp, d2p = pair_terms(r, types, eps, sig, rc, shift, smooth)
    rr = np.where(np.isfinite(r), r, 1.0)
    uu = d[:, :, :, None] * d[:, :, None, :] / rr[:, :, None, None] ** 2
    K = -(d2p[:, :, None, None] * uu + (dp / rr)[:, :, None, None] * (np.eye(dim) - uu))
    for i in range(n):
        K[i, i] = -K[i].sum(axis=0) + K[i, i]
    return K.transpose(0, 2, 1, 3).reshape(n * dim, n * dim)


def image_shifts(cell, reach):
    """Integer lattice shifts n (dim) whose images x + n cell can come within reach of the box."""
    widths = 1 / np.linalg.norm(np.linalg.inv(cell), axis=0)  # perpendicular widths
    m = [int(np.ceil(reach / w)) + 1 for w in widths]
    return [np.array(n) for n in itertools.product(*[range(-k, k + 1) for k in m])]


def lj_images(x, types, cell, eps, sig, rc, shift=False):
    """Energy per atom, forces, virial and dense Hessian summed over *every* periodic image within the
    cutoff (boxes narrower than 2 rc, where the minimum image is not enough); an atom's own images
    add a constant to its energy and nothing to forces or H (K_ii - K_ii)."""
    n, dim = x.shape
    energy, force, virial = np.zeros(n), np.zeros((n, dim)), np.zeros((dim, dim))
    K = np.zeros((n, n, dim, dim))
    for shift_n in image_shifts(cell, rc.max()):
        d = x[None, :, :] - x[:, None, :] + shift_n @ cell
        r = np.linalg.norm(d, axis=2)
        if not shift_n.any():
            np.fill_diagonal(r, np.inf)
        p, dp, d2p = pair_terms(r, types, eps, sig, rc, shift)
        rr = np.where(np.isfinite(r), r, 1.0)
        coef = np.where(np.isfinite(r), dp / rr, 0)
        energy += 0.5 * p.sum(axis=1)
        force += (coef[:, :, None] * d).sum(axis=1)
        virial -= 0.5 * np.einsum("ij,ija,ijb->ab", coef, d, d)
        uu = d[:, :, :, None] * d[:, :, None, :] / rr[:, :, None, None] ** 2
        K += -(d2p[:, :, None, None] * uu + coef[:, :, None, None] * (np.eye(dim) - uu))
    H = K.copy()
    for i in range(n):
        H[i, i] = -K[i].sum(axis=0) + K[i, i]
    return energy, force, virial, H.transpose(0, 2, 1, 3).reshape(n * dim, n * dim)


def lammps(data, dim, pair_coeffs, cutoff, shift, workdir=".", extra=""):
    """Run LAMMPS on data: returns per-atom energy and forces (id order), total energy, pressure."""
    inp = os.path.join(workdir, "in.ref")
    dump = os.path.join(workdir, "ref.dump")
    with open(inp, "w") as f:
        f.write("units lj\natom_style atomic\nboundary p p p\ndimension %d\n" % dim)
        f.write("read_data %s\npair_style lj/cut %.17g\n" % (data, cutoff))
        for (i, j, e, s, rc) in pair_coeffs:
            f.write("pair_coeff %d %d %.17g %.17g %.17g\n" % (i, j, e, s, rc))
        f.write("pair_modify shift %s\nneighbor 0.3 bin\n" % ("yes" if shift else "no"))
        f.write(extra)
        f.write("compute pe all pe/atom\nthermo_style custom step pe press pxx pyy pzz pxy\nthermo_modify format float %.17g norm no\n")
        f.write("dump d all custom 1 %s id type fx fy fz c_pe\ndump_modify d format float %%.17g sort id\nrun 0\n" % dump)
    out = subprocess.run(["lmp", "-in", inp, "-log", os.path.join(workdir, "log.lammps"), "-screen", "none"], capture_output=True, text=True)
    if out.returncode:
        sys.exit("LAMMPS failed: " + out.stdout + out.stderr)
    log = open(os.path.join(workdir, "log.lammps")).read().splitlines()
    k = max(i for i, ln in enumerate(log) if ln.split()[:2] == ["Step", "PotEng"])
    thermo = [float(v) for v in log[k + 1].split()]
    rows = np.loadtxt(dump, skiprows=9)
    rows = rows[np.argsort(rows[:, 0])]
    return {"energy": rows[:, 5], "force": rows[:, 2:2 + dim], "total": thermo[1], "press": thermo[2]}


def vitrum(cmd, args, np_=1, expect_fail=False):
    """Run vitrum COMMAND args on np_ ranks; returns (returncode, stdout + stderr)."""
    exe = os.environ["VITRUM"]
    mpirun = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
    argv = (mpirun + ["-n", str(np_)] if np_ > 1 else []) + [exe, cmd] + [str(a) for a in args]
    out = subprocess.run(argv, capture_output=True, text=True)
    text = out.stdout + out.stderr
    if not expect_fail and out.returncode:
        sys.exit("vitrum %s failed (%d):\n%s" % (cmd, out.returncode, text))
    return out.returncode, text


def read_csr(path):
    with h5py.File(path, "r") as f:
        g = f["hessian"]
        return scipy.sparse.csr_matrix((g["data"][...], g["indices"][...], g["indptr"][...]), shape=tuple(g["shape"][...]))


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    return bool(cond)
