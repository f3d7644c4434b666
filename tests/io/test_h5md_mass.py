"""H5MD per-atom masses (/particles/all/mass, H5MD 1.1), files written with h5py, on 1, 2 or 3 ranks
(every rank reads a block of atoms): per-atom masses give the same species masses and the same
vibrational frequencies as the LAMMPS data file with those Masses (before, the element was ignored:
no masses, so 1 in lj units); one mass for all atoms (a scalar); a time-dependent mass element
matched to the position frame by step; one error line, once, for two masses in one species, for a
conflict with /parameters/vitrum/type_mass, and for a mass that is not positive and finite; convert
writes the masses per atom too, and a data file from an H5MD file with per-atom masses has them."""
import os
import sys

import h5py
import numpy as np

from vitio import check, parse_info, read_data, run, write_data

nranks = int(sys.argv[1]) if len(sys.argv) > 1 else 1
MASSES = [1.7, 3.1]  # far from lj's default 1

# a 2D Kob-Andersen glass (64 atoms), rewritten with the masses above
glass = read_data(os.path.join(os.environ["SRC"], "tests", "spectrum", "data", "ka2d_64.data"))
ids, types, x = glass["ids"], glass["types"], glass["x"]
N = len(ids)
L = glass["cell"][0][0]
write_data("glass.data", ids, types, x, [0, 0, -0.5], [L, L, 0.5], masses=MASSES)
atom_mass = np.array([MASSES[t - 1] for t in types])


def h5md(path, mass=None, type_mass=None, frames=1):
    """The glass as H5MD: species values 1, 2 (named "1", "2" as the data file's types), file ids,
    mass as given (an array per atom, a scalar, or a dict of time-dependent datasets)."""
    with h5py.File(path, "w") as f:
        p = f.create_group("particles/all")
        p["position/value"] = np.tile(x[:, :2], (frames, 1, 1))
        p["position/step"] = np.arange(frames) * 10
        p["species"], p["id"], p["box/edges"] = types, ids, [L, L]
        p["box"].attrs["dimension"] = 2
        if isinstance(mass, dict):
            for name, value in mass.items():
                p["mass/" + name] = value
        elif mass is not None:
            p["mass"] = mass
        if type_mass is not None:
            f["parameters/vitrum/type_mass"] = type_mass


def info_masses(path, *extra):
    """The species' masses `vitrum info` shows (NaN for none)."""
    info = parse_info(run(["info", "-sample", path] + list(extra), nranks))
    return [np.nan if t[3] is None else t[3] for t in info["types"]], info


def eigenvalues(path):
    out = path + ".spectrum.h5"
    run(["spectrum", "-sample", path, "-potential", "ka2d", "-spectrum_nev", 10, "-kpm_moments", 16, "-kpm_vectors", 2, "-o", out], nranks)
    with h5py.File(out, "r") as f:
        return f["spectrum/modes/eigenvalues"][()], f["spectrum/moments"][()]


def error_line(args, *what):
    """Exactly one error line, containing every string of `what`."""
    out = run(args, nranks, expect=1)
    errors = [line for line in out.splitlines() if "vitrum: error:" in line]
    ok = len(errors) == 1 and all(w in errors[0] for w in what)
    if not ok:
        print(out)
    return ok


# A: per-atom masses = the data file's Masses: the same masses, eigenvalues and moments (before: the
# element was ignored, the sample had no masses and lj units gave 1)
h5md("a.h5", atom_mass)
masses, info = info_masses("a.h5")
check(np.allclose(masses, MASSES, rtol=1e-12, atol=0) and info["atoms"] == N, f"per-atom masses: species masses {masses} = {MASSES}")
ref_ev, ref_mom = eigenvalues("glass.data")
ev, mom = eigenvalues("a.h5")
check(np.allclose(ev, ref_ev, rtol=1e-10, atol=0) and np.allclose(mom, ref_mom, rtol=1e-10, atol=0),
      f"per-atom masses: the data file's eigenvalues ({ev[0]:.10g} .. {ev[-1]:.10g}) and moments")
h5md("a_typemass.h5", atom_mass, type_mass=np.array(MASSES) * (1 + 1e-14))
masses, _ = info_masses("a_typemass.h5")
check(np.allclose(masses, MASSES, rtol=1e-12, atol=0), "per-atom masses and type_mass equal to round-off: accepted")

# B: one mass for all atoms (a scalar dataset); a time-dependent element matched by step
h5md("b.h5", 2.5)
masses, _ = info_masses("b.h5")
check(masses == [2.5, 2.5], f"scalar mass: every species 2.5 ({masses})")
h5md("b_frames.h5", {"value": [atom_mass, 2 * atom_mass], "step": [0, 10]}, frames=2)
for frame, scale in ((0, 1), (1, 2), (-1, 2)):
    masses, _ = info_masses("b_frames.h5", "-frame", frame)
    check(np.allclose(masses, np.array(MASSES) * scale, rtol=1e-12, atol=0), f"time-dependent mass, -frame {frame}: {masses}")
h5md("b_scalar_frames.h5", {"value": [4.0, 5.0], "step": [0, 10]}, frames=2)
masses, _ = info_masses("b_scalar_frames.h5", "-frame", 1)
check(masses == [5.0, 5.0], f"time-dependent scalar mass, -frame 1: {masses}")

# C: two masses in one species: the last atom of type 2 (on the last rank) differs from the first
# (on rank 0): one error naming the file, the dataset, both atoms and both masses
t2 = np.flatnonzero(types == 2)
mixed = atom_mass.copy()
mixed[t2[-1]] = 3.3
h5md("c_mixed.h5", mixed)
check(error_line(["info", "-sample", "c_mixed.h5"], "c_mixed.h5: /particles/all/mass:", f"atom id {ids[t2[-1]]} has mass 3.3",
                 f"atom id {ids[t2[0]]} of the same species 2 has 3.1"), "two masses in one species: one error line")

# D: per-atom masses that contradict /parameters/vitrum/type_mass (beyond round-off)
h5md("d_conflict.h5", atom_mass, type_mass=[1.7, 3.2])
check(error_line(["info", "-sample", "d_conflict.h5"], "d_conflict.h5: /particles/all/mass gives species 2 mass 3.1",
                 "/parameters/vitrum/type_mass gives it 3.2"), "per-atom masses against type_mass: one error line naming both")

# E: masses that are not positive and finite
for value, text in ((-1.0, "-1"), (np.nan, "nan"), (0.0, "0")):
    bad = atom_mass.copy()
    bad[N - 2] = value
    h5md("e_bad.h5", bad)
    check(error_line(["info", "-sample", "e_bad.h5"], f"e_bad.h5: /particles/all/mass: the mass of atom id {ids[N - 2]} (row {N - 2}) is {text}:",
                     "a mass is a positive number"), f"per-atom mass {value}: one error line naming the atom")
h5md("e_scalar.h5", -2.0)
check(error_line(["info", "-sample", "e_scalar.h5"], "e_scalar.h5: /particles/all/mass (the mass of every atom) is -2"), "scalar mass -2: one error line")
h5md("e_shape.h5", atom_mass[:-1])
check(error_line(["info", "-sample", "e_shape.h5"], f"e_shape.h5: /particles/all/mass has shape ({N - 1}): expected one mass per atom ({N})"),
      "one mass too few: one error line")

# F: convert writes masses per atom (H5MD 1.1 mass/value, in file-id order) and per type; H5MD ->
# data keeps the per-atom masses as Masses
run(["convert", "-sample", "glass.data", "-o", "f.h5"], nranks)
order = np.argsort(ids)
with h5py.File("f.h5", "r") as f:
    written = f["particles/all/mass/value"][()]
    check(written.shape == (1, N) and np.array_equal(written[0], atom_mass[order]) and f["particles/all/mass/value"].attrs["units"] in ("mass", b"mass"),
          "convert -o .h5: /particles/all/mass/value per atom, in id order")
    check(np.array_equal(f["parameters/vitrum/type_mass"][()], MASSES), "convert -o .h5: type_mass as before")
masses, _ = info_masses("f.h5")
check(np.array_equal(masses, MASSES), "convert -o .h5: read back with both mass datasets")
run(["convert", "-sample", "a.h5", "-o", "a.data"], nranks)
d = read_data("a.data")
check(np.array_equal([d["masses"][1], d["masses"][2]], MASSES), f"H5MD with per-atom masses -> data: Masses {d['masses']}")
