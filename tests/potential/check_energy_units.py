"""vitrum energy's summary states the unit of every number: total and per atom in the style's energy,
max force in its force, the virial in its energy, and the pressure in energy/length^d (the unit of
/energy/pressure) and, for a 3D sample in metal or real units, also in the unit LAMMPS prints,
bar or atm (LAMMPS's nktv2p: 1.6021765e6 bar and 68568.415 atm per eV/A^3 and kcal/mol/A^3); a 2D
lj sample in epsilon/sigma^2 only. The numbers are those of the .energy.h5 file."""
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests"))
import vitrum_testlib as vt  # noqa: E402

VITRUM, MPIRUN = os.environ["VITRUM"], os.environ["MPIRUN"].split()
rng = np.random.default_rng(1)
a = 2.6
grid = np.array([[i, j, k] for i in range(4) for j in range(4) for k in range(4)], float) * a
vt.write_lammps_data("cube.data", np.diag([4 * a] * 3), (0, 0, 0), np.arange(64) % 2 + 1, grid + 0.1 * rng.standard_normal(grid.shape), masses=[63.546, 91.224])
sheet = np.array([[i, j, 0] for i in range(6) for j in range(6)], float) * 1.1 + [0.03, 0.03, 0] * rng.standard_normal((36, 3))
vt.write_lammps_data("sheet.data", np.diag([6.6, 6.6, 1.0]), (0, 0, 0), np.arange(36) % 2 + 1, sheet, dim=2)
lj = ["-potential", "lj", "-lj_epsilon", "0.1", "-lj_sigma", "2.3", "-lj_cutoff", "5"]
cases = (("metal", "cube.data", lj + ["-units", "metal"], ("eV", "eV/A", "eV/A^3"), ("bar", 1.6021765e6)),
         ("real", "cube.data", lj + ["-units", "real"], ("kcal/mol", "kcal/mol/A", "kcal/mol/A^3"), ("atm", 68568.415)),
         ("lj", "sheet.data", ["-potential", "ka2d", "-sample_dimension", "2"], ("epsilon", "epsilon/sigma", "epsilon/sigma^2"), None))
NUM = r"(-?[0-9.]+e[-+][0-9]+)"
for style, sample, options, (energy, force, pressure), lammps in cases:
    out = subprocess.run(MPIRUN + ["-n", "2", VITRUM, "energy", "-sample", sample, "-o", style + ".h5"] + options,
                         capture_output=True, text=True, check=True).stdout
    print(out)
    with h5py.File(style + ".h5", "r") as f:
        total, p = f["/energy/total"][()], f["/energy/pressure"][()]
        assert f["/energy/pressure"].attrs["units"] in (pressure, pressure.encode()), f["/energy/pressure"].attrs["units"]
    m = re.search(r"total %s %s  per atom %s %s\n" % (NUM, re.escape(energy), NUM, re.escape(energy)), out)
    assert m and float(m.group(1)) == total, out
    m = re.search(r"max force %s %s  pressure %s %s" % (NUM, re.escape(force), NUM, re.escape(pressure)), out)
    assert m and abs(float(m.group(2)) - p) <= 1e-10 * abs(p), out
    rest = out[m.end():].split("\n")[0]
    if lammps:
        m = re.fullmatch(r" = %s %s \(LAMMPS %s units\)" % (NUM, lammps[0], style), rest)
        assert m and abs(float(m.group(1)) - p * lammps[1]) <= 1e-9 * abs(p * lammps[1]), rest
    else:
        assert rest == "", rest
    assert "virial (xx yy zz xy xz yz, %s)" % energy in out, out
print("energy: units on every number; metal bar, real atm as LAMMPS prints them")
