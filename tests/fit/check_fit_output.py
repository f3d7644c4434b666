"""fit -o refuses a sample of the dataset (its /dataset/sample_names, or /dataset/samples of a
per-atom dataset) that exists here: the same file by device and inode, however spelled (another
path, a hard link). Until this release the sample was silently overwritten by the model; features
and predict already refused such an -o."""
import os
import shutil

import h5py
import numpy as np

from fitlib import correlated_data, run, strings, write_dataset

shutil.rmtree("samples", ignore_errors=True)
os.makedirs("samples/sub")
names = [f"samples/glass_{i}.data" for i in range(12)]
for name in names:
    open(name, "w").write(f"placeholder sample {name}\n")
X, Y = correlated_data(12, 4, 2, seed=4)
write_dataset("ds.h5", X, Y, sample_names=names)
os.link("samples/glass_3.data", "hardlink.data")

def refused(out, data="ds.h5", sample="samples/glass_3.data"):
    before = open(sample).read()
    proc = run("fit", ["-data", data, "-o", out], nranks=2, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    print(out, lines)
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("vitrum: error: -o " + out), proc.stderr + proc.stdout
    assert sample in lines[0] and "it is a sample of " + data in lines[0], lines
    assert open(sample).read() == before, "the sample was overwritten"


refused("samples/glass_3.data")
refused("./samples/sub/../glass_3.data")
refused("hardlink.data")
# per-atom dataset: the samples are /dataset/samples
write_dataset("atoms.h5", X, Y)
with h5py.File("atoms.h5", "a") as f:
    f["/dataset/samples"] = strings(names[:4])
    f["/dataset/row_sample"] = np.arange(12) % 4
refused("samples/glass_3.data", data="atoms.h5")
# a file that is no sample of the dataset is written
run("fit", ["-data", "ds.h5", "-o", "samples/model.h5"], nranks=2)
assert os.path.exists("samples/model.h5")
print("ok")
