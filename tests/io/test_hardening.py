"""Hostile sample files (issue 10): each bad case must stop with exit status 1 and exactly one
line `vitrum: error: FILE[:LINE]: ...` on 1 AND 2 ranks (H5MD files refused on their metadata
alone, which every rank reads alike: on 2 ranks; see H5_METADATA): no traceback, no PETSc error block, no
"internal error", no sanitizer report, and no output file left behind. The good edge cases next
to them (many columns, species near INT_MAX, tilt exactly at LAMMPS's limit, ...) must be read
correctly (compared with numpy). Run under build-asan/ (VITRUM pointing there) it also checks
that no sanitizer fires.

Usage: test_hardening.py [SUFFIX]   (.data .dump .xyz .h5: only the files of one format)"""
import os
import sys

import h5py
import numpy as np

from vitio import check, read_h5md, run

suffix = sys.argv[1] if len(sys.argv) > 1 else ""
INT_MAX, INT_MIN = 2**31 - 1, -2**31
BAD_OUTPUT = ("PETSC ERROR", "internal error", "Traceback", "runtime error:", "AddressSanitizer", "Segmentation")


# ---------- file makers ----------
def data(n=2, ntypes="1", bounds=("0 4 xlo xhi", "0 4 ylo yhi", "0 4 zlo zhi"), tilt="", extra="",
         atoms=("1 1 0.5 0.5 0.5", "2 1 1.5 1.5 1.5"), section="Atoms # atomic"):
    head = "hardening test\n\n%s atoms\n%s atom types\n\n" % (n, ntypes) + "\n".join(bounds) + "\n"
    if tilt:
        head += tilt + " xy xz yz\n"
    return head + "\n" + extra + section + "\n\n" + "\n".join(atoms) + "\n"


def dump(frames=1, n="2", columns="id type x y z", atoms=("1 1 0.5 0.5 0.5", "2 1 1.5 1.5 1.5"), xbounds="0 4"):
    text = ""
    for k in range(frames):
        text += f"ITEM: TIMESTEP\n{k}\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS pp pp pp\n{xbounds}\n0 4\n0 4\n"
        text += f"ITEM: ATOMS {columns}\n" + "\n".join(atoms) + "\n"
    return text


def xyz(n="3", lattice="4 0 0 0 4 0 0 0 4", props="species:S:1:pos:R:3", atoms=None, frames=1):
    atoms = atoms or ["Cu 0.5 0.5 0.5", "Zr 1.5 1.5 1.5", "Cu 2.5 2.5 2.5"]
    frame = f'{n}\nLattice="{lattice}" Properties={props} pbc="T T T"\n' + "\n".join(atoms) + "\n"
    return frame * frames


def h5_raw(path, **datasets):
    """H5MD file with 4 atoms and the given datasets (name relative to /; a value, None to leave
    a default one out, or a callable that creates it in the open file)."""
    with h5py.File(path, "w") as f:
        for name, value in {"particles/all/position/value": np.arange(12.0).reshape(1, 4, 3) * 0.3,
                            "particles/all/box/edges": [4.0, 4.0, 4.0], **datasets}.items():
            if value is None:
                continue
            if callable(value):
                value(f, name)
            else:
                f[name] = value


def sparse(path, head, size):
    """A header followed by a hole: the file claims `size` bytes without using the disk."""
    with open(path, "w") as f:
        f.write(head)
        f.seek(size - 1)
        f.write("\n")


def h5(path, x=None, species="default", edges=(4.0, 4.0, 4.0), ids=None, declare=None):
    """H5MD file: x (frames, N, 3) positions; species per atom or None; declare = a shape for a
    position dataset that is declared but never written."""
    if x is None:
        x = np.arange(12, dtype=float).reshape(1, 4, 3) * 0.3
    with h5py.File(path, "w") as f:
        if declare is not None:
            f.create_dataset("particles/all/position/value", shape=declare, dtype="f8")
        else:
            f["particles/all/position/value"] = x
        n = f["particles/all/position/value"].shape[1]
        if isinstance(species, str) and species == "default":
            species = [0, 1] * (n // 2)
        if species is not None:
            f["particles/all/species/value"] = np.asarray([species])
        if ids is not None:
            f["particles/all/id/value"] = [ids]
        if edges is not None:
            f["particles/all/box/edges"] = edges


def pair_style_attr(path, style):
    """H5MD file (h5) with lj/cut pair coefficients whose style attribute is `style`."""
    h5(path)
    with h5py.File(path, "a") as f:
        d = f.create_dataset("parameters/vitrum/pair_coeffs", data=np.ones((2, 2, 2)))
        d.attrs["section"] = "Pair Coeffs"
        d.attrs["style"] = style


# ---------- the bad cases: file, maker, expected fragment, expected line (None: no line) ----------
wide_props = "extra:R:70:species:S:1:pos:R:3:tail:I:500"
wide_atoms = [" ".join(["9.5"] * 70 + [sp, f"{x} 1.25 2.75"] + ["7"] * 500) for sp, x in (("Cu", 0.5), ("Zr", 1.5), ("Cu", 2.5))]
long_name = "A" * 40
wide_dump_cols = " ".join(f"c{k}" for k in range(80)) + " id type x y z"
wide_dump_atoms = [" ".join(["0"] * 80) + " 1 1 0.5 0.5 0.5", " ".join(["0"] * 80) + " 2 2 1.5 1.5 1.5"]

bad = [
    # 1. extended XYZ: names too long; (wide files are good cases below)
    ("longname.xyz", lambda p: open(p, "w").write(xyz(atoms=["Cu 0.5 0.5 0.5", f"{long_name} 1 1 1", "Cu 2 2 2"])),
     "species name '" + "A" * 31 + "...' is too long (40 characters; at most 31)", 4),
    ("longelement.dump", lambda p: open(p, "w").write(dump(columns="id element x y z", atoms=("1 Cu 0.5 0.5 0.5", f"2 {long_name} 1.5 1.5 1.5"))),
     "element name '" + "A" * 31 + "...' is too long", 11),
    ("longmass.data", lambda p: open(p, "w").write(data(extra=f"Masses\n\n1 1.0 # {long_name}\n\n")),
     "Masses: species name '" + "A" * 31 + "...' is too long", 12),
    # 2. H5MD species at the ends of the 32-bit range
    ("intrange.h5", lambda p: h5(p, species=[INT_MIN, INT_MAX, 0, 1]),
     "species values -2147483648..2147483647 spread over more than 4096 values", None),
    ("int64range.h5", lambda p: h5(p, species=np.array([-2**62, 2**62, 0, 1], dtype=np.int64)),
     "spread over more than 4096 values", None),
    ("floatspecies.h5", lambda p: h5(p, species=[0.5, 1.0, 0.0, 1.0]),
     "/particles/all/species/value must hold integers, it holds floating-point numbers", None),
    # 3. atom types beyond VIT_MAX_TYPES
    ("types1e6.data", lambda p: open(p, "w").write(data(ntypes="1000000")), "bad number of atom types (1000000; 1..16)", 4),
    ("types17.data", lambda p: open(p, "w").write(data(ntypes="17")), "bad number of atom types (17; 1..16)", 4),
    # 4. H5MD box edges of the wrong shape
    ("edges23.h5", lambda p: h5(p, edges=np.full((2, 3), 4.0)), "/particles/all/box/edges has shape (2, 3): expected (3) for a rectangular box or (3, 3)", None),
    ("edges13.h5", lambda p: h5(p, edges=np.full((1, 3), 4.0)), "/particles/all/box/edges has shape (1, 3)", None),
    ("edgesscalar.h5", lambda p: h5(p, edges=4.0), "/particles/all/box/edges has shape ()", None),
    # 5. long non-numeric lines in a data file
    ("longsection.data", lambda p: open(p, "w").write(data(extra="B" * 70 + "\n\n1 2 3\n\n")),
     "unknown section '" + "B" * 64 + "...'", 10),
    ("unknownsection.data", lambda p: open(p, "w").write(data(extra="Foo Bar\n\n1 2 3\n\n")), "unknown section 'Foo Bar'", 10),
    # 6. Properties counts that overflow
    ("propcount.xyz", lambda p: open(p, "w").write(xyz(props="species:S:1:pos:R:3:junk:R:2147483647")),
     "bad Properties count junk:R:2147483647 (a positive integer; at most 1000000 columns in all)", 2),
    ("propneg.xyz", lambda p: open(p, "w").write(xyz(props="species:S:1:pos:R:-3")), "bad Properties count pos:R:-3", 2),
    # 7. degenerate boxes and broken H5MD positions (were tracebacks on 2 ranks)
    ("subnormal.data", lambda p: open(p, "w").write(data(bounds=("0 1e-310 xlo xhi", "0 4 ylo yhi", "0 4 zlo zhi"))),
     "box length xhi - xlo is not a normal finite number (1e-310)", 6),
    ("infbox.data", lambda p: open(p, "w").write(data(bounds=("-1e308 1e308 xlo xhi", "0 4 ylo yhi", "0 4 zlo zhi"))),
     "box length xhi - xlo is not a normal finite number (inf)", 6),
    ("subnormal.dump", lambda p: open(p, "w").write(dump(xbounds="0 1e-310")), "box length x is not a normal finite number (1e-310)", 6),
    ("subnormal.xyz", lambda p: open(p, "w").write(xyz(lattice="1e-310 0 0 0 1e150 0 0 0 1e150")), "Lattice: box length x is not a normal finite number", 2),
    ("subnormal.h5", lambda p: h5(p, edges=[1e-310, 4.0, 4.0]), "box edges are not finite (or subnormal)", None),
    ("noframes.h5", lambda p: h5(p, x=np.zeros((0, 4, 3))), "/particles/all/position/value has no frames", None),
    ("strpos.h5", lambda p: h5(p, x=np.array([[["a", "b", "c"]] * 4], dtype="S3")),
     "/particles/all/position/value must hold numbers, it holds strings", None),
    ("posshape.h5", lambda p: h5(p, x=np.zeros((1, 4, 3, 1))), "/particles/all/position/value has shape (1, 4, 3, 1): expected (frames, N, d) or (N, d)", None),
    # 8. atom counts that cannot fit (checked before allocating)
    ("natoms2e9.data", lambda p: open(p, "w").write(data(n=2000000000)), "2000000000 atoms cannot be in this file: only", 3),
    ("natoms3e9.data", lambda p: open(p, "w").write(data(n=3000000000)), "3000000000 atoms cannot be in this file", 3),
    ("natoms2e9.dump", lambda p: open(p, "w").write(dump(n="2000000000")), "2000000000 atoms cannot be in this file", 4),
    ("natoms2e9.xyz", lambda p: open(p, "w").write(xyz(n="2000000000")), "2000000000 atoms cannot be in this file", 1),
    ("natoms8e8.data", lambda p: sparse(p, data(n=800000000, atoms=()), 8 * 10**9),
     "800000000 atoms: vitrum holds at most 715827882 atoms per sample", 3),
    ("natoms8e8.h5", lambda p: h5(p, declare=(1, 800000000, 3), species=None), "has 800000000 atoms: vitrum holds at most 715827882", None),
    ("partial.h5", lambda p: h5_raw(p, **{"particles/all/position/value": lambda f, n: f.create_dataset(n, shape=(2, 4, 3), chunks=(1, 4, 3), dtype="f8").write_direct(np.ones((1, 4, 3)), dest_sel=np.s_[0:1])}),
     "/particles/all/position/value of shape (2, 4, 3) is only partly written", None),
    ("partialgzip.h5", lambda p: h5_raw(p, **{"particles/all/position/value": lambda f, n: f.create_dataset(n, shape=(2, 4, 3), chunks=(1, 4, 3), compression="gzip", dtype="f8").write_direct(np.ones((1, 4, 3)), dest_sel=np.s_[0:1])}),
     "/particles/all/position/value of shape (2, 4, 3) is only partly written", None),
    ("stredges.h5", lambda p: h5_raw(p, **{"particles/all/box/edges": np.array([b"a", b"b", b"c"])}), "/particles/all/box/edges must hold numbers, it holds strings", None),
    ("noboxframes.h5", lambda p: h5_raw(p, **{"particles/all/box/edges": None, "particles/all/box/edges/value": np.zeros((0, 3))}), "/particles/all/box/edges/value has no frames", None),
    ("boxlo.h5", lambda p: h5_raw(p, **{"parameters/vitrum/box_lo": [0.0]}), "/parameters/vitrum/box_lo has 1 values: expected 3", None),
    ("unwritten.h5", lambda p: h5(p, declare=(1, 1000, 3), species=None), "/particles/all/position/value of shape (1, 1000, 3) is declared but never written", None),
    # 9. accepted silently before
    ("tiltxy.data", lambda p: open(p, "w").write(data(tilt="2.5 0 0")),
     "tilt factor xy = 2.5 is beyond LAMMPS's limit |xy| <= 0.5 lx = 2", 9),
    ("tiltyz.data", lambda p: open(p, "w").write(data(bounds=("0 4 xlo xhi", "0 2 ylo yhi", "0 4 zlo zhi"), tilt="0 0 -1.5")),
     "tilt factor yz = -1.5 is beyond LAMMPS's limit |yz| <= 0.5 ly = 1", 9),
    ("negid.data", lambda p: open(p, "w").write(data(atoms=("1 1 0.5 0.5 0.5", "-2 1 1.5 1.5 1.5"))),
     "Atoms: bad atom id (-2): LAMMPS atom ids are positive integers", 13),
    ("zeroid.data", lambda p: open(p, "w").write(data(atoms=("1 1 0.5 0.5 0.5", "0 1 1.5 1.5 1.5"))), "Atoms: bad atom id (0)", 13),
    ("negid.dump", lambda p: open(p, "w").write(dump(atoms=("1 1 0.5 0.5 0.5", "-2 1 1.5 1.5 1.5"))), "bad atom id (-2): LAMMPS atom ids are positive integers", 11),
    ("negid.h5", lambda p: h5(p, ids=[5, -1, 6, 7]), "id of atom row 1 is negative or above 2147483647", None),
    ("bigid.h5", lambda p: h5(p, ids=np.array([5, 2**40, 6, 7], dtype=np.int64)), "id of atom row 1 is negative or above 2147483647", None),
    ("far.data", lambda p: open(p, "w").write(data(atoms=("1 1 0.5 0.5 0.5", "2 1 1e300 1.5 1.5"))),
     "atom position is 2.5e+299 box lengths from the box along cell vector a: at most 1e+06 allowed", 13),
    ("far.dump", lambda p: open(p, "w").write(dump(atoms=("1 1 0.5 0.5 -4e7", "2 1 1.5 1.5 1.5"))), "atom position is -1e+07 box lengths from the box along cell vector c", 10),
    ("far.xyz", lambda p: open(p, "w").write(xyz(atoms=["Cu 0.5 0.5 0.5", "Zr 1.5 1e300 1.5", "Cu 2.5 2.5 2.5"])), "box lengths from the box along cell vector b", 4),
    ("far.h5", lambda p: h5(p, x=np.array([[[0.5, 0.5, 0.5], [1e300, 1, 1], [1, 1, 1], [2, 2, 2]]])),
     "position of atom row 1 in /particles/all/position/value is not finite or more than 1e+06 box lengths", None),
    ("inf.h5", lambda p: h5(p, x=np.array([[[0.5, 0.5, 0.5], [1, 1, 1], [np.inf, 1, 1], [2, 2, 2]]])), "position of atom row 2", None),
    ("frame.dump", lambda p: open(p, "w").write(dump(frames=2)), "-frame 20000000000 is out of range: the file has 2 frames", None),
    ("frame.xyz", lambda p: open(p, "w").write(xyz(frames=2)), "-frame 20000000000 is out of range: the file has 2 frames", None),
    ("frame.h5", lambda p: h5(p, x=np.zeros((2, 4, 3)) + 1.0), "-frame 20000000000 is out of range: /particles/all/position/value has 2 frames", None),
    ("framestr.dump", lambda p: open(p, "w").write(dump(frames=2)), "-frame abc: expected an integer", "option"),
    # 9b. a string attribute that is not one string (a list of two crashed the reader: it read them
    # into a one-string buffer), or a number
    ("stylelist.h5", lambda p: pair_style_attr(p, np.array([b"lj/cut", b"lj/cut/coul/long" + b"x" * 20], dtype="S40")),
     "attribute style of /parameters/vitrum/pair_coeffs is not one string", None),
    ("stylevlen.h5", lambda p: pair_style_attr(p, ["lj/cut", "lj/cut/coul/long"]), "attribute style of /parameters/vitrum/pair_coeffs is not one string", None),
    ("styleint.h5", lambda p: pair_style_attr(p, 5), "attribute style of /parameters/vitrum/pair_coeffs is not one string", None),
    # 10. masses: a type left out of Masses or given twice (LAMMPS refuses both; the first was read as
    # mass 1, the second took the later value), subnormal masses (ended in a LAPACK failure)
    ("partialmass.data", lambda p: open(p, "w").write(data(ntypes="3", extra="Masses\n\n2 28.0855\n\n")),
     "Masses: no mass for atom types 1, 3 (the header says 3 atom types)", 10),
    ("dupmass.data", lambda p: open(p, "w").write(data(ntypes="2", extra="Masses\n\n1 28.0855\n2 12.011\n2 13.0\n\n")),
     "Masses: a second mass (13.0) for type 2, given 12.011 on line 13", 14),
    ("subnormalmass.data", lambda p: open(p, "w").write(data(extra="Masses\n\n1 1e-320\n\n")),
     "Masses: bad mass (1e-320) of type 1: a mass is a positive number, finite and not subnormal", 12),
    ("subnormalmass.dump", lambda p: open(p, "w").write(dump(columns="id type mass x y z", atoms=("1 1 1e-320 0.5 0.5 0.5", "2 1 1e-320 1.5 1.5 1.5"))),
     "bad mass (1e-320): a mass is a positive number, finite and not subnormal", 10),
    ("subnormalmass.xyz", lambda p: open(p, "w").write(xyz(props="species:S:1:pos:R:3:masses:R:1", atoms=["Cu 0.5 0.5 0.5 63.5", "Zr 1.5 1.5 1.5 1e-320", "Cu 2.5 2.5 2.5 63.5"])),
     "bad mass (1e-320): a mass is a positive number", 4),
    ("subnormalmass.h5", lambda p: h5_raw(p, **{"particles/all/species/value": [[0, 1, 0, 1]], "parameters/vitrum/type_mass": [1.0, 1e-320]}),
     "/parameters/vitrum/type_mass of type 2 is 9.99989e-321: a mass is a positive number", None),
    ("subnormalatommass.h5", lambda p: h5_raw(p, **{"particles/all/id": [5, 6, 7, 8], "particles/all/mass": [1.0, 1.0, 1e-320, 1.0]}),
     "/particles/all/mass: the mass of atom id 7 (row 2) is 9.99989e-321: a mass is a positive number", None),
    ("stringmass.h5", lambda p: h5_raw(p, **{"particles/all/mass": np.array([b"Cu"] * 4)}),
     "/particles/all/mass must hold numbers, it holds strings", None),
]


# H5MD cases refused on metadata alone (a dataset's shape, class or allocation, an attribute): every
# rank reads the same metadata and raises the same error on the file's communicator (src/io/h5md.c),
# on 1 rank as on 2, before any rank reads its block of atoms. They run on 2 ranks only, where that
# error is raised on both ranks and must still be printed once; the cases whose values are read per
# block (ids, positions, species, masses, box values) run on 1 and 2 ranks like the text formats.
H5_METADATA = {"floatspecies.h5", "edges23.h5", "edges13.h5", "edgesscalar.h5", "noframes.h5", "strpos.h5", "posshape.h5",
               "natoms8e8.h5", "partial.h5", "partialgzip.h5", "stredges.h5", "noboxframes.h5", "boxlo.h5", "unwritten.h5",
               "frame.h5", "stylelist.h5", "stylevlen.h5", "styleint.h5", "stringmass.h5"}
assert H5_METADATA <= {b[0] for b in bad}, H5_METADATA - {b[0] for b in bad}


def check_error(name, what, line, args):
    for nranks in (2,) if name in H5_METADATA else (1, 2):
        out = "out.h5" if nranks == 1 else "out.data"
        text = run(["convert", "-sample", name, "-o", out] + args, nranks, expect=1)
        errors = [l for l in text.splitlines() if "vitrum: error:" in l]
        where = "vitrum: error: " if line == "option" else f"{name}:{line}: " if line else f"{name}: "
        good = len(errors) == 1 and where in errors[0] and what in errors[0]
        noise = [b for b in BAD_OUTPUT if b in text]
        check(good and not noise, f"{name} on {nranks} rank(s): one line '{where}... {what}'" + ("" if good and not noise else f"\n  got: {errors}, noise: {noise}\n{text[:3000]}"))
        check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), f"{name} on {nranks} rank(s): no {out} left behind")


for name, make, what, line in bad:
    if not name.endswith(suffix):
        continue
    make(name)
    frame = ["-frame", "abc" if name.startswith("framestr") else 20000000000] if name.startswith("frame") else []
    check_error(name, what, line, frame)


# ---------- good edge cases: read correctly on 1 and 2 ranks ----------
def converted(name, nranks, args=()):
    text = run(["convert", "-sample", name, "-o", "good.h5"] + list(args), nranks)
    noise = [b for b in BAD_OUTPUT if b in text]
    check(not noise, f"{name} on {nranks} rank(s): clean run ({noise})")
    return read_h5md("good.h5"), text


def good_case(name, fmt, make, verify, args=()):
    if not fmt.endswith(suffix):
        return
    make(name)
    for nranks in (1, 2):
        h, text = converted(name, nranks, args)
        verify(h, text, nranks)


# 1. extended XYZ with pos beyond column 64 and 573 columns per line; a 31-character name
def verify_wide(h, text, nranks):
    check(np.allclose(h["x"], [[0.5, 1.25, 2.75], [1.5, 1.25, 2.75], [2.5, 1.25, 2.75]]) and list(h["atom_names"]) == ["Cu", "Zr", "Cu"],
          f"wide.xyz ({len(wide_atoms[0])}-character lines, pos at column 71) on {nranks} rank(s): positions and species")


good_case("wide.xyz", ".xyz", lambda p: open(p, "w").write(xyz(props=wide_props, atoms=wide_atoms)), verify_wide)
name31 = "B" * 31
good_case("name31.xyz", ".xyz", lambda p: open(p, "w").write(xyz(atoms=["Cu 0.5 0.5 0.5", f"{name31} 1 1 1", "Cu 2 2 2"])),
          lambda h, t, n: check(sorted(h["names"]) == sorted([name31, "Cu"]), f"name31.xyz on {n} rank(s): a 31-character name is kept"))
good_case("wide.dump", ".dump", lambda p: open(p, "w").write(dump(columns=wide_dump_cols, atoms=wide_dump_atoms)),
          lambda h, t, n: check(np.allclose(h["x"], [[0.5] * 3, [1.5] * 3]) and list(h["types"]) == [0, 1], f"wide.dump (85 columns) on {n} rank(s): positions and types"))
# 2. species values near INT_MAX, and 64-bit values, are distinct types named by their value
good_case("nearmax.h5", ".h5", lambda p: h5(p, species=[INT_MAX, INT_MAX - 1, INT_MAX, INT_MAX - 1]),
          lambda h, t, n: check(h["names"] == [str(INT_MAX - 1), str(INT_MAX)] and list(h["types"]) == [1, 0, 1, 0], f"nearmax.h5 on {n} rank(s): species {INT_MAX - 1}, {INT_MAX}"))
good_case("nearmin.h5", ".h5", lambda p: h5(p, species=[INT_MIN, INT_MIN + 5, INT_MIN, INT_MIN]),
          lambda h, t, n: check(h["names"] == [str(INT_MIN), str(INT_MIN + 5)] and list(h["types"]) == [0, 1, 0, 0], f"nearmin.h5 on {n} rank(s): species {INT_MIN}, {INT_MIN + 5}"))
good_case("int64.h5", ".h5", lambda p: h5(p, species=np.array([2**40, 2**40 + 1, 2**40, 2**40], dtype=np.int64)),
          lambda h, t, n: check(h["names"] == [str(2**40), str(2**40 + 1)], f"int64.h5 on {n} rank(s): 64-bit species values kept"))
# 7. compressed (filtered, chunked) positions with every chunk written are complete (HDF5 calls
# them partly allocated); frame 1 of 2 is read
xgz = np.arange(24.0).reshape(2, 4, 3) * 0.15
for level, chunks in ((1, (1, 4, 3)), (9, (1, 2, 3))):
    good_case(f"gzip{level}.h5", ".h5", lambda p: h5_raw(p, **{"particles/all/position/value": lambda f, n: f.create_dataset(n, data=xgz, chunks=chunks, compression="gzip", compression_opts=level)}),
              lambda h, t, n: check(np.array_equal(h["x"], xgz[1]), f"gzip{level}.h5 on {n} rank(s): compressed positions read (were 'only partly written')"))
# 5. a long comment after a section name is fine
good_case("longcomment.data", ".data", lambda p: open(p, "w").write(data(section="Atoms # atomic " + "c" * 80)),
          lambda h, t, n: check(np.allclose(h["x"], [[0.5] * 3, [1.5] * 3]), f"longcomment.data on {n} rank(s): read"))
# 9. tilt exactly at LAMMPS's limit is accepted (as lmp does); a missing box line warns once
good_case("tiltlimit.data", ".data", lambda p: open(p, "w").write(data(tilt="2 -2 2")),
          lambda h, t, n: check(np.allclose(h["cell"], [[4, 0, 0], [2, 4, 0], [-2, 2, 4]]), f"tiltlimit.data on {n} rank(s): xy = xz = 0.5 lx, yz = 0.5 ly accepted"))


def verify_nobox(h, text, nranks):
    warnings = [l for l in text.splitlines() if "vitrum: warning:" in l]
    check(len(warnings) == 1 and "nobox.data: no 'ylo yhi', 'zlo zhi' line in the header: using LAMMPS's default -0.5 0.5" in warnings[0],
          f"nobox.data on {nranks} rank(s): one warning about the default box\n  got: {warnings}")
    check(np.allclose(h["cell"], np.diag([4.0, 1.0, 1.0])) and np.allclose(h["lo"], [0, -0.5, -0.5]), f"nobox.data on {nranks} rank(s): LAMMPS's default -0.5 0.5 used")


good_case("nobox.data", ".data", lambda p: open(p, "w").write(data(bounds=("0 4 xlo xhi",), atoms=("1 1 0.5 0.1 0.1", "2 1 1.5 -0.1 0.2"))), verify_nobox)
# far but within the limit: 1000 box lengths away wraps to the same fractional position
good_case("farok.data", ".data", lambda p: open(p, "w").write(data(atoms=("1 1 0.5 0.5 0.5", "2 1 4001.5 1.5 -3998.5"))),
          lambda h, t, n: check(np.allclose(h["x"][1], [1.5, 1.5, 1.5], atol=1e-9), f"farok.data on {n} rank(s): 1000 box lengths away wraps back"))
