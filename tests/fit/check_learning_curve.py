"""The report's learning curve uses the estimator of the metrics table: scripts/learning_curve.py's
VitrumRidge, set up from the model file (fit_setup: smoothness penalty, standardising, prior,
lambda choice), fitted on the same training rows, reproduces the model's W and b (GCV over the
same path picks the same lambda, and the same smoothness weight where fit chose one), for plain
ridge, -fit_smooth 2 with -fit_standardize (the weight chosen by default, auto), a -fit_prior
file, a given lambda and a given list of weights. The weight fit chooses from a list is the one
whose best GCV score is the lowest (/model/smooth_weight_scores = the replica's scores per weight),
and its model equals the fit with that weight given alone."""
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
         "given lambda": ["-fit_lambda", 3.0], "weights 0,10,1e4,1e8": ["-fit_smooth", 2, "-fit_smooth_weight", "0,10,1e4,1e8"]}
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
    print(f"{label}: lambda {m['lambda']:.4g} (index {int(m['lambda_index'][0])}), mu {float(m['smooth_weight']):g}, learning-curve estimator vs fit: W {dw:.1e}, b {db:.1e}")
    assert dw < 1e-8 and db < 1e-8, (label, dw, db)
    assert est.mu == float(m["smooth_weight"]), (label, est.mu, m["smooth_weight"])
    if "smooth_weights" not in m:
        continue
    # the weight chosen is the one with the lowest best score; each score = the replica's GCV minimum with that weight alone
    weights, scores = np.ravel(m["smooth_weights"]), np.ravel(m["smooth_weight_scores"])
    assert float(m["smooth_weight"]) == weights[np.argmin(scores)], (weights, scores)
    for mu, score in zip(weights, scores):
        one = dict(lc.fit_setup(fake, [0, 1, 2]))
        one["penalties"] = [pen for pen in one["penalties"] if pen[0] == mu]
        ref = lc.VitrumRidge(one).fit(X[train], Y[train])
        assert abs(ref.gcv - score) <= 1e-8 * score, (label, mu, ref.gcv, score)
    # the chosen weight given alone gives the same model
    others = [a for k, a in enumerate(extra) if "-fit_smooth_weight" not in (a, extra[k - 1] if k else None)]
    alone_path = "alone_%d.h5" % len(weights)
    run("fit", ["-data", "lc.h5", "-o", alone_path, "-fit_smooth_weight", "%.17g" % float(m["smooth_weight"])] + others, 2)
    alone = read_model(alone_path)
    assert rel_diff(alone["W"], m["W"]) < 1e-14 and "smooth_weights" not in alone, (label, rel_diff(alone["W"], m["W"]))
    print(f"  weights {list(weights)}: scores {', '.join('%.6g' % v for v in scores)} (= the replica's); the chosen weight alone gives the same W")
print("ok")
