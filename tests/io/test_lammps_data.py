"""LAMMPS data reader: triclinic box, shuffled sparse ids, image flags, masses with names,
type labels, boxes without tilt or masses; checked through `convert` (H5MD) and `info`."""
import sys

import numpy as np

from vitio import (check, frac, h5md_frac, lammps_cell, parse_info, periodic_close, read_h5md,
                   run, write_data)

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
rng = np.random.default_rng(7)

# triclinic, 3 species, ids sparse and shuffled, image flags, atoms outside the box
N = 60
lo, hi, tilt = np.array([-1.0, 0.5, 2.0]), np.array([4.0, 5.0, 6.5]), (1.3, -0.7, 0.4)
cell = lammps_cell(lo, hi, tilt)
s_true = rng.uniform(-0.3, 1.3, size=(N, 3))
x = lo + s_true @ cell
ids = rng.permutation(np.arange(1, 3 * N, 3))[:N]
types = rng.integers(1, 4, size=N)
images = rng.integers(-2, 3, size=(N, 3))
masses, names = [63.546, 91.224, 26.98], ["Cu", "Zr", "Al"]
write_data("tri.data", ids, types, x, lo, hi, tilt, masses, names, images)
run(["convert", "-sample", "tri.data", "-o", "tri.h5"], nranks)
h = read_h5md("tri.h5")
order = np.argsort(ids)
check(np.array_equal(h["ids"], ids[order]), "atoms written in increasing id order")
check(np.allclose(h["cell"], cell, rtol=0, atol=1e-14), "triclinic cell rows")
check(np.allclose(h["lo"], lo), "box origin")
check(list(h["atom_names"]) == [names[t - 1] for t in types[order]], "species names from mass comments")
check(np.allclose(h["masses"], masses), "masses")
s_out = h5md_frac(h)
check(periodic_close(s_out, frac(x[order], lo, cell), 1e-12), "fractional positions")
check(np.all((h5md_frac(h) >= -1e-12) & (h5md_frac(h) < 1 + 1e-12)), "positions inside the box")

info = parse_info(run(["info", "-sample", "tri.data"], nranks))
V = np.linalg.det(cell)
check(info["atoms"] == N and info["dimension"] == 3, "info: N and dimension")
check(abs(info["volume"] / V - 1) < 1e-8 and abs(info["density"] - N / V) < 1e-9, "info: volume and density")
# perpendicular widths: distance between opposite faces = 1 / |row i of cell^-T|
widths = 1 / np.linalg.norm(np.linalg.inv(cell).T, axis=1)
check(np.allclose(info["widths"], widths, rtol=1e-8), "info: perpendicular widths")
for t in range(3):
    name, count, fraction, mass, pdens = info["types"][t]
    n_t = int(np.sum(types == t + 1))
    check(name == names[t] and count == n_t and abs(pdens - n_t / V) < 1e-8 and abs(mass - masses[t]) < 1e-9,
          f"info: species {names[t]} count {n_t}")

# orthogonal box, no tilt line, no Masses, no style comment: names "1", "2", no masses written
lo2, hi2 = np.zeros(3), np.array([3.0, 4.0, 5.0])
x2 = rng.uniform(0, 1, size=(10, 3)) * hi2
write_data("ortho.data", np.arange(1, 11), rng.integers(1, 3, size=10), x2, lo2, hi2, style_comment="", ntypes=2)
run(["convert", "-sample", "ortho.data", "-o", "ortho.h5"], nranks)
h = read_h5md("ortho.h5")
check(h["names"] == ["1", "2"] and h["masses"] is None, "default names, no masses (none invented)")
check(np.allclose(h["cell"], np.diag(hi2)) and periodic_close(h5md_frac(h), frac(x2, lo2, np.diag(hi2))), "orthogonal box")

# type labels, atoms typed by label
t3 = rng.integers(1, 3, size=10)
write_data("labels.data", np.arange(1, 11), [["Si", "C"][t - 1] for t in t3], x2, lo2, hi2, masses=[28.09, 12.01],
           labels=["Si", "C"])
run(["convert", "-sample", "labels.data", "-o", "labels.h5"], nranks)
h = read_h5md("labels.h5")
check(list(h["atom_names"]) == [["Si", "C"][t - 1] for t in t3], "Atom Type Labels section and label types")

# dimension: a flat box (all z equal, lz < lx, ly) is 2D unless -sample_dimension 3
xf = np.c_[rng.uniform(0, 6, (12, 2)), np.full(12, 0.25)]
write_data("flat.data", np.arange(1, 13), np.ones(12, int), xf, [0, 0, -0.5], [6, 6, 0.5], masses=[1.0])
i2 = parse_info(run(["info", "-sample", "flat.data"], nranks))
i3 = parse_info(run(["info", "-sample", "flat.data", "-sample_dimension", 3], nranks))
check(i2["dimension"] == 2 and abs(i2["area"] - 36) < 1e-9, "flat box read as 2D (area lx ly)")
check(np.allclose(i2["widths"], [6, 6]) and np.allclose(i3["widths"], [6, 6, 1]), "info: d widths (2D: area / |b|, area / |a|; was a third 0)")
check(i3["dimension"] == 3 and abs(i3["volume"] - 36) < 1e-9, "-sample_dimension 3 keeps it 3D")
check(all(parse_info(run(["info", "-sample", "flat.data", "-frame", k], nranks))["dimension"] == 2 for k in (0, -1)),
      "-frame 0 and -1 name a data file's one frame (another -frame: io_bad_input_data)")
out = run(["info", "-sample", "ortho.data", "-sample_dimension", 2], nranks, expect=1)
check("ortho.data: -sample_dimension 2 needs all atoms at one z" in out, "-sample_dimension 2 on a 3D sample is an error")
