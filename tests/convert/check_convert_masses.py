"""vitrum convert copies masses, never invents them (docs/formats.md, docs/units.md):
* a source with masses: the converted sample's masses equal the source's bitwise (.data and .h5, and back);
* a metal sample without masses (types named Cu, Zr by Atom Type Labels) -> .h5 has no type_mass and
  -> .data is refused with one line naming -units; with -units metal the standard atomic weights are
  written; a source with unnamed types and no masses -> .data without a Masses section;
* a converted metal sample without masses still stops a metal-units command instead of using 1;
* a LAMMPS dump with a mass column and no atom of type 2 (types 1 and 3 present): `info` says type 2
  has no mass, .data is refused naming -units, -units metal with -potential_elements writes type 2's
  atomic weight and the file's masses of types 1 and 3 bitwise; a metal-units command without element
  names stops naming type 2, with them it runs.
Run on 1 and 2 ranks."""
import os
import subprocess
import sys

import h5py
import numpy as np

from vitrum_testlib import run, write_lammps_data

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def masses_section(path):
    """{type: mass} of a data file's Masses section, or None when it has none."""
    text = open(path).read()
    if "Masses" not in text:
        return None
    lines = text.split("Masses")[1].split("Atoms")[0].strip().splitlines()
    return {int(l.split()[0]): float(l.split()[1]) for l in lines if l.strip()}


rng = np.random.default_rng(3)
cell = np.diag([12.0, 12.0, 12.0])
pos = rng.uniform(0, 12, (40, 3))
types = rng.integers(1, 3, 40)
odd = [63.546000000000006, 91.22399999999999]  # not round numbers: a bitwise check
write_lammps_data("with.data", cell, [0, 0, 0], types, pos, masses=odd)
write_lammps_data("plain.data", cell, [0, 0, 0], types, pos)  # no Masses, types "1", "2"
with open("plain.data") as f:  # the same atoms, types named Cu, Zr, still no masses
    named = f.read().replace("\nAtoms", "\nAtom Type Labels\n\n1 Cu\n2 Zr\n\nAtoms")
open("named.data", "w").write(named)
dump_types = np.where(types == 2, 3, 1)  # type 2 has no atom
with open("gap.dump", "w") as f:
    f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n" % len(pos) + "0 12\n" * 3 + "ITEM: ATOMS id type mass x y z\n")
    for i, (t, x) in enumerate(zip(dump_types, pos)):
        f.write("%d %d %r %r %r %r\n" % (i + 1, t, odd[0] if t == 1 else 26.9815385, *x))

for n in (1, 2):
    tag = f"[{n} ranks] "
    for f in [p for p in os.listdir(".") if p.startswith("out")]:
        os.remove(f)
    # masses present: kept exactly through data and H5MD, both ways
    run(["convert", "-sample", "with.data", "-o", "out_with.h5"], n)
    run(["convert", "-sample", "out_with.h5", "-o", "out_with.data"], n)
    with h5py.File("out_with.h5") as h:
        check(list(h["/parameters/vitrum/type_mass"][:]) == odd, tag + "data -> h5: masses bitwise")
    check(masses_section("out_with.data") == {1: odd[0], 2: odd[1]}, tag + "h5 -> data: masses bitwise")

    # no masses, named types: h5 without masses; data refused; -units metal gives the atomic weights
    out = run(["convert", "-sample", "named.data", "-o", "out_named.h5"], n).stdout
    with h5py.File("out_named.h5") as h:
        check("/parameters/vitrum/type_mass" not in h and [s.decode() for s in h["/parameters/vitrum/type_names"][:]] == ["Cu", "Zr"],
              tag + "no masses -> h5: none written, names kept")
    check("has no masses" in out, tag + "the note says no masses were written")
    p = run(["convert", "-sample", "named.data", "-o", "out_named.data"], n, expect_fail=True)
    err = [l for l in p.stderr.splitlines() if "error" in l]
    check(p.returncode == 1 and len(err) == 1 and "-units" in err[0] and not os.path.exists("out_named.data"),
          tag + "no masses, named types -> data: refused in one line naming -units, nothing written (%s)" % err)
    run(["convert", "-sample", "named.data", "-o", "out_metal.data", "-units", "metal"], n)
    check(masses_section("out_metal.data") == {1: 63.546, 2: 91.224}, tag + "-units metal: standard atomic weights of Cu, Zr")
    p = run(["convert", "-sample", "plain.data", "-o", "out_bad.data", "-units", "metal"], n, expect_fail=True)
    check(p.returncode == 1 and "-potential_elements" in p.stderr and not os.path.exists("out_bad.data"),
          tag + "-units metal without element names: refused naming -potential_elements")
    run(["convert", "-sample", "plain.data", "-o", "out_elem.h5", "-units", "metal", "-potential_elements", "Cu,Zr"], n)
    with h5py.File("out_elem.h5") as h:
        check(list(h["/parameters/vitrum/type_mass"][:]) == [63.546, 91.224], tag + "-potential_elements Cu,Zr -units metal -> h5 masses")

    # no masses, unnamed types: a data file without a Masses section; read back, still no masses
    run(["convert", "-sample", "plain.data", "-o", "out_plain.data"], n)
    check(masses_section("out_plain.data") is None, tag + "no masses -> data: no Masses section (no masses of 1)")
    run(["convert", "-sample", "out_plain.data", "-o", "out_plain.h5"], n)
    with h5py.File("out_plain.h5") as h:
        check("/parameters/vitrum/type_mass" not in h, tag + "and back to h5: still none")
    info = run(["info", "-sample", "out_named.h5"], n).stdout
    check("none in the file" in info, tag + "info on the converted sample: no masses")
    # a metal-units command on it must stop (never a silent mass of 1)
    p = run(["hessian", "-sample", "out_plain.h5", "-potential", "lj", "-units", "metal", "-o", "out_h.h5"], n, check=False)
    check(p.returncode == 1 and "no mass" in p.stderr, tag + "metal units on the converted sample without masses: error, not mass 1 (%s)" % p.stderr.strip()[-200:])

    # a dump's mass column, no atom of type 2: never a mass of 0 (or 1) written for it
    info = run(["info", "-sample", "gap.dump"], n).stdout
    check("type 2:    2 0 0.000000 none" in info, tag + "info: type 2 has no atom and no mass")
    p = run(["convert", "-sample", "gap.dump", "-o", "out_gap.data"], n, expect_fail=True)
    err = [l for l in p.stderr.splitlines() if "error" in l]
    check(p.returncode == 1 and len(err) == 1 and "type 2" in err[0] and "-units" in err[0] and not os.path.exists("out_gap.data"),
          tag + "dump without type 2 -> data: refused in one line naming type 2 and -units (%s)" % err)
    run(["convert", "-sample", "gap.dump", "-o", "out_gap.data", "-units", "metal", "-potential_elements", "Cu,Zr,Al"], n)
    check(masses_section("out_gap.data") == {1: odd[0], 2: 91.224, 3: 26.9815385}, tag + "-units metal -potential_elements Cu,Zr,Al: Zr's weight for type 2, the file's masses kept")
    p = run(["hessian", "-sample", "gap.dump", "-potential", "lj", "-units", "metal", "-lj_epsilon", "0.1", "-lj_sigma", "2.5", "-lj_cutoff", "5", "-potential_min_distance", "0", "-o", "out_e.h5"], n, check=False)
    err = [l for l in p.stderr.splitlines() if "error" in l]
    check(p.returncode == 1 and len(err) == 1 and "type 2" in err[0] and "no atom" in err[0], tag + "metal units, no element names: stops naming type 2 (%s)" % err)
    run(["hessian", "-sample", "gap.dump", "-potential", "lj", "-units", "metal", "-lj_epsilon", "0.1", "-lj_sigma", "2.5", "-lj_cutoff", "5", "-potential_min_distance", "0", "-potential_elements", "Cu,Zr,Al", "-o", "out_e.h5"], n)

sys.exit(1 if failures else 0)
