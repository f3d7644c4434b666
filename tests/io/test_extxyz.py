"""Extended XYZ reader against ASE: a general (rotated, non upper-triangular) lattice must
become the LAMMPS upper-triangular cell (ASE's Cell.standard_form) with the positions rotated
the same way; extra columns ignored; -frame; a 2D sample (pbc z = F); the masses column."""
import sys

import ase
import ase.io
import numpy as np

from vitio import check, h5md_frac, parse_info, periodic_close, read_h5md, run, wrap

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(5)
N = 50
frames = []
for k in range(3):
    cell = np.array([[4.0, 1.0, 0.5], [0.2, 5.0, 1.0], [-0.3, 0.7, 6.0]]) + rng.normal(0, 0.2, (3, 3))
    atoms = ase.Atoms(symbols=rng.choice(["Si", "O", "Al"], N), cell=cell, pbc=True,
                      positions=rng.uniform(-0.2, 1.2, (N, 3)) @ cell)
    atoms.new_array("charge", rng.normal(size=N))          # extra columns before/after pos
    atoms.set_momenta(rng.normal(size=(N, 3)))
    frames.append(atoms)
ase.io.write("rot.extxyz", frames, format="extxyz")
print(open("rot.extxyz").readlines()[1][:200])

for frame, k in [(0, 0), (1, 1), (-1, 2), (None, 2)]:
    run(["convert", "-sample", "rot.extxyz", "-o", "x.h5"] + ([] if frame is None else ["-frame", frame]), nranks)
    h = read_h5md("x.h5")
    ref = ase.io.read("rot.extxyz", index=k)
    rcell, Q = ref.cell.standard_form()
    check(np.allclose(h["cell"], rcell[:], atol=1e-12), f"frame {frame}: cell = ASE standard form (LAMMPS prism)")
    check(periodic_close(h5md_frac(h), ref.get_scaled_positions(wrap=True), 1e-12), f"frame {frame}: fractional positions as ASE")
    # positions rotated with the lattice: wrapped ASE positions times Q^T
    xw = wrap(ref.get_scaled_positions(wrap=False)) @ ref.cell[:]
    check(np.abs(h["x"] - xw @ Q.T).max() < 1e-9, f"frame {frame}: Cartesian positions rotated like the cell")
    check(list(h["atom_names"]) == ref.get_chemical_symbols() and h["names"] == ["Al", "O", "Si"], f"frame {frame}: species (alphabetical types)")
    check(np.array_equal(h["ids"], np.arange(1, N + 1)), f"frame {frame}: ids = line order")
info = parse_info(run(["info", "-sample", "rot.extxyz", "-frame", 1], nranks))
check(abs(info["volume"] / frames[1].get_volume() - 1) < 1e-8, "info: volume as ASE")

# A skewed basis of the same lattice (b + 2a, c - 3b + a; tilts far beyond LAMMPS's limits): reduced
# to the cell of the plain basis, the atoms at the same periodic positions.
plain = frames[0]
A = plain.cell[:]
skew = plain.copy()
skew.set_cell(np.array([A[0], A[1] + 2 * A[0], A[2] - 3 * A[1] + A[0]]), scale_atoms=False)
ase.io.write("skew.extxyz", skew, format="extxyz")
ase.io.write("plain.extxyz", plain, format="extxyz")
run(["convert", "-sample", "skew.extxyz", "-o", "skew.h5"], nranks)
run(["convert", "-sample", "plain.extxyz", "-o", "plain.h5"], nranks)
hs, hp = read_h5md("skew.h5"), read_h5md("plain.h5")
c = hs["cell"]
check(abs(c[1][0]) <= c[0][0] / 2 and abs(c[2][0]) <= c[0][0] / 2 and abs(c[2][1]) <= c[1][1] / 2, "skewed lattice: tilts within LAMMPS's limits after reduction (%s)" % c.tolist())
check(np.allclose(c, hp["cell"], atol=1e-10) and periodic_close(h5md_frac(hs), h5md_frac(hp), 1e-10), "skewed lattice: the same cell and periodic positions as the plain basis")

# 2D: pbc z = F, a zero third lattice vector, all atoms at one z
flat = ase.Atoms(symbols=["C"] * 20 + ["N"] * 10,
                 cell=[[5.0, 1.0, 0.0], [-0.5, 4.0, 0.0], [0.0, 0.0, 0.0]], pbc=[True, True, False])
flat.set_scaled_positions(np.c_[rng.uniform(0, 1, (30, 2)), np.zeros(30)])
flat.positions[:, 2] = 0.25
ase.io.write("flat.xyz", flat, format="extxyz")
run(["convert", "-sample", "flat.xyz", "-o", "flat.h5"], nranks)
h = read_h5md("flat.h5")
flat = ase.io.read("flat.xyz")  # as written (8 decimals)
a2 = abs(np.linalg.det(flat.cell[:2, :2]))
check(h["dim"] == 2 and h["x"].shape == (30, 2), "2D extxyz: dimension 2")
check(periodic_close(h5md_frac(h), flat.get_scaled_positions(wrap=True)[:, :2], 1e-12), "2D extxyz: positions")
info = parse_info(run(["info", "-sample", "flat.xyz"], nranks))
check(info["dimension"] == 2 and abs(info["area"] / a2 - 1) < 1e-8, "2D extxyz: info area")
out = run(["info", "-sample", "flat.xyz", "-sample_dimension", 3], nranks, expect=1)
check("flat.xyz:2: -sample_dimension 3 needs a third lattice vector" in out, "2D extxyz without a third lattice vector: -sample_dimension 3 is an error")

# A sheet as ASE writes it: pbc="T T F" with a c vector of vacuum. -sample_dimension 3 makes it a 3D
# sheet, periodic along c, the same sample as pbc="T T T" (the option was ignored: dimension 2, and a
# buckled sheet was an error); without it a buckled sheet is an error that names the option.
sheet = ase.Atoms(symbols=["C"] * 24, cell=[[6.0, 0.0, 0.0], [1.0, 5.5, 0.0], [0.0, 0.0, 20.0]], pbc=[True, True, False])
sheet.set_scaled_positions(np.c_[rng.uniform(0, 1, (24, 2)), 0.5 + rng.uniform(-0.01, 0.01, 24)])
ase.io.write("sheet_ttf.xyz", sheet, format="extxyz")
sheet.pbc = True
ase.io.write("sheet_ttt.xyz", sheet, format="extxyz")
flat_sheet = sheet.copy()
flat_sheet.pbc = [True, True, False]
flat_sheet.positions[:, 2] = 10.0
ase.io.write("flat_ttf.xyz", flat_sheet, format="extxyz")
for name in ("sheet_ttf.xyz", "flat_ttf.xyz"):
    check(parse_info(run(["info", "-sample", name, "-sample_dimension", 3], nranks))["dimension"] == 3, f"{name} -sample_dimension 3: dimension 3")
run(["convert", "-sample", "sheet_ttf.xyz", "-sample_dimension", 3, "-o", "sheet_ttf.h5"], nranks)
run(["convert", "-sample", "sheet_ttt.xyz", "-o", "sheet_ttt.h5"], nranks)
a, b = read_h5md("sheet_ttf.h5"), read_h5md("sheet_ttt.h5")
check(a["dim"] == 3 and np.array_equal(a["cell"], b["cell"]) and np.array_equal(a["x"], b["x"]), "pbc T T F with -sample_dimension 3: the pbc T T T sample")
out = run(["info", "-sample", "sheet_ttf.xyz"], nranks, expect=1)
check("sheet_ttf.xyz:4: 2D sample (pbc z = F) with atoms at different z" in out and "-sample_dimension 3" in out, "buckled pbc T T F sheet: an error naming -sample_dimension 3")

# Other pbc values (open in x or y) are refused: one error line naming the value read and what to
# give (was "pbc must be T in x and y").
for pbc in ([False, False, True], [True, False, True], [False, True, False]):
    sheet.pbc = pbc
    ase.io.write("open.xyz", sheet, format="extxyz")
    value = " ".join("T" if b else "F" for b in pbc)
    out = run(["info", "-sample", "open.xyz"], nranks, expect=1)
    errors = [l for l in out.splitlines() if l.startswith("vitrum: error:")]
    check(len(errors) == 1 and f'open.xyz:2: pbc="{value}": vitrum reads samples periodic in x and y: give pbc="T T T", or "T T F"' in errors[0],
          f'pbc="{value}": one error line naming the value and what to give')

# Masses: ASE's masses:R:1 column gives each species its mass (isotopes here, not the standard
# weights); they reach the H5MD output by species. Without the column the file has no masses
# (none written). An atom whose mass differs from its species' first is one error line at its line.
iso = frames[0].copy()
iso.set_masses([{"Si": 29.97377, "O": 17.99916, "Al": 26.98154}[e] for e in iso.get_chemical_symbols()])
ase.io.write("iso.extxyz", iso, format="extxyz")
check("masses:R:1" in open("iso.extxyz").readlines()[1], "ASE writes a masses column")
run(["convert", "-sample", "iso.extxyz", "-o", "iso.h5"], nranks)
h = read_h5md("iso.h5")
check(h["masses"] is not None and np.array_equal(h["masses"], [26.98154, 17.99916, 29.97377]), "masses column: one mass per species (Al, O, Si) %s" % h["masses"])
check(read_h5md("plain.h5")["masses"] is None, "no masses column: no masses written")
m = iso.get_masses()
m[7] += 1.0
iso.set_masses(m)
ase.io.write("mixed.extxyz", iso, format="extxyz")
first = next(k for k, e in enumerate(iso.get_chemical_symbols()) if e == iso[7].symbol)
for n in (1, nranks):
    out = run(["convert", "-sample", "mixed.extxyz", "-o", "mixed.h5"], n, expect=1)
    errors = [l for l in out.splitlines() if l.startswith("vitrum: error:")]
    check(len(errors) == 1 and "mixed.extxyz:%d: mass %.8f of species %s differs from its mass %.15g on line %d" % (7 + 3, m[7], iso[7].symbol, m[first], first + 3) in errors[0],
          "mixed masses within a species: one error line at the atom's line, %d ranks (%s)" % (n, errors))
