"""vitrum response -response_param: the option it perturbs must be one of the potential's
parameters. A name that is not (another command's option, a parameter of another potential, or
any option for a many-body potential, whose parameters are in its file) is one line on 2 ranks
naming it and the potential's parameters, and no output; before, the run ended with status 0 and
/response/param/dlambda all zeros (the option was perturbed, and nothing read it). A
-response_param_step that moves the value out of its range is one line naming the step."""
import os
import numpy as np
import spectrumlib as sl
import vitrum_testlib as vt

data = os.path.join(os.environ["SRC"], "tests", "spectrum", "data")
ka2d = ["response", "-sample", os.path.join(data, "ka2d_64.data"), "-potential", "ka2d", "-response_nev", 4, "-response_dipole_pairs", 0, "-response_strain", "none", "-o", "bad.h5"]
eam = ["response", "-sample", os.path.join(data, "cuni_32_small_box.data"), "-potential", "eam", "-potential_file", "Cu_u3.eam,Ni_u3.eam", "-response_nev", 4, "-response_dipole_pairs", 0, "-response_strain", "none", "-o", "bad.h5"]
params = "lj_epsilon,lj_sigma,lj_cutoff,lj_cutoff_sigma"
for args, words in ((ka2d + ["-eps_target", 1, "-response_param", "eps_target"], ["-response_param eps_target", "not a parameter of -potential ka2d", params]),
                    (ka2d + ["-potential_min_distance", 0.1, "-response_param", "potential_min_distance"], ["-response_param potential_min_distance", "not a parameter of -potential ka2d", params]),
                    (eam + ["-lj_epsilon", 1, "-response_param", "lj_epsilon"], ["-response_param lj_epsilon", "not a parameter of -potential eam", "-potential_file"]),
                    # a step that moves the value out of its range names the step, not only the
                    # value it made ("epsilon >= 0 (got -1, -lj_epsilon)" for a given 1)
                    (ka2d + ["-lj_epsilon", "1,1.5,0.5", "-response_param", "lj_epsilon", "-response_param_step", 2],
                     ["-response_param_step 2", "entry 0 of -lj_epsilon from 1", "give a smaller step", "epsilon >= 0"])):
    p = vt.run(args, 2, expect_fail=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
    vt.check(p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words) and not os.path.exists("bad.h5"),
             "%s: one line on 2 ranks, no output (%s)" % (" ".join(map(str, args[-2:])), lines))

# The parameters that move the cutoff (lj_sigma with rc = 2.5 sigma, lj_cutoff, lj_cutoff_sigma):
# the perturbed Hessians are built on a domain whose ghosts reach the moved cutoff. Before, a step
# up stopped every such run with "domain ghost width 2.5 is below the potential's 2.50025". The
# shifts = central differences of numpy's eigenvalues of `vitrum hessian` at the same step (with
# -potential_smooth, whose terms depend on the cutoff: the shifted potential's H does not).
sample, nev, h = os.path.join(data, "ka2d_64.data"), 6, 1e-4
ev0 = np.linalg.eigvalsh(sl.hessian_dense(sample, potential=("-potential", "ka2d")))[2:2 + nev + 1]
nondeg = sl.nondegenerate(ev0, nev)
vt.check(len(nondeg) >= 3, "%d non-degenerate modes among the lowest %d" % (len(nondeg), nev))
for param, values, index in (("lj_sigma", [1, 0.8, 0.88], 0), ("lj_cutoff", [2.5, 2.0, 2.2], 0), ("lj_cutoff_sigma", [2.5], 0)):
    given = lambda v: ["-potential_smooth", 1, "-" + param, ",".join("%.17g" % (x + (v if k == index else 0)) for k, x in enumerate(values))]
    vt.run(["response", "-sample", sample, "-potential", "ka2d", "-response_nev", nev, "-response_dipole_pairs", 0, "-response_strain", "none", "-response_masses", 0,
            "-response_param", param, "-response_param_index", index, "-response_param_step", h, "-o", "%s.h5" % param] + given(0), 2)
    ref = sl.fd_shifts(lambda sign: sample, lambda sign: given(sign * h), h, nev, potential=("-potential", "ka2d"), d=2)
    sl.check_shifts("-response_param %s (2 ranks)" % param, sl.read("%s.h5" % param, "/response/param/dlambda"), ref, nondeg)
