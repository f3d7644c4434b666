"""vitrum features records each sample's composition: /dataset/structure/sample_type_counts (the rdf
outputs' type_counts, one row per sample in the dataset's order) and sample_density (N / volume),
next to the ensemble means type_fraction (their mean), natoms and density that fit's exact kernels
use; and it prints one note with each species' fraction range when the samples' fractions differ
(fit's kernels take the mean: docs/fit.md), none when every sample has the same composition. 1 and
2 ranks. The cached outputs are written here with h5py (no sample is read)."""
import os
import shutil
import time

import h5py
import numpy as np

from fitlib import rel_diff, run, strings

r = (np.arange(40) + 0.5) * 0.05
PAIRS = ["1-1", "1-2", "2-2"]
rng = np.random.default_rng(5)


def ensemble(counts, volumes):
    """Samples whose cached rdf and spectrum outputs have these type counts and volumes."""
    for d in ("samples", "vitrum_cache"):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    past = time.time() - 3600
    for i, (c, v) in enumerate(zip(counts, volumes)):
        name = f"glass_{i:02d}.data"
        open(f"samples/{name}", "w").write("placeholder: the cached outputs are fresh, so it is not read\n")
        os.utime(f"samples/{name}", (past, past))
        with h5py.File(f"vitrum_cache/{name}.rdf.h5", "w") as f:
            f["/structure/rdf/r"] = r
            f["/structure/rdf/g"] = 1 + 0.1 * rng.standard_normal((3, r.size))
            f["/structure/rdf/pairs"] = strings(PAIRS)
            f["/structure/rdf/type_counts"] = np.array(c, dtype=np.int64)
            f["/structure/rdf/volume"] = np.array([v])
            f["/structure/rdf/volume"].attrs["units"] = "length^3"
        with h5py.File(f"vitrum_cache/{name}.spectrum.h5", "w") as f:
            f["/spectrum/scalars/omega2_mean"] = np.array([rng.uniform(10, 20)])


def features(nranks):
    proc = run("features", ["-samples", "samples/*.data", "-o", "ds.h5", "-features_targets", "omega2_mean"], nranks)
    with h5py.File("ds.h5", "r") as f:
        s = {k: f["/dataset/structure/" + k][()] for k in ("sample_type_counts", "sample_density", "type_fraction", "natoms", "density")}
    return proc.stdout, s


counts = np.array([[134, 122], [141, 115], [109, 147], [128, 128], [120, 136]])
volumes = np.array([4741.6, 4741.6, 4800.0, 4700.0, 4741.6])
ensemble(counts, volumes)
x = counts / counts.sum(1)[:, None]
for nranks in (1, 2):
    out, s = features(nranks)
    assert np.array_equal(s["sample_type_counts"], counts), s["sample_type_counts"]
    assert rel_diff(s["sample_density"], counts.sum(1) / volumes) < 1e-14, s["sample_density"]
    assert rel_diff(s["type_fraction"], x.mean(0)) < 1e-14 and rel_diff(s["natoms"], counts.sum(1).mean()) < 1e-14
    assert rel_diff(s["density"], (counts.sum(1) / volumes).mean()) < 1e-14
    notes = [line for line in out.splitlines() if "species' fractions differ" in line]
    ranges = "1 %.6g to %.6g, 2 %.6g to %.6g" % (x[:, 0].min(), x[:, 0].max(), x[:, 1].min(), x[:, 1].max())
    assert len(notes) == 1 and ranges in notes[0] and "ensemble mean" in notes[0], (ranges, out)
    print(f"{nranks} rank(s): per-sample counts and densities recorded; note: {notes[0]}")

# the same composition in every sample (other volumes): no note
ensemble(np.tile([128, 128], (4, 1)), [4700.0, 4741.6, 4800.0, 4741.6])
out, s = features(2)
assert "species' fractions differ" not in out and s["sample_type_counts"].shape == (4, 2), out
print("equal compositions: no note")
