"""convert round trips: LAMMPS data -> H5MD -> LAMMPS data (and H5MD -> H5MD, extended XYZ ->
data -> H5MD) on different rank counts give the same atoms: ids, species names, masses, box,
positions (up to rounding). convert and minimize choose the output format by one rule: .h5 .h5md
are H5MD, .data .lmp LAMMPS data (read back by info), any other name one error line and no file.
A Wahnstrom-like binary data file's PairIJ Coeffs travel through H5MD (convert, minimize) and back:
the energies agree to 1e-14; two types without coefficients get vitrum's defaults with a note."""
import os
import re
import shutil

import ase
import ase.io
import h5py
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

# Bitwise round trips data -> h5md -> data -> h5md (orthogonal and triclinic boxes, 3D and LAMMPS's
# 2D box): a position inside the box comes back bit for bit from the first trip (it is written as
# the file gave it, not recomputed from fractional coordinates); one outside is moved by whole
# cell vectors into the box once, after which the files are a fixed point. Before, each trip
# recomputed lo + s cell: a KA data file lost up to 16 ulp on some coordinates, drifting further
# with each trip. The box origin and lengths (xhi - xlo) come back bit for bit.
for dim, tilt in [(3, None), (3, (1.2, -0.8, 0.5)), (2, None), (2, (-1.7, 0.0, 0.0))]:
    # y: hi - lo rounds to 16, and lo + 16 is not hi (xhi written as xlo + lx would read back as 16 - 2^-49)
    lo, hi = np.array([-0.8, 7.699, -2.1 if dim == 3 else -0.5]), np.array([8.2, 23.699, 4.9 if dim == 3 else 0.5])
    cell = lammps_cell(lo, hi, tilt or (0, 0, 0))
    s = rng.uniform(0, 1, (N, 3))
    s[:10] = rng.uniform(-2.5, 3.5, (10, 3))  # outside: wrapped once
    if dim == 2:
        s[:, 2] = 0.5  # z = 0 in LAMMPS's 2D box
    x = lo + s @ cell
    corner = lo + cell.sum(axis=0) if tilt else hi  # s = (1, 1, 1)
    x[10:13] = [lo, corner, np.nextafter(corner, -np.inf)]  # on the faces: lo stays, hi wraps to lo
    x[13] = [1e-17, 15.0, 2.5e-18]  # small coordinates in a box from lo < 0 (the 16-ulp case)
    if dim == 2:
        x[:, 2] = 0.0
    ids, types = np.arange(1, N + 1), rng.integers(1, 3, N)
    write_data("rt.data", ids, types, x, lo, hi, tilt, [1.0, 0.7])
    inside = np.all((s > 1e-9) & (s < 1 - 1e-9), axis=1)
    inside[10:14] = [True, False, False, True]
    run(["convert", "-sample", "rt.data", "-o", "rt1.h5"], 2)
    run(["convert", "-sample", "rt1.h5", "-o", "rt1.data"], 3)
    run(["convert", "-sample", "rt1.data", "-o", "rt2.h5"], 1)
    run(["convert", "-sample", "rt2.h5", "-o", "rt2.data"], 2)
    h1, h2, d1, d2 = read_h5md("rt1.h5"), read_h5md("rt2.h5"), read_data("rt1.data"), read_data("rt2.data")
    box = f"{dim}D {'triclinic' if tilt else 'orthogonal'}"
    check(h1["dim"] == dim and np.array_equal(h1["x"][inside], x[inside, :dim]) and np.array_equal(d1["x"][inside], x[inside]),
          f"{box}: positions inside the box come back bit for bit from the first trip (h5md and data)")
    s1 = np.linalg.solve(h1["cell"].T, (h1["x"] - h1["lo"]).T).T
    check(periodic_close(h5md_frac(h1), frac(x[:, :dim], lo[:dim], cell[:dim, :dim]), 1e-12) and s1.min() > -1e-15 and s1.max() < 1 + 1e-15,
          f"{box}: positions outside moved by whole cell vectors into the box")
    check(np.array_equal(h1["x"][10], lo[:dim]) and (tilt or np.array_equal(h1["x"][11], lo[:dim])), f"{box}: an atom at lo stays" + ("" if tilt else ", one at hi goes to lo"))
    check(all(np.array_equal(h1[k], h2[k]) for k in ("x", "cell", "lo", "ids", "types")), f"{box}: h5md -> data -> h5md is a fixed point, bit for bit")
    check(all(np.array_equal(d1[k], d2[k]) for k in ("x", "cell", "lo", "ids", "types")), f"{box}: data -> h5md -> data is a fixed point, bit for bit")
    check(np.array_equal(h1["cell"], cell[:dim, :dim]) and np.array_equal(d1["cell"], cell) and np.array_equal(d1["lo"][:dim], lo[:dim]),
          f"{box}: box origin, lengths and tilts bit for bit")

# A Wahnstrom-like binary LJ glass (fcc sites shaken, masses 1 and 0.5) whose data file carries
# `write_data FILE pair ij`'s PairIJ Coeffs # lj/cut (epsilon, sigma, cutoff of every pair).
a = (4 / 1.2) ** (1 / 3)
sites = np.array([[i, j, k] for i in range(3) for j in range(3) for k in range(3)], float)
xw = ((sites[:, None, :] + np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])[None]).reshape(-1, 3) * a
      + rng.uniform(-0.1, 0.1, (108, 3)))
write_data("wahn.data", np.arange(1, 109), rng.integers(1, 3, 108), xw, [0, 0, 0], [3 * a] * 3, masses=[1.0, 0.5])
body = open("wahn.data").read().replace("\nAtoms # atomic", "\nPairIJ Coeffs # lj/cut\n\n1 1 1 1 2.5\n1 2 1 0.916667 2.29167\n2 2 1 0.833333 2.08333\n\nAtoms # atomic")
open("wahn.data", "w").write(body)
LJ = ["-potential", "lj/cut", "-potential_shift", 1]

# The output format follows the extension, by one rule for convert and minimize: H5MD (.h5 .h5md) or
# LAMMPS data (.data .lmp), each read back by info; any other name is one error line and no file
# (minimize once wrote HDF5 under .xyz, .dump, .txt, ... with exit 0, which no reader could open).
mini = ["minimize", "-minimize_saddle_escapes", 0] + LJ
for ext, fmt in ((".h5", "h5md"), (".h5md", "h5md"), (".data", "lammps-data"), (".lmp", "lammps-data")):
    for cmd in (["convert"], mini):
        out = "fmt_%s%s" % (cmd[0], ext)
        run(cmd + ["-sample", "wahn.data", "-o", out], 2 if ext == ".lmp" else 1)
        info = run(["info", "-sample", out])
        head = open(out, "rb").read(16)
        check("atoms:       108" in info and head.startswith(b"\x89HDF" if fmt == "h5md" else b"LAMMPS data file"),
              "%s -o %s: written as %s, read back by info" % (cmd[0], out, fmt))
for cmd, ext, n in ((["convert"], ".xyz", 1), (["convert"], ".xyz", 2), (["convert"], ".data.gz", 1), (["convert"], "", 1),
                    (mini, ".xyz", 1), (mini, ".xyz", 2), (mini, ".dump", 1), (mini, ".txt", 1)):
    out = "bad_%s%s" % (cmd[0], ext)
    text = run(cmd + ["-sample", "wahn.data", "-o", out], n, expect=1)
    errors = [ln for ln in text.splitlines() if "vitrum: error:" in ln]
    check(len(errors) == 1 and ("-o %s: vitrum writes samples as H5MD (.h5 .h5md) or LAMMPS data (.data .lmp)" % out) in errors[0]
          and not os.path.exists(out), "%s -o %s (%d ranks): one error line, no file" % (cmd[0], out, n))

# The pair coefficients travel with the sample: H5MD keeps a data file's PairIJ Coeffs as
# /parameters/vitrum/pair_coeffs, read back as the data file's section (minimize -o X.h5 and
# convert once dropped them: energy then ran with epsilon = sigma = 1, rc = 2.5 for every pair).


def energy(sample, n=1):
    text = run(["energy", "-sample", sample, "-o", "e.h5"] + LJ, n)
    with h5py.File("e.h5", "r") as f:
        return f["/energy/total"][()], f["/forces"][...], text


e0, f0, _ = energy("wahn.data")
run(["convert", "-sample", "wahn.data", "-o", "pc.h5"], 2)
run(["convert", "-sample", "pc.h5", "-o", "pc.data"], 1)
with h5py.File("pc.h5", "r") as f:
    pc = f["/parameters/vitrum/pair_coeffs"]
    attrs = {k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in pc.attrs.items()}
    table = pc[...]
check(table.shape == (2, 2, 3) and np.array_equal(table[0, 1], table[1, 0]) and np.array_equal(table[1, 0], [1, 0.916667, 2.29167])
      and attrs["section"] == "PairIJ Coeffs" and attrs["style"] == "lj/cut", "data -> h5md: /parameters/vitrum/pair_coeffs (2, 2, 3), PairIJ Coeffs # lj/cut")
check("PairIJ Coeffs # lj/cut\n\n1 1 1 1 2.5\n1 2 1 0.91666700000000001 2.2916699999999999\n" in open("pc.data").read(), "h5md -> data: the PairIJ Coeffs section again")
for sample, n in (("pc.h5", 1), ("pc.h5", 2), ("pc.data", 1)):
    e, f, text = energy(sample, n)
    check(abs(e / e0 - 1) < 1e-14 and np.abs(f - f0).max() < 1e-12 * np.abs(f0).max() and ("from %s (PairIJ Coeffs" % sample) in text,
          "energy of %s (%d ranks) = that of wahn.data: %.17g, %.17g (the coefficients' note printed)" % (sample, n, e, e0))
run(["minimize", "-sample", "wahn.data", "-o", "min.h5", "-minimize_saddle_escapes", 0] + LJ, 2)
shutil.copy("fmt_minimize.data", "min.data")  # the format loop's `minimize ... -o X.data` on 1 rank is this run (same options)
run(["convert", "-sample", "min.h5", "-o", "min_h5.data"], 1)
e1, f1, _ = energy("min.data")
with h5py.File("min.h5", "r") as f:
    e_run = f["/minimize/energy_per_atom"][()] * 108
for sample in ("min.h5", "min_h5.data"):
    e, f, _ = energy(sample)
    check(abs(e / e1 - 1) < 1e-14 and abs(e / e_run - 1) < 1e-14 and np.abs(f).max() < 1e-7,
          "minimize -o %s: energy %.17g = that of min.data %.17g and of the run %.17g; max force %.1e" % (sample, e, e1, e_run, np.abs(f).max()))

# No coefficients from any source on two types: vitrum's lj-unit defaults, named in one note (once per run).
open("bare.data", "w").write(re.sub(r"\nPairIJ Coeffs # lj/cut\n\n(?:[^\n]+\n)+", "\n", open("wahn.data").read()))
for n in (1, 2):
    text = run(["energy", "-sample", "bare.data", "-potential", "lj", "-o", "bare.h5"], n)
    check(text.count("vitrum: note: -potential lj on the 2 atom types of bare.data: epsilon 1, sigma 1, cutoff 2.5 sigma for every pair") == 1,
          "two types without coefficients (%d ranks): one note naming epsilon 1, sigma 1, cutoff 2.5 sigma" % n)
text = run(["energy", "-sample", "bare.data", "-potential", "lj", "-lj_epsilon", "1,1.5,0.5", "-lj_sigma", "1,0.8,0.88", "-o", "bare.h5"])
check("vitrum: note: -potential lj on the" not in text, "with -lj_epsilon and -lj_sigma: no note")
