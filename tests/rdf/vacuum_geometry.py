"""Sheet or bulk by where the vacuum is (docs/structure.md#sheets): a sheet has vacuum along z
alone. Checks:
  wire     the same 300-atom wire (radius 2.5) along x in a 10 x 30 x 30 box and along z in a
           30 x 30 x 10 box: both bulk (box volume, 4 pi r^2 shells) with a note naming -rdf_geometry,
           g(r) = the numpy brute-force count with the volume normalisation, the two g(r) and S(q) the
           same (before: along x it was normalised as a sheet, 10 times off); -rdf_geometry sheet on it
           is an error.
  cluster  a ball of 200 atoms in a 40^3 box: bulk, default bin 0.005 L from (V/N)^(1/3), not (A/N)^(1/2).
  slab     a film normal to x is bulk, the same film normal to z a sheet (area, 2 pi r shells).
  2D       -rdf_geometry sheet on a 2D sample is an error; bulk is its area normalisation (= auto).
  rmax     the sheet error names the rmax of the whole bins used (3, not -rdf_rmax 3.0025); -rdf_rmax
           beyond half the box: the error echoes the value as given and its largest allowed value,
           rounded down, is accepted and at most the exact half width."""
import re

import h5py
import numpy as np
from vitrum_testlib import check, random_sample, run, write_lammps_data

RMAX, DR = 4.9, 0.05
rng = np.random.default_rng(11)


def wire_atoms(n, radius, length):
    """n atoms in a cylinder along the first coordinate, no two closer than 0.7."""
    pts = []
    while len(pts) < n:
        p = rng.random(3) * [length, 2 * radius, 2 * radius] - [0, radius, radius]
        if np.hypot(p[1], p[2]) <= radius and all(np.linalg.norm(p - q) > 0.7 for q in pts):
            pts.append(p)
    return np.array(pts)


def brute_counts(pos, box, rmax, dr):
    """Ordered pair counts of all species in bins of dr (minimum image: rmax < half the box)."""
    d = pos[:, None, :] - pos[None, :, :]
    d -= np.round(d / box) * box
    r = np.linalg.norm(d, axis=2)[~np.eye(len(pos), dtype=bool)]
    nb = int(np.floor(rmax / dr + 1e-9))
    return np.bincount(np.floor(r[r < nb * dr] / dr).astype(int), minlength=nb)[:nb]


def read(path):
    with h5py.File(path, "r") as f:
        return {k: f["/structure/" + k][()] for k in ("rdf/g_total", "rdf/counts", "rdf/volume", "rdf/dr", "sq/S")
                if "/structure/" + k in f} | {"geometry": np.bytes_(f["/structure/rdf/g"].attrs["geometry"]).decode()}


# the wire along x and the same atoms along z (coordinates (y, z, x))
w = wire_atoms(300, 2.5, 10.0)
along_x = w + [0, 15, 15]
along_z = w[:, [1, 2, 0]] + [15, 15, 0]
types = rng.choice([1, 2], size=len(w))
write_lammps_data("wirex.data", np.diag([10.0, 30, 30]), (0, 0, 0), types, along_x)
write_lammps_data("wirez.data", np.diag([30.0, 30, 10]), (0, 0, 0), types, along_z)
nb = int(np.floor(RMAX / DR + 1e-9))
shell = 4.0 / 3.0 * np.pi * ((np.arange(nb) + 1) ** 3 - np.arange(nb) ** 3) * DR ** 3
expect = brute_counts(along_x, np.array([10.0, 30, 30]), RMAX, DR) * 9000.0 / (300 * 299 * shell)
got = {}
for name in ("wirex", "wirez"):
    p = run(["rdf", "-sample", name + ".data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-sq", "-o", name + ".h5"])
    got[name] = read(name + ".h5")
    check(got[name]["geometry"] == "bulk" and got[name]["rdf/volume"] == 9000.0, "%s: bulk, box volume 9000 (got %s, %g)" % (name, got[name]["geometry"], got[name]["rdf/volume"]))
    check(p.stdout.count("rdf: note: ") >= 1 and "normalised as bulk" in p.stdout and "-rdf_geometry" in p.stdout, "%s: a note says bulk and names -rdf_geometry" % name)
    check(np.allclose(got[name]["rdf/g_total"], expect, rtol=1e-12, atol=0), "%s: g(r) = numpy brute force with the volume normalisation" % name)
check(np.allclose(got["wirex"]["rdf/g_total"], got["wirez"]["rdf/g_total"], rtol=1e-12, atol=0), "the wire along x and along z: the same g(r)")
check(np.allclose(got["wirex"]["sq/S"], got["wirez"]["sq/S"], rtol=1e-10, atol=1e-12), "the wire along x and along z: the same S(q)")
p = run(["rdf", "-sample", "wirex.data", "-rdf_geometry", "sheet", "-o", "bad.h5"], expect_fail=True)
check("vacuum along z alone" in p.stdout + p.stderr, "-rdf_geometry sheet on a wire: error")

# a cluster: bulk, default grid from the volume per atom
ball = []
while len(ball) < 200:
    q = (rng.random(3) - 0.5) * 12
    if np.linalg.norm(q) < 6 and all(np.linalg.norm(q - b) > 0.8 for b in ball):
        ball.append(q)
write_lammps_data("cluster.data", np.diag([40.0] * 3), (0, 0, 0), [1] * 200, np.array(ball) + 20)
p = run(["rdf", "-sample", "cluster.data", "-sq", "-o", "cluster.h5"])
c = read("cluster.h5")
L = 2.0 ** np.round(np.log2((40.0 ** 3 / 200) ** (1 / 3)))
check(c["geometry"] == "bulk" and c["rdf/volume"] == 64000.0, "cluster: bulk (got %s)" % c["geometry"])
check(c["rdf/dr"] == 0.005 * L, "cluster: default dr 0.005 L, L = %g from (V/N)^(1/3) (got %g)" % (L, c["rdf/dr"]))

# a film 5 thick: normal to x is bulk, normal to z a sheet
film, ft = random_sample(600, np.diag([5.0, 20, 20]), seed=5)
write_lammps_data("slabx.data", np.diag([30.0, 20, 20]), (0, 0, 0), ft, film)
write_lammps_data("slabz.data", np.diag([20.0, 20, 30]), (0, 0, 0), ft, film[:, [1, 2, 0]])
p = run(["rdf", "-sample", "slabx.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", "slabx.h5"])
check(read("slabx.h5")["geometry"] == "bulk" and "-rdf_geometry" in p.stdout, "film normal to x: bulk, with a note")
p = run(["rdf", "-sample", "slabx.data", "-rdf_rmax", RMAX, "-rdf_geometry", "sheet", "-o", "bad.h5"], expect_fail=True)
check("vacuum along z alone" in p.stdout + p.stderr, "film normal to x, -rdf_geometry sheet: error")
p = run(["rdf", "-sample", "slabz.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", "slabz.h5"])
s = read("slabz.h5")
ring = np.pi * ((np.arange(nb) + 1) ** 2 - np.arange(nb) ** 2) * DR ** 2
expect = brute_counts(film[:, [1, 2, 0]], np.array([20.0, 20, 30]), RMAX, DR) * 400.0 / (600 * 599 * ring)
check(s["geometry"] == "sheet" and np.allclose(s["rdf/g_total"], expect, rtol=1e-12, atol=0), "film normal to z: a sheet, g = numpy area normalisation")

# 2D: bulk is the area normalisation, sheet an error
pos2, t2 = random_sample(300, np.diag([15.0, 15, 1]), dim=2, seed=2)
write_lammps_data("twod.data", np.diag([15.0, 15, 1]), (0, 0, 0), t2, pos2, dim=2)
run(["rdf", "-sample", "twod.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", "auto2.h5"])
run(["rdf", "-sample", "twod.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-rdf_geometry", "bulk", "-o", "bulk2.h5"])
check(np.array_equal(read("auto2.h5")["rdf/g_total"], read("bulk2.h5")["rdf/g_total"]), "2D: bulk = auto (area normalisation)")
p = run(["rdf", "-sample", "twod.data", "-rdf_geometry", "sheet", "-o", "bad.h5"], expect_fail=True)
check("2D sample" in p.stdout + p.stderr, "2D: -rdf_geometry sheet is an error")

# the sheet error names the rmax used: whole bins of dr
bulk, bt = random_sample(500, np.diag([8.0, 8, 8]), seed=4)
write_lammps_data("bulk.data", np.diag([8.0, 8, 8]), (0, 0, 0), bt, bulk)
p = run(["rdf", "-sample", "bulk.data", "-rdf_geometry", "sheet", "-rdf_rmax", 3.0025, "-rdf_dr", 0.005, "-o", "bad.h5"], expect_fail=True)
err = p.stdout + p.stderr
check("rmax 3 " in err and "3.0025" not in err, "sheet error: rmax of the whole bins, 3 (got %s)" % err.strip())

# -rdf_rmax beyond half the box: the largest allowed value is accepted
cell = np.array([[2.9, 0, 0], [0.4, 3.1, 0], [0.3, -0.2, 3.3]])
tp, tt = random_sample(5, cell, seed=9)
write_lammps_data("tiny.data", cell, (0, 0, 0), tt, tp)
half = 0.5 * min(abs(np.linalg.det(cell)) / np.linalg.norm(np.cross(cell[(k + 1) % 3], cell[(k + 2) % 3])) for k in range(3))
given = "%.12g" % (half * (1 + 1e-7))
p = run(["rdf", "-sample", "tiny.data", "-rdf_rmax", given, "-o", "bad.h5"], expect_fail=True)
err = p.stdout + p.stderr
m = re.search(r"largest allowed value is (\S+)", err)
check(m is not None and "-rdf_rmax %s " % given in err, "error echoes -rdf_rmax as given (%s)" % err.strip())
largest = m.group(1)
check(float(largest) <= half and half - float(largest) < 1e-9 * half, "largest allowed %s: at most the half width %.17g, within 1e-9" % (largest, half))
run(["rdf", "-sample", "tiny.data", "-rdf_rmax", largest, "-rdf_dr", 0.01, "-o", "tiny.h5"])
check(True, "-rdf_rmax %s (the largest allowed value) is accepted" % largest)
