"""Default g(r) grid that scales with the sample (docs/structure.md#default-grid): rmax = 5 L,
dr = 0.005 L, L = the power of two nearest the mean spacing a.
* Lennard-Jones samples (3D KA crystal-like sample at density 1.2, a 2D sample): 5 and 0.005, as before;
* a metal-units CuZr-like sample (18.5 A^3 per atom, a = 2.65 A): 10 A and 0.01 A, and the pair
  counts equal a numpy histogram on that grid;
* a graphene sheet in vacuum (a = (A/N)^(1/2) = 1.61 A): L = 2, rmax capped at half the box;
* an ensemble (features) of CuZr-like samples whose boxes differ by up to 1%, and one 6% smaller
  (an error before the grid took every box into account): one grid for all,
  announced in a note, recorded in /dataset/rdf_rmax and /dataset/rdf_dr, every row the same length;
  a rerun takes it from the first sample's cached output and recomputes nothing;
* a grid given on the command line is kept."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

VITRUM = os.environ["VITRUM"]
MPIRUN = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def vitrum(args, n=1):
    p = subprocess.run(MPIRUN + ["-n", str(n), VITRUM] + [str(a) for a in args], capture_output=True, text=True)
    if p.returncode:
        sys.exit("vitrum failed: %s\n%s%s" % (args, p.stdout, p.stderr))
    return p.stdout


def write(path, x, types, box, masses=None, names=None, dim=3):
    with open(path, "w") as f:
        f.write("sample\n\n%d atoms\n%d atom types\n\n" % (len(x), max(types)))
        for a in range(2):
            f.write("0 %.17g %slo %shi\n" % (box[a], "xy"[a], "xy"[a]))
        f.write("0 %.17g zlo zhi\n" % box[2] if dim == 3 else "-0.5 0.5 zlo zhi\n")
        if masses:
            f.write("\nMasses\n\n" + "".join("%d %g # %s\n" % (t + 1, m, nm) for t, (m, nm) in enumerate(zip(masses, names))))
        f.write("\nAtoms # atomic\n\n")
        for i, (p, t) in enumerate(zip(x, types)):
            f.write("%d %d %.17g %.17g %.17g\n" % (i + 1, t, p[0], p[1], p[2] if dim == 3 else 0.0))


def grid(path):
    with h5py.File(path, "r") as f:
        r = f["/structure/rdf/r"][...]
        return len(r), float(f["/structure/rdf/dr"][()]), r, f["/structure/rdf/counts"][...]


def cuzr(path, n, volume_per_atom, seed):
    rng = np.random.default_rng(seed)
    L = (n * volume_per_atom) ** (1 / 3)
    x = rng.uniform(0, L, (n, 3))
    t = rng.integers(1, 3, n)
    write(path, x, t, [L, L, L], [63.546, 91.224], ["Cu", "Zr"])
    return x, t, L


rng = np.random.default_rng(7)
# Lennard-Jones: density 1.2, fcc 7x7x7 with noise (a = 0.94), and 2D at density 1.0 (a = 1)
a = (4 / 1.2) ** (1 / 3)
cells = np.array([[i, j, k] for i in range(7) for j in range(7) for k in range(7)])
x = ((cells[:, None, :] + np.array([[0, 0, 0], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]])[None]).reshape(-1, 3) * a
      + rng.uniform(-0.1, 0.1, (4 * 343, 3)))
write("lj3d.data", x % (7 * a), rng.integers(1, 3, len(x)), [7 * a] * 3)
write("lj2d.data", rng.uniform(0, 12, (144, 3)), rng.integers(1, 3, 144), [12, 12, 1], dim=2)
for name in ("lj3d", "lj2d"):
    out = vitrum(["rdf", "-sample", name + ".data", "-o", name + ".h5"])
    nb, dr, r, _ = grid(name + ".h5")
    check(nb == 1000 and dr == 0.005 and abs(r[-1] - 4.9975) < 1e-12 and "note: default grid" not in out,
          "%s: lj defaults kept: rmax 5, dr 0.005 (%d bins of %g)" % (name, nb, dr))

# metal units: CuZr-like, 1000 atoms at 18.5 A^3 per atom
xc, tc, L = cuzr("cuzr.data", 1000, 18.5, 1)
out = vitrum(["rdf", "-sample", "cuzr.data", "-o", "cuzr.h5"], 2)
nb, dr, r, counts = grid("cuzr.h5")
check(nb == 1000 and dr == 0.01 and "power of two nearest the mean spacing 2.645" in out,
      "metal sample: rmax 10 A, dr 0.01 A (%d bins of %g), with a note" % (nb, dr))
d = xc[None, :, :] - xc[:, None, :]
d -= L * np.round(d / L)
rr = np.linalg.norm(d, axis=2)[np.triu_indices(len(xc), 1)]
hist = np.histogram(rr, bins=np.arange(nb + 1) * 0.01)[0]
check(np.array_equal(counts.sum(axis=0), 2 * hist), "metal sample: pair counts = numpy histogram on the 0.01 A grid")

# a sheet: graphene in 20 A of vacuum, a = (A/N)^(1/2)
aa, b = 2.46, 2.46 / np.sqrt(3)
basis = np.array([[0, 0], [aa / 2, b / 2], [aa / 2, 1.5 * b], [0, 2 * b]])
xy = np.array([p + [i * aa, j * 3 * b] for i in range(8) for j in range(5) for p in basis])
write("sheet.data", np.c_[xy, np.full(len(xy), 10.0)], np.ones(len(xy), int), [8 * aa, 15 * b, 20.0], [12.011], ["C"])
out = vitrum(["rdf", "-sample", "sheet.data", "-o", "sheet.h5"])
nb, dr, r, _ = grid("sheet.h5")
check(dr == 0.01 and nb == int(np.floor(8 * aa / 2 / 0.01 + 1e-9)) and "spacing 1.6" in out,
      "sheet: L = 2 from the area per atom, rmax capped at half the box (%d bins of %g)" % (nb, dr))

# given options win
vitrum(["rdf", "-sample", "cuzr.data", "-rdf_rmax", 6, "-rdf_dr", 0.05, "-o", "given.h5"])
nb, dr, _, _ = grid("given.h5")
check(nb == 120 and dr == 0.05, "-rdf_rmax 6 -rdf_dr 0.05 kept (%d bins of %g)" % (nb, dr))

# an ensemble: 250-atom samples (box 16.6 A: rmax capped), volumes differing by up to 1%, the
# last one's box 6% smaller (its half width below 95% of the first's)
os.makedirs("ens", exist_ok=True)
volumes = (18.5, 18.35, 18.65, 18.4, 15.5)
for k, v in enumerate(volumes):
    cuzr("ens/s%d.data" % k, 250, v, 10 + k)
shutil.rmtree("cache", ignore_errors=True)  # a fresh cache: the grid comes from the first sample
os.makedirs("cache")
out = vitrum(["features", "-samples", "ens/s*.data", "-features_targets", "none", "-features_drop_constant", 0,
              "-features_cache", "cache", "-o", "ens.h5"], 2)
half_min = 0.5 * (250 * min(volumes)) ** (1 / 3)
with h5py.File("ens.h5", "r") as f:
    rmax, dr, ncols = float(f["/dataset/rdf_rmax"][()]), float(f["/dataset/rdf_dr"][()]), f["/dataset/X"].shape[1]
grids = [grid("cache/s%d.data.rdf.h5" % k)[:2] for k in range(len(volumes))]
check("one g(r) grid for all samples: rmax 7.46, dr 0.01 (the defaults of ens/s0.data" in out and "that of ens/s4.data" in out
      and abs(dr - 0.01) < 1e-12 and abs(rmax - np.floor(0.95 * half_min / 0.01) * 0.01) < 1e-9,
      "ensemble: one grid from the first sample, rmax = 95%% of the smallest half width, that of s4 (%g, dr %g)" % (rmax, dr))
check(len(set(grids)) == 1 and ncols == 3 * grids[0][0], "ensemble: every sample on that grid (%s), %d features" % (grids[0], ncols))
# a second run takes the grid from the first sample's cached output and recomputes nothing
stamps = [os.path.getmtime("cache/s%d.data.rdf.h5" % k) for k in range(len(volumes))]
out = vitrum(["features", "-samples", "ens/s*.data", "-features_targets", "none", "-features_drop_constant", 0,
              "-features_cache", "cache", "-o", "ens_again.h5"], 2)
check("the grid of cache/s0.data.rdf.h5" in out and stamps == [os.path.getmtime("cache/s%d.data.rdf.h5" % k) for k in range(len(volumes))],
      "ensemble rerun: grid from the cached output, nothing recomputed")
# per-atom profiles: their lengths scale the same way (sigma 0.05 L, dr 0.02 L, rmax 2.5 L; L = 2 A here)
out = vitrum(["features", "-samples", "ens/s0.data", "ens/s1.data", "-features_per_atom", "-features_atom_target", "none",
              "-o", "atoms.h5"], 2)
with h5py.File("atoms.h5", "r") as f:
    sigma = float(f["/dataset/atom_sigma"][()])
    rs = sorted({float(n.decode().split("=")[1].rstrip(")")) for n in f["/dataset/feature_names"][()]})
check(abs(sigma - 0.1) < 1e-12 and abs(rs[1] - rs[0] - 0.04) < 1e-9 and abs(rs[-1] - 5) < 1e-9 and "per-atom profiles up to r = 5" in out,
      "per-atom defaults in metal units: sigma %g, dr %g, rmax %g (0.1, 0.04, 5 A)" % (sigma, rs[1] - rs[0], rs[-1]))
sys.exit(1 if failures else 0)
