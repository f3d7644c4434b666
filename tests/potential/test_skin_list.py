"""minimize's Verlet (skin) lists: energies, forces and virials computed from a skin list lent to the
potential equal those of an exact list of the moved atoms bit for bit (skin_list.c), for a pair
potential with a cutoff per species pair (3D KA), EAM (ZrCuAl2011, three species, a triclinic
box), Tersoff (SiC, sites of ghosts too) and Stillinger-Weber (Si), on 1 and 2 ranks, with atoms
moved by up to 0.99 x skin/2."""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests", "manybody"))
import mbtools as mb  # noqa: E402
import vitref as vr  # noqa: E402

exe = sys.argv[1]
mpirun = os.environ["MPIRUN"].split()
cell, x, types = vr.lattice_sample((5, 5, 5), 3, 1.2, 0.1, 0.8, seed=3)
vr.write_data("ka.data", cell, x, types)
mb.make_sample("cuzral.data", "fcc", 4.1, 4, ("Zr", "Cu", "Al"), (0.46, 0.46, 0.08), 0.15, seed=4, tilt=0.05)
mb.make_sample("sic.data", "diamond", 4.36, 3, ("Si", "C"), (0.5, 0.5), 0.1, seed=5)
mb.make_sample("si.data", "diamond", 5.43, 3, ("Si",), (1.0,), 0.1, seed=6)
cases = [("ka3d", ["-sample", "ka.data", "-potential", "ka3d", "-skin", "0.3"]),
         ("eam/alloy", ["-sample", "cuzral.data", "-potential", "eam/alloy"] + mb.potential_options("eam/alloy", "ZrCuAl2011.eam.alloy", ("Zr", "Cu", "Al")) + ["-skin", "0.5"]),
         ("tersoff", ["-sample", "sic.data", "-potential", "tersoff"] + mb.potential_options("tersoff", "SiC.tersoff", ("Si", "C")) + ["-skin", "0.5"]),
         ("sw", ["-sample", "si.data", "-potential", "sw"] + mb.potential_options("sw", "Si.sw", ("Si",)) + ["-skin", "0.5"])]
ok = True
for name, args in cases:
    totals = []
    for np_ in (1, 2):
        p = subprocess.run(mpirun + ["-n", str(np_), exe] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print("%s, %d rank(s):\n%s" % (name, np_, p.stdout))
        ok &= vr.check(p.returncode == 0, "%s on %d rank(s): the skin list gives the exact list's bits" % (name, np_))
        totals += [l.split()[-1] for l in p.stdout.splitlines() if "total energy" in l]
    ok &= vr.check(len(totals) == 2 and totals[0] == totals[1], "%s: the same total energy on 1 and 2 ranks (%s)" % (name, ", ".join(totals)))
sys.exit(0 if ok else 1)
