"""RDF of perfect crystals: every pair count sits in the bin of the exact lattice distance and the
coordination numbers (ordered pairs per atom) are the exact shell sizes."""
import h5py
import numpy as np
from vitrum_testlib import write_lammps_data, run, check


def lattice(basis, cell_unit, reps, dim):
    """Positions of a Bravais lattice with a basis, repeated reps times."""
    pts = []
    for idx in np.ndindex(*reps):
        for b in basis:
            pts.append((np.asarray(idx, float) + b) @ cell_unit)
    pts = np.asarray(pts)
    if dim == 2:
        pts = np.hstack([pts, np.zeros((len(pts), 1))])
    return pts


def check_crystal(name, pos, cell, dim, shells, rmax, dr=0.0107):
    """shells: every (distance, coordination number) below rmax."""
    edges = np.array([d / dr for d, _ in shells])
    assert np.all(np.abs(edges - np.round(edges)) > 1e-6), "test set-up: a lattice distance sits on a bin edge"
    path = name + ".data"
    write_lammps_data(path, cell, (0, 0, 0), [1] * len(pos), pos, dim=dim)
    run(["rdf", "-sample", path, "-rdf_rmax", rmax, "-rdf_dr", dr, "-o", name + ".h5"])
    with h5py.File(name + ".h5", "r") as f:
        counts = f["/structure/rdf/counts"][0]
        g = f["/structure/rdf/g"][0]
    n = len(pos)
    nonzero = np.nonzero(counts)[0]
    expected_bins = [int(d / dr) for d, _ in shells]
    check(list(nonzero) == expected_bins, "%s: counts only in the bins of the lattice distances %s (got bins %s)" % (name, expected_bins, list(nonzero)))
    for (d, z) in shells:
        got = counts[int(d / dr)] / n
        check(got == z, "%s: coordination %g at r = %.4f (got %g)" % (name, z, d, got))
    check(np.all(g >= 0), "%s: g non-negative" % name)


a = 1.0
# square lattice (2D): shells 1 (4), sqrt2 (4), 2 (4), sqrt5 (8)
pos = lattice([np.zeros(2)], np.eye(2) * a, (10, 10), 2)
cell = np.diag([10 * a, 10 * a, 1.0])
check_crystal("square", pos, cell, 2, [(1, 4), (np.sqrt(2), 4), (2, 4), (np.sqrt(5), 8), (np.sqrt(8), 4), (3, 4), (np.sqrt(10), 8)], 3.3)

# triangular lattice (2D) in a rectangular cell: shells 1 (6), sqrt3 (6), 2 (6), sqrt7 (12)
unit = np.array([[1.0, 0.0], [0.0, np.sqrt(3.0)]])
pos = lattice([np.array([0, 0]), np.array([0.5, 0.5])], unit, (12, 7), 2)
cell = np.diag([12.0, 7 * np.sqrt(3.0), 1.0])
check_crystal("triangular", pos, cell, 2, [(1, 6), (np.sqrt(3), 6), (2, 6), (np.sqrt(7), 12), (3, 6)], 3.2)

# simple cubic: 1 (6), sqrt2 (12), sqrt3 (8), 2 (6)
pos = lattice([np.zeros(3)], np.eye(3), (8, 8, 8), 3)
check_crystal("sc", pos, np.diag([8.0, 8.0, 8.0]), 3, [(1, 6), (np.sqrt(2), 12), (np.sqrt(3), 8), (2, 6), (np.sqrt(5), 24), (np.sqrt(6), 24)], 2.6)

# FCC (cubic cell 1): a/sqrt2 (12), 1 (6), sqrt(3/2) (24), sqrt2 (12)
basis = [np.array(b) for b in ([0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5])]
pos = lattice(basis, np.eye(3), (6, 6, 6), 3)
check_crystal("fcc", pos, np.diag([6.0, 6.0, 6.0]), 3, [(np.sqrt(0.5), 12), (1, 6), (np.sqrt(1.5), 24), (np.sqrt(2), 12), (np.sqrt(2.5), 24)], 1.65)
