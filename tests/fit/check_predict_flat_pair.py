"""A pair that features dropped as constant over every training sample (-features_drop_constant,
the default: here g_2-2 of a species with one atom per sample, 0 in every bin) is recorded with its
values (/dataset/constant_feature_*, /model/constant_feature_*). predict then accepts a sample of the
same species, whose g_2-2 is that constant: its prediction is W x + b (numpy, from the model) of the
sample's features computed by features itself without dropping (the kept columns, by name), and
g_2-2 plays no part. A sample whose g_2-2 differs (two atoms of species 2 at distance 1) is refused
with one error line naming the pair and the largest deviation (= the largest |g_2-2| of the
smoothed profile, from features). A text profile with a 2-2 column: zeros accepted, else refused.
Until this release the model kept no record, and predict refused every sample of the training
species ("pair 3 '2-2', which the model does not use"); a model without the record (an older
vitrum) still does."""
import shutil

import h5py
import numpy as np

import vitrum_testlib as vt
from fitlib import rel_diff, run

rng = np.random.default_rng(11)
L, n = 6.0, 120
rdf_opts = ["-rdf_rmax", 2.5, "-rdf_dr", 0.1]


def write_sample(path, b_positions):
    """n - len(b_positions) random atoms of type 1, and atoms of type 2 at the given positions."""
    x = np.vstack([rng.uniform(0, L, (n - len(b_positions), 3)), b_positions])
    types = [1] * (n - len(b_positions)) + [2] * len(b_positions)
    vt.write_lammps_data(path, np.diag([L] * 3), (0, 0, 0), types, x, ntypes=2)


shutil.rmtree("train", ignore_errors=True)
import os  # noqa: E402
os.makedirs("train")
for i in range(10):
    write_sample(f"train/s{i}.data", [[3.0, 3.0, 3.0]])
write_sample("dilute.data", [[1.0, 2.0, 3.0]])             # one atom of species 2, as in training
write_sample("pair.data", [[2.0, 3.0, 3.0], [3.0, 3.0, 3.0]])  # two, at distance 1: g_2-2 > 0
run("features", ["-samples", "train/*.data", "-features_targets", "none", "-o", "ds.h5"] + rdf_opts, 2)
with h5py.File("ds.h5", "a") as f:
    X = f["/dataset/X"][()]
    kept = [s.decode() for s in f["/dataset/feature_names"][()]]
    constant = [s.decode() for s in f["/dataset/constant_feature_names"][()]]
    values = f["/dataset/constant_feature_values"][()]
    for key in ("Y", "target_names"):
        if key in f["/dataset"]:
            del f["/dataset"][key]
    f["/dataset/Y"] = X @ rng.standard_normal((X.shape[1], 2)) + 0.1 * rng.standard_normal((len(X), 2))
    f["/dataset/target_names"] = np.array([b"omega2_mean", b"energy_per_atom"])
flat = [c for c in constant if c.startswith("g_2-2(")]
assert len(flat) == 25 and not any(k.startswith("g_2-2(") for k in kept), (kept[:3], constant[:3])
assert np.all(values[[constant.index(c) for c in flat]] == 0), values
run("fit", ["-data", "ds.h5", "-o", "model.h5", "-fit_lambda", 0.1, "-fit_test_fraction", 0], 2)
with h5py.File("model.h5", "r") as f:
    W, b = f["/model/W"][()], f["/model/b"][()]
    assert [s.decode() for s in f["/model/constant_feature_names"][()]] == constant


def features_of(sample):
    """The sample's features as features computes them, every column kept: {name: value}."""
    run("features", ["-samples", sample, "-features_targets", "none", "-features_drop_constant", 0, "-o", sample + ".ds.h5"] + rdf_opts, 1)
    with h5py.File(sample + ".ds.h5", "r") as f:
        return dict(zip([s.decode() for s in f["/dataset/feature_names"][()]], f["/dataset/X"][0]))


def predict(args, nranks):
    proc = run("predict", ["-model", "model.h5"] + args + (rdf_opts if args[0] == "-sample" else []), nranks, check=False)
    rows = [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")]
    errors = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    return proc, {row[0]: np.array(row[1:], float) for row in rows}, errors


x_dilute, x_pair = features_of("dilute.data"), features_of("pair.data")
expect = W @ np.array([x_dilute[k] for k in kept]) + b
deviation = max(abs(x_pair[c]) for c in flat)
assert deviation > 1
r = 0.05 + 0.1 * np.arange(25)
header = "r 1-1 1-2 2-2"
for nranks in (1, 2):
    proc, got, errors = predict(["-sample", "dilute.data"], nranks)
    assert proc.returncode == 0 and not errors, proc.stderr
    print(f"{nranks} rank(s): dilute.data {got['dilute.data']} against W x + b {expect}")
    assert rel_diff(got["dilute.data"], expect) < 1e-8, (got, expect)
    proc, got, errors = predict(["-sample", "pair.data"], nranks)
    print(errors)
    assert proc.returncode == 1 and len(errors) == 1 and "PETSC ERROR" not in proc.stderr, proc.stderr
    assert "pair.data: its g_2-2 differs from the model's by up to" in errors[0] and "cannot extrapolate" in errors[0], errors
    shown = float(errors[0].split("by up to ")[1].split()[0])
    assert abs(shown - deviation) < 1e-5 * deviation, (shown, deviation)
    # text profiles, smoothed by predict as the training features were: a zero 2-2 column is accepted
    profiles = [np.array([x_dilute[f"g_{p}(r={v:.10g})"] for v in r]) for p in ("1-1", "1-2")]
    np.savetxt("zero.txt", np.column_stack([r] + profiles + [np.zeros(25)]), header=header)
    np.savetxt("bump.txt", np.column_stack([r] + profiles + [np.where(np.abs(r - 1.05) < 0.01, 3.0, 0.0)]), header=header)
    proc, got, errors = predict(["-rdf", "zero.txt"], nranks)
    assert proc.returncode == 0 and "zero.txt" in got, proc.stderr
    proc, got, errors = predict(["-rdf", "bump.txt"], nranks)
    assert proc.returncode == 1 and len(errors) == 1 and "bump.txt: its g_2-2 differs" in errors[0], proc.stderr
# a model without the record (an older vitrum): the pair is refused, as before
shutil.copy("model.h5", "older.model.h5")
with h5py.File("older.model.h5", "a") as f:
    del f["/model/constant_feature_names"], f["/model/constant_feature_values"]
proc = run("predict", ["-model", "older.model.h5", "-sample", "dilute.data"] + rdf_opts, 2, check=False)
assert proc.returncode == 1 and "'2-2', which the model older.model.h5 does not use" in proc.stderr, proc.stderr
print("ok")
