"""The default process grid leaves a direction with vacuum across it uncut (src/domain/domain.c,
DomainSetGrid): the box is cut evenly, so a slab that fills half its box and is cut along its
normal left one rank of two without atoms. A jittered simple-cubic block of 8 x 8 x 8 atoms
(spacing 1.1, Lennard-Jones), in three boxes:
- a slab (vacuum of 8.8 along z, wider than the ghost width 2.5): on 2, 3 and 4 ranks z is not
  cut, every rank owns atoms (at most 1.5 x the mean) and the energy and the forces are those of
  1 rank (to 1e-12);
- a cluster (vacuum along every direction): every direction is cut, as before;
- the bulk block (no vacuum): the grid is MPI_Dims_create's along the widest directions, as before.
-domain_grid still wins."""
import re
import h5py
import numpy as np
import vitrum_testlib as vt

N, A = 8, 1.1
rng = np.random.default_rng(3)
block = np.array([(i, j, k) for i in range(N) for j in range(N) for k in range(N)], float) * A + 0.05 * rng.standard_normal((N**3, 3)) + 0.3
GRID = re.compile(r"domain: grid (\d+)x(\d+)x(\d+), ghost width \S+, owned min (\d+) mean (\S+) max (\d+)")


def sample(name, box):
    vt.write_lammps_data(name, np.diag(box), (0, 0, 0), [1] * len(block), block)
    return name


def energy(path, ranks, extra=()):
    """grid, owned (min, mean, max), total energy, forces in id order."""
    out = "%s.%d.h5" % (path, ranks)
    p = vt.run(["energy", "-sample", path, "-potential", "lj", "-o", out, "-domain_view"] + list(extra), ranks)
    g = GRID.search(p.stdout)
    vt.check(g is not None, "%s on %d ranks: -domain_view line (%s)" % (path, ranks, p.stdout))
    with h5py.File(out, "r") as f:
        return tuple(int(g.group(k)) for k in (1, 2, 3)), (int(g.group(4)), float(g.group(5)), int(g.group(6))), f["energy/total"][()], f["forces"][()]


L = N * A
slab = sample("slab.data", (L, L, 2 * L))
_, _, e1, f1 = energy(slab, 1)
for ranks in (2, 3, 4):
    grid, owned, e, f = energy(slab, ranks)
    vt.check(grid[2] == 1 and grid[0] * grid[1] == ranks, "slab, %d ranks: grid %s does not cut z (the vacuum)" % (ranks, grid))
    vt.check(owned[0] > 0 and owned[2] <= 1.5 * owned[1], "slab, %d ranks: every rank owns atoms, the largest share at most 1.5 x the mean (the 8 planes of atoms split 3, 3, 2 on 3 ranks): min %d, mean %g, max %d" % (ranks, *owned))
    vt.check(abs(e - e1) <= 1e-12 * abs(e1) and np.max(np.abs(f - f1)) <= 1e-12 * np.max(np.abs(f1)),
             "slab, %d ranks: energy and forces of 1 rank (%.17g vs %.17g)" % (ranks, e, e1))
grid, owned, e, f = energy(slab, 2, ["-domain_grid", "1,1,2"])
vt.check(grid == (1, 1, 2) and owned[0] == 0 and abs(e - e1) <= 1e-12 * abs(e1), "-domain_grid 1,1,2 still wins (grid %s, owned min %d)" % (grid, owned[0]))

cluster = sample("cluster.data", (2 * L, 2 * L, 2 * L))
grid, owned, _, _ = energy(cluster, 8)
vt.check(grid == (2, 2, 2), "cluster, 8 ranks: every direction cut (grid %s)" % (grid,))

bulk = sample("bulk.data", (L, L, L))
for ranks, expect in ((2, (2, 1, 1)), (4, (2, 2, 1))):
    grid, owned, _, _ = energy(bulk, ranks)
    vt.check(grid == expect, "bulk, %d ranks: grid %s (MPI_Dims_create's, as before: %s)" % (ranks, grid, expect))
