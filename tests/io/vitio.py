"""Helpers of the io tests: write small sample files, run vitrum, read its outputs back.

Everything here is independent of vitrum's C code: expected values come from numpy."""
import os
import shlex
import subprocess
import sys

import h5py
import numpy as np

VITRUM = os.environ.get("VITRUM", "vitrum")
MPIRUN = shlex.split(os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe"))


def run(args, np_=1, expect=0):
    """Run vitrum under mpirun; check the exit status; return stdout + stderr."""
    cmd = MPIRUN + ["-n", str(np_), VITRUM] + [str(a) for a in args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    out = p.stdout + p.stderr
    if expect is not None and p.returncode != expect:
        sys.exit(f"FAIL: {' '.join(cmd)}: exit {p.returncode}, expected {expect}\n{out}")
    return out


def check(cond, what):
    if not cond:
        sys.exit("FAIL: " + what)
    print("ok:", what)


def lammps_cell(lo, hi, tilt=(0.0, 0.0, 0.0)):
    """Cell rows a, b, c of a LAMMPS box."""
    lx, ly, lz = np.subtract(hi, lo)
    xy, xz, yz = tilt
    return np.array([[lx, 0, 0], [xy, ly, 0], [xz, yz, lz]], float)


def wrap(s):
    s = np.asarray(s, float) % 1.0
    s[s >= 1.0] = 0.0
    return s


def frac(x, lo, cell):
    """Fractional coordinates of Cartesian rows x (x = lo + s cell), wrapped into [0,1)."""
    return wrap(np.linalg.solve(np.asarray(cell).T, (np.asarray(x) - lo).T).T)


def periodic_close(s1, s2, tol=1e-9):
    d = np.asarray(s1) - np.asarray(s2)
    d -= np.round(d)
    return np.abs(d).max() < tol


def jittered_cubic(n_side, a, rng, jitter=0.1):
    """n_side^3 atoms on a simple cubic lattice of spacing a in the box [0, n_side a)^3, each moved by
    up to +-jitter in every direction (no overlaps for jitter well below a / 2)."""
    grid = np.array([(i, j, k) for i in range(n_side) for j in range(n_side) for k in range(n_side)], float)
    return (grid + 0.5) * a + rng.uniform(-jitter, jitter, size=grid.shape)


def write_data(path, ids, types, x, lo, hi, tilt=None, masses=None, names=None, images=None,
               style_comment=" # atomic", labels=None, ntypes=None):
    """LAMMPS data file; types are 1-based ints (or label strings)."""
    ntypes = ntypes or (len(masses) if masses is not None else int(max(int(t) for t in types)) if labels is None else len(labels))
    with open(path, "w") as f:
        f.write("test sample written by tests/io\n\n")
        f.write(f"{len(ids)} atoms\n{ntypes} atom types\n\n")
        for d, ax in enumerate("xyz"):
            f.write(f"{lo[d]!r} {hi[d]!r} {ax}lo {ax}hi\n")
        if tilt is not None:
            f.write(f"{tilt[0]!r} {tilt[1]!r} {tilt[2]!r} xy xz yz\n")
        if labels is not None:
            f.write("\nAtom Type Labels\n\n")
            for t, name in enumerate(labels):
                f.write(f"{t + 1} {name}\n")
        if masses is not None:
            f.write("\nMasses\n\n")
            for t, m in enumerate(masses):
                f.write(f"{t + 1} {m!r}" + (f" # {names[t]}" if names else "") + "\n")
        f.write(f"\nAtoms{style_comment}\n\n")
        for i in range(len(ids)):
            line = f"{ids[i]} {types[i]} {x[i][0]!r} {x[i][1]!r} {x[i][2]!r}"
            if images is not None:
                line += " %d %d %d" % tuple(images[i])
            f.write(line + "\n")


def read_data(path):
    """Minimal independent LAMMPS data reader (atomic style) for checking vitrum's writer."""
    lines = open(path).read().splitlines()
    box = {"lo": np.zeros(3), "hi": np.zeros(3), "tilt": np.zeros(3)}
    out = {"masses": {}, "names": {}}
    i = 1
    atoms = []
    while i < len(lines):
        line = lines[i].split("#")[0].split()
        if len(line) >= 2 and line[1] == "atoms":
            out["natoms"] = int(line[0])
        elif len(line) == 4 and line[2][1:] == "lo":
            d = "xyz".index(line[2][0])
            box["lo"][d], box["hi"][d] = float(line[0]), float(line[1])
        elif len(line) == 6 and line[3] == "xy":
            box["tilt"][:] = [float(v) for v in line[:3]]
        elif line and line[0] == "Masses":
            i += 2
            while i < len(lines) and lines[i].strip():
                m, _, name = lines[i].partition("#")
                t, mass = m.split()
                out["masses"][int(t)] = float(mass)
                out["names"][int(t)] = name.strip()
                i += 1
        elif line and line[0] == "Atoms":
            i += 2
            while i < len(lines) and lines[i].strip():
                atoms.append(lines[i].split())
                i += 1
        i += 1
    out["ids"] = np.array([int(a[0]) for a in atoms])
    out["types"] = np.array([int(a[1]) for a in atoms])
    out["x"] = np.array([[float(v) for v in a[2:5]] for a in atoms])
    out["lo"] = box["lo"]
    out["cell"] = lammps_cell(box["lo"], box["hi"], box["tilt"])
    return out


def read_h5md(path):
    """vitrum's H5MD output: ids, type names per atom, positions, box."""
    with h5py.File(path, "r") as f:
        p = f["particles/all"]
        pos = p["position/value"][0]
        dim = pos.shape[1]
        edges = p["box/edges"][()]
        cell = np.diag(edges) if edges.ndim == 1 else edges
        names = [n.decode() if isinstance(n, bytes) else n for n in f["parameters/vitrum/type_names"][()]]
        species = p["species/value"][0]
        return {
            "dim": dim,
            "x": pos,
            "ids": p["id/value"][0],
            "types": species,
            "names": names,
            "atom_names": np.array([names[t] for t in species]),
            "cell": cell,
            "lo": f["parameters/vitrum/box_lo"][()][:dim],
            "masses": f["parameters/vitrum/type_mass"][()] if "parameters/vitrum/type_mass" in f else None,  # none known: none written
            "units": p["position/value"].attrs["units"],
        }


def h5md_frac(h):
    return frac(h["x"], h["lo"], h["cell"])


def parse_info(text):
    """The key: value lines of `vitrum info` (a type's mass None where it shows none)."""
    info = {"types": []}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key.startswith("type "):
            name, count, fraction, mass, pdens = value.split()
            info["types"].append((name, int(count), float(fraction), None if mass == "none" else float(mass), float(pdens)))
        elif key in ("atoms", "dimension"):
            info[key] = int(value.split()[0])
        elif key in ("volume", "area", "density"):
            info[key] = float(value)
        elif key == "widths":
            info[key] = np.array([float(v) for v in value.split()])
        elif key.startswith("cell "):
            info[key] = np.array([float(v) for v in value.split()])
    return info
