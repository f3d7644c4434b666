"""Atom ids of the LAMMPS data files vitrum writes (convert -o X.data, minimize -o X.data).

LAMMPS atom ids are positive integers; H5MD numbers atoms from 0 (without /particles/all/id by row,
0..N-1). A sample with an id 0 is written with ids id + 1 and one note; vitrum and LAMMPS (`lmp`
read_data) read the file back, with the atoms' types and positions in id order. Positive ids are
kept unchanged (data -> h5 -> data). Ids 0 and 2147483647 together cannot be LAMMPS ids: one error
line naming the file and what to give, no output. Before, the data file had an atom id 0, which
neither vitrum ("bad atom id (0)") nor LAMMPS ("Invalid atom ID") could read."""
import os
import subprocess
import sys

import h5py
import numpy as np

from vitio import check, read_data, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(11)
N, L = 40, np.array([5.0, 6.0, 7.0])
NOTE = "vitrum: note:"


def write_h5md(path, x, species, ids=None):
    with h5py.File(path, "w") as f:
        f["particles/all/position"] = x
        f["particles/all/species"] = species
        f["particles/all/box/edges"] = L
        if ids is not None:
            f["particles/all/id"] = ids


def lammps_atoms(path):
    """ids, types, positions as LAMMPS's read_data gives them (dumped sorted by id)."""
    open("in.ids", "w").write(f"units lj\natom_style atomic\nread_data {path}\n"
                              "write_dump all custom ids.dump id type x y z modify sort id format float %.17g\n")
    subprocess.run(["lmp", "-in", "in.ids", "-log", "none", "-screen", "none"], check=True)
    rows = np.loadtxt("ids.dump", skiprows=9, ndmin=2)
    return rows[:, 0].astype(int), rows[:, 1].astype(int), rows[:, 2:5]


def notes(text):
    return [ln for ln in text.splitlines() if ln.startswith(NOTE) and "numbers its atoms from 0" in ln]


x = rng.uniform(0.1, 0.9, (N, 3)) * L  # inside the box: written back bit for bit
species = rng.integers(0, 2, N)

# No /particles/all/id: rows 0..N-1 become ids 1..N.
write_h5md("noid.h5", x, species)
text = run(["convert", "-sample", "noid.h5", "-units", "lj", "-o", "noid.data"], nranks)
d = read_data("noid.data")
check(len(notes(text)) == 1 and "noid.data gives them ids + 1" in notes(text)[0], "no ids: one note naming the shift")
check(np.array_equal(d["ids"], np.arange(1, N + 1)) and np.array_equal(d["types"], species + 1) and np.array_equal(d["x"], x),
      "no ids: rows written as ids 1..N with their types and positions")
ids, types, xl = lammps_atoms("noid.data")
check(np.array_equal(ids, np.arange(1, N + 1)) and np.array_equal(types, species + 1) and np.array_equal(xl, x),
      "no ids: LAMMPS read_data reads the file (ids, types, positions)")
run(["convert", "-sample", "noid.data", "-o", "noid2.h5"], nranks)
h = read_h5md("noid2.h5")
check(np.array_equal(h["ids"], np.arange(1, N + 1)) and np.array_equal(h["x"], x), "no ids: vitrum reads the data file back")

# Explicit ids with a 0, shuffled and with gaps: id + 1, atoms in id order.
fid = rng.permutation(np.concatenate([[0], rng.choice(np.arange(1, 10 * N), N - 1, replace=False)]))
write_h5md("zero.h5", x, species, fid)
text = run(["convert", "-sample", "zero.h5", "-units", "lj", "-o", "zero.data"], nranks)
order = np.argsort(fid)
d = read_data("zero.data")
check(len(notes(text)) == 1, "explicit id 0: one note")
check(np.array_equal(d["ids"], fid[order] + 1) and np.array_equal(d["types"], species[order] + 1) and np.array_equal(d["x"], x[order]),
      "explicit id 0: ids + 1, types and positions in id order")
ids, types, xl = lammps_atoms("zero.data")
check(np.array_equal(ids, fid[order] + 1) and np.array_equal(types, species[order] + 1) and np.array_equal(xl, x[order]),
      "explicit id 0: LAMMPS read_data reads the file")

# Positive ids: unchanged, no note (data -> h5 -> data).
pos = fid + 1
write_h5md("pos.h5", x, species, pos)
run(["convert", "-sample", "pos.h5", "-units", "lj", "-o", "pos.data"], nranks)
run(["convert", "-sample", "pos.data", "-o", "pos2.h5"], nranks)
text = run(["convert", "-sample", "pos2.h5", "-o", "pos2.data"], nranks)
check(not notes(text) and np.array_equal(read_data("pos2.data")["ids"], np.sort(pos)) and np.array_equal(read_h5md("pos2.h5")["ids"], np.sort(pos)),
      "positive ids: data -> h5 -> data keeps them, no note")

# Ids 0 and 2147483647: no positive numbering within LAMMPS's range; one error line, no file.
big = fid.copy()
big[order[-1]] = 2147483647
write_h5md("big.h5", x, species, big)
text = run(["convert", "-sample", "big.h5", "-units", "lj", "-o", "big.data"], nranks, expect=1)
errors = [ln for ln in text.splitlines() if "vitrum: error:" in ln]
check(len(errors) == 1 and "big.h5: atom ids 0..2147483647 cannot be written to big.data" in errors[0] and "-o NAME.h5" in errors[0]
      and not os.path.exists("big.data") and not os.path.exists("big.data.tmp"), "ids 0 and 2147483647: one error line, no file")

# minimize -o X.data writes through the same writer: ids 1..N, read back by vitrum and LAMMPS.
a = (4 / 1.0) ** (1 / 3)
sites = np.array([[i, j, k] for i in range(2) for j in range(2) for k in range(2)], float)
xf = ((sites[:, None, :] + np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])[None]).reshape(-1, 3) * a
      + rng.uniform(-0.05, 0.05, (32, 3)) + 0.1)
with h5py.File("fcc.h5", "w") as f:
    f["particles/all/position"] = xf
    f["particles/all/box/edges"] = [2 * a] * 3
text = run(["minimize", "-sample", "fcc.h5", "-potential", "lj/cut", "-minimize_saddle_escapes", 0, "-o", "fcc_min.data"], nranks)
ids, _, _ = lammps_atoms("fcc_min.data")
check(len(notes(text)) == 1 and np.array_equal(read_data("fcc_min.data")["ids"], np.arange(1, 33)) and np.array_equal(ids, np.arange(1, 33))
      and "atoms:       32" in run(["info", "-sample", "fcc_min.data"]), "minimize -o X.data: ids 1..N, read by vitrum and LAMMPS")
