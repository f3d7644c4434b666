"""`vitrum pipeline` with nothing but the potential and the ensemble size (a new user's first run):
10 two-dimensional KA samples of 36 atoms on 2 ranks.
- it runs to the end (exit 0): the default models get their targets from features without
  -features_targets, and without -spectrum_count_omega (a physical threshold with no default) the
  low_mode_count model is left out with a note naming the option;
- one g(r) grid for the ensemble (the note of features) and one VDOS grid (the D targets of every
  sample share their names);
- the evaluation reports no absurd R^2: every entry of /evaluation/r2 is NaN (a trivial or flat
  target, said so) or above -1e6, and the printed table has no number beyond 1e6 in magnitude;
- <omega^2> (the exact kernel prior) is predicted on the held-out samples with R^2 > 0.5;
- with 2 held-out samples the table is followed by a warning that such R^2 measure little."""
import shutil

import h5py
import numpy as np

import vitrum_testlib as vt

shutil.rmtree("run", ignore_errors=True)  # a rerun in the same build tree must compute, not find "up to date"
p = vt.run(["pipeline", "-potential", "ka2d", "-pipeline_family", "ka2d", "-pipeline_nsamples", 10, "-pipeline_cells", "6,6",
            "-pipeline_dir", "run", "-pipeline_report", 0], np_ranks=2)
out = p.stdout
print(out[-3000:])
vt.check("no low_mode_count model (give -spectrum_count_omega" in out, "low_mode_count left out with a note naming -spectrum_count_omega")
vt.check("one g(r) grid for all samples" in out, "features fixes one g(r) grid for the ensemble")
vt.check("warning: only 2 held-out samples" in out, "a held-out set of 2 samples is called out as measuring little")
with h5py.File("run/dataset.h5", "r") as f:
    names = [s.decode() for s in f["/dataset/target_names"][()]]
    Y = f["/dataset/Y"][()]
vt.check(any(n.startswith("D(omega=") for n in names) and "omega2_mean" in names and "boson_peak_omega" in names,
         "default targets: the VDOS bins, omega2_mean, boson_peak_omega (%d targets)" % len(names))
vt.check(np.all(np.isfinite(Y)), "every target finite")
with h5py.File("run/evaluation.h5", "r") as f:
    r2 = f["/evaluation/r2"][()]
    tnames = [s.decode() for s in f["/evaluation/target_names"][()]] if "/evaluation/target_names" in f else None
vt.check(np.all(np.isnan(r2) | (r2 > -1e6)), "no absurd held-out R^2 (min over scored targets %.3g)" % np.nanmin(r2))
table = out[out.rindex("Held-out R^2"):]
numbers = [float(x) for line in table.splitlines()[2:] for x in line.split()[1:] if x.replace(".", "").replace("-", "").replace("e", "").isdigit()]
vt.check(all(abs(x) < 1e6 for x in numbers), "printed table within +-1e6")
row = [line.split() for line in table.splitlines() if line.split()[:1] == ["omega2_mean"]][0]
vt.check(float(row[2]) > 0.5, "held-out R^2 of omega2_mean %s > 0.5" % row[2])
