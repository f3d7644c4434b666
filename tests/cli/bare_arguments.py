"""A word of the command line that is neither an option nor the value of the option before it is
one error line naming it and what precedes it (src/main.c, CheckBareWords); PETSc skipped such
words silently: `rdf -sample a.data b.data` wrote the g(r) of a.data alone, `-spectrum_nev 5 10`
dropped the 10. Values that look like options (-frame -1, -rdf_dr -1e-3), options without a
value (-sq before another option, at the end), -options_file FILE and the further files of
-samples are not such words. On 1 and 2 ranks; the errors leave no output."""
import os

import h5py
import numpy as np

from vitrum_testlib import check, random_sample, run, write_lammps_data

for name, seed in (("a.data", 1), ("b.data", 2)):
    pos, types = random_sample(40, np.eye(3) * 5.0, seed=seed)
    write_lammps_data(name, np.eye(3) * 5.0, (0, 0, 0), types, pos)
with open("grid.opts", "w") as f:
    f.write("-rdf_rmax 2.4\n-rdf_dr 0.1\n")
RDF = ["rdf", "-sample", "a.data", "-rdf_rmax", 2.4, "-rdf_dr", 0.1, "-o", "out.h5"]
SPEC = ["spectrum", "-sample", "a.data", "-potential", "lj", "-o", "out.h5"]
SAMPLES = "each option takes one value; give several samples to features or predict as -samples A B ... or -sample_list FILE"
ONE = "each option takes one value; a list is one word, comma-separated (-spectrum_count_omega 2,4,6)"
errors = [
    (["rdf", "-sample", "a.data", "b.data", "-o", "out.h5"], "unexpected argument 'b.data' (after -sample a.data): " + SAMPLES),
    (SPEC + ["-spectrum_nev", 5, 10], "unexpected argument '10' (after -spectrum_nev 5): " + ONE),
    (["rdf", "b.data"] + RDF[1:], "unexpected argument 'b.data' (after the command rdf): give options as -NAME VALUE"),
    (RDF + ["-frame", -1, -2], "unexpected argument '-2' (after -frame -1): " + ONE),
    (RDF + ["-options_file", "grid.opts", "b.data"], "unexpected argument 'b.data' (after -options_file grid.opts): " + ONE),
    (["features", "-samples", "a.data", "-features_targets", "none", "-o", "out.h5", "b.data"], "unexpected argument 'b.data' (after -o out.h5): " + ONE),
]
for n in (1, 2):
    for args, expected in errors:
        p = run(args, n, expect_fail=True)
        lines = [line for line in (p.stdout + p.stderr).splitlines() if "error" in line.lower()]
        check(p.returncode == 1 and lines == ["vitrum: error: " + expected] and not os.path.exists("out.h5"),
              "%s (%d ranks): %s" % (" ".join(map(str, args[1:])), n, lines))

    # words that are values or options: the run goes on, without a warning
    valid = [RDF + ["-frame", -1, "-sq", "-sq_nq", 20], RDF + ["-sq"], ["rdf", "-sample", "a.data", "-options_file", "grid.opts", "-o", "out.h5"]]
    for args in valid:
        p = run(args, n)
        check(p.returncode == 0 and "warning" not in p.stdout and os.path.exists("out.h5"), "%s (%d ranks): runs" % (" ".join(map(str, args[1:])), n))
        os.remove("out.h5")
    p = run(RDF + ["-rdf_dr", -1e-3], n, expect_fail=True)
    check("-rdf_dr -0.001: must be positive" in p.stderr, "-rdf_dr -1e-3 (%d ranks) is -rdf_dr's value" % n)
    run(["features", "-samples", "a.data", "b.data", "-features_targets", "none", "-features_drop_constant", 0, "-rdf_rmax", 2.4,
         "-rdf_dr", 0.1, "-features_cache", "cache", "-o", "out.h5"], n)
    with h5py.File("out.h5", "r") as f:
        check(f["/dataset/X"].shape[0] == 2, "features -samples a.data b.data (%d ranks): both samples" % n)
    os.remove("out.h5")
