"""The report's learning curve uses the estimator of the metrics table: scripts/learning_curve.py's
VitrumRidge, set up from the model file (fit_setup: smoothness penalty, standardising, prior,
lambda choice), fitted on the same training rows, reproduces the model's W and b (GCV over the
same path picks the same lambda), for plain ridge, -fit_smooth 2 with -fit_standardize, and a
-fit_prior file."""
import os
import sys
from types import SimpleNamespace

import h5py
import numpy as np

from fitlib import correlated_data, read_model, rel_diff, run, strings, write_dataset

sys.path.insert(0, os.path.join(os.environ["SRC"], "scripts"))
import learning_curve as lc  # noqa: E402
import vitrum_run as vr  # noqa: E402

n, pairs, nr = 120, ["A-A", "A-B"], 15
names = [f"g_{p}(r={1 + 0.05 * k:.10g})" for p in pairs for k in range(nr)]
X, Y = correlated_data(n, len(names), 3, seed=17, noise=0.5)
write_dataset("lc.h5", X, Y, feature_names=names, target_names=["omega2_mean", "D(omega=1)", "D(omega=2)"])
with h5py.File("prior.h5", "w") as f:
    f["/model/W"] = np.random.default_rng(3).standard_normal((3, len(names)))
    f["/model/feature_names"] = strings(names)
    f["/model/target_names"] = strings(["omega2_mean", "D(omega=1)", "D(omega=2)"])
cases = {"plain": [], "smooth 2, standardised": ["-fit_smooth", 2, "-fit_standardize"], "prior file": ["-fit_prior", "prior.h5", "-fit_smooth", 1],
         "given lambda": ["-fit_lambda", 3.0]}
for label, extra in cases.items():
    os.makedirs("run/models/m", exist_ok=True)
    run("fit", ["-data", "lc.h5", "-o", "run/models/m/model.h5"] + extra, 2)
    m = read_model("run/models/m/model.h5")
    fake = SimpleNamespace(folder="run", X=X, features=vr.groups(names),
                           models=[dict(name="m", Y=Y, **{"lambda": m["lambda"], "lambda_choice": m["attrs"]["lambda_choice"].decode()
                                                          if isinstance(m["attrs"]["lambda_choice"], bytes) else m["attrs"]["lambda_choice"]})])
    train = m["row_fold"] >= 0
    est = lc.VitrumRidge(lc.fit_setup(fake, [0, 1, 2])).fit(X[train], Y[train])
    dw, db = rel_diff(est.W, m["W"]), rel_diff(est.b, m["b"])
    print(f"{label}: lambda {m['lambda']:.4g} (index {int(m['lambda_index'][0])}), learning-curve estimator vs fit: W {dw:.1e}, b {db:.1e}")
    assert dw < 1e-8 and db < 1e-8, (label, dw, db)
print("ok")
