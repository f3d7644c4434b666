"""The bad-input corpus: every case is data (id, command line, files to make, expected fragment of
the one `vitrum: error:` line). The files are generated here, into the case's own run folder, from
small valid samples, potential files, datasets and models by one textual or HDF5 edit each.

File specs (values of a case's `files`):
  str                 a text file with this content
  bytes               a binary file
  ("h5", {path: value or None})       an HDF5 file with these datasets (None: left out)
  ("model", {path: value or None})    the valid model made by setup() with these datasets replaced
  ("dir",)            an (empty) directory
Good inputs used by many cases (s.data, s.dump, s.xyz, s.h5, d.h5, m.model.h5, the potential
files) are written into every case folder by write_common(), so a case lists only what it breaks.
`python3 corpus.py --seeds DIR` writes the valid files, one folder per reader, for the fuzzers."""
import os
import shutil
import sys

import h5py
import numpy as np

# ------------------------------------------------------------------ valid inputs

CELLS, SPACING = 5, 1.1  # simple cubic 5x5x5, box 5.5 (ka3d cutoff 2.5 fits in half the box)
_rng = np.random.default_rng(2026)
GRID = np.array([[i, j, k] for i in range(CELLS) for j in range(CELLS) for k in range(CELLS)], float)
POS = (GRID + 0.5) * SPACING + _rng.normal(scale=0.04, size=GRID.shape)
TYPES = 1 + (np.arange(len(POS)) % 5 == 0)  # 80:20 like Kob-Andersen
L = CELLS * SPACING
N = len(POS)


def data_text(atoms=None, masses=True, tilt=None, pos=POS):
    head = f"vitrum corpus sample\n\n{N} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n"
    if tilt:
        head += f"{tilt} xy xz yz\n"
    if masses:
        head += "\nMasses\n\n1 1.0\n2 1.0\n"
    rows = atoms if atoms is not None else [f"{i + 1} {TYPES[i]} {x:.6f} {y:.6f} {z:.6f}" for i, (x, y, z) in enumerate(pos)]
    return head + "\nAtoms # atomic\n\n" + "\n".join(rows) + "\n"


ATOM_ROWS = data_text().split("Atoms # atomic\n\n")[1].splitlines()
GOOD_DATA = data_text()


def data_row(k, text):
    """The sample with atom row k (0-based) replaced by text."""
    rows = list(ATOM_ROWS)
    rows[k] = text
    return data_text(rows)


def dump_text(frames=2, items=None):
    out = ""
    for f in range(frames):
        out += f"ITEM: TIMESTEP\n{f * 100}\nITEM: NUMBER OF ATOMS\n{N}\nITEM: BOX BOUNDS pp pp pp\n0 {L}\n0 {L}\n0 {L}\n"
        out += "ITEM: ATOMS id type x y z\n" + "\n".join(f"{i + 1} {TYPES[i]} {x:.6f} {y:.6f} {z:.6f}" for i, (x, y, z) in enumerate(POS)) + "\n"
    return out


GOOD_DUMP = dump_text()
DUMP1 = dump_text(1)  # mutations apply to this one-frame file (the default -frame is the last)


def xyz_text(frames=1, header=None, rows=None):
    header = header or f'Lattice="{L} 0 0 0 {L} 0 0 0 {L}" Properties=species:S:1:pos:R:3 pbc="T T T"'
    rows = rows or [f"{'AB'[TYPES[i] - 1]} {x:.6f} {y:.6f} {z:.6f}" for i, (x, y, z) in enumerate(POS)]
    return "".join(f"{len(rows)}\n{header}\n" + "\n".join(rows) + "\n" for _ in range(frames))


GOOD_XYZ = xyz_text()


def h5md(**edit):
    """H5MD datasets of the sample (1 frame); edit: path -> value (None removes)."""
    d = {"/particles/all/position/value": POS[None, :, :].copy(),
         "/particles/all/species/value": (TYPES - 1)[None, :].astype(np.int32),
         "/particles/all/box/edges": np.array([L, L, L]),
         "/parameters/vitrum/type_names": np.array([b"A", b"B"], dtype="S8")}
    d.update({("/particles/all/" + k if not k.startswith("/") else k): v for k, v in edit.items()})
    return ("h5", d)


# EAM setfl (eam/alloy) and eam/fs files with small tables (Nrho = Nr = 20), elements A and B.
NTAB, DRHO, DR, RCUT = 20, 0.1, 0.15, 2.85


def _table(f):
    vals = [f(k) for k in range(NTAB)]
    return "\n".join(" ".join(f"{v:.8e}" for v in vals[i:i + 5]) for i in range(0, NTAB, 5)) + "\n"


def eam_text(fs=False, grid=None, elements="2 A B", header=None):
    out = "corpus eam file\nsmall tables\nnot physical\n" + elements + "\n"
    out += (grid or f"{NTAB} {DRHO} {NTAB} {DR} {RCUT}") + "\n"
    for e in range(2):
        out += (header or f"{e + 1} 1.0 1.0 fcc") + "\n"
        out += _table(lambda k: -np.sqrt(k * DRHO + 1e-3))
        for _ in range(2 if fs else 1):
            out += _table(lambda k: np.exp(-k * DR))
    for _ in range(3):
        out += _table(lambda k: 2.0 * np.exp(-2 * k * DR))
    return out


GOOD_SETFL = eam_text()
GOOD_FS = eam_text(fs=True)
FUNCFL = "Cu functions (DYNAMO funcfl)\n29 63.55 3.615 FCC\n" + f"{NTAB} {DRHO} {NTAB} {DR} {RCUT}\n" + _table(lambda k: -k * DRHO) * 3

TERSOFF_PARAMS = "3.0 1.0 1.3258 4.8381 2.0417 0.0 22.956 0.33675 1.3258 95.373 3.0 0.2 3.2394 3264.7"


def tersoff_text(params=None, skip=None, extra=""):
    out = "# corpus tersoff file, elements A B\n"
    for a in "AB":
        for b in "AB":
            for c in "AB":
                if (a, b, c) != skip:
                    out += f"{a} {b} {c} {params if params and (a, b, c) == ('A', 'A', 'A') else TERSOFF_PARAMS}\n"
    return out + extra


GOOD_TERSOFF = tersoff_text()

# Dataset: 12 samples, features g_1-1 / g_1-2 / g_2-2 on a 10-point grid, 2 targets.
PAIRS = ["1-1", "1-2", "2-2"]
R = 0.9 + 0.1 * np.arange(10)
FEATURES = [f"g_{p}(r={x:.10g})" for p in PAIRS for x in R]
NS = 12
X = 1 + 0.3 * np.random.default_rng(3).normal(size=(NS, len(FEATURES)))
Y = np.column_stack([X @ np.linspace(0, 1, len(FEATURES)), X[:, 3] - X[:, 5]])


def strings(names):
    return np.array([s.encode() for s in names], dtype=f"S{max(1, max(len(s) for s in names))}")


def dataset(**edit):
    d = {"/dataset/X": X, "/dataset/Y": Y, "/dataset/feature_names": strings(FEATURES),
         "/dataset/target_names": strings(["omega2_mean", "gap"]), "/dataset/sample_names": strings([f"s{i}.data" for i in range(NS)])}
    d.update({"/dataset/" + k: v for k, v in edit.items()})
    return ("h5", d)


def rdf_text(lines=None):
    rows = lines or [f"{x:.4f} 1.0 1.1 0.9" for x in np.linspace(0.8, 2.0, 25)]
    return "# r 1-1 1-2 2-2\n" + "\n".join(rows) + "\n"


COMMON = {"s.data": GOOD_DATA, "s.dump": GOOD_DUMP, "s.xyz": GOOD_XYZ, "s.h5": h5md(), "d.h5": dataset(),
          "setfl.eam.alloy": GOOD_SETFL, "fs.eam.fs": GOOD_FS, "ab.tersoff": GOOD_TERSOFF, "g.txt": rdf_text()}
EAM = ["energy", "-sample", "s.data", "-potential", "eam/alloy", "-potential_elements", "A,B", "-potential_file"]
EAMFS = ["energy", "-sample", "s.data", "-potential", "eam/fs", "-potential_elements", "A,B", "-potential_file"]
TERSOFF = ["energy", "-sample", "s.data", "-potential", "tersoff", "-potential_elements", "A,B", "-potential_file"]
RDF = ["rdf", "-sample", "s.data", "-o", "out.h5"]
SPEC = ["spectrum", "-sample", "s.data", "-potential", "ka3d", "-spectrum_nev", "2", "-o", "out.h5"]
KPM = SPEC + ["-spectrum_kpm", "-kpm_moments", "20", "-kpm_vectors", "2"]
FIT = ["fit", "-data", "d.h5", "-o", "out.h5"]
PRED = ["predict", "-model", "m.model.h5", "-rdf", "g.txt"]
FEAT = ["features", "-samples", "s*.data", "-features_targets", "none", "-features_cache", "cache", "-o", "out.h5"]
FEAT_FILES = {"s2.data": data_text(pos=(GRID + 0.5) * SPACING + np.random.default_rng(7).normal(scale=0.04, size=GRID.shape)), "cache": ("dir",)}
BIG = "x" * 80


def finding(name):
    """An input saved by the fuzzers (tests/fuzz/run.sh), kept byte for byte in fuzz_findings/."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fuzz_findings", name), "rb") as f:
        return f.read()


# ------------------------------------------------------------------ the cases
# (id, command line, files to make (besides COMMON), expected fragment of the error line)
CASES = [
    # --- LAMMPS data
    ("data_missing", ["info", "-sample", "nope.data"], {}, "nope.data"),
    ("data_empty", ["info", "-sample", "e.data"], {"e.data": ""}, "e.data"),
    ("data_directory", ["info", "-sample", "dir.data"], {"dir.data": ("dir",)}, "dir.data"),
    ("data_binary", ["info", "-sample", "b.data"], {"b.data": bytes(range(256)) * 8}, "b.data"),
    ("data_no_atoms_section", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.split("Atoms")[0]}, "atoms cannot be in this file"),
    ("data_truncated", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA[:-200]}, "b.data"),
    ("data_extra_atoms", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"{N} atoms", f"{N - 3} atoms")}, "b.data"),
    ("data_zero_atoms", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"{N} atoms", "0 atoms")}, "b.data"),
    ("data_negative_atoms", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"{N} atoms", "-5 atoms")}, "b.data"),
    ("data_text_atoms", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"{N} atoms", "many atoms")}, "b.data"),
    ("data_huge_atoms", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"{N} atoms", "99999999999999999999 atoms")}, "b.data"),
    ("data_1e6_types", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 atom types", "1000000 atom types")}, "atom types"),
    ("data_zero_types", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 atom types", "0 atom types")}, "atom types"),
    ("data_negative_types", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 atom types", "-2 atom types")}, "atom types"),
    ("data_17_types", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 atom types", "17 atom types")}, "atom types"),
    ("data_text_coord", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 0.5 abc 0.5")}, "bad y coordinate (abc)"),
    ("data_nan_coord", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 nan 0.5 0.5")}, "bad x coordinate (nan)"),
    ("data_inf_coord", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 0.5 0.5 -inf")}, "bad z coordinate (-inf)"),
    ("data_1e300_coord", ["rdf", "-sample", "b.data", "-o", "out.h5"], {"b.data": data_row(3, "4 1 1e300 0.5 0.5")}, "b.data"),
    ("data_negative_id", ["info", "-sample", "b.data"], {"b.data": data_row(3, "-4 1 0.5 0.5 0.5")}, "atom id"),
    ("data_zero_id", ["info", "-sample", "b.data"], {"b.data": data_row(3, "0 1 0.5 0.5 0.5")}, "atom id"),
    ("data_huge_id", ["info", "-sample", "b.data"], {"b.data": data_row(3, "99999999999999999999 1 0.5 0.5 0.5")}, "atom id"),
    ("data_duplicate_id", ["info", "-sample", "b.data"], {"b.data": data_row(3, "2 1 0.5 0.5 0.5")}, "duplicate atom id 2"),
    ("data_type_zero", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 0 0.5 0.5 0.5")}, "atom type"),
    ("data_type_too_big", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 3 0.5 0.5 0.5")}, "unknown atom type (3"),
    ("data_type_fraction", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1.5 0.5 0.5 0.5")}, "atom type"),
    ("data_short_row", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 0.5 0.5")}, "b.data:"),
    ("data_bad_image", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 0.5 0.5 0.5 a b c")}, "b.data:"),
    ("data_box_zero", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"0 {L} xlo", "0 0 xlo")}, "not positive"),
    ("data_box_negative", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"0 {L} ylo", f"{L} 0 ylo")}, "not positive"),
    ("data_box_inf", ["rdf", "-sample", "b.data", "-o", "out.h5"], {"b.data": GOOD_DATA.replace(f"0 {L} xlo", "0 inf xlo")}, "b.data"),
    ("data_box_nan", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"0 {L} zlo", "0 nan zlo")}, "b.data"),
    ("data_box_text", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace(f"0 {L} zlo", "0 big zlo")}, "b.data"),
    ("data_tilt_beyond_limit", ["rdf", "-sample", "b.data", "-o", "out.h5"], {"b.data": data_text(tilt=f"{0.9 * L} 0 0")}, "tilt"),
    ("data_tilt_text", ["info", "-sample", "b.data"], {"b.data": data_text(tilt="a b c")}, "b.data"),
    ("data_mass_negative", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 1.0\n", "2 -1.0\n")}, "bad mass (-1.0)"),
    ("data_mass_zero", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 1.0\n", "2 0\n")}, "bad mass (0)"),
    ("data_mass_nan", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 1.0\n", "2 nan\n")}, "bad mass (nan)"),
    ("data_mass_type3", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 1.0\n", "3 1.0\n")}, "Masses"),
    ("data_style_ellipsoid", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("Atoms # atomic", "Atoms # ellipsoid")}, "atom style 'ellipsoid'"),
    ("data_style_full_columns", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("Atoms # atomic", "Atoms # full")}, "atom_style full"),
    ("data_long_text_line", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA.replace("2 atom types\n", "2 atom types\n" + BIG + "\n")}, "b.data"),
    ("data_long_text_in_atoms", ["info", "-sample", "b.data"], {"b.data": data_row(3, BIG)}, "b.data"),
    ("data_very_long_line", ["info", "-sample", "b.data"], {"b.data": data_row(3, "4 1 0.5 0.5 0.5 " + "1 " * 6000)}, "b.data"),
    ("data_header_after_section", ["info", "-sample", "b.data"], {"b.data": GOOD_DATA + "\n7 atoms\n"}, "b.data"),
    ("data_2d_forced_not_flat", ["info", "-sample", "s.data", "-sample_dimension", "2"], {}, "-sample_dimension 2"),
    ("data_dimension_5", ["info", "-sample", "s.data", "-sample_dimension", "5"], {}, "-sample_dimension 5"),
    ("data_format_unknown", ["info", "-sample", "s.data", "-format", "pdb"], {}, "-format pdb"),
    ("data_extension_unknown", ["info", "-sample", "s.pdb"], {"s.pdb": GOOD_DATA}, "-format"),
    ("data_as_dump", ["info", "-sample", "s.data", "-format", "lammps-dump"], {}, "s.data"),
    ("data_as_h5md", ["info", "-sample", "s.data", "-format", "h5md"], {}, "s.data"),
    # --- LAMMPS dump
    ("dump_empty", ["info", "-sample", "e.dump"], {"e.dump": ""}, "e.dump"),
    ("dump_binary", ["info", "-sample", "b.dump"], {"b.dump": bytes(range(256)) * 8}, "b.dump"),
    ("dump_truncated", ["info", "-sample", "b.dump"], {"b.dump": DUMP1[:-100]}, "truncated"),
    ("dump_no_timestep", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("ITEM: TIMESTEP\n0\n", "", 1)}, "b.dump"),
    ("dump_natoms_text", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"ATOMS\n{N}", "ATOMS\nmany", 1)}, "b.dump"),
    ("dump_natoms_negative", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"ATOMS\n{N}", "ATOMS\n-3", 1)}, "b.dump"),
    ("dump_natoms_zero", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"ATOMS\n{N}", "ATOMS\n0")}, "b.dump"),
    ("dump_natoms_huge", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"ATOMS\n{N}", "ATOMS\n1000000000000000", 1)}, "b.dump"),
    ("dump_box_text", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"pp pp pp\n0 {L}", "pp pp pp\n0 x", 1)}, "b.dump"),
    ("dump_box_negative", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"pp pp pp\n0 {L}", f"pp pp pp\n{L} 0", 1)}, "not positive"),
    ("dump_box_missing_line", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"pp pp pp\n0 {L}\n", "pp pp pp\n", 1)}, "b.dump"),
    ("dump_tilt_beyond_limit", ["rdf", "-sample", "b.dump", "-o", "out.h5"],
     {"b.dump": GOOD_DUMP.replace(f"pp pp pp\n0 {L}\n0 {L}\n0 {L}", f"xy xz yz pp pp pp\n0 {1.9 * L} {0.9 * L}\n0 {L} 0\n0 {L} 0")}, "tilt"),
    ("dump_no_type_column", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("id type x y z", "id q x y z")}, "b.dump"),
    ("dump_no_position_columns", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("id type x y z", "id type vx vy vz")}, "b.dump"),
    ("dump_empty_atoms_item", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("ITEM: ATOMS id type x y z", "ITEM: ATOMS")}, "b.dump"),
    ("dump_nan_coord", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace(f"\n3 {TYPES[2]} {POS[2][0]:.6f} ", f"\n3 {TYPES[2]} NaN ", 1)}, "bad x coordinate (NaN)"),
    ("dump_duplicate_id", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("\n3 1 ", "\n2 1 ", 1)}, "duplicate atom id 2"),
    ("dump_type_zero", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("\n3 1 ", "\n3 0 ", 1)}, "b.dump"),
    ("dump_frame_out_of_range", ["info", "-sample", "s.dump", "-frame", "5"], {}, "-frame 5 is out of range"),
    ("dump_frame_20e9", ["info", "-sample", "s.dump", "-frame", "20000000000"], {}, "-frame 20000000000"),
    ("dump_frame_minus_2", ["info", "-sample", "s.dump", "-frame", "-2"], {}, "-frame -2"),
    ("dump_frame_text", ["info", "-sample", "s.dump", "-frame", "last"], {}, "-frame"),
    ("dump_long_text_line", ["info", "-sample", "b.dump"], {"b.dump": DUMP1.replace("ITEM: TIMESTEP\n0", "ITEM: TIMESTEP\n" + BIG, 1)}, "b.dump"),
    ("dump_second_frame_broken", ["info", "-sample", "b.dump", "-frame", "1"], {"b.dump": GOOD_DUMP.replace(f"ATOMS\n{N}", "ATOMS\n7", 2).replace("ATOMS\n7", f"ATOMS\n{N}", 1)}, "b.dump"),
    # --- extended XYZ
    ("xyz_empty", ["info", "-sample", "e.xyz"], {"e.xyz": ""}, "e.xyz"),
    ("xyz_binary", ["info", "-sample", "b.xyz"], {"b.xyz": bytes(range(256)) * 8}, "b.xyz"),
    ("xyz_count_text", ["info", "-sample", "b.xyz"], {"b.xyz": "many\n" + GOOD_XYZ.split("\n", 1)[1]}, "b.xyz"),
    ("xyz_count_negative", ["info", "-sample", "b.xyz"], {"b.xyz": "-4\n" + GOOD_XYZ.split("\n", 1)[1]}, "b.xyz"),
    ("xyz_count_zero", ["info", "-sample", "b.xyz"], {"b.xyz": "0\n" + GOOD_XYZ.split("\n", 1)[1]}, "b.xyz"),
    ("xyz_count_huge", ["info", "-sample", "b.xyz"], {"b.xyz": "100000000000000\n" + GOOD_XYZ.split("\n", 1)[1]}, "b.xyz"),
    ("xyz_truncated", ["info", "-sample", "b.xyz"], {"b.xyz": GOOD_XYZ[:-60]}, "truncated"),
    ("xyz_no_comment_line", ["info", "-sample", "b.xyz"], {"b.xyz": f"{N}\n"}, "b.xyz"),
    ("xyz_no_lattice", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header="Properties=species:S:1:pos:R:3")}, "no Lattice="),
    ("xyz_lattice_8_numbers", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0" Properties=species:S:1:pos:R:3')}, "Lattice"),
    ("xyz_lattice_text", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 big" Properties=species:S:1:pos:R:3')}, "Lattice"),
    ("xyz_lattice_unterminated", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 {L} Properties=species:S:1:pos:R:3')}, "b.xyz"),
    ("xyz_lattice_left_handed", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 -{L}" Properties=species:S:1:pos:R:3')}, "left-handed"),
    ("xyz_lattice_inf", ["rdf", "-sample", "b.xyz", "-o", "out.h5"], {"b.xyz": xyz_text(header=f'Lattice="inf 0 0 0 {L} 0 0 0 {L}" Properties=species:S:1:pos:R:3')}, "b.xyz"),
    ("xyz_properties_no_pos", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 {L}" Properties=species:S:1:x:R:3')}, "pos:R:3"),
    ("xyz_properties_garbled", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 {L}" Properties=species:S')}, "Properties"),
    ("xyz_properties_count_int_max", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 {L}" Properties=species:S:1:junk:R:2147483647:pos:R:3')}, "b.xyz"),
    ("xyz_properties_count_negative", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(header=f'Lattice="{L} 0 0 0 {L} 0 0 0 {L}" Properties=species:S:1:junk:R:-5:pos:R:3')}, "b.xyz"),
    ("xyz_nan_coord", ["info", "-sample", "b.xyz"], {"b.xyz": GOOD_XYZ.replace("\nA ", "\nA nan ", 1)}, "b.xyz"),
    ("xyz_short_row", ["info", "-sample", "b.xyz"], {"b.xyz": xyz_text(rows=["A 0.5 0.5"] + GOOD_XYZ.splitlines()[3:])}, "b.xyz"),
    ("xyz_17_species", ["info", "-sample", "b.xyz"],
     {"b.xyz": xyz_text(rows=[f"E{i % 17} {x:.6f} {y:.6f} {z:.6f}" for i, (x, y, z) in enumerate(POS)])}, "species"),
    ("xyz_frame_out_of_range", ["info", "-sample", "s.xyz", "-frame", "3"], {}, "-frame 3 is out of range"),
    ("xyz_frame_20e9", ["info", "-sample", "s.xyz", "-frame", "20000000000"], {}, "-frame 20000000000"),
    ("xyz_long_text_line", ["info", "-sample", "b.xyz"], {"b.xyz": GOOD_XYZ.replace("\nA ", "\n" + BIG + "\nA ", 1)}, "b.xyz"),
    ("xyz_second_frame_truncated", ["info", "-sample", "b.xyz", "-frame", "1"], {"b.xyz": GOOD_XYZ + GOOD_XYZ[:-80]}, "b.xyz:"),
    # --- H5MD
    ("h5_missing", ["info", "-sample", "nope.h5"], {}, "nope.h5"),
    ("h5_text_file", ["info", "-sample", "t.h5"], {"t.h5": "not an HDF5 file\n"}, "not a readable HDF5 file"),
    ("h5_empty_file", ["info", "-sample", "t.h5"], {"t.h5": ""}, "t.h5"),
    ("h5_directory", ["info", "-sample", "t.h5"], {"t.h5": ("dir",)}, "t.h5"),
    ("h5_no_position", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": None})}, "no /particles/all/position"),
    ("h5_nan_position", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": np.where(np.arange(N)[None, :, None] == 7, np.nan, POS[None])})}, "not finite"),
    ("h5_positions_1d", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": POS[:, 0].copy()})}, "b.h5"),
    ("h5_positions_4_components", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": np.zeros((1, N, 4))})}, "components"),
    ("h5_positions_0_frames", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": np.zeros((0, N, 3))})}, "b.h5"),
    ("h5_positions_strings", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"position/value": np.full((1, N, 3), b"x", dtype="S4")})}, "b.h5"),
    ("h5_positions_0_atoms", ["info", "-sample", "b.h5"],
     {"b.h5": h5md(**{"position/value": np.zeros((1, 0, 3)), "species/value": np.zeros((1, 0), np.int32)})}, "b.h5"),
    ("h5_duplicate_ids", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"id/value": np.array([[1] * 2 + list(range(3, N + 1))])})}, "duplicate atom id 1"),
    ("h5_negative_ids", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"id/value": -np.arange(1, N + 1)[None, :]})}, "b.h5"),
    ("h5_ids_wrong_length", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"id/value": np.arange(1, N)[None, :]})}, "one value per atom"),
    ("h5_species_wrong_length", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"species/value": np.zeros((1, N - 1), np.int32)})}, "one value per atom"),
    ("h5_species_unknown", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"species/value": np.full((1, N), 5, np.int32)})}, "unknown atom type"),
    ("h5_species_spread", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"species/value": (np.arange(N) * 1000)[None, :].astype(np.int32), "/parameters/vitrum/type_names": None})}, "species"),
    ("h5_type_names_20", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"/parameters/vitrum/type_names": strings([f"T{i}" for i in range(20)])})}, "type names"),
    ("h5_type_names_2x2", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"/parameters/vitrum/type_names": np.array([[b"A", b"B"], [b"C", b"D"]])})}, "type_names"),
    ("h5_type_mass_negative", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"/parameters/vitrum/type_mass": np.array([1.0, -2.0])})}, "mass of type"),
    ("h5_type_mass_count", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"/parameters/vitrum/type_mass": np.array([1.0, 1.0, 1.0])})}, "type_mass"),
    ("h5_no_box", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": None})}, "no /particles/all/box/edges"),
    ("h5_box_zero", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.array([L, 0.0, L])})}, "box edge y is not positive"),
    ("h5_box_nan", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.array([L, np.nan, L])})}, "not finite"),
    ("h5_box_inf", ["rdf", "-sample", "b.h5", "-o", "out.h5"], {"b.h5": h5md(**{"box/edges": np.array([L, np.inf, L])})}, "not finite"),
    ("h5_box_left_handed", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.diag([L, L, -L])})}, "left-handed"),
    ("h5_box_shape_2x3", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.full((2, 3), L)})}, "shape"),
    ("h5_box_shape_1x3", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.full((1, 3), L)})}, "shape"),
    ("h5_box_scalar", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.float64(L)})}, "shape"),
    ("h5_box_2_components", ["info", "-sample", "b.h5"], {"b.h5": h5md(**{"box/edges": np.array([L, L])})}, "components"),
    ("h5_frame_out_of_range", ["info", "-sample", "s.h5", "-frame", "5"], {}, "-frame 5 is out of range"),
    ("h5_frame_20e9", ["info", "-sample", "s.h5", "-frame", "20000000000"], {}, "-frame 20000000000"),
    ("h5_coords_1e300", ["rdf", "-sample", "b.h5", "-o", "out.h5"], {"b.h5": h5md(**{"position/value": np.where(np.arange(N)[None, :, None] == 7, 1e300, POS[None])})}, "b.h5"),
    # --- potential files: setfl (eam/alloy), eam/fs, funcfl, tersoff
    ("eam_missing_file", EAM + ["nope.eam.alloy"], {}, "-potential_file nope.eam.alloy: no such file"),
    ("eam_no_file_option", ["energy", "-sample", "s.data", "-potential", "eam", "-potential_elements", "A,B"], {}, "-potential_file"),
    ("eam_no_elements_option", ["energy", "-sample", "s.data", "-potential", "eam", "-potential_file", "setfl.eam.alloy"], {}, "-potential_elements"),
    ("eam_empty", EAM + ["b.eam.alloy"], {"b.eam.alloy": ""}, "b.eam.alloy"),
    ("eam_directory", EAM + ["b.eam.alloy"], {"b.eam.alloy": ("dir",)}, "b.eam.alloy"),
    ("eam_binary", EAM + ["b.eam.alloy"], {"b.eam.alloy": bytes(range(256)) * 8}, "b.eam.alloy"),
    ("eam_truncated", EAM + ["b.eam.alloy"], {"b.eam.alloy": GOOD_SETFL[:len(GOOD_SETFL) // 2]}, "b.eam.alloy"),
    ("eam_bad_number", EAM + ["b.eam.alloy"], {"b.eam.alloy": GOOD_SETFL.replace("e-01", "x-01", 1)}, "is not a number"),
    ("eam_nan_value", EAM + ["b.eam.alloy"], {"b.eam.alloy": GOOD_SETFL.replace("e-01", "e-01 nan", 1).replace("e-01 nan", "nan", 1)}, "b.eam.alloy"),
    ("eam_zero_elements", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(elements="0")}, "number of elements"),
    ("eam_100_elements", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(elements="100 A B")}, "number of elements"),
    ("eam_names_missing", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(elements="3 A B")}, "3 elements announced but 2 names"),
    ("eam_grid_negative", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"-10 {DRHO} {NTAB} {DR} {RCUT}")}, "b.eam.alloy"),
    ("eam_grid_fraction", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"20.5 {DRHO} {NTAB} {DR} {RCUT}")}, "bad grid"),
    ("eam_grid_zero_dr", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"{NTAB} {DRHO} {NTAB} 0 {RCUT}")}, "bad grid"),
    ("eam_grid_negative_cutoff", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"{NTAB} {DRHO} {NTAB} {DR} -1")}, "bad grid"),
    ("eam_grid_nrho_4e8", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"400000000 {DRHO} {NTAB} {DR} {RCUT}")}, "b.eam.alloy"),
    ("eam_grid_nr_huge", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"{NTAB} {DRHO} 1e15 {DR} {RCUT}")}, "b.eam.alloy"),
    ("eam_grid_text", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid="a b c d e")}, "is not a number"),
    ("eam_cutoff_beyond_table", EAM + ["b.eam.alloy"], {"b.eam.alloy": eam_text(grid=f"{NTAB} {DRHO} {NTAB} {DR} 50")}, "too small for -potential eam"),
    ("eam_element_not_in_file", ["energy", "-sample", "s.data", "-potential", "eam", "-potential_elements", "A,Zr", "-potential_file", "setfl.eam.alloy"], {}, "element Zr"),
    ("eam_elements_count", ["energy", "-sample", "s.data", "-potential", "eam", "-potential_elements", "A", "-potential_file", "setfl.eam.alloy"], {}, "names 1 elements"),
    ("eam_fs_file_as_setfl", EAM + ["fs.eam.fs"], {}, "fs.eam.fs"),
    ("eam_setfl_file_as_fs", EAMFS + ["setfl.eam.alloy"], {}, "setfl.eam.alloy"),
    ("eam_funcfl_file", EAM + ["Cu_u3.eam"], {"Cu_u3.eam": FUNCFL}, "Cu_u3.eam"),
    ("eam_funcfl_file_as_fs", EAMFS + ["Cu_u3.eam"], {"Cu_u3.eam": FUNCFL}, "Cu_u3.eam"),
    ("eam_fs_truncated", EAMFS + ["b.eam.fs"], {"b.eam.fs": GOOD_FS[:-300]}, "b.eam.fs"),
    ("eam_fs_bad_number", EAMFS + ["b.eam.fs"], {"b.eam.fs": GOOD_FS.replace("e-01", "e-0q", 3)}, "is not a number"),
    ("eam_on_2d_sample", ["energy", "-sample", "flat.data", "-potential", "eam", "-potential_elements", "A,B", "-potential_file", "setfl.eam.alloy"],
     {"flat.data": data_text([f"{i + 1} {TYPES[i]} {x:.6f} {y:.6f} 0" for i, (x, y, _) in enumerate(POS[:25])]).replace(f"{N} atoms", "25 atoms").replace(f"0 {L} zlo", "-0.5 0.5 zlo")}, "2D"),
    ("eam_long_text_line", EAM + ["b.eam.alloy"], {"b.eam.alloy": GOOD_SETFL.replace("2 A B\n", "2 A B\n" + BIG + "\n")}, "b.eam.alloy"),
    ("tersoff_missing_file", TERSOFF + ["nope.tersoff"], {}, "-potential_file nope.tersoff: no such file"),
    ("tersoff_empty", TERSOFF + ["b.tersoff"], {"b.tersoff": ""}, "has no entry for the element triplet"),
    ("tersoff_binary", TERSOFF + ["b.tersoff"], {"b.tersoff": bytes(range(1, 256)) * 8}, "b.tersoff"),
    ("tersoff_bad_number", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS.replace("95.373", "9S.373"))}, "'9S.373' is not a number"),
    ("tersoff_nan_parameter", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS.replace("95.373", "nan"))}, "b.tersoff"),
    ("tersoff_m_2", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params="2.0" + TERSOFF_PARAMS[3:])}, "m must be 1 or 3"),
    # the fuzzer's m = 3.2e66 (fuzz_tersoff_m_3e66) in a file with no other error: converted to an integer before the check (UBSan)
    ("tersoff_m_3e66", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params="3" + "2" * 66 + ".0" + TERSOFF_PARAMS[3:])}, "m must be 1 or 3"),
    ("tersoff_negative_parameter", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS.replace("95.373", "-95.373"))}, "must not be negative"),
    ("tersoff_d_above_r", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS.replace(" 3.0 0.2 ", " 3.0 3.2 "))}, "D must not exceed R"),
    ("tersoff_missing_triplet", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(skip=("B", "A", "B"))}, "no entry for the element triplet B A B"),
    ("tersoff_duplicate_triplet", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(extra="A A A " + TERSOFF_PARAMS + "\n")}, "second entry for the triplet A A A"),
    ("tersoff_short_entry", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(extra="A A A 3.0 1.0\n")}, "file ends within the entry"),
    ("tersoff_long_entry", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS + " 7.0")}, "more than 17 words"),
    ("tersoff_element_not_in_file", ["energy", "-sample", "s.data", "-potential", "tersoff", "-potential_elements", "A,Ge", "-potential_file", "ab.tersoff"], {}, "no entry for the element triplet"),
    ("tersoff_huge_cutoff", TERSOFF + ["b.tersoff"], {"b.tersoff": tersoff_text(params=TERSOFF_PARAMS.replace(" 3.0 0.2 ", " 300.0 0.2 "))}, "too small for -potential tersoff"),
    ("tersoff_long_text_line", TERSOFF + ["b.tersoff"], {"b.tersoff": "x" * 9000 + "\n" + GOOD_TERSOFF}, "b.tersoff"),
    ("potential_unknown", ["energy", "-sample", "s.data", "-potential", "morse", "-o", "out.h5"], {}, "-potential morse"),
    ("potential_missing", ["energy", "-sample", "s.data", "-o", "out.h5"], {}, "-potential is required"),
    ("potential_lj_sigma_negative", ["energy", "-sample", "s.data", "-potential", "lj", "-lj_sigma", "-1", "-o", "out.h5"], {}, "-lj_sigma"),
    ("potential_lj_epsilon_count", ["energy", "-sample", "s.data", "-potential", "lj", "-lj_epsilon", "1,2", "-o", "out.h5"], {}, "-lj_epsilon"),
    # more values than the option holds: PETSc's array read dropped the rest without a word
    ("potential_lj_epsilon_too_many", ["energy", "-sample", "s.data", "-potential", "lj", "-lj_epsilon", "1,2,3,4", "-o", "out.h5"], {}, "got 4"),
    ("domain_grid_too_many", ["energy", "-sample", "s.data", "-potential", "ka3d", "-domain_grid", "1,1,1,1", "-o", "out.h5"], {}, "-domain_grid: 4 comma-separated values"),
    ("potential_ka3d_overlap", ["energy", "-sample", "b.data", "-potential", "ka3d", "-o", "out.h5"], {"b.data": data_row(1, f"2 1 {POS[0][0] + 0.05:.6f} {POS[0][1]:.6f} {POS[0][2]:.6f}")}, "apart"),
    # --- fit -data
    ("fit_missing_data_option", ["fit", "-o", "out.h5"], {}, "-data"),
    ("fit_missing_file", ["fit", "-data", "nope.h5", "-o", "out.h5"], {}, "nope.h5"),
    ("fit_text_file", ["fit", "-data", "t.h5", "-o", "out.h5"], {"t.h5": "not hdf5\n"}, "t.h5"),
    ("fit_no_X", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=None)}, "/dataset/X"),
    ("fit_no_Y", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(Y=None)}, "/dataset/Y"),
    ("fit_X_1d", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=X[:, 0].copy())}, "b.h5"),
    ("fit_X_3d", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=X[:, :, None].copy())}, "/dataset/X"),
    ("fit_X_strings", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=np.full(X.shape, b"x", dtype="S3"))}, "/dataset/X"),
    ("fit_rows_mismatch", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(Y=Y[:-1].copy())}, "/dataset/X has 12 rows"),
    ("fit_nan_X", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=np.where(np.arange(X.size).reshape(X.shape) == 17, np.nan, X))}, "not a finite number"),
    ("fit_inf_Y", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(Y=np.where(np.arange(Y.size).reshape(Y.shape) == 5, np.inf, Y))}, "not a finite number"),
    ("fit_feature_names_count", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(feature_names=strings(FEATURES[:-2]))}, "names"),
    ("fit_feature_names_2d", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(feature_names=strings(FEATURES).reshape(-1, 2))}, "feature_names"),
    ("fit_type_names_2x2", ["fit", "-data", "b.h5", "-o", "out.h5", "-fit_prior", "kernel", "-potential", "ka3d"],
     {"b.h5": dataset(**{"structure/type_names": np.array([[b"1", b"2"], [b"3", b"4"]]), "structure/type_fraction": np.array([0.8, 0.2]),
                         "structure/dim": np.array([3.0]), "structure/density": np.array([1.2])})}, "type_names"),
    ("fit_feature_names_numbers", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(feature_names=np.arange(len(FEATURES), dtype=float))}, "feature_names"),
    ("fit_zero_rows", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=np.zeros((0, len(FEATURES))), Y=np.zeros((0, 2)), sample_names=None)}, "b.h5"),
    ("fit_zero_features", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=np.zeros((NS, 0)), feature_names=None)}, "b.h5"),
    ("fit_one_row", ["fit", "-data", "b.h5", "-o", "out.h5"], {"b.h5": dataset(X=X[:1].copy(), Y=Y[:1].copy(), sample_names=strings(["s0"]))}, "b.h5"),
    ("fit_constant_standardize", ["fit", "-data", "b.h5", "-o", "out.h5", "-fit_standardize"], {"b.h5": dataset(X=np.where(np.arange(len(FEATURES)) == 4, 2.5, X))}, "constant"),
    ("fit_lambda_zero", FIT + ["-fit_lambda", "0"], {}, "-fit_lambda"),
    ("fit_lambda_negative", FIT + ["-fit_lambda", "-2"], {}, "-fit_lambda"),
    ("fit_lambda_nan", FIT + ["-fit_lambda", "nan"], {}, "-fit_lambda nan: must be positive and finite"),
    ("fit_lambda_inf", FIT + ["-fit_lambda", "inf"], {}, "-fit_lambda inf: must be positive and finite"),
    ("fit_lambda_max_inf", FIT + ["-fit_lambda_max", "inf"], {}, "-fit_lambda_max inf: must be positive and finite"),
    ("fit_lambda_text", FIT + ["-fit_lambda", "big"], {}, "-fit_lambda"),
    ("fit_lambda_min_zero", FIT + ["-fit_lambda_min", "0"], {}, "-fit_lambda_min"),
    ("fit_lambda_max_below_min", FIT + ["-fit_lambda_min", "1", "-fit_lambda_max", "0.5"], {}, "-fit_lambda_max"),
    ("fit_lambda_count_zero", FIT + ["-fit_lambda_count", "0"], {}, "-fit_lambda_count 0"),
    ("fit_lambda_count_huge", FIT + ["-fit_lambda_count", "2000000000"], {}, "-fit_lambda_count"),
    ("fit_cv_one", FIT + ["-fit_cv", "1"], {}, "-fit_cv 1"),
    ("fit_cv_negative", FIT + ["-fit_cv", "-3"], {}, "-fit_cv -3"),
    ("fit_cv_too_many", FIT + ["-fit_cv", "1000"], {}, "-fit_cv 1000"),
    ("fit_smooth_3", FIT + ["-fit_smooth", "3"], {}, "-fit_smooth 3"),
    ("fit_smooth_weight_negative", FIT + ["-fit_smooth", "1", "-fit_smooth_weight", "-1"], {}, "-fit_smooth_weight"),
    ("fit_smooth_weight_text", FIT + ["-fit_smooth", "2", "-fit_smooth_weight", "smooth"], {}, "'smooth' is not a number >= 0"),
    ("fit_smooth_weight_in_list", FIT + ["-fit_smooth", "2", "-fit_smooth_weight", "10,1e3x,1e5"], {}, "'1e3x' is not a number >= 0"),
    ("fit_smooth_weight_twice", FIT + ["-fit_smooth", "2", "-fit_smooth_weight", "10,100,10"], {}, "'10' is given twice"),
    ("fit_smooth_weight_nan", FIT + ["-fit_smooth", "2", "-fit_smooth_weight", "nan"], {}, "'nan' is not a number >= 0"),
    ("fit_test_fraction_one", FIT + ["-fit_test_fraction", "1"], {}, "-fit_test_fraction"),
    ("fit_test_fraction_negative", FIT + ["-fit_test_fraction", "-0.1"], {}, "-fit_test_fraction"),
    ("fit_test_fraction_almost_all", FIT + ["-fit_test_fraction", "0.95"], {}, "training rows"),
    ("fit_output_is_input", ["fit", "-data", "d.h5", "-o", "d.h5"], {}, "d.h5"),
    ("fit_output_is_directory", ["fit", "-data", "d.h5", "-o", "outdir"], {"outdir": ("dir",)}, "outdir"),
    ("fit_output_dir_missing", ["fit", "-data", "d.h5", "-o", "nodir/out.h5"], {}, "nodir/out.h5"),
    # --- predict -model
    ("predict_no_model_option", ["predict", "-rdf", "g.txt"], {}, "-model"),
    ("fit_test_samples_too_long", ["fit", "-data", "d.h5", "-fit_test_samples", ",".join("glass_%05d.data" % i for i in range(700)), "-o", "out.h5"], {}, "give the names in a file"),
    # string options longer than their buffer: PETSc cut them short without a word (VitOptionsString)
    ("rdf_output_path_too_long", ["rdf", "-sample", "s.data", "-o", "x" * 5000], {}, "-o: a value of 5000 characters, at most 4095 are read"),
    ("potential_elements_too_long", ["energy", "-sample", "s.data", "-potential", "eam/alloy", "-potential_elements", ",".join(["A", "B"] * 100),
                                     "-potential_file", "setfl.eam.alloy", "-o", "out.h5"], {}, "-potential_elements: a value of 399 characters, at most 255"),
    ("units_too_long", SPEC + ["-units", "metal" * 4], {}, "-units: a value of 20 characters, at most 15 are read"),
    ("convert_units_too_long", ["convert", "-sample", "s.xyz", "-units", "metal" * 4, "-o", "out.data"], {}, "-units: a value of 20 characters"),
    ("features_samples_pattern_too_long", ["features", "-samples", "./" * 2100 + "s*.data", "-o", "out.h5"], {}, "-samples: a value of 4207 characters, at most 4095"),
    ("frame_too_long", ["info", "-sample", "s.dump", "-frame", "0" * 70 + "1"], {}, "-frame: a value of 71 characters, at most 63 are read"),
    ("predict_no_input_option", ["predict", "-model", "m.model.h5"], {}, "-sample_list FILE or -rdf FILE"),
    ("predict_model_missing", ["predict", "-model", "nope.h5", "-rdf", "g.txt"], {}, "nope.h5"),
    ("predict_model_text", ["predict", "-model", "t.h5", "-rdf", "g.txt"], {"t.h5": "text\n"}, "t.h5"),
    ("predict_model_no_W", PRED, {"m.model.h5": ("model", {"/model/W": None})}, "/model/W"),
    ("predict_model_no_b", PRED, {"m.model.h5": ("model", {"/model/b": None})}, "/model/b"),
    ("predict_model_W_size", PRED, {"m.model.h5": ("model", {"/model/W": np.ones((2, 7))})}, "/model/W has 14 values"),
    ("predict_model_W_nan", PRED, {"m.model.h5": ("model", {"/model/W": "nan"})}, "/model/W"),
    ("predict_model_0_features", PRED, {"m.model.h5": ("model", {"/model/W": np.zeros((2, 0)), "/model/feature_names": np.zeros(0, dtype="S4"),
                                                                  "/model/x_mean": np.zeros(0), "/model/x_scale": np.zeros(0)})}, "m.model.h5"),
    ("predict_model_feature_names_bad", PRED, {"m.model.h5": ("model", {"/model/feature_names": strings([f"feature{i}" for i in range(len(FEATURES))])})}, "feature0"),
    ("predict_model_feature_names_2x2", PRED, {"m.model.h5": ("model", {"/model/feature_names": np.array([[b"a", b"b"], [b"c", b"d"]])})}, "m.model.h5"),
    ("predict_rdf_missing", ["predict", "-model", "m.model.h5", "-rdf", "nope.txt"], {}, "nope.txt"),
    ("predict_rdf_columns", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text([f"{x:.4f} 1.0 1.1" for x in np.linspace(0.8, 2.0, 25)])}, "3 partials"),
    ("predict_rdf_65_columns", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text([f"{x:.4f} " + "1 " * 70 for x in np.linspace(0.8, 2.0, 25)])}, "64 columns"),
    ("predict_rdf_r_decreasing", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text([f"{x:.4f} 1.0 1.1 0.9" for x in np.linspace(2.0, 0.8, 25)])}, "is not above"),
    ("predict_rdf_one_line", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text(["1.0 1 1 1"])}, "fewer than 2 data lines"),
    ("predict_rdf_short_range", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text([f"{x:.4f} 1.0 1.1 0.9" for x in np.linspace(0.8, 1.5, 25)])}, "does not cover"),
    ("predict_rdf_text_value", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text()[:-10] + "x 1 1 1\n"}, "b.txt"),
    ("predict_rdf_nan_value", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text().replace(" 1.1 ", " nan ", 12)}, "b.txt"),
    ("predict_rdf_long_text_line", ["predict", "-model", "m.model.h5", "-rdf", "b.txt"], {"b.txt": rdf_text() + BIG + "\n"}, "b.txt"),
    ("predict_rdf_h5_no_pairs", ["predict", "-model", "m.model.h5", "-rdf", "b.h5"], {"b.h5": ("h5", {"/structure/rdf/r": R, "/structure/rdf/g": np.ones((3, len(R)))})}, "b.h5"),
    ("predict_sample_missing", ["predict", "-model", "m.model.h5", "-sample", "nope.data"], {}, "nope.data"),
    ("predict_output_is_directory", PRED + ["-o", "outdir"], {"outdir": ("dir",)}, "outdir"),
    # --- rdf / sq options
    ("rdf_rmax_negative", RDF + ["-rdf_rmax", "-1"], {}, "-rdf_rmax"),
    ("rdf_rmax_zero", RDF + ["-rdf_rmax", "0"], {}, "-rdf_rmax"),
    ("rdf_rmax_100", RDF + ["-rdf_rmax", "100"], {}, "-rdf_rmax 100"),
    ("rdf_rmax_nan", RDF + ["-rdf_rmax", "nan"], {}, "-rdf_rmax"),
    ("rdf_rmax_text", RDF + ["-rdf_rmax", "far"], {}, "-rdf_rmax"),
    ("rdf_rmax_inf", RDF + ["-rdf_rmax", "inf"], {}, "-rdf_rmax inf: must be positive and finite"),
    ("rdf_dr_zero", RDF + ["-rdf_dr", "0"], {}, "-rdf_dr"),
    ("rdf_dr_inf", RDF + ["-rdf_dr", "inf"], {}, "-rdf_dr inf: must be positive and finite"),
    ("rdf_dr_nan", RDF + ["-rdf_dr", "nan"], {}, "-rdf_dr nan: must be positive and finite"),
    ("rdf_dr_negative", RDF + ["-rdf_dr", "-0.1"], {}, "-rdf_dr"),
    ("rdf_dr_1e-12", RDF + ["-rdf_dr", "1e-12"], {}, "-rdf_dr"),
    ("rdf_dr_above_rmax", RDF + ["-rdf_rmax", "1", "-rdf_dr", "2"], {}, "is larger than -rdf_rmax"),
    ("sq_nq_zero", RDF + ["-sq", "-sq_nq", "0"], {}, "-sq_nq"),
    ("sq_nq_negative", RDF + ["-sq", "-sq_nq", "-5"], {}, "-sq_nq"),
    ("sq_nq_huge", RDF + ["-sq", "-sq_nq", "2000000000"], {}, "-sq_nq"),
    ("sq_qmax_negative", RDF + ["-sq", "-sq_qmax", "-1"], {}, "-sq_qmax"),
    ("sq_qmax_zero", RDF + ["-sq", "-sq_qmax", "0"], {}, "-sq_qmax"),
    ("sq_qmax_inf", RDF + ["-sq", "-sq_qmax", "inf"], {}, "-sq_qmax inf: must be positive and finite"),
    ("rdf_output_is_input", ["rdf", "-sample", "s.h5", "-o", "s.h5"], {}, "s.h5"),
    ("rdf_output_is_directory", ["rdf", "-sample", "s.data", "-o", "outdir"], {"outdir": ("dir",)}, "outdir"),
    ("rdf_output_dir_missing", ["rdf", "-sample", "s.data", "-o", "nodir/out.h5"], {}, "nodir/out.h5"),
    ("rdf_no_sample", ["rdf", "-o", "out.h5"], {}, "-sample"),
    ("convert_output_is_input", ["convert", "-sample", "s.data", "-o", "s.data"], {}, "s.data"),
    ("convert_output_unknown_format", ["convert", "-sample", "s.data", "-o", "out.xyz"], {}, "-o out.xyz"),
    # --- spectrum / kpm options
    ("spectrum_pr_bands_zero", SPEC + ["-spectrum_pr_bands", "0"], {}, "-spectrum_pr_bands"),
    ("spectrum_cv_range_three", SPEC + ["-cv_temperature_range", "1,2,3"], {}, "-cv_temperature_range: give two values Tmin,Tmax, got 3"),
    ("spectrum_cv_range_one", SPEC + ["-cv_temperature_range", "5"], {}, "give two values Tmin,Tmax"),
    ("spectrum_cv_range_inf", SPEC + ["-cv_temperature_range", "1,inf"], {}, "-cv_temperature_range 1,inf / -cv_temperatures 50: need finite 0 < Tmin <= Tmax"),
    ("spectrum_cv_range_nan", SPEC + ["-cv_temperature_range", "nan,2"], {}, "need finite 0 < Tmin <= Tmax"),
    ("spectrum_pr_bands_negative", SPEC + ["-spectrum_pr_bands", "-2"], {}, "-spectrum_pr_bands"),
    ("spectrum_nev_negative", SPEC[:-4] + ["-spectrum_nev", "-1", "-o", "out.h5"], {}, "-spectrum_nev"),
    ("spectrum_nev_too_many", SPEC[:-4] + ["-spectrum_nev", "100000", "-o", "out.h5"], {}, "-spectrum_nev"),
    ("spectrum_method_unknown", SPEC + ["-spectrum_method", "magic"], {}, "-spectrum_method"),
    ("spectrum_target_negative", SPEC + ["-spectrum_target", "-1"], {}, "-spectrum_target"),
    ("spectrum_target_inf", SPEC + ["-spectrum_target", "inf"], {}, "-spectrum_target inf: must be positive and finite"),
    ("spectrum_target_nan", SPEC + ["-spectrum_target", "nan"], {}, "-spectrum_target nan: must be positive and finite"),
    ("spectrum_count_omega_inf", SPEC + ["-spectrum_count_omega", "1,inf"], {}, "-spectrum_count_omega inf: must be positive and finite"),
    ("spectrum_softspot_negative", SPEC + ["-spectrum_softspot_modes", "-5"], {}, "-spectrum_softspot_modes"),
    ("spectrum_count_omega_negative", SPEC + ["-spectrum_count_omega", "-1"], {}, "-spectrum_count_omega"),
    ("spectrum_no_potential", ["spectrum", "-sample", "s.data", "-o", "out.h5"], {}, "-potential"),
    ("spectrum_output_is_directory", SPEC[:-2] + ["-o", "outdir"], {"outdir": ("dir",)}, "outdir"),
    ("kpm_moments_zero", KPM[:-4] + ["-kpm_moments", "0", "-kpm_vectors", "2"], {}, "-kpm_moments"),
    ("kpm_moments_negative", KPM[:-4] + ["-kpm_moments", "-5", "-kpm_vectors", "2"], {}, "-kpm_moments"),
    ("kpm_vectors_zero", KPM[:-2] + ["-kpm_vectors", "0"], {}, "-kpm_vectors"),
    ("kpm_vectors_negative", KPM[:-2] + ["-kpm_vectors", "-1"], {}, "-kpm_vectors"),
    ("kpm_lambda_inverted", KPM + ["-kpm_lambda_min", "10", "-kpm_lambda_max", "1"], {}, "-kpm_lambda"),
    ("vdos_bins_zero", KPM + ["-vdos_bins", "0"], {}, "-vdos_bins"),
    ("vdos_omega_max_negative", KPM + ["-vdos_omega_max", "-1"], {}, "-vdos_omega_max"),
    ("vdos_omega_max_inf", KPM + ["-vdos_omega_max", "inf"], {}, "-vdos_omega_max inf: must be positive and finite"),
    ("vdos_resolution_nan", KPM + ["-vdos_resolution", "nan"], {}, "-vdos_resolution nan: must be positive and finite"),
    ("hessian_type_unknown", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_type", "dense", "-o", "out.h5"], {}, "-hessian_type dense"),
    ("hessian_max_memory_zero", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_max_memory", "0", "-o", "out.h5"], {}, "-hessian_max_memory 0"),
    # a Hessian larger than the share of the node's memory given: stopped before it is allocated,
    # with what it needs (a real one would be killed by the operating system without a message)
    ("hessian_does_not_fit", SPEC + ["-hessian_max_memory", "1e-9"], {}, "-hessian_max_memory): run on more nodes"),
    ("hessian_does_not_fit_sbaij", ["response", "-sample", "s.data", "-potential", "ka3d", "-hessian_type", "sbaij", "-hessian_max_memory", "1e-9", "-o", "out.h5"], {}, "the Hessian (sbaij"),
    # --- features options and inputs
    ("features_no_samples", ["features", "-o", "out.h5"], {}, "-samples"),
    ("features_glob_matches_nothing", ["features", "-samples", "none*.data", "-features_targets", "none", "-o", "out.h5"], {}, "none*.data"),
    ("features_list_missing", ["features", "-sample_list", "nope.txt", "-features_targets", "none", "-o", "out.h5"], {}, "nope.txt"),
    ("features_list_names_missing_sample", ["features", "-sample_list", "l.txt", "-features_targets", "none", "-features_cache", "cache", "-o", "out.h5"],
     dict(FEAT_FILES, **{"l.txt": "s.data\nabsent.data\n"}), "absent.data"),
    # a line longer than the reader's buffer: one error naming the file and line, never two lines
    ("features_list_line_too_long", ["features", "-sample_list", "l.txt", "-features_targets", "none", "-features_cache", "cache", "-o", "out.h5"],
     dict(FEAT_FILES, **{"l.txt": "s.data\n" + "d/" * 2500 + "s2.data\n"}), "l.txt:2: a path longer than 4095 bytes"),
    # a binary file given as the list (one reader, VitListFileRead, for -sample_list, -fit_test_samples FILE and -pipeline_samples): its line, not a garbage path
    ("features_list_binary", ["features", "-sample_list", "l.txt", "-features_targets", "none", "-features_cache", "cache", "-o", "out.h5"],
     dict(FEAT_FILES, **{"l.txt": "s.data\n\x7fELF\x02\x01\x01\n"}), "-sample_list l.txt:2: not a line of text (a binary file?)"),
    ("fit_test_samples_file_line_too_long", ["fit", "-data", "d.h5", "-fit_test_samples", "t.txt", "-o", "out.h5"], {"t.txt": "a.data\n" + "x" * 5000 + "\n"},
     "t.txt:2: a name longer than 4095 bytes"),
    ("predict_rdf_line_too_long", PRED, {"g.txt": rdf_text() + "2.1" + " 1.0" * 3000 + "\n"}, "g.txt:27: a line longer than 8191 bytes"),
    ("pipeline_samples_line_too_long", ["pipeline", "-pipeline_samples", "l.txt", "-pipeline_dir", "P", "-potential", "ka3d"],
     {"l.txt": "s.data\n" + "d/" * 2500 + "s.data\n"}, "-pipeline_samples l.txt:2: a path longer than 4095 bytes"),
    ("features_kind_unknown", FEAT + ["-features_kind", "fourier"], FEAT_FILES, "-features_kind"),
    ("features_smooth_negative", FEAT + ["-features_smooth", "-1"], FEAT_FILES, "-features_smooth"),
    ("features_vdos_sigma_inf", FEAT + ["-vdos_sigma", "inf"], FEAT_FILES, "-vdos_sigma inf: must be positive and finite"),
    ("features_vdos_omega_max_nan", FEAT + ["-vdos_omega_max", "nan"], FEAT_FILES, "-vdos_omega_max nan: must be positive and finite"),
    ("features_rmin_above_rmax", FEAT + ["-features_rmin", "2", "-features_rmax", "1"], FEAT_FILES, "-features_rmin"),
    ("features_ranks_per_sample_zero", FEAT + ["-ranks_per_sample", "0"], FEAT_FILES, "-ranks_per_sample"),
    ("features_ranks_per_sample_negative", FEAT + ["-ranks_per_sample", "-2"], FEAT_FILES, "-ranks_per_sample"),
    ("features_targets_unknown", ["features", "-samples", "s*.data", "-features_targets", "bogus", "-features_cache", "cache", "-o", "out.h5"], FEAT_FILES, "-features_targets"),
    ("features_malformed_sample", FEAT + ["-ranks_per_sample", "1"], dict(FEAT_FILES, **{"s3.data": data_row(3, "4 1 0.5 abc 0.5")}), "s3.data"),
    ("features_empty_sample", FEAT + ["-ranks_per_sample", "1"], dict(FEAT_FILES, **{"s3.data": ""}), "s3.data"),
    ("features_output_is_directory", FEAT[:-2] + ["-o", "outdir"], dict(FEAT_FILES, outdir=("dir",)), "outdir"),
    ("features_output_is_input", FEAT[:-2] + ["-o", "s.data"], FEAT_FILES, "s.data"),
    # --- inputs found by the fuzzers (tests/fuzz/run.sh; docs/reliability.md)
    ("fuzz_data_section_name_overflow", ["info", "-sample", "f.data"], {"f.data": finding("lammps_data-c3033cd7.data")}, "f.data"),
    ("fuzz_tersoff_m_3e66", TERSOFF + ["f.tersoff"], {"f.tersoff": finding("tersoff-4d79b70b.tersoff")}, "f.tersoff"),
    ("fuzz_eam_fs_grid_nrho_2e57", EAMFS + ["f.eam.fs"], {"f.eam.fs": finding("eam_fs-b8b4c85b.eam.fs")}, "f.eam.fs"),
    # real options checked by sign only let inf (or nan) through to a run or a later, unrelated error:
    # each is refused in one line before any work (VitCheckPositiveReal, VitCheckFiniteReal)
    ("minimize_skin_inf", ["minimize", "-sample", "s.data", "-potential", "ka3d", "-o", "out.data", "-minimize_skin", "inf"], {}, "-minimize_skin inf: must be positive and finite"),
    ("fire_dt_inf", ["minimize", "-sample", "s.data", "-potential", "ka3d", "-o", "out.data", "-fire_dt", "inf"], {}, "-fire_dt inf: must be positive and finite"),
    ("fire_dtmax_inf", ["minimize", "-sample", "s.data", "-potential", "ka3d", "-o", "out.data", "-fire_dtmax", "inf"], {}, "-fire_dtmax inf: must be positive and finite"),
    ("fire_dmax_inf", ["minimize", "-sample", "s.data", "-potential", "ka3d", "-o", "out.data", "-fire_dmax", "inf"], {}, "-fire_dmax inf: must be positive and finite"),
    ("hessian_max_memory_inf", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-o", "out.h5", "-hessian_max_memory", "inf"], {}, "-hessian_max_memory inf: must be positive and finite"),
    ("hessian_ftol_inf", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-o", "out.h5", "-hessian_ftol", "inf"], {}, "-hessian_ftol inf: must be positive and finite"),
    ("spectrum_precond_max_memory_inf", SPEC + ["-spectrum_precond_max_memory", "inf"], {}, "-spectrum_precond_max_memory inf: must be positive and finite"),
    ("spectrum_factor_max_memory_inf", SPEC + ["-spectrum_factor_max_memory", "inf"], {}, "-spectrum_factor_max_memory inf: must be positive and finite"),
    ("spectrum_factor_max_flops_inf", SPEC + ["-spectrum_factor_max_flops", "inf"], {}, "-spectrum_factor_max_flops inf: must be positive and finite"),
    ("spectrum_precond_shift_inf", SPEC + ["-spectrum_method", "lobpcg", "-spectrum_precond_shift", "inf"], {}, "-spectrum_precond_shift inf: must be positive and finite"),
    ("kpm_lambda_min_nan", KPM + ["-kpm_lambda_min", "nan"], {}, "-kpm_lambda_min nan: must be a finite number"),
    ("kpm_lambda_max_inf", KPM + ["-kpm_lambda_max", "inf"], {}, "-kpm_lambda_max inf: must be a finite number"),
    ("response_param_step_inf", ["response", "-sample", "s.data", "-potential", "ka3d", "-o", "out.h5", "-response_param_step", "inf"], {}, "-response_param_step inf: must be positive and finite"),
    ("response_dipole_rmax_inf", ["response", "-sample", "s.data", "-potential", "ka3d", "-o", "out.h5", "-response_dipole_rmax", "inf"], {}, "-response_dipole_rmax inf: must be positive and finite"),
    ("response_precond_max_memory_inf", ["response", "-sample", "s.data", "-potential", "ka3d", "-o", "out.h5", "-response_precond_max_memory", "inf"], {}, "-response_precond_max_memory inf: must be positive and finite"),
    ("features_smooth_inf", FEAT + ["-features_smooth", "inf"], FEAT_FILES, "-features_smooth inf: must be positive and finite"),
    ("features_rmin_nan", FEAT + ["-features_rmin", "nan"], FEAT_FILES, "-features_rmin nan: must be a finite number"),
    ("features_rmax_inf", FEAT + ["-features_rmax", "inf"], FEAT_FILES, "-features_rmax inf: must be positive and finite"),
    ("features_atom_sigma_inf", FEAT + ["-features_atom_sigma", "inf"], FEAT_FILES, "-features_atom_sigma inf: must be positive and finite"),
    ("features_atom_dr_inf", FEAT + ["-features_atom_dr", "inf"], FEAT_FILES, "-features_atom_dr inf: must be positive and finite"),
    ("features_atom_vdos_omega_max_nan", FEAT + ["-features_atom_vdos_omega_max", "nan"], FEAT_FILES, "-features_atom_vdos_omega_max nan: must be positive and finite"),
    ("lj_epsilon_inf", ["energy", "-sample", "s.data", "-potential", "lj", "-lj_epsilon", "inf"], {}, "need finite sigma > 0 (got 1, -lj_sigma), cutoff > 0 (got 2.5, -lj_cutoff/-lj_cutoff_sigma), epsilon >= 0 (got inf"),
    # options whose default -help shows as auto (VitOptionsAutoInt/Real): auto or a number, else one line
    ("kpm_moments_fraction", KPM[:-4] + ["-kpm_moments", "1.5", "-kpm_vectors", "2"], {}, "-kpm_moments 1.5: not a whole number: give a number or auto"),
    ("kpm_moments_1e20", KPM[:-4] + ["-kpm_moments", "99999999999999999999", "-kpm_vectors", "2"], {}, "-kpm_moments 99999999999999999999: not a whole number"),
    ("potential_min_distance_text", ["energy", "-sample", "s.data", "-potential", "ka3d", "-potential_min_distance", "near"], {}, "-potential_min_distance near: not a number: give a number or auto"),
    ("vdos_resolution_text", KPM + ["-vdos_resolution", "fine"], {}, "-vdos_resolution fine: not a number: give a number or auto"),
]

# Cases that fail today because a fix is pending in another branch: id (both rank counts),
# id@RANKS, or id@san (only under ASan/UBSan, run_corpus.py --sanitized) -> one-line reason. The lead prunes this set when the fixes are merged.
KNOWN_FAILING = {}

# ------------------------------------------------------------------ file generation


def write_file(path, spec, setup_dir):
    if isinstance(spec, str):
        with open(path, "w") as f:
            f.write(spec)
    elif isinstance(spec, bytes):
        with open(path, "wb") as f:
            f.write(spec)
    elif spec[0] == "dir":
        os.makedirs(path, exist_ok=True)
    elif spec[0] == "h5":
        with h5py.File(path, "w") as f:
            for name, value in spec[1].items():
                if value is not None:
                    f[name] = value
    elif spec[0] == "model":
        shutil.copy(os.path.join(setup_dir, "m.model.h5"), path)
        with h5py.File(path, "a") as f:
            for name, value in spec[1].items():
                old = f[name][()] if name in f else None
                if name in f:
                    del f[name]
                if isinstance(value, str) and value == "nan":  # the valid values with one NaN
                    value = np.array(old, float)
                    value.flat[value.size // 2] = np.nan
                if value is not None:
                    f[name] = value
    else:
        raise ValueError(spec)


def write_common(folder, setup_dir):
    for name, spec in COMMON.items():
        write_file(os.path.join(folder, name), spec, setup_dir)
    shutil.copy(os.path.join(setup_dir, "m.model.h5"), os.path.join(folder, "m.model.h5"))


def write_case(folder, case, setup_dir):
    os.makedirs(folder, exist_ok=True)
    write_common(folder, setup_dir)
    for name, spec in case[2].items():
        path = os.path.join(folder, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
        write_file(path, spec, setup_dir)


# Stillinger-Weber parameters of Si (LAMMPS Si.sw) for every triplet of the elements A and B.
GOOD_SW = "".join(f"{i} {j} {k} 2.1683 2.0951 1.80 21.0 1.20 -0.333333333333 7.049556277 0.6022245584 4.0 0.0 0.0\n"
                  for i in "AB" for j in "AB" for k in "AB")


def write_seeds(root):
    """Valid inputs of each text reader and potential parser, one folder each (fuzzing seeds)."""
    seeds = {"lammps_data": {"sample.data": GOOD_DATA, "tilted.data": data_text(tilt="0.5 0.2 -0.3"),
                             "small.data": data_text(ATOM_ROWS[:8]).replace(f"{N} atoms", "8 atoms")},
             "lammps_dump": {"two.dump": dump_text(2)},
             "extxyz": {"sample.xyz": GOOD_XYZ, "two.xyz": xyz_text(2)},
             # the potential harnesses take the style from the first byte (see tests/fuzz/fuzz_potential.c)
             "eam": {"funcfl.eam": "\x00" + FUNCFL, "setfl.eam.alloy": "\x01" + GOOD_SETFL, "fs.eam.fs": "\x02" + GOOD_FS},
             "tersoff": {"ab.tersoff": "\x00" + GOOD_TERSOFF, "ab.tersoff.mod": "\x01" + GOOD_TERSOFF},
             "sw": {"ab.sw": "\x00" + GOOD_SW}}
    for reader, files in seeds.items():
        os.makedirs(os.path.join(root, reader), exist_ok=True)
        for name, text in files.items():
            write_file(os.path.join(root, reader, name), text, None)


def check_ids():
    ids = [c[0] for c in CASES]
    dup = {i for i in ids if ids.count(i) > 1}
    assert not dup, f"duplicate case ids: {dup}"
    unknown = {k.split("@")[0] for k in KNOWN_FAILING} - set(ids)
    assert not unknown, f"KNOWN_FAILING names unknown cases: {unknown}"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--seeds":
        write_seeds(sys.argv[2])
    else:
        check_ids()
        print(f"{len(CASES)} cases")
