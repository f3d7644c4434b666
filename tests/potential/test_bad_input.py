"""Bad input to energy / minimize / hessian: exit status 1, one line 'vitrum: error: ...' naming what is
wrong, no traceback and no output file (on 2 ranks, so errors must be raised collectively)."""
import os
import sys

import numpy as np

import vitref as vr

ok = True
cell, x, types = vr.lattice_sample((4, 4, 4), 3, 1.2, 0.05, 0.8, seed=7)
vr.write_data("ka.data", cell, x, types)
three = np.arange(len(x)) % 3
vr.write_data("three.data", cell, x, three, masses=(1, 1, 1))
close = x.copy()
close[41] = close[16] + np.array([0.1, 0.0, 0.0])  # ids 170 and 420 below
vr.write_data("close.data", cell, close, types, ids=10 * np.arange(1, len(x) + 1))
# a box far below the cutoff (boxes below it are allowed, as in LAMMPS: tests/potential/test_small_box.py),
# whose ghost shell would hold (1 + 2 x 2.5 / 0.45)^3 > 1000 images of each atom
vr.write_data("small.data", np.eye(3) * 0.45, np.array([[0.1, 0.1, 0.1], [0.3, 0.3, 0.3]]), np.array([0, 1]))

cases = [
    ("energy", ["-sample", "ka.data"], ["-potential is required"]),
    ("energy", ["-sample", "ka.data", "-potential", "morse"], ["-potential morse", "unknown"]),
    ("energy", ["-sample", "three.data", "-potential", "ka3d"], ["ka3d", "2 atom types", "three.data", "3"]),
    ("energy", ["-sample", "ka.data", "-potential", "lj", "-lj_epsilon", "1,2"], ["-lj_epsilon", "3 values", "1-1,1-2,2-2", "got 2"]),
    ("energy", ["-sample", "ka.data", "-potential", "lj", "-lj_sigma", "-1"], ["sigma > 0", "-lj_sigma", "-1"]),
    ("hessian", ["-sample", "close.data", "-potential", "ka3d"], ["ids 170 and 420", "0.1 apart"]),
    ("minimize", ["-sample", "small.data", "-potential", "ka3d"], ["small.data", "too small", "2.8", "-minimize_skin", "images"]),
    ("hessian", ["-sample", "small.data", "-potential", "ka3d"], ["small.data", "too small", "2.5", "images"]),
    ("hessian", ["-sample", "ka.data", "-potential", "ka3d", "-hessian_type", "dense"], ["-hessian_type dense"]),
    ("hessian", ["-sample", "ka.data", "-potential", "ka3d", "-hessian_type", "shell", "-hessian_binary", "H.bin"], ["shell", "-hessian_binary"]),
    ("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-minimize_type", "newton"], ["-minimize_type newton"]),
    # a tolerance that can never be met ran -minimize_max_it iterations (minutes) first (until session 20)
    ("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-minimize_ftol", "-1"], ["-minimize_ftol -1", "positive"]),
    # below the forces' round-off floor (machine epsilon x the median |e_i| 4 / the spacing 0.941: 9.4e-16)
    # it ran 10^5 FIRE iterations (90 s) and then failed
    ("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-minimize_ftol", "1e-20"], ["-minimize_ftol 1e-20 can never be met", "round-off floor", "ka.data", "9.4e-16"]),
    ("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-fire_dt", "-1"], ["-fire_dt -1", "positive"]),
    ("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-minimize_max_it", "0"], ["-minimize_max_it 0"]),
    # -potential_min_distance beyond the cutoff (2.5 for ka3d) ended in "neighbour cutoff 2.6 exceeds
    # the ghost width 2.5", naming no option; negative or nan values were silently ignored
    ("energy", ["-sample", "ka.data", "-potential", "ka3d", "-potential_min_distance", "2.6"], ["-potential_min_distance 2.6", "[0, 2.5]", "cutoff", "ka3d"]),
    ("hessian", ["-sample", "ka.data", "-potential", "ka3d", "-potential_min_distance", "nan"], ["-potential_min_distance nan", "[0, 2.5]"]),
    ("energy", ["-sample", "ka.data", "-potential", "ka3d", "-potential_min_distance", "-1"], ["-potential_min_distance -1", "[0, 2.5]"]),
    ("energy", ["-sample", "ka.data", "-potential", "ka3d", "-potential_min_distance", "x"], ["-potential_min_distance x", "not a number"]),
    # a misspelt PETSc type is the user's error, one line (was internal error 86 and a traceback)
    ("hessian", ["-sample", "ka.data", "-potential", "ka3d", "-mat_type", "bogus"], ["bogus"]),
]
for cmd, args, words in cases:
    if os.path.exists("out.h5"):
        os.remove("out.h5")
    rc, text = vr.vitrum(cmd, args + ["-o", "out.h5"], 2, expect_fail=True)
    lines = [ln for ln in text.splitlines() if ln.startswith("vitrum: error:")]
    good = rc == 1 and len(lines) == 1 and all(w in lines[0] for w in words) and "Traceback" not in text and "PETSC ERROR" not in text
    good = good and not os.path.exists("out.h5") and not os.path.exists("H.bin")
    ok &= vr.check(good, "%s %s -> status %d: %s" % (cmd, " ".join(args[2:]), rc, lines[0] if lines else text[-400:]))
# a tolerance above that floor is tried (here one iteration, then the 'did not reach' error), not refused
rc, text = vr.vitrum("minimize", ["-sample", "ka.data", "-potential", "ka3d", "-minimize_ftol", "2e-15", "-minimize_max_it", 1, "-minimize_saddle_escapes", 0, "-o", "try.data"], 2, expect_fail=True)
ok &= vr.check(rc == 1 and "did not reach -minimize_ftol 2e-15" in text and "round-off floor" not in text, "-minimize_ftol 2e-15 (above the floor): minimised, not refused")
# a -potential_min_distance far below the box: its cell grid (2 cells per distance) had more cells
# than a 32-bit count holds, and the product overflowed into "vitrum: error: CellListBuild" (until
# session 20); the cells are capped at about two per atom
# (auto: the potential's default, half the smallest sigma, 0.4 for ka3d; 2.5: the cutoff, the largest allowed)
for distance, fails in ((1e-3, False), (1e-9, False), (0.11, True), ("auto", True), (2.5, True)):
    rc, text = vr.vitrum("energy", ["-sample", "close.data", "-potential", "ka3d", "-potential_min_distance", distance, "-o", "out.h5"], 2, expect_fail=True)
    lines = [ln for ln in text.splitlines() if ln.startswith("vitrum: error:")]
    good = (rc == 1 and len(lines) == 1 and "ids 170 and 420" in lines[0]) if fails else (rc == 0 and not lines)
    ok &= vr.check(good, "-potential_min_distance %s: %s (status %d %s)" % (distance, "the close pair named" if fails else "runs", rc, lines))
sys.exit(0 if ok else 1)
