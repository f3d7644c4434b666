"""-pipeline_models and -features_targets (docs/pipeline.md):
* -pipeline_models D,omega2_mean (a subset of the default models) without -features_targets runs to
  the end: the pipeline asks features for the targets of its models, vdos and omega2_mean, and
  nothing else (until this release it ran the whole features stage with the default 'scalars' and
  then failed: dataset.h5 has no target 'D');
* before any stage runs (here the sample list does not exist, so no stage could run), one error line
  on 1 and 2 ranks, with no run folder made, for a name that is no model (D,foo), a model that the
  given -features_targets do not give (D with omega2_mean: add vdos), and Ncount or low_mode_count
  without -spectrum_count_omega."""
import os
import shutil

import h5py
import numpy as np

import vitrum_testlib as vt


def refused(args, expected):
    for nranks in (1, 2):
        shutil.rmtree("bad", ignore_errors=True)
        p = vt.run(["pipeline", "-pipeline_dir", "bad", "-pipeline_samples", "nolist.txt", "-potential", "lj/cut", "-pipeline_report", 0] + args, np_ranks=nranks, expect_fail=True)
        lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
        vt.check(p.returncode == 1 and len(lines) == 1, "one error line on %d ranks:\n%s%s" % (nranks, p.stdout, p.stderr))
        for e in expected:
            vt.check(e in lines[0], "'%s' in '%s'" % (e, lines[0]))
        vt.check(not os.path.exists("bad"), "no run folder")


refused(["-pipeline_models", "D,foo"], ["-pipeline_models foo: no such model: give D, Dred", "omega2_mean", "boson_peak_omega"])
refused(["-pipeline_models", "D,omega2_mean", "-features_targets", "omega2_mean"],
        ["-pipeline_models D: -features_targets omega2_mean gives no D target: add vdos to -features_targets, or leave -features_targets out"])
refused(["-pipeline_models", "omega2_mean,Ncount"], ["-pipeline_models Ncount:", "needs -spectrum_count_omega: give -spectrum_count_omega W"])
refused(["-pipeline_models", "low_mode_count", "-features_targets", "scalars"], ["-pipeline_models low_mode_count:", "needs -spectrum_count_omega"])

# 8 slightly disordered 64-atom LJ crystals; 2 held out
vt.write_lj_crystals(np.random.default_rng(7))
shutil.rmtree("run", ignore_errors=True)
vt.run(["pipeline", "-pipeline_dir", "run", "-pipeline_samples", "samples.txt", "-potential", "lj/cut", "-pipeline_models", "D,omega2_mean",
        "-fit_test_fraction", 0.25, "-pipeline_report", 0, "-rdf_rmax", 2.0, "-vdos_bins", 20], np_ranks=2)
with h5py.File("run/dataset.h5", "r") as f:
    names = [n.decode() for n in f["/dataset/target_names"][()]]
groups = sorted({n.split("(")[0] for n in names})
vt.check(groups == ["D", "omega2_mean"], "the dataset holds the models' targets only: %s" % groups)
for m in ("D", "omega2_mean"):
    vt.check(os.path.exists("run/models/%s/model.h5" % m), "model %s fitted" % m)
print("ok")
