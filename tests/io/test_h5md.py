"""H5MD reader (parallel: every rank reads a block of atoms), files written with h5py:
time-dependent elements with frames, species values without names, shuffled ids, a general
box matrix; time-independent datasets, "type", no ids, a box vector; a 2D sample."""
import sys

import h5py
import numpy as np
from ase.cell import Cell

from vitio import check, frac, h5md_frac, parse_info, periodic_close, read_data, read_h5md, run, wrap

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
rng = np.random.default_rng(3)
N, F = 101, 3

# A: frames, general box matrix (rows = edge vectors), species values 3/7/12, shuffled ids
A = np.array([[5.0, 0.6, -0.4], [0.3, 6.0, 0.8], [-0.5, 0.2, 7.0]])
x = rng.uniform(-0.2, 1.2, (F, N, 3)) @ A
species = rng.choice([3, 7, 12], (F, N))
ids = rng.permutation(N) + 1000
with h5py.File("a.h5", "w") as f:
    p = f.create_group("particles/all")
    for name, value in (("position", x), ("species", species), ("id", np.tile(ids, (F, 1)))):
        g = p.create_group(name)
        g["value"], g["step"], g["time"] = value, np.arange(F), np.arange(F) * 0.1
    p["box/edges"] = A
    p["box"].attrs["dimension"] = 3
rcell = Cell(A).standard_form()[0][:]
order = np.argsort(ids)
for frame in (1, -1):
    k = frame % F
    out = f"a{k}.data"
    run(["convert", "-sample", "a.h5", "-frame", frame, "-o", out, "-units", "lj"], nranks)  # no masses: lj gives 1 (a data file keeps names with masses)
    d = read_data(out)
    check(np.array_equal(d["ids"], ids[order]), f"frame {frame}: ids in increasing order")
    check(np.allclose(d["cell"], rcell, atol=1e-12), f"frame {frame}: box matrix rotated to the LAMMPS form")
    check(periodic_close(frac(d["x"], d["lo"], d["cell"]), wrap(x[k][order] @ np.linalg.inv(A)), 1e-12), f"frame {frame}: positions")
    names = {t: n for t, n in d["names"].items()}
    check([names[t] for t in d["types"]] == [str(v) for v in species[k][order]] and list(names.values()) == ["3", "7", "12"],
          f"frame {frame}: species named by value, in increasing order")
out = run(["info", "-sample", "a.h5", "-frame", 3], nranks, expect=1)
check("a.h5: -frame 3 is out of range" in out, "frame out of range")

# B: time-independent datasets, "type", no ids, a box vector, float32 positions
L = np.array([4.0, 5.0, 6.0])
xb = (rng.uniform(0, 1, (N, 3)) * L).astype(np.float32)
with h5py.File("b.h5", "w") as f:
    f["particles/all/position"] = xb
    f["particles/all/type"] = rng.integers(0, 2, N)
    f["particles/all/box/edges"] = L
    tb = f["particles/all/type"][()]
run(["convert", "-sample", "b.h5", "-o", "b_out.h5"], nranks)
h = read_h5md("b_out.h5")
check(np.array_equal(h["ids"], np.arange(N)), "no ids: 0..N-1")
check(np.allclose(h["cell"], np.diag(L)) and np.allclose(h["x"], xb.astype(float), atol=1e-12), "box vector, float32 positions")
check(list(h["atom_names"]) == [str(t) for t in tb], "type values as names")

# C: 2D, positions (1, N, 2), box vector (2)
x2 = rng.uniform(0, 1, (1, N, 2)) * [3.0, 8.0]
with h5py.File("c.h5", "w") as f:
    f["particles/all/position/value"] = x2
    f["particles/all/box/edges"] = [3.0, 8.0]
info = parse_info(run(["info", "-sample", "c.h5"], nranks))
check(info["dimension"] == 2 and abs(info["area"] - 24) < 1e-9 and info["types"][0][:2] == ("1", N), "2D H5MD: info")
out = run(["info", "-sample", "c.h5", "-sample_dimension", 3], nranks, expect=1)
check("c.h5: -sample_dimension 3: the file is 2D and gives no z" in out, "2D H5MD: -sample_dimension 3 is an error (was ignored)")
run(["convert", "-sample", "c.h5", "-o", "c_out.h5"], nranks)
h = read_h5md("c_out.h5")
check(h["dim"] == 2 and np.allclose(h["x"], x2[0], atol=1e-12), "2D H5MD: positions")


def error_line(args, what, *more):
    """One error line containing `what` (and each of `more`)."""
    out = run(args, nranks, expect=1)
    errors = [l for l in out.splitlines() if "vitrum: error:" in l]
    return len(errors) == 1 and what in errors[0] and all(m in out for m in more)


# D: box boundary ("periodic", "periodic", "none"), as extended XYZ pbc="T T F": a flat layer is a
# 2D sample, a thick one needs -sample_dimension 3 (a 3D sheet, periodic along c); "none" in x or y
# is refused (was read as periodic in every direction)
def sheet(path, z, boundary, edges=(4.0, 5.0, 20.0)):
    xs = np.column_stack([rng.uniform(0, 1, (N, 2)) * edges[:2], z])
    with h5py.File(path, "w") as f:
        f["particles/all/position"] = xs
        f["particles/all/box/edges"] = edges
        f["particles/all/box"].attrs["boundary"] = boundary
        f["particles/all/box"].attrs["dimension"] = 3
    return xs


open_z = [b"periodic", b"periodic", b"none"]
xd = sheet("d_flat.h5", np.full(N, 7.5), open_z)
info = parse_info(run(["info", "-sample", "d_flat.h5"], nranks))
check(info["dimension"] == 2 and abs(info["area"] - 20) < 1e-9, "boundary z none, flat: a 2D sample (area of a x b)")
run(["convert", "-sample", "d_flat.h5", "-o", "d_flat_out.h5"], nranks)
h = read_h5md("d_flat_out.h5")
check(h["dim"] == 2 and np.allclose(h["x"], xd[:, :2], atol=1e-12), "boundary z none, flat: positions x, y")
xt = sheet("d_thick.h5", rng.uniform(8, 12, N), ["periodic", "periodic", "none"])  # variable-length strings
check(error_line(["info", "-sample", "d_thick.h5"], 'd_thick.h5: 2D sample (box boundary z "none") with atoms at different z', "give -sample_dimension 3"),
      "boundary z none, atoms at several z: one error naming -sample_dimension 3")
info = parse_info(run(["info", "-sample", "d_thick.h5", "-sample_dimension", 3], nranks))
check(info["dimension"] == 3 and abs(info["volume"] - 400) < 1e-9, "boundary z none with -sample_dimension 3: a 3D sheet, periodic along c")


def boundary(path):
    with h5py.File(path, "r") as f:
        box = f["particles/all/box"].attrs
        return int(box["dimension"]), [b.decode() if isinstance(b, bytes) else b for b in box["boundary"]]


# round trips of the sheets through convert: the flat one is 2D (d = 2, periodic in x and y); the 3D
# sheet is periodic along c with vacuum, as vitrum computes it (and as a LAMMPS data file with
# vacuum is), and is written so: it reads back as the same 3D sample without -sample_dimension 3
check(boundary("d_flat_out.h5") == (2, ["periodic", "periodic"]), "boundary z none, flat -> convert: dimension 2, periodic x, y")
run(["convert", "-sample", "d_thick.h5", "-sample_dimension", 3, "-o", "d_thick_out.h5"], nranks)
h = read_h5md("d_thick_out.h5")
check(boundary("d_thick_out.h5") == (3, ["periodic"] * 3) and h["dim"] == 3 and np.array_equal(h["cell"], np.diag([4.0, 5.0, 20.0]))
      and np.array_equal(h["x"], xt), "3D sheet -> convert: periodic along c, the same box and positions (bit for bit)")
info = parse_info(run(["info", "-sample", "d_thick_out.h5"], nranks))
check(info["dimension"] == 3 and abs(info["volume"] - 400) < 1e-9, "3D sheet -> convert -> info: the same 3D sample, without -sample_dimension 3")
sheet("d_openx.h5", np.full(N, 7.5), [b"none", b"periodic", b"periodic"])
check(error_line(["info", "-sample", "d_openx.h5"], 'boundary is "none" in x or y'), "boundary x none: refused")
sheet("d_bad.h5", np.full(N, 7.5), [b"periodic", b"periodic", b"open"])
check(error_line(["info", "-sample", "d_bad.h5"], 'boundary: expected "periodic" or "none"'), "boundary neither periodic nor none: refused")

# E: box dimension 2 with 3-component positions (was read as 3D without a note)
sheet("e_dim.h5", np.full(N, 7.5), [b"periodic"] * 3)
with h5py.File("e_dim.h5", "a") as f:
    f["particles/all/box"].attrs["dimension"] = 2
check(error_line(["info", "-sample", "e_dim.h5"], "e_dim.h5: /particles/all/box attribute dimension = 2 but positions have 3 components"), "box dimension 2 with 3 components: refused")

# F: elements sampled at different steps are matched by step (H5MD 1.1): positions at steps 0, 100,
# 200, box edges and species at 0 and 200 (was: matched by frame number, -frame 1 took the box of
# step 200 and -frame 2 was "out of range"); a step an element lacks is refused
Lf = np.array([[4.0, 5.0, 6.0], [4.5, 5.5, 6.5]])
xf = rng.uniform(0, 1, (3, N, 3)) * 4.0
spf = rng.choice([1, 2], (2, N))
for path, explicit in (("f.h5", True), ("f_interval.h5", False)):
    with h5py.File(path, "w") as f:
        p = f.create_group("particles/all")
        p["position/value"], p["box/edges/value"], p["species/value"] = xf, Lf, spf
        if explicit:
            p["position/step"], p["box/edges/step"], p["species/step"] = [0, 100, 200], [0, 200], [0, 200]
        else:  # one interval per element, with an offset
            p["position/step"], p["box/edges/step"], p["species/step"] = 100, 200, 200
            for name in ("position/step", "box/edges/step", "species/step"):
                p[name].attrs["offset"] = 0
    for frame, k in ((0, 0), (2, 1), (-1, 1)):  # one convert per frame: its output holds the box and the species read
        run(["convert", "-sample", path, "-frame", frame, "-o", "f_out.h5"], nranks)
        h = read_h5md("f_out.h5")
        check(np.allclose(h["cell"], np.diag(Lf[k]), rtol=0, atol=1e-12) and abs(np.prod(np.diag(h["cell"])) - np.prod(Lf[k])) < 1e-9,
              f"{path} -frame {frame}: the box of step {200 * k}")
        check(list(h["atom_names"]) == [str(v) for v in spf[k]], f"{path} -frame {frame}: the species of step {200 * k}")
    check(error_line(["info", "-sample", path, "-frame", 1], f"{path}: /particles/all/box/edges has no step 100 (the step of position frame 1)"),
          f"{path} -frame 1: the box has no step 100: one error")
with h5py.File("f_short.h5", "w") as f:
    p = f.create_group("particles/all")
    p["position/value"], p["position/step"], p["box/edges"] = xf, [0, 1, 2], Lf[0]
    p["species/value"], p["species/step"] = spf, [0, 1]
check(error_line(["info", "-sample", "f_short.h5"], "f_short.h5: /particles/all/species has no step 2 (the step of position frame 2)"),
      "time-dependent species with fewer frames than the positions: one error naming the step (was: its last frame)")

# G: species values 0, 1 from another tool (no type names): -potential_elements names them, as it
# names a data file's numbered types, so masses come from the elements in metal units (was: "no
# mass for atom type 1 (named 0) ... name the element of each type with -potential_elements" although
# the option was given)
with h5py.File("g.h5", "w") as f:
    f["particles/all/position"] = rng.uniform(0, 1, (N, 3)) * 6.0
    f["particles/all/species"] = rng.integers(0, 2, N)
    f["particles/all/box/edges"] = [6.0, 6.0, 6.0]
    gs = f["particles/all/species"][()]
check(error_line(["convert", "-sample", "g.h5", "-units", "metal", "-o", "g_none.data"], "no mass for atom type 1 (named 0) in metal units"),
      "species 0, 1 without -potential_elements in metal units: no mass")
run(["convert", "-sample", "g.h5", "-units", "metal", "-potential_elements", "Cu,Zr", "-o", "g_out.data"], nranks)
d = read_data("g_out.data")
check([d["names"][t] for t in d["types"]] == [["Cu", "Zr"][v] for v in gs[np.argsort(np.arange(N))]], "species 0, 1 named Cu, Zr by -potential_elements, in value order")
check(np.allclose([d["masses"][1], d["masses"][2]], [63.546, 91.224], atol=1e-3), f"species 0, 1: masses of Cu and Zr ({d['masses']})")
