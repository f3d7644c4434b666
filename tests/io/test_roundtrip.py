"""convert round trips: LAMMPS data -> H5MD -> LAMMPS data (and H5MD -> H5MD, extended XYZ ->
data -> H5MD) on different rank counts give the same atoms: ids, species names, masses, box,
positions (up to rounding)."""
import ase
import ase.io
import numpy as np

from vitio import (check, frac, h5md_frac, lammps_cell, periodic_close, read_data, read_h5md, run,
                   write_data)

rng = np.random.default_rng(21)
N = 80
lo, hi, tilt = np.array([0.5, -1.0, 0.0]), np.array([6.5, 4.0, 5.5]), (-1.1, 0.9, 0.6)
cell = lammps_cell(lo, hi, tilt)
x = lo + rng.uniform(0, 1, (N, 3)) @ cell
ids = rng.permutation(np.arange(5, 5 + 2 * N, 2))
types = rng.integers(1, 4, N)
masses, names = [58.69, 10.81, 30.97], ["Ni", "B", "P"]
write_data("orig.data", ids, types, x, lo, hi, tilt, masses, names)

run(["convert", "-sample", "orig.data", "-o", "one.h5"], 2)
run(["convert", "-sample", "one.h5", "-o", "two.data"], 3)
run(["convert", "-sample", "two.data", "-o", "three.h5"], 4)
run(["convert", "-sample", "three.h5", "-o", "four.h5"], 1)
d = read_data("two.data")
order = np.argsort(ids)
check(np.array_equal(d["ids"], ids[order]) and np.array_equal(d["types"], types[order]), "data -> h5md -> data: ids and types")
check(d["names"] == {1: "Ni", 2: "B", 3: "P"} and np.allclose(list(d["masses"].values()), masses, rtol=1e-15), "names and masses kept")
check(np.allclose(d["cell"], cell, rtol=1e-15, atol=1e-15) and np.allclose(d["lo"], lo), "box kept")
check(periodic_close(frac(d["x"], d["lo"], d["cell"]), frac(x[order], lo, cell), 1e-13), "positions kept")
h3, h4 = read_h5md("three.h5"), read_h5md("four.h5")
check(np.array_equal(h3["ids"], h4["ids"]) and np.array_equal(h3["types"], h4["types"]) and h3["names"] == h4["names"], "h5md -> h5md: ids and species")
check(np.abs(h3["x"] - h4["x"]).max() < 1e-12 and np.allclose(h3["cell"], h4["cell"], rtol=1e-15), "h5md -> h5md: positions and box")

# extended XYZ -> data (names in mass comments) -> H5MD
atoms = ase.Atoms(symbols=rng.choice(["Ge", "Se"], 40), cell=[[4, 0.5, 0], [0, 5, 0.3], [0.2, 0, 6]], pbc=True,
                  scaled_positions=rng.uniform(0, 1, (40, 3)))
ase.io.write("g.xyz", atoms, format="extxyz")
run(["convert", "-sample", "g.xyz", "-o", "g.data", "-units", "metal"], 2)  # no masses in the xyz: atomic weights
run(["convert", "-sample", "g.data", "-o", "g.h5"], 2)
h = read_h5md("g.h5")
ref = ase.io.read("g.xyz")
check(list(h["atom_names"]) == ref.get_chemical_symbols(), "xyz -> data -> h5md: species names")
check(periodic_close(h5md_frac(h), ref.get_scaled_positions(wrap=True), 1e-12), "xyz -> data -> h5md: positions")
