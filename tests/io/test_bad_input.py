"""Every kind of bad input, for every format: exit status 1, one error line naming the file
(and the line for text files) and what is wrong, and no output file (nor its temporary)."""
import os
import re
import sys

import h5py
import numpy as np

from vitio import check, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
suffix = sys.argv[2] if len(sys.argv) > 2 else ""  # only the files of one format: .data .dump .xyz .h5

DATA = """bad input test

{n} atoms
2 atom types

0 {xhi} xlo xhi
0 4 ylo yhi
0 4 zlo zhi

Masses

1 1.0
2 2.0

Atoms # {style}

1 1 0.5 0.5 0.5
2 2 1.5 1.5 1.5
3 1 2.5 {y3} 2.5
4 {t4} 3.5 3.5 3.5
{id5} 2 1.0 2.0 3.0
"""


def data(n=5, xhi="4", style="atomic", y3="2.5", t4="1", id5="5", drop=0):
    text = DATA.format(n=n, xhi=xhi, style=style, y3=y3, t4=t4, id5=id5)
    return "\n".join(text.splitlines()[:len(text.splitlines()) - drop]) + "\n"


def dump(frames=2, n=3, z="0.5", id2="2", xhi="4", cut=0):
    text = ""
    for k in range(frames):
        text += f"ITEM: TIMESTEP\n{k}\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS pp pp pp\n0 {xhi}\n0 4\n0 4\n"
        text += f"ITEM: ATOMS id type x y z\n1 1 0.5 0.5 0.5\n{id2} 1 1.5 1.5 {z}\n3 2 2.5 2.5 2.5\n"
    lines = text.splitlines()
    return "\n".join(lines[:len(lines) - cut]) + "\n"


def xyz(n=3, lattice="4 0 0 0 4 0 0 0 4", x2="1.5", drop=0):
    lines = [str(n), f'Lattice="{lattice}" Properties=species:S:1:pos:R:3 pbc="T T T"',
             "Cu 0.5 0.5 0.5", f"Zr {x2} 1.5 1.5", "Cu 2.5 2.5 2.5"]
    return "\n".join(lines[:len(lines) - drop]) + "\n"


# name, file content, expected text in the message, line number expected (None: no line)
cases = [
    ("missing.data", None, "cannot open", None),
    ("empty.data", "", "empty file", None),
    ("trunc.data", data(drop=2), "found 3 atoms, the header says 5", 19),
    ("count.data", data(n=4), "more atom lines than the 4 atoms", 21),
    ("text.data", data(y3="abc"), "bad y coordinate (abc)", 19),
    ("nan.data", data(y3="nan"), "bad y coordinate (nan)", 19),
    ("inf.data", data(y3="-inf"), "bad y coordinate (-inf)", 19),
    ("type.data", data(t4="3"), "unknown atom type (3", 20),
    ("zero.data", data(xhi="0"), "box length xhi - xlo is not positive", 6),
    ("negative.data", data(xhi="-2"), "box length xhi - xlo is not positive", 6),
    ("dup.data", data(id5="2"), "duplicate atom id 2 (also on line 18)", 21),
    ("style.data", data(style="ellipsoid"), "atom style 'ellipsoid' is not supported", 15),
    ("columns.data", data(style="full"), "expected 'id mol type q x y z [ix iy iz]' (atom_style full), found 5 columns", 17),
    ("noatoms.data", data().split("Atoms")[0], "no Atoms section", 14),
    ("frame.data", data(), "-frame 5 is out of range: a LAMMPS data file has one frame", None),  # was ignored
    ("empty.dump", "", "empty file", None),
    ("frame.dump", dump(), "-frame 5 is out of range: the file has 2 frames", None),
    ("trunc.dump", dump(cut=1), "frame 1 is truncated", 23),
    ("count.dump", dump(n=4), "expected 'ITEM: TIMESTEP'", 14),
    ("nan.dump", dump(z="NaN"), "bad z coordinate (NaN)", 23),
    ("dup.dump", dump(id2="1"), "duplicate atom id 1 (also on line 22)", 23),
    ("box.dump", dump(xhi="-1"), "box length x is not positive", 6),
    ("empty.xyz", "", "empty file", None),
    ("trunc.xyz", xyz(drop=1), "frame 0 is truncated", 4),
    ("count.xyz", xyz(n=4), "frame 0 is truncated", 5),
    ("nan.xyz", xyz(x2="inf"), "bad x coordinate (inf)", 4),
    ("lattice.xyz", xyz(lattice="4 0 0 0 4 0 0 0 -4"), "Lattice vectors are left-handed (a . (b x c) = -64 < 0): give a right-handed cell", 2),
    ("zero.xyz", xyz(lattice="4 0 0 0 0 0 0 0 4"), "Lattice vectors are degenerate (a . (b x c) = 0)", 2),
    ("nolattice.xyz", xyz().replace('Lattice="4 0 0 0 4 0 0 0 4" ', ""), "no Lattice=", 2),
    ("missing.h5", None, "no such file", None),
    ("text.h5", "not an HDF5 file\n", "not a readable HDF5 file", None),
]
# a folder given as the sample (was "empty file" for the text formats, "no such file" for H5MD)
FOLDER = "is a folder, not a sample file"
cases += [(name, FOLDER, FOLDER, None) for name in ("adir.data", "adir.dump", "adir.dump.gz", "adir.xyz", "adir.xyz.gz", "adir.h5")]
h5cases = [
    ("nopos.h5", {}, "no /particles/all/position", None),
    ("nan.h5", {"nan": True}, "position of atom row 2", None),
    ("dup.h5", {"ids": [1, 2, 2, 3]}, "duplicate atom id 2", None),
    ("frame.h5", {"frame": True}, "-frame 5 is out of range", None),
    ("zero.h5", {"edges": [4.0, 0.0, 4.0]}, "box edge y is not positive", None),
    ("negative.h5", {"edges": [-4.0, -4.0, 4.0]}, "box edge x is not positive", None),
    ("flip.h5", {"edges": [[4.0, 0, 0], [0, 4.0, 0], [0, 0, -4.0]]}, "box edges are left-handed (a . (b x c) = -64 < 0): give a right-handed cell", None),
    ("species.h5", {"names": ["A"]}, "unknown atom type", None),
    ("nobox.h5", {"edges": None}, "no /particles/all/box/edges", None),
]


def write_h5(path, opt):
    x = np.arange(12, dtype=float).reshape(1, 4, 3) * 0.3
    if opt.get("nan"):
        x[0, 2, 1] = np.nan
    with h5py.File(path, "w") as f:
        if opt:
            f["particles/all/position/value"] = x
            f["particles/all/species/value"] = [[0, 1, 0, 1]]
        if "ids" in opt:
            f["particles/all/id/value"] = [opt["ids"]]
        edges = opt.get("edges", [4.0, 4.0, 4.0])
        if edges is not None:
            f["particles/all/box/edges"] = edges
        if "names" in opt:
            f["parameters/vitrum/type_names"] = np.array(opt["names"], dtype="S8")  # as vitrum writes them


for name, content, _, _ in cases:
    if content == FOLDER:
        os.makedirs(name, exist_ok=True)
    elif content is not None:
        open(name, "w").write(content)
for name, opt, _, _ in h5cases:
    write_h5(name, opt)

for i, (name, _, what, line) in enumerate(c for c in cases + h5cases if c[0].removesuffix(".gz").endswith(suffix)):
    for out in [("out.h5", "out.data")[i % 2]]:  # both writers, on alternate cases
        extra = ["-frame", 5] if name.startswith("frame") else []
        text = run(["convert", "-sample", name, "-o", out] + extra, nranks, expect=1)
        errors = [l for l in text.splitlines() if "vitrum: error:" in l]
        where = f"{name}:{line}: " if line else f"{name} " if what == FOLDER else f"{name}: "
        check(len(errors) == 1 and where in errors[0] and what in errors[0], f"{name} -> {out}: '{where}... {what}'" + ("" if len(errors) == 1 and where in errors[0] and what in errors[0] else f"\n  got: {errors}"))
        check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), f"{name} -> {out}: no output file")
