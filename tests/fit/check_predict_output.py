"""predict -o never writes over a training sample of the model: features records the samples'
absolute paths (/dataset/sample_paths), fit copies them into the model (/model/training_samples;
from an older dataset without them, its sample names that name a file where fit runs), and predict
refuses an -o that is one of them (the same file by device and inode: another spelling, another
current folder, a hard link) with one error line naming the sample and what to give, leaving the
sample as it was. Until this release predict, which does not read the training samples, wrote its
predictions over one. A model without the record (an older vitrum) is used as before."""
import os
import shutil

import h5py
import numpy as np

import vitrum_testlib as vt
from fitlib import run

rng = np.random.default_rng(5)
L, n = 6.0, 120
shutil.rmtree("samples", ignore_errors=True)
shutil.rmtree("elsewhere", ignore_errors=True)
os.makedirs("samples")
os.makedirs("elsewhere")
names = [f"samples/glass_{i}.data" for i in range(8)]
for name in names:
    x = rng.uniform(0, L, (n, 3))
    types = rng.integers(1, 3, n)
    vt.write_lammps_data(name, np.diag([L] * 3), (0, 0, 0), types, x, ntypes=2)  # a random gas
rdf_opts = ["-rdf_rmax", 2.5, "-rdf_dr", 0.1]
run("features", ["-samples", "samples/*.data", "-features_targets", "none", "-o", "ds.h5"] + rdf_opts, 2)
with h5py.File("ds.h5", "a") as f:  # targets: any linear function of the features will do
    X = f["/dataset/X"][()]
    assert [s.decode() for s in f["/dataset/sample_paths"][()]] == [os.path.realpath(s) for s in names]
    for key in ("Y", "target_names"):
        if key in f["/dataset"]:
            del f["/dataset"][key]
    f["/dataset/Y"] = X @ rng.standard_normal((X.shape[1], 1)) + 0.1 * rng.standard_normal((len(X), 1))
    f["/dataset/target_names"] = np.array([b"omega2_mean"])
run("fit", ["-data", "ds.h5", "-o", "model.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 2)
with h5py.File("model.h5", "r") as f:
    recorded = [s.decode() for s in f["/model/training_samples"][()]]
assert recorded == [os.path.realpath(s) for s in names], recorded
# an older dataset (no /dataset/sample_paths): fit records its sample names that exist here, made absolute
shutil.copy("ds.h5", "old_ds.h5")
with h5py.File("old_ds.h5", "a") as f:
    del f["/dataset/sample_paths"]
run("fit", ["-data", "old_ds.h5", "-o", "old_ds.model.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 1)
with h5py.File("old_ds.model.h5", "r") as f:
    assert [s.decode() for s in f["/model/training_samples"][()]] == recorded
os.link("samples/glass_3.data", "hardlink.data")
target = os.path.realpath("samples/glass_3.data")


def refused(model, out, nranks):
    before = open(target).read()
    proc = run("predict", ["-model", model, "-sample", "../samples/glass_0.data", "-o", out] + rdf_opts, nranks, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    print(model, out, nranks, lines)
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("vitrum: error: -o " + out), proc.stderr + proc.stdout
    assert target in lines[0] and "training sample of the model " + model in lines[0] and "give another output name" in lines[0], lines
    assert open(target).read() == before, "the training sample was overwritten"


os.chdir("elsewhere")  # the record is absolute: predict run in another folder refuses too
for nranks in (1, 2):
    for out in ("../samples/glass_3.data", "../samples/./glass_3.data", "../hardlink.data"):
        refused("../model.h5", out, nranks)
    refused("../old_ds.model.h5", "../samples/glass_3.data", nranks)
    # an output that is no training sample is written
    run("predict", ["-model", "../model.h5", "-sample", "../samples/glass_0.data", "-o", "pred.h5"] + rdf_opts, nranks)
    assert os.path.exists("pred.h5")
    os.remove("pred.h5")
os.chdir("..")
# a model without the record (an older vitrum): no check, no error
shutil.copy("model.h5", "older.model.h5")
with h5py.File("older.model.h5", "a") as f:
    del f["/model/training_samples"]
run("predict", ["-model", "older.model.h5", "-sample", "samples/glass_0.data", "-o", "older_pred.h5"] + rdf_opts, 2)
assert os.path.exists("older_pred.h5")
print("ok")
