"""Messages of fit that must not mislead:
* every target constant over the training rows: nothing is fitted, so one note says so, and no
  lambda line, no "GCV picked the lower end of the lambda path" warning and no kernel correlation
  (it printed 0.000000 for the W = 0 of a target it never fitted; the model file holds NaN);
* -fit_lambda_count 1 takes the path's lower end alone: a note says so (it was silent);
* -fit_smooth_weight without -fit_smooth weighs nothing: refused in one line (it was ignored);
  auto, the default that pipeline sets, is accepted."""
import h5py
import numpy as np

from fitlib import correlated_data, read_model, run, strings, write_dataset

r = np.arange(0.8, 2.0, 0.05)
names = [f"g_{p}(r={x:.10g})" for p in ("A-A", "A-B", "B-B") for x in r]
rng = np.random.default_rng(8)
X = 1 + 0.3 * rng.standard_normal((20, len(names)))
write_dataset("const.h5", X, np.full((20, 1), 3.25), feature_names=names, target_names=["omega2_mean"])
with h5py.File("const.h5", "a") as f:
    f["/dataset/structure/dim"] = [3.0]
    f["/dataset/structure/density"] = [1.2]
    f["/dataset/structure/type_fraction"] = [0.8, 0.2]
    f["/dataset/structure/type_names"] = strings(["A", "B"])
proc = run("fit", ["-data", "const.h5", "-o", "const.model.h5", "-potential", "ka3d"], nranks=2)
out = proc.stdout
print(out)
assert out.count("is constant over the training rows: nothing was fitted") == 1, out
assert "lambda path" not in out and "fit: lambda =" not in out and "correlation of the weights" not in out, out
assert "fit: warning" not in out, out
m = read_model("const.model.h5")
assert np.isnan(m["kernel/correlation"]).all(), m["kernel/correlation"]
assert np.all(m["W"] == 0) and np.allclose(m["b"], 3.25), m["b"]
# one constant target among fitted ones: the fit is reported as before, without the correlation of the constant one
X2, Y2 = correlated_data(20, len(names), 1, seed=9)
write_dataset("half.h5", X2, np.hstack([Y2, np.full((20, 1), 3.25)]), feature_names=names, target_names=["energy_per_atom", "omega2_mean"])
with h5py.File("half.h5", "a") as f, h5py.File("const.h5", "r") as g:
    g.copy("/dataset/structure", f["/dataset"])
out = run("fit", ["-data", "half.h5", "-o", "half.model.h5", "-potential", "ka3d"], nranks=2).stdout
assert "fit: lambda =" in out and "1 of 2 targets are constant" in out and "nothing was fitted" not in out, out
assert "energy_per_atom with its exact kernel" in out and "omega2_mean with its exact kernel" not in out, out

# -fit_lambda_count 1: the lower end of the path, with a note; = the model fitted at that lambda
X3, Y3 = correlated_data(30, 5, 2, seed=10)
write_dataset("ok.h5", X3, Y3)
out = run("fit", ["-data", "ok.h5", "-o", "one.model.h5", "-fit_lambda_count", 1, "-fit_lambda_min", 0.5], nranks=2).stdout
note = [l for l in out.splitlines() if "-fit_lambda_count 1" in l]
assert len(note) == 1 and "note" in note[0] and "0.5" in note[0] and "-fit_lambda" in note[0], out
one = read_model("one.model.h5")
assert np.isclose(one["lambda"], 0.5), one["lambda"]
given = read_model(run("fit", ["-data", "ok.h5", "-o", "given.model.h5", "-fit_lambda", 0.5], nranks=2) and "given.model.h5")
assert np.allclose(one["W"], given["W"], rtol=1e-12, atol=0), "not the model at lambda_min"
assert "-fit_lambda_count" not in run("fit", ["-data", "ok.h5", "-o", "two.model.h5", "-fit_lambda_count", 2], nranks=2).stdout

# -fit_smooth_weight without -fit_smooth: refused; with it, or auto alone, accepted
for weight in ("10", "1,100"):
    proc = run("fit", ["-data", "ok.h5", "-o", "w.model.h5", "-fit_smooth_weight", weight], nranks=2, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum")]
    print(lines)
    assert proc.returncode == 1 and len(lines) == 1 and lines[0].startswith(f"vitrum: error: -fit_smooth_weight {weight} "), proc.stderr
    assert "-fit_smooth 1 or 2" in lines[0], lines
run("fit", ["-data", "ok.h5", "-o", "w.model.h5", "-fit_smooth_weight", "auto"], nranks=2)
run("fit", ["-data", "ok.h5", "-o", "w.model.h5", "-fit_smooth_weight", "10", "-fit_smooth", 1], nranks=2)
print("ok")
