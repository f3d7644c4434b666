"""LAMMPS dump reader: frames with columns in any order, wrapped / unwrapped / scaled
coordinates, triclinic bounds (which include the tilt extents), element names, -frame, a mass column, gzip-compressed files."""
import sys

import numpy as np

from vitio import check, frac, h5md_frac, lammps_cell, parse_info, periodic_close, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
rng = np.random.default_rng(11)
N = 40
ids = rng.permutation(np.arange(1, N + 1)) * 2
types = rng.integers(1, 4, size=N)
elements = np.array(["Zr", "Cu", "Al"])[types - 1]  # type 1 = Zr: not alphabetical


def bounds_lines(lo, hi, tilt):
    """ITEM: BOX BOUNDS body as LAMMPS writes it (bounds include the tilt extents)."""
    if tilt is None:
        return "ITEM: BOX BOUNDS pp pp pp\n" + "".join(f"{lo[d]!r} {hi[d]!r}\n" for d in range(3))
    xy, xz, yz = tilt
    xlo_b = lo[0] + min(0.0, xy, xz, xy + xz)
    xhi_b = hi[0] + max(0.0, xy, xz, xy + xz)
    ylo_b, yhi_b = lo[1] + min(0.0, yz), hi[1] + max(0.0, yz)
    return (f"ITEM: BOX BOUNDS xy xz yz pp pp pp\n{xlo_b!r} {xhi_b!r} {xy!r}\n{ylo_b!r} {yhi_b!r} {xz!r}\n"
            f"{lo[2]!r} {hi[2]!r} {yz!r}\n")


frames = []  # (lo, cell, x) of each frame: the truth
text = ""
styles = [(None, ["id", "type", "x", "y", "z"]),
          ((0.8, -0.5, 0.3), ["type", "z", "y", "x", "id"]),
          ((-0.6, 0.4, -0.2), ["id", "element", "xs", "ys", "zs", "vx"]),
          ((0.5, 0.5, 0.5), ["id", "type", "xu", "yu", "zu", "element"])]
for step, (tilt, cols) in enumerate(styles):
    lo = rng.uniform(-2, 0, 3)
    hi = lo + rng.uniform(4, 6, 3)
    cell = lammps_cell(lo, hi, tilt or (0, 0, 0))
    s = rng.uniform(0, 1, (N, 3)) if cols[2] != "xu" else rng.uniform(-1.5, 2.5, (N, 3))
    x = lo + s @ cell
    frames.append((lo, cell, x))
    values = {"id": ids, "type": types, "element": elements, "vx": rng.normal(size=N)}
    for d, ax in enumerate("xyz"):
        values[ax] = values[ax + "u"] = x[:, d]
        values[ax + "s"] = s[:, d]
    text += f"ITEM: TIMESTEP\n{100 * step}\nITEM: NUMBER OF ATOMS\n{N}\n" + bounds_lines(lo, hi - 0, tilt)
    text += "ITEM: ATOMS " + " ".join(cols) + "\n"
    text += "".join(" ".join(repr(values[c][i]) if c != "element" else values[c][i] for c in cols) + "\n" for i in range(N))
open("multi.lammpstrj", "w").write(text)

order = np.argsort(ids)
for frame, k in [(0, 0), (1, 1), (2, 2), (3, 3), (-1, 3), (None, 3)]:
    args = ["convert", "-sample", "multi.lammpstrj", "-o", "f.h5"] + ([] if frame is None else ["-frame", frame])
    run(args, nranks)
    h = read_h5md("f.h5")
    lo, cell, x = frames[k]
    check(np.array_equal(h["ids"], ids[order]), f"frame {frame}: ids")
    check(np.allclose(h["cell"], cell, atol=1e-12) and np.allclose(h["lo"], lo, atol=1e-12), f"frame {frame}: box from bounds {styles[k][1]}")
    check(periodic_close(h5md_frac(h), frac(x[order], lo, cell), 1e-10), f"frame {frame}: positions ({' '.join(styles[k][1])})")
    if "element" in styles[k][1] and "type" in styles[k][1]:
        check(list(h["atom_names"]) == list(elements[order]), f"frame {frame}: element names with types")
    elif "element" in styles[k][1]:
        check(h["names"] == ["Al", "Cu", "Zr"] and list(h["atom_names"]) == list(elements[order]), f"frame {frame}: species from elements, alphabetical")
    else:
        check(list(h["atom_names"]) == [str(t) for t in types[order]], f"frame {frame}: type numbers as names")
out = run(["info", "-sample", "multi.lammpstrj", "-frame", 4], nranks, expect=1)
check("multi.lammpstrj: -frame 4 is out of range" in out, "frame out of range")

# A `mass` column (dump custom ... mass) gives each type its mass (written to H5MD by type);
# a second mass for one type is an error at its line.
mass_of = {1: 91.224, 2: 63.546, 3: 26.9815385}
lo, cell, x = frames[0]
head = f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{N}\n" + bounds_lines(lo, lo + np.diag(cell), None) + "ITEM: ATOMS id type mass x y z\n"
rows = [[ids[i], types[i], mass_of[types[i]], *x[i]] for i in range(N)]
open("mass.lammpstrj", "w").write(head + "".join("%d %d %r %r %r %r\n" % tuple(r) for r in rows))
run(["convert", "-sample", "mass.lammpstrj", "-o", "mass.h5"], nranks)
check(np.array_equal(read_h5md("mass.h5")["masses"], [mass_of[1], mass_of[2], mass_of[3]]), "mass column: one mass per type")
check(read_h5md("f.h5")["masses"] is None, "no mass column: no masses written")
info = run(["info", "-sample", "multi.lammpstrj", "-frame", 0], nranks)
check([t[3] for t in parse_info(info)["types"]] == [None] * 3 and "masses:      none in the file" in info,
      "no mass column: info shows mass none for every type (was 1, a mass no run uses)")
check(parse_info(run(["info", "-sample", "mass.lammpstrj"], nranks))["types"][2][3] == mass_of[3], "mass column: info shows the masses")
k = next(i for i in range(1, N) if types[i] == types[0])
rows[k][2] += 0.5
open("mixed.lammpstrj", "w").write(head + "".join("%d %d %r %r %r %r\n" % tuple(r) for r in rows))
out = run(["convert", "-sample", "mixed.lammpstrj", "-o", "mixed.h5"], nranks, expect=1)
errors = [l for l in out.splitlines() if l.startswith("vitrum: error:")]
check(len(errors) == 1 and "mixed.lammpstrj:%d: mass %r of type %d differs from its mass %.15g on line 10" % (10 + k, rows[k][2], types[0], mass_of[types[0]]) in errors[0],
      "two masses for one type: one error line at the atom's line (%s)" % errors)

# gzip-compressed (LAMMPS dump custom/gz): the same frames as the plain file, -frame seeking back
# into the compressed stream; a truncated .gz is one error line
import gzip  # noqa: E402
import shutil  # noqa: E402
with open("multi.lammpstrj", "rb") as src, gzip.open("multi.lammpstrj.gz", "wb") as dst:
    shutil.copyfileobj(src, dst)
for frame in (0, 2, -1):
    run(["convert", "-sample", "multi.lammpstrj", "-o", "plain.h5", "-frame", frame], nranks)
    run(["convert", "-sample", "multi.lammpstrj.gz", "-o", "gz.h5", "-frame", frame], nranks)
    a, b = read_h5md("plain.h5"), read_h5md("gz.h5")
    check(all(np.array_equal(a[k], b[k]) for k in ("ids", "cell", "lo", "x")) and list(a["atom_names"]) == list(b["atom_names"]), f"gzip dump, frame {frame}: the plain file's sample")
open("cut.lammpstrj.gz", "wb").write(open("multi.lammpstrj.gz", "rb").read()[:3000])
out = run(["info", "-sample", "cut.lammpstrj.gz"], nranks, expect=1)
errors = [l for l in out.splitlines() if l.startswith("vitrum: error:")]
check(len(errors) == 1 and errors[0].startswith("vitrum: error: cut.lammpstrj.gz:") and "truncated" in errors[0], "truncated gzip dump: one error line (%s)" % errors)

# Several coordinate styles in one frame, as LAMMPS writes them (dump custom ... x y z xs ys zs xu yu
# zu ix iy iz): the column is chosen per axis as LAMMPS's read_dump does (reader_native.cpp): the
# plain x when present, else the leftmost of xs, xu, xsu. The sample read equals the one read from
# the chosen column alone (bit for bit) and, to rounding, those of the other columns (the same
# atoms). Before, any two styles were refused ("two columns for the x coordinate").
lo, hi, tilt = np.array([-0.8, 0.0, 0.0]), np.array([8.2, 7.0, 6.0]), (1.2, -0.8, 0.5)
cell = lammps_cell(lo, hi, tilt)
s = rng.uniform(0, 1, (N, 3))
image = rng.integers(-2, 3, (N, 3))
x = lo + s @ cell
values = {"id": ids, "type": types, "ix": image[:, 0], "iy": image[:, 1], "iz": image[:, 2]}
for d, ax in enumerate("xyz"):
    values[ax], values[ax + "s"] = x[:, d], s[:, d]
    values[ax + "u"], values[ax + "su"] = (x + image @ cell)[:, d], (s + image)[:, d]


def style_dump(path, coords):
    cols = ["id", "type"] + [ax + st for st in coords for ax in "xyz"] + ["ix", "iy", "iz"]
    rows = "".join(" ".join(repr(values[c][i]) for c in cols) + "\n" for i in range(N))
    open(path, "w").write(f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{N}\n" + bounds_lines(lo, hi, tilt) + "ITEM: ATOMS " + " ".join(cols) + "\n" + rows)
    run(["convert", "-sample", path, "-o", path + ".h5"], nranks)
    return read_h5md(path + ".h5")


alone = {st: style_dump(f"only_{st or 'x'}.dump", [st]) for st in ("", "s", "u", "su")}
for st in ("s", "u", "su"):
    check(periodic_close(h5md_frac(alone[st]), h5md_frac(alone[""]), 1e-12), f"x{st} alone: the atoms of x alone")
for coords, chosen in [(["", "s", "u"], ""), (["u", ""], ""), (["s", "u"], "s"), (["u", "s"], "u"), (["su", "u", "s"], "su")]:
    h, want = style_dump("styles.dump", coords), alone[chosen]
    name = " ".join("x" + st for st in coords)
    check(all(np.array_equal(h[k], want[k]) for k in ("ids", "types", "cell", "lo", "x")), f"columns {name}: the sample of x{chosen} alone, bit for bit")
for cols, want in [("x y z x", "two 'x' columns (3 and 6)"), ("xs yu zu xu ys zs", "mixed scaled and unscaled coordinates (xs for x, yu for y")]:
    open("bad_styles.dump", "w").write(f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\n" + bounds_lines(lo, hi, None) + f"ITEM: ATOMS id type {cols}\n1 1" + " 0.5" * len(cols.split()) + "\n")
    for n in (1, 2):
        out = run(["info", "-sample", "bad_styles.dump"], n, expect=1)
        errors = [l for l in out.splitlines() if l.startswith("vitrum: error:")]
        check(len(errors) == 1 and errors[0].startswith("vitrum: error: bad_styles.dump:9: " + want), f"columns {cols} on {n} ranks: one error line ({errors})")
