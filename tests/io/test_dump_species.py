"""io_dump_species: the species of a LAMMPS dump's type column.

One random Cu-Zr configuration (type 1 = Cu, type 2 = Zr), written by this script as dumps:
* a frame without type 2 (its Cu atoms only): a dump's type count is its largest type, so with
  -potential_elements Cu,Zr it gets the empty type Zr, and the same pairs as the frame with both
  types (`vitrum rdf`); its type counts are numpy's, its Zr partials 0 and its Cu-Cu partial that
  of the frame read without the option; `features` takes both frames as one ensemble. A data file
  declares its types: there the option's extra name stays an error.
* two types named by one element (`dump_modify element Cu Cu`; a data file's Masses comments
  `# Cu` twice; -potential_elements Cu,Cu): species names are unique in every output, so each
  type is named Cu(T) (docs/formats.md): three distinct pairs whose g(r) are, bitwise, those of
  the same dump with the elements Cu and Zr, one note; the element is still Cu: standard atomic
  weights in metal units, Cu's neutron scattering length (the total of Cu, Zr both given it), and
  the same EAM energy as -potential_elements Cu,Cu. A data file's
  Atom Type Labels giving one label to two types is one error line, as LAMMPS refuses it.
* type labels in the type column (`dump_modify types labels`, LAMMPS 2023) name the species as an
  element column does: the pairs, g(r) and counts of the dump with an element column and no type
  column, bitwise, renumbered by -potential_elements Zr,Cu; beside an element column the labels are
  the names, and the element column must give each label one element; numbers and labels mixed in
  one column is one error line."""
import os
import re
import sys

import h5py
import numpy as np

from vitrum_testlib import check, random_sample, run, write_lammps_data

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
n_atoms, box = 60, 10.0
cell = np.diag([box, box, box])
pos, types = random_sample(n_atoms, cell, fractions=(0.6, 0.4), seed=5)
types = np.asarray(types)
GRID = ["-rdf_rmax", "4.5", "-rdf_dr", "0.05"]


def write_dump(path, columns, rows):
    """One frame of LAMMPS's dump custom: rows are the atoms' column values."""
    with open(path, "w") as f:
        f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n" % len(rows) + ("0 %r\n" % box) * 3)
        f.write("ITEM: ATOMS %s\n" % " ".join(columns))
        f.writelines(" ".join(str(v) for v in row) + "\n" for row in rows)


def atom_rows(keep, *columns):
    """id, the given per-atom columns, x y z of the atoms with keep[i]."""
    return [[i + 1] + [c[i] for c in columns] + [repr(v) for v in pos[i]] for i in range(n_atoms) if keep[i]]


def rdf(sample, extra, tag):
    out = "rdf_%s.h5" % tag
    run(["rdf", "-sample", sample, "-o", out] + GRID + extra, nranks)
    with h5py.File(out, "r") as h5:
        return [s.decode() for s in h5["/structure/rdf/pairs"][...]], h5["/structure/rdf/g"][...], list(h5["/structure/rdf/type_counts"][...])


def one_error(p):
    err = [l for l in p.stderr.splitlines() if "error" in l]
    return err[0] if p.returncode == 1 and len(err) == 1 else "%d error lines, exit %d: %s" % (len(err), p.returncode, err)


# A frame without its last type, named by -potential_elements as a frame with both.
everyone = np.ones(n_atoms, bool)
write_dump("both.lammpstrj", ["id", "type", "x", "y", "z"], atom_rows(everyone, types))
write_dump("cu.lammpstrj", ["id", "type", "x", "y", "z"], atom_rows(types == 1, types))
ELEMENTS = ["-potential_elements", "Cu,Zr"]
ref_pairs, _, ref_counts = rdf("both.lammpstrj", ELEMENTS, "both")
check(ref_pairs == ["Cu-Cu", "Cu-Zr", "Zr-Zr"] and ref_counts == [np.sum(types == 1), np.sum(types == 2)],
      "frame with both types: pairs %s, counts %s" % (ref_pairs, ref_counts))
pairs, g, counts = rdf("cu.lammpstrj", ELEMENTS, "cu")
_, g_alone, counts_alone = rdf("cu.lammpstrj", [], "cu_alone")
check(pairs == ref_pairs, "frame without type 2, -potential_elements Cu,Zr: the pairs of the frame with both (%s)" % pairs)
check(counts == [np.sum(types == 1), 0] and counts_alone == [np.sum(types == 1)], "frame without type 2: type counts %s (alone %s)" % (counts, counts_alone))
check(not g[1:].any() and np.array_equal(g[0], g_alone[0]), "frame without type 2: Zr partials 0, Cu-Cu bitwise that of the frame alone")
run(["features", "-samples", "both.lammpstrj", "cu.lammpstrj", "-features_targets", "none", "-o", "ds.h5"] + GRID + ELEMENTS, nranks)
with h5py.File("ds.h5", "r") as h5:
    check(h5["/dataset/X"].shape[0] == 2, "features over the frames with and without type 2: one table of 2 rows")
write_lammps_data("cu.data", cell, [0, 0, 0], [1] * int(np.sum(types == 1)), pos[types == 1])
p = run(["info", "-sample", "cu.data"] + ELEMENTS, nranks, expect_fail=True)
check("-potential_elements Cu,Zr names 2 elements but the sample has 1 atom types" in one_error(p),
      "a data file declares its types: one error line (%s)" % one_error(p))

# Two types of one element: distinct species names Cu(1), Cu(2), and still the element Cu.
element = np.array(["Cu", "Zr"])[types - 1]
write_dump("cuzr_el.lammpstrj", ["id", "type", "element", "x", "y", "z"], atom_rows(everyone, types, element))
write_dump("cucu_el.lammpstrj", ["id", "type", "element", "x", "y", "z"], atom_rows(everyone, types, ["Cu"] * n_atoms))
write_lammps_data("cucu.data", cell, [0, 0, 0], types, pos, masses=[63.546, 91.224])
text = re.sub(r"^([12]) (\S+)$", r"\1 \2 # Cu", open("cucu.data").read(), flags=re.M)  # the Masses lines
open("cucu.data", "w").write(text)
DISTINCT = ["Cu(1)-Cu(1)", "Cu(1)-Cu(2)", "Cu(2)-Cu(2)"]
_, g_ref, counts_ref = rdf("cuzr_el.lammpstrj", [], "cuzr_el")
for sample, extra in (("cucu_el.lammpstrj", []), ("cucu.data", []), ("both.lammpstrj", ["-potential_elements", "Cu,Cu"])):
    tag = sample.replace(".", "_") + "_".join(extra)
    pairs, g, counts = rdf(sample, extra, tag)
    check(pairs == DISTINCT and np.array_equal(g, g_ref) and counts == counts_ref,
          "%s %s: two types named Cu give the pairs %s, and the g(r) and counts of Cu, Zr bitwise" % (sample, " ".join(extra), pairs))
p = run(["info", "-sample", "cucu_el.lammpstrj"], nranks)
notes = [l for l in p.stdout.splitlines() if "note:" in l and "Cu(1),Cu(2)" in l]
check(len(notes) == 1, "one note names the new names: %s" % notes)
run(["convert", "-sample", "cucu_el.lammpstrj", "-units", "metal", "-o", "cucu.h5"], nranks)
with h5py.File("cucu.h5", "r") as h5:
    names = [s.decode() for s in h5["/parameters/vitrum/type_names"][...]]
    check(names == ["Cu(1)", "Cu(2)"] and np.array_equal(h5["/parameters/vitrum/type_mass"][...], [63.546, 63.546]),
          "Cu(1), Cu(2) in metal units: the standard atomic weight of Cu (IUPAC 63.546), names %s" % names)
totals = []
for sample, extra in (("cucu_el.lammpstrj", []), ("cuzr_el.lammpstrj", ["-features_scattering_lengths", "Cu:7.718,Zr:7.718"])):
    out = "total_%s.h5" % sample.replace(".", "_")
    run(["features", "-samples", sample, "-features_targets", "none", "-features_total", "neutron", "-features_cache", out + ".cache", "-o", out] + GRID + extra, nranks)
    with h5py.File(out, "r") as h5:
        totals.append(h5["/dataset/X"][0])
check(np.allclose(totals[0], totals[1], rtol=1e-13, atol=0), "neutron total of Cu(1), Cu(2): Cu's coherent length (7.718 fm, NIST) for both, as Cu, Zr given that length")
EAM = ["-potential", "eam/alloy", "-potential_file", "ZrCuAl2011.eam.alloy", "-potential_min_distance", "0"]
energies = []
for sample, extra in (("cucu_el.lammpstrj", []), ("both.lammpstrj", ["-potential_elements", "Cu,Cu"])):
    out = "energy_%s.h5" % sample.replace(".", "_")
    run(["energy", "-sample", sample, "-units", "metal", "-o", out] + EAM + extra, nranks)
    with h5py.File(out, "r") as h5:
        energies.append(h5["/energy/total"][()])
check(energies[0] == energies[1], "EAM with the sample's names Cu(1), Cu(2): the energy with -potential_elements Cu,Cu (%r, %r)" % tuple(energies))
with open("labels.data", "w") as f:
    f.write(open("cucu.data").read().replace("\nMasses\n", "\nAtom Type Labels\n\n1 Cu\n2 Cu\n\nMasses\n"))
p = run(["info", "-sample", "labels.data"], nranks, expect_fail=True)
check("Atom Type Labels: label Cu of type 2 is type 1's" in one_error(p), "one label for two types: %s" % one_error(p))

# Type labels in the type column: the species, as an element column without a type column.
write_dump("el.lammpstrj", ["id", "element", "x", "y", "z"], atom_rows(everyone, element))
write_dump("labels.lammpstrj", ["id", "type", "x", "y", "z"], atom_rows(everyone, element))
ref = rdf("el.lammpstrj", [], "el")
check(ref[0] == ["Cu-Cu", "Cu-Zr", "Zr-Zr"] and ref[2] == [np.sum(types == 1), np.sum(types == 2)], "element column: pairs %s, counts %s" % (ref[0], ref[2]))
pairs, g, counts = rdf("labels.lammpstrj", [], "labels")
check(pairs == ref[0] and np.array_equal(g, ref[1]) and counts == ref[2], "type labels: the pairs, g(r) and counts of the element column, bitwise")
pairs, g, counts = rdf("labels.lammpstrj", ["-potential_elements", "Zr,Cu"], "labels_zrcu")
check(pairs == ["Zr-Zr", "Zr-Cu", "Cu-Cu"] and counts == [np.sum(types == 2), np.sum(types == 1)], "type labels, -potential_elements Zr,Cu: pairs %s, counts %s" % (pairs, counts))
group = np.array(["CuA", "ZrB"])[types - 1]
write_dump("labels_el.lammpstrj", ["id", "type", "element", "x", "y", "z"], atom_rows(everyone, group, element))
pairs, g, counts = rdf("labels_el.lammpstrj", [], "labels_el")
check(pairs == ["CuA-CuA", "CuA-ZrB", "ZrB-ZrB"] and np.array_equal(g, ref[1]) and counts == ref[2], "type labels beside an element column name the species: %s" % pairs)
wrong = [e if i != 7 else ("Zr" if e == "Cu" else "Cu") for i, e in enumerate(element)]
write_dump("labels_el_bad.lammpstrj", ["id", "type", "element", "x", "y", "z"], atom_rows(everyone, group, wrong))
p = run(["info", "-sample", "labels_el_bad.lammpstrj"], nranks, expect_fail=True)
check(":17: type %s is element %s here and %s before" % (group[7], wrong[7], element[7]) in one_error(p), "a label with two elements: %s" % one_error(p))
mixed = [str(types[i]) if i == 3 else element[i] for i in range(n_atoms)]
write_dump("mixed.lammpstrj", ["id", "type", "x", "y", "z"], atom_rows(everyone, mixed))
p = run(["info", "-sample", "mixed.lammpstrj"], nranks, expect_fail=True)
check("mixed.lammpstrj:13: atom type %s is a number, that of line 10 a label" % types[3] in one_error(p), "numbers and labels in one type column: %s" % one_error(p))
sys.exit(0)
