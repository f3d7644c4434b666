"""The evaluation scores the samples fit held out, as the model files record them (/model/row_fold < 0),
also when -fit_test_samples names them (docs/pipeline.md). Before, the evaluation worked the split out
again from -fit_test_fraction and -fit_seed, ignored -fit_test_samples and stopped with 'row 0 was held
out by fit but is a training row here'. Checked on 8 tiny LJ crystals, against numpy: the held-out
samples are the named ones, y_pred = W x + b of the model file on the dataset's rows, y_true its Y.
Then a model file with a NaN in /model/W (touched, so only the evaluation reruns): one error line naming
the entry, as predict gives (VitModelWeightsRead); before, the pipeline scored it with NaN."""
import os

import h5py
import numpy as np

import vitrum_testlib as vt

vt.write_lj_crystals(np.random.default_rng(5))
held = [os.path.abspath("s%d.data" % i) for i in (1, 4, 6)]
args = ["pipeline", "-pipeline_dir", "run", "-pipeline_samples", "samples.txt", "-potential", "lj/cut", "-pipeline_models", "omega2_mean",
        "-pipeline_report", 0, "-rdf_rmax", 2.0, "-spectrum_nev", 0, "-fit_test_samples", ",".join(held)]
p = vt.run(args)
vt.check("evaluate: done" in p.stdout, "the evaluation ran\n" + p.stdout)

with h5py.File("run/evaluation.h5", "r") as ev, h5py.File("run/models/omega2_mean/model.h5", "r") as m, \
        h5py.File("run/models/omega2_mean/dataset.h5", "r") as ds:
    names = [s.decode() for s in ds["/dataset/sample_names"][:]]
    rows = [names.index(h) for h in held]
    vt.check(sorted(rows) == list(np.flatnonzero(m["/model/row_fold"][:] < 0)), "fit held out the named samples")
    vt.check(list(ev["/evaluation/test_rows"][:]) == sorted(rows), "evaluated rows %s, held out %s" % (ev["/evaluation/test_rows"][:], sorted(rows)))
    vt.check([s.decode() for s in ev["/evaluation/sample_names"][:]] == [names[i] for i in sorted(rows)], "evaluated samples are the held-out ones")
    X, Y = ds["/dataset/X"][:][sorted(rows)], ds["/dataset/Y"][:][sorted(rows)]
    W, b = np.atleast_2d(m["/model/W"][:]), m["/model/b"][:]
    vt.check(np.allclose(ev["/evaluation/y_pred"][:], X @ W.T + b, rtol=1e-10, atol=1e-12 * np.abs(Y).max()), "y_pred = W x + b of the held-out rows")
    vt.check(np.array_equal(ev["/evaluation/y_true"][:], Y), "y_true: the held-out rows' Y")

with h5py.File("run/models/omega2_mean/model.h5", "r+") as m:
    W = m["/model/W"][:]
    W.flat[3] = np.nan
    m["/model/W"][...] = W
p = vt.run(args, expect_fail=True)
errors = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
vt.check(len(errors) == 1 and "model.h5: /model/W[0][3] (target 'omega2_mean'" in errors[0] and "is not a finite number" in errors[0],
         "a NaN in /model/W: one error naming it\n%s%s" % (p.stdout, p.stderr))
print("ok")
