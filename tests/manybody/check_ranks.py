"""manybody_rank_sums: the total energy, the virial and the pressure of `vitrum energy` are bitwise
the same on 1, 2 and 4 ranks for every potential style (each is an exact fixed-point sum of
per-atom terms), and the total equals the correctly rounded sum of the per-atom energies (math.fsum)
to 1e-15 relative. Per-atom energies and forces are bitwise the same too."""
import math
import os
import sys
import h5py
import numpy as np
import mbtools as mb

mb.make_sample("fcc.data", "fcc", 1.55, 4, ["Cu", "Zr"], [0.8, 0.2], 0.08, 5)
mb.make_sample("cuzr.data", "fcc", 3.9, 4, ["Cu", "Zr"], [0.64, 0.36], 0.12, 5)
mb.make_sample("cuni.data", "fcc", 3.57, 4, ["Cu", "Ni"], [0.5, 0.5], 0.1, 5)
mb.make_sample("sic.data", "diamond", 4.36, 3, ["Si", "C"], [0.5, 0.5], 0.12, 5)
mb.make_sample("si.data", "diamond", 5.431, 3, ["Si"], [1.0], 0.15, 5)
cases = [  # sample, -potential, file, elements
    ("fcc.data", "lj/cut", None, None),
    ("fcc.data", "ka3d", None, None),
    ("cuzr.data", "eam/fs", "CuZr_mm.eam.fs", "Cu,Zr"),
    ("cuzr.data", "eam/alloy", "ZrCuAl2011.eam.alloy", "Cu,Zr"),
    ("cuni.data", "eam", "Cu_u3.eam,Ni_u3.eam", "Cu,Ni"),
    ("sic.data", "tersoff", "SiC.tersoff", "Si,C"),
    ("si.data", "sw", "Si.sw", "Si"),
    ("si.data", "tersoff/mod", "Si.tersoff.mod", "Si"),
]
failed = False
for sample, potential, potfile, elements in cases:
    results = []
    for nranks in (1, 2, 4):
        out = "ranks%d.h5" % nranks
        opts = [] if potfile is None else mb.potential_options(potential, potfile, elements.split(","))
        mb.run(mb.mpirun(nranks) + [os.environ["VITRUM"], "energy", "-sample", sample, "-potential", potential] + opts + ["-o", out])
        with h5py.File(out, "r") as h5:
            results.append({k: h5[k][...] for k in ("/energy/total", "/energy/virial", "/energy/pressure", "/energy/per_atom", "/forces")})
    same = all(np.array_equal(r[k], results[0][k]) for r in results[1:] for k in results[0])
    e_atoms = results[0]["/energy/per_atom"]
    exact = math.fsum(e_atoms.tolist())
    rel = abs(float(results[0]["/energy/total"]) - exact) / abs(exact)
    ok = same and rel <= 1e-15
    failed |= not ok
    print("%-6s %-9s %-22s total %.17g (1, 2, 4 ranks %s; vs fsum of per-atom %.1e)" % ("ok" if ok else "FAILED", potential, potfile or "", float(results[0]["/energy/total"]),
                                                                                        "bitwise equal" if same else "DIFFER", rel))
sys.exit(1 if failed else 0)
