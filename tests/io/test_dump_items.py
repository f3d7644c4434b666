"""Dump items before ITEM: TIMESTEP: `dump_modify units yes` writes ITEM: UNITS and the unit style
before the first frame, `time yes` ITEM: TIME and the time before every frame (LAMMPS's
reader_native.cpp skips them). A dump with them is the same sample, frame by frame, as without them,
and its ITEM: UNITS declares the unit style as a data file's title `units = metal` does: `info` says
so, convert keeps it, and a contradicting -units is the data file's error. Before, the first line
stopped the reader ("expected 'ITEM: TIMESTEP' (does the previous frame have as many atom lines as
its NUMBER OF ATOMS?)", at line 1, where there is no previous frame): that hint now comes only after
a frame."""
import sys

import h5py
import numpy as np

from vitio import check, read_h5md, run, write_data

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(5)
N, L = 30, 4.0
ids = rng.permutation(np.arange(1, N + 1))
types = rng.integers(1, 3, N)
frames = [rng.uniform(0, L, (N, 3)) for _ in range(3)]


def dump(path, units=None, time=False, natoms=None, first=None):
    """Three frames; units: the ITEM: UNITS value (before frame 0 only, as LAMMPS writes it, or a
    list of one per frame); time: ITEM: TIME before every frame."""
    text = ""
    for k, x in enumerate(frames):
        per_frame = units if isinstance(units, list) else [units] + [None] * 2
        if per_frame[k]:
            text += f"ITEM: UNITS\n{per_frame[k]}\n"
        if time:
            text += f"ITEM: TIME\n{0.005 * 100 * k!r}\n"
        text += f"ITEM: TIMESTEP\n{100 * k}\nITEM: NUMBER OF ATOMS\n{natoms or N}\nITEM: BOX BOUNDS pp pp pp\n" + f"0.0 {L!r}\n" * 3
        text += "ITEM: ATOMS id type x y z\n" + "".join("%d %d %r %r %r\n" % (ids[i], types[i], *x[i]) for i in range(N))
    open(path, "w").write(first + text if first else text)


def errors(out):
    return [line for line in out.splitlines() if "vitrum: error" in line]


dump("plain.lammpstrj")
dump("items.lammpstrj", units="metal", time=True)
dump("time.lammpstrj", time=True)
for f in ("items.lammpstrj", "time.lammpstrj"):
    for frame in (0, 1, 2, -1):
        run(["convert", "-sample", "plain.lammpstrj", "-frame", frame, "-o", "plain.h5"], nranks)
        run(["convert", "-sample", f, "-frame", frame, "-o", "items.h5"], nranks)
        a, b = read_h5md("plain.h5"), read_h5md("items.h5")
        check(all(np.array_equal(a[k], b[k]) for k in ("ids", "types", "cell", "lo", "x")), f"{f} -frame {frame}: the sample without the items, bit for bit")

info = run(["info", "-sample", "items.lammpstrj", "-frame", 1], nranks)
check("units:       metal" in info, "ITEM: UNITS metal (in frame 0): info on frame 1 says units metal")
check("units:       not declared" in run(["info", "-sample", "time.lammpstrj"], nranks), "ITEM: TIME alone declares no units")
run(["convert", "-sample", "items.lammpstrj", "-o", "declared.h5"], nranks)
with h5py.File("declared.h5") as f:
    style = f["parameters/vitrum/units"][()][0]
check((style.decode() if isinstance(style, bytes) else style) == "metal", "convert keeps the declared style (/parameters/vitrum/units)")

# -units contradicting the declared style: the data file's error, one line
write_data("metal.data", ids, types, frames[2], [0, 0, 0], [L] * 3, masses=[1.0, 2.0])
text = open("metal.data").read().replace("test sample written by tests/io", "LAMMPS data file via write_data, version 2 Aug 2023, timestep = 0, units = metal", 1)
open("metal.data", "w").write(text)
for n in (1, 2):
    e_dump = errors(run(["energy", "-sample", "items.lammpstrj", "-potential", "ka3d", "-units", "lj", "-o", "e.h5"], n, expect=1))
    e_data = errors(run(["energy", "-sample", "metal.data", "-potential", "ka3d", "-units", "lj", "-o", "e.h5"], n, expect=1))
    check(len(e_dump) == 1 and "items.lammpstrj declares 'units = metal'" in e_dump[0] and e_dump[0].replace("items.lammpstrj", "metal.data") == e_data[0],
          f"-units lj on {n} rank(s): the data file's error line ({e_dump})")

# errors: one line each, the previous-frame hint only after a frame
cases = [(dict(first="ITEM: UNIT\nmetal\n"), "bad_first.lammpstrj:1: expected 'ITEM: TIMESTEP' (the first line of a LAMMPS text dump, or ITEM: UNITS or ITEM: TIME before it)"),
         (dict(units="metal", time=True, natoms=N - 1), f"bad_count.lammpstrj:{4 + 9 + N - 1 + 1}: expected 'ITEM: TIMESTEP' (does the previous frame have as many atom lines as its NUMBER OF ATOMS?)"),
         (dict(units="si"), "bad_si.lammpstrj:2: ITEM: UNITS si: vitrum knows the LAMMPS unit styles lj, metal and real"),
         (dict(units=["metal", "real", None]), f"bad_two.lammpstrj:{2 + 9 + N + 2}: ITEM: UNITS real, but metal on line 2: give one unit style for the file"),
         (dict(time=True, first="ITEM: TIME\nlater\n"), "bad_time.lammpstrj:2: ITEM: TIME: bad time (later): expected a number")]
for k, (kwargs, want) in enumerate(cases):
    path = want.split(":")[0]
    dump(path, **kwargs)
    for n in (1, 2):
        e = errors(run(["info", "-sample", path], n, expect=1))
        check(len(e) == 1 and e[0] == "vitrum: error: " + want, f"{path} on {n} rank(s): one error line ({e})")
