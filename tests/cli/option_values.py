"""A value PETSc's options database cannot parse is one error line naming the option
(src/common/common.c, NameTheOption): a scalar ("-spectrum_nev x: not an integer"), and an item of an
array option ("-spectrum_count_omega 5,abc: abc is not a number"; PETSc's own message names only "abc",
and was printed as it was: "Input string abc has no numeric value"). On 1 and 2 ranks, no output."""
import os

import numpy as np

from vitrum_testlib import check, run, write_lammps_data

grid = np.array([(i, j, k) for i in range(3) for j in range(3) for k in range(3)], float) * 1.1
write_lammps_data("sc.data", np.eye(3) * 3.3, (0, 0, 0), [1] * 27, grid)
cases = [
    (["-spectrum_count_omega", "5,abc"], "-spectrum_count_omega 5,abc: abc is not a number (give a real number)"),
    (["-cv_temperature_range", "1,x"], "-cv_temperature_range 1,x: x is not a number (give a real number)"),
    (["-domain_grid", "1,y,1"], "-domain_grid 1,y,1: y is not an integer (give a whole number)"),
    (["-spectrum_nev", "x"], "-spectrum_nev x: not an integer (give a whole number)"),
    (["-spectrum_count_omega", "abc"], "-spectrum_count_omega abc: not a number (give a real number)"),
]
for n in (1, 2):
    for extra, expected in cases:
        p = run(["spectrum", "-sample", "sc.data", "-potential", "lj", "-o", "out.h5"] + extra, n, expect_fail=True)
        errors = [line for line in (p.stdout + p.stderr).splitlines() if line.startswith("vitrum: error:")]
        check(p.returncode == 1 and errors == ["vitrum: error: " + expected] and not os.path.exists("out.h5"),
              "%s (%d ranks): %s" % (" ".join(extra), n, errors))
