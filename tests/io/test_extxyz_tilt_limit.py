"""Extended XYZ lattice exactly at LAMMPS's tilt limits (xy = lx/2, xz = -lx/2, yz = ly/2): already in
LAMMPS form, it is kept as it is (docs/formats.md): convert to a LAMMPS data file keeps the tilts and
every position bit for bit (before, round(0.5) = 1 reduced the tilts to -4.5 0 -4 and moved atoms
by lattice vectors). A tilt just beyond a limit is still reduced to the same lattice."""
import sys

import numpy as np

from vitio import check, read_data, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
rng = np.random.default_rng(3)
N = 200
cell = np.array([[9.0, 0, 0], [4.5, 8.0, 0], [-4.5, 4.0, 7.0]])
x = rng.uniform(0.02, 0.98, (N, 3)) @ cell  # inside the box: kept bit for bit
species = rng.choice(["Zr", "Cu"], N)


def write_xyz(path, cell, x):
    with open(path, "w") as f:
        f.write("%d\nLattice=\"%s\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n" % (len(x), " ".join("%.17g" % v for v in cell.ravel())))
        for s, p in zip(species, x):
            f.write("%s %.17g %.17g %.17g\n" % (s, *p))


write_xyz("limit.xyz", cell, x)
run(["convert", "-sample", "limit.xyz", "-o", "limit.data", "-units", "lj"], nranks)
d = read_data("limit.data")
order = np.argsort(d["ids"])
check(np.array_equal(d["cell"], cell), "tilts at the limits kept: xy xz yz = %s" % d["cell"][[1, 2, 2], [0, 0, 1]])
check(np.array_equal(d["x"][order] - d["lo"], x) or np.array_equal(d["x"][order], x), "all %d positions kept bit for bit" % N)

# just beyond: xy = 4.6 > lx/2 is reduced to 4.6 - 9 (the same lattice), positions as Cartesian points
beyond = cell.copy()
beyond[1, 0] = 4.6
write_xyz("beyond.xyz", beyond, rng.uniform(0.02, 0.98, (N, 3)) @ beyond)
run(["convert", "-sample", "beyond.xyz", "-o", "beyond.data", "-units", "lj"], nranks)
check(np.isclose(read_data("beyond.data")["cell"][1, 0], 4.6 - 9.0, rtol=0, atol=1e-12), "xy = 4.6 beyond lx/2: reduced to -4.4")
