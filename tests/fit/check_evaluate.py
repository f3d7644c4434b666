"""The pipeline's evaluation never aborts on targets that fit trivially: VDOS bins beyond the band
edge (all zero) and a bin with the same non-zero value in every sample (where rounding of the mean
once gave R^2 = -1e29 and an internal error). A pipeline on 10 random-gas samples (rdf computed by
vitrum, spectra given as outputs of another code in the pipeline's cache) with -pipeline_models D:
fit drops the constant bins, the evaluation marks them trivial (R^2 NaN), the other bins' held-out
R^2 = scikit-learn's on the model's predictions, and the table reports the pooled and the worst
bin R^2 and the number of bins not scored."""
import glob
import os
import shutil
import subprocess

import h5py
import numpy as np
from sklearn.metrics import r2_score

from fitlib import MPIRUN, VITRUM

rng = np.random.default_rng(1)
for d in ("gas", "run"):
    shutil.rmtree(d, ignore_errors=True)
os.makedirs("gas")
L, n = 6.0, 150
with open("list.txt", "w") as lst:
    for s in range(10):
        x, t = rng.uniform(0, L, (n, 3)), rng.integers(1, 3, n)
        with open(f"gas/s{s}.data", "w") as f:
            f.write(f"random gas\n\n{n} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nAtoms # atomic\n\n")
            f.writelines(f"{i + 1} {t[i]} {x[i, 0]} {x[i, 1]} {x[i, 2]}\n" for i in range(n))
        lst.write(os.path.abspath(f"gas/s{s}.data") + "\n")
with open("ev.opts", "w") as f:
    f.write("-pipeline_dir run\n-pipeline_samples list.txt\n-pipeline_models D\n-pipeline_vdos_rebin 1\n-pipeline_report 0\n"
            "-rdf_rmax 2.5\n-rdf_dr 0.1\n-features_targets vdos\n-fit_test_fraction 0.3\n")


def pipeline():
    return subprocess.run(MPIRUN + ["-n", "2", VITRUM, "pipeline", "-options_file", "ev.opts"], capture_output=True, text=True)


# the first run stops at features (no -potential for the spectra) after making the cache folder
proc = pipeline()
assert proc.returncode == 1 and "-potential" in proc.stderr, proc.stderr
cache = glob.glob("run/cache/*")
assert len(cache) == 1, cache
omega = np.linspace(0.5, 12, 8)
for s in range(10):
    D = rng.uniform(0.5, 1, 8)
    D[-3] = 0.1 + 0.2  # the same non-zero value everywhere (0.30000000000000004)
    D[-2:] = 0.0       # beyond the band edge
    with h5py.File(f"{cache[0]}/s{s}.data.spectrum.h5", "w") as f:
        f["/spectrum/vdos/omega"] = omega
        f["/spectrum/vdos/D"] = D
proc = pipeline()
print(proc.stdout[-1500:])
assert proc.returncode == 0, proc.stderr
with h5py.File("run/evaluation.h5", "r") as e, h5py.File("run/models/D/model.h5", "r") as m, h5py.File("run/models/D/dataset.h5", "r") as d:
    trivial, r2 = e["/evaluation/trivial"][()], e["/evaluation/r2"][()]
    test = e["/evaluation/test_rows"][()]
    assert list(m["/model/metrics/dropped"][()]) == [0] * 5 + [1] * 3, m["/model/metrics/dropped"][()]
    assert list(trivial) == [0] * 5 + [1] * 3 and np.all(np.isnan(r2[5:])) and np.all(np.isfinite(r2[:5])), (trivial, r2)
    X, Y, W, b = d["/dataset/X"][()], d["/dataset/Y"][()], m["/model/W"][()], m["/model/b"][()]
    ref = r2_score(Y[test][:, :5], (X[test] @ W.T + b)[:, :5], multioutput="raw_values")
    assert np.allclose(r2[:5], ref, rtol=1e-10), (r2[:5], ref)
    pooled = r2_score(Y[test][:, :5], (X[test] @ W.T + b)[:, :5], multioutput="variance_weighted")
line = [l for l in proc.stdout.splitlines() if l.strip().startswith("D ")][0].split()
assert line[1] == "5" and abs(float(line[2]) - pooled) < 1e-3 and abs(float(line[3]) - ref.min()) < 1e-3, (line, pooled, ref.min())
assert "3 constant over the training samples" in proc.stdout
print(f"evaluation: 5 bins scored (pooled {pooled:.3f}, worst {ref.min():.3f}), 3 constant bins not scored: ok")
