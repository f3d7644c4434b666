"""One column per target name. -features_targets groups that hold a target also named alone
(omega2_mean,moments; scalars,moments) or a name given twice gave omega2_mean two columns, which
fit fitted as two models (the exact-kernel prior going to the last one only) and predict printed
twice with different values. features keeps the first occurrence, with a note; fit refuses a
dataset (merged by hand) whose /dataset/target_names repeats a name, in one line naming it."""
import os
import shutil
import time

import h5py
import numpy as np

from fitlib import correlated_data, run, strings, write_dataset

rng = np.random.default_rng(3)
r = (np.arange(40) + 0.5) * 0.05
nsamples = 6
for d in ("samples", "vitrum_cache"):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
past = time.time() - 3600
S = []
for i in range(nsamples):
    name = f"glass_{i}.data"
    open(f"samples/{name}", "w").write("placeholder: the cached outputs are fresh, so it is not read\n")
    os.utime(f"samples/{name}", (past, past))
    with h5py.File(f"vitrum_cache/{name}.rdf.h5", "w") as f:
        f["/structure/rdf/r"] = r
        f["/structure/rdf/g"] = 1 + rng.uniform(0, 1, (1, r.size))
        f["/structure/rdf/pairs"] = strings(["1-1"])
    # omega2_mean of the scalars and of the moments differ here, so the kept column can be told apart
    s = {"boson_peak": rng.uniform(0.5, 1), "omega2_mean": rng.uniform(10, 20), "m2": rng.uniform(30, 40), "m4": rng.uniform(500, 900)}
    with h5py.File(f"vitrum_cache/{name}.spectrum.h5", "w") as f:
        f["/spectrum/scalars/boson_peak"] = np.array([s["boson_peak"]])
        f["/spectrum/scalars/omega2_mean"] = np.array([s["omega2_mean"]])
        f["/spectrum/moments"] = np.array([s["m2"], s["m4"]])
    S.append(s)


def targets(spec):
    proc = run("features", ["-samples", "samples/*.data", "-o", "ds.h5", "-features_targets", spec], 2)
    with h5py.File("ds.h5", "r") as f:
        return proc.stdout, [t.decode() for t in f["/dataset/target_names"][()]], f["/dataset/Y"][()]


cases = {  # spec: (names, the value of each column, whether a name repeats)
    "omega2_mean,moments": (["omega2_mean", "omega4_mean"], ["omega2_mean", "m4"], True),
    "moments,omega2_mean": (["omega2_mean", "omega4_mean"], ["m2", "m4"], True),
    "scalars,moments": (["boson_peak", "omega2_mean", "omega4_mean"], ["boson_peak", "omega2_mean", "m4"], True),
    "omega2_mean,omega2_mean": (["omega2_mean"], ["omega2_mean"], True),
    "boson_peak,moments": (["boson_peak", "omega2_mean", "omega4_mean"], ["boson_peak", "m2", "m4"], False),
}
for spec, (names, keys, repeated) in cases.items():
    out, tn, Y = targets(spec)
    print(spec, tn)
    assert tn == names, (spec, tn)
    assert len(set(tn)) == len(tn)
    assert np.array_equal(Y, np.array([[s[k] for k in keys] for s in S])), (spec, Y)
    note = [l for l in out.splitlines() if "more than once" in l]
    assert len(note) == (1 if repeated else 0), out
    if repeated:
        assert "omega2_mean" in note[0] and spec in note[0], note

# a dataset merged by hand with one name twice: one error line naming it
X, Y = correlated_data(12, 4, 3, seed=2)
write_dataset("merged.h5", X, Y, target_names=["boson_peak", "omega2_mean", "omega2_mean"])
proc = run("fit", ["-data", "merged.h5", "-o", "merged.model.h5"], nranks=2, check=False)
lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
print(lines)
assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith("vitrum: error:"), proc.stderr
assert "'omega2_mean' twice" in lines[0] and "columns 1 and 2" in lines[0] and "merged.h5" in lines[0], lines
assert not os.path.exists("merged.model.h5")
write_dataset("distinct.h5", X, Y, target_names=["boson_peak", "omega2_mean", "omega4_mean"])
run("fit", ["-data", "distinct.h5", "-o", "distinct.model.h5"], nranks=2)
print("ok")
