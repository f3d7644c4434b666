"""Files written by LAMMPS itself (the `lmp` binary): a triclinic 3D box and a 2D box, as a data
file and as dumps with x y z and xs ys zs. vitrum must read the same atoms and box from each,
and LAMMPS must read back the data files vitrum writes."""
import subprocess
import sys

import numpy as np

from vitio import check, h5md_frac, parse_info, periodic_close, read_data, read_h5md, run

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 2
DUMPS = """write_dump all custom {p}.dump id type x y z modify format float %.17g
write_dump all custom {p}_s.dump type xs ys zs id modify format float %.17g
"""


def lammps(script):
    open("in.lmp", "w").write(script)
    subprocess.run(["lmp", "-in", "in.lmp", "-log", "none", "-screen", "none"], check=True)


lammps("""units lj
atom_style atomic
region box prism -1 4 0.5 4.5 0 6 1.2 -0.8 0.5
create_box 3 box
create_atoms 1 random 30 12345 box
create_atoms 2 random 20 54321 box
create_atoms 3 random 10 999 box
mass * 1.0
write_data tri.data
""" + DUMPS.format(p="tri") + """
clear
dimension 2
units lj
atom_style atomic
region box block 0 5 0 4 -0.5 0.5
create_box 2 box
create_atoms 1 random 25 123 box
create_atoms 2 random 15 321 box
mass * 1.0
write_data flat.data
""" + DUMPS.format(p="flat"))

for p, dim in (("tri", 3), ("flat", 2)):
    files = [p + ".data", p + ".dump", p + "_s.dump"]
    outs = []
    for f in files:
        run(["convert", "-sample", f, "-o", f + ".h5"], nranks)
        outs.append(read_h5md(f + ".h5"))
    ref = read_data(p + ".data")  # LAMMPS's own numbers
    cell = ref["cell"][:dim, :dim]
    for f, h in zip(files, outs):
        check(h["dim"] == dim, f"{f}: dimension {dim}")
        check(np.allclose(h["cell"], cell, atol=1e-12) and np.allclose(h["lo"], ref["lo"][:dim], atol=1e-12), f"{f}: box as in LAMMPS's data file")
        check(np.array_equal(h["ids"], np.sort(ref["ids"])), f"{f}: ids")
        check(periodic_close(h5md_frac(h), h5md_frac(outs[0]), 1e-12), f"{f}: same positions as the data file")
        check(np.array_equal(h["types"], outs[0]["types"]), f"{f}: same types")
    info = parse_info(run(["info", "-sample", p + ".data"], nranks))
    area = np.linalg.det(cell)
    check(info["dimension"] == dim and abs(info["volume" if dim == 3 else "area"] / area - 1) < 1e-8, f"{p}: info dimension and {'volume' if dim == 3 else 'area'}")

    # LAMMPS reads what vitrum writes, and writes back the same atoms
    run(["convert", "-sample", p + ".dump.h5", "-o", p + "_vit.data"], nranks)
    lammps(("dimension 2\n" if dim == 2 else "") + f"units lj\natom_style atomic\nread_data {p}_vit.data\nmass * 1.0\nwrite_data {p}_back.data\n")
    back = read_data(p + "_back.data")
    order = np.argsort(back["ids"])
    check(np.allclose(back["cell"], ref["cell"], atol=1e-12) and np.array_equal(back["types"][order], ref["types"][np.argsort(ref["ids"])]),
          f"{p}: LAMMPS reads vitrum's data file: box and types")
    sref = np.linalg.solve(ref["cell"].T, (ref["x"][np.argsort(ref["ids"])] - ref["lo"]).T).T
    sback = np.linalg.solve(back["cell"].T, (back["x"][order] - back["lo"]).T).T
    check(periodic_close(sref[:, :dim], sback[:, :dim], 1e-12), f"{p}: LAMMPS reads vitrum's data file: positions")

# Other atom styles (an oxide glass is often kept as atom_style charge or full): vitrum reads id, type
# and position from their Atoms columns (charges and molecule ids are not used) and gets the atoms
# the dump of the same configuration gives.
for style, extra in (("charge", "set type 1 charge 1.2\nset type 2 charge -0.6\n"), ("full", "set type 1 charge 1.2\nset type 2 charge -0.6\nset atom * mol 7\n")):
    lammps(f"""units metal
atom_style {style}
region box block 0 7 0 6 0 5
create_box 2 box
create_atoms 1 random 20 4242 box
create_atoms 2 random 40 2424 box
mass 1 28.0855
mass 2 15.999
{extra}write_data {style}.data
""" + DUMPS.format(p=style))
    h = {}
    for f in (style + ".data", style + ".dump"):
        run(["convert", "-sample", f, "-o", f + ".h5"], nranks)
        h[f] = read_h5md(f + ".h5")
    a, b = h[style + ".data"], h[style + ".dump"]
    check(f"Atoms # {style}" in open(style + ".data").read() and np.array_equal(a["ids"], b["ids"]) and np.array_equal(a["types"], b["types"])
          and periodic_close(h5md_frac(a), h5md_frac(b), 1e-12) and np.allclose(a["cell"], b["cell"], atol=1e-12),
          f"atom_style {style}: the data file gives the dump's ids, types, positions and box")
