"""-fit_test_samples by one rule: a value that is a sample name of the dataset is that name (the
sample file exists too: it was read as a file of names, "1039 names match no sample"); else a
readable file holds the names, one a line; else a comma list. The held-out rows are read back
from /model/row_fold."""
import os
import shutil

import numpy as np

from fitlib import correlated_data, read_model, run, write_dataset

shutil.rmtree("samples", ignore_errors=True)
os.makedirs("samples")
names = [f"samples/glass_{i:02d}.data" for i in range(14)]
for i, name in enumerate(names):  # sample files: LAMMPS-like text, many lines
    open(name, "w").write(f"LAMMPS data file {i}\n\n3 atoms\n1 atom types\n\nAtoms\n\n" + "".join(f"{k + 1} 1 0.{k} 0.5 0.5\n" for k in range(3)))
X, Y = correlated_data(14, 4, 2, seed=6)
write_dataset("ds.h5", X, Y, sample_names=names)


def held(spec, nranks=2):
    run("fit", ["-data", "ds.h5", "-o", "m.h5", "-fit_test_samples", spec, "-fit_lambda", "0.1"], nranks=nranks)
    return sorted(np.flatnonzero(read_model("m.h5")["row_fold"] < 0).tolist())


# one sample name that is also a file: that sample
assert held(names[3]) == [3], held(names[3])
assert held(names[11], nranks=1) == [11]
# a file of names (not a sample name): its lines
open("test.txt", "w").write(f"# held out\n{names[2]}\n{names[7]}\n")
assert held("test.txt") == [2, 7]
# a file of names that is listed as a sample of the dataset is that sample (the rule's first case)
write_dataset("ds2.h5", X, Y, sample_names=names[:13] + ["test.txt"])
run("fit", ["-data", "ds2.h5", "-o", "m2.h5", "-fit_test_samples", "test.txt", "-fit_lambda", "0.1"], nranks=2)
assert np.flatnonzero(read_model("m2.h5")["row_fold"] < 0).tolist() == [13]
# a comma list (no such file)
assert held(f"{names[1]},{names[5]},{names[9]}") == [1, 5, 9]
# a name that is neither a sample nor a file: an error naming it
proc = run("fit", ["-data", "ds.h5", "-o", "m.h5", "-fit_test_samples", "samples/glass_99.data"], nranks=2, check=False)
assert proc.returncode == 1 and "'samples/glass_99.data'" in proc.stderr and "1 name(s) match no sample" in proc.stderr, proc.stderr
print("ok")
