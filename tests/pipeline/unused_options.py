"""Options of a pipeline run that no stage reads (docs/pipeline.md, docs/reliability.md):
* an option outside vitrum's families (-totally_bogus) and another command's (-minimize_ftol) are
  reported at the end, once each, on 2 ranks; until this release the pipeline marked every option
  used after the features stage and reported neither;
* they are left out of DIR/options.used and of the features cache's key: a rerun with them, or
  without them, finds every stage up to date and makes no new cache folder (before, each such option
  reran every stage into a new cache folder);
* a rerun whose stages are all up to date reports them again, and nothing else: the options that
  chose the kept outputs (-kpm_moments, -potential, -rdf_rmax, PETSc's -eps_tol) are not reported
  although no stage read them.
(A misspelt option of vitrum's families, -kpm_vectros, is refused before any work: cli_misspelt_options.)"""
import os

import numpy as np

import vitrum_testlib as vt

vt.write_lj_crystals(np.random.default_rng(11))
base = ["pipeline", "-pipeline_dir", "run", "-pipeline_samples", "samples.txt", "-potential", "lj/cut", "-pipeline_models", "omega2_mean",
        "-fit_test_fraction", 0.25, "-pipeline_report", 0, "-rdf_rmax", 2.0, "-kpm_moments", 64, "-spectrum_nev", 4, "-eps_tol", 1e-10]
extra = ["-totally_bogus", 4, "-minimize_ftol", "1e-3"]
want = ["vitrum: warning: option -minimize_ftol 1e-3 was given but not used (an option of vitrum minimize, not of vitrum pipeline)",
        "vitrum: warning: option -totally_bogus 4 was given but not used (misspelled, or not for this command?)"]


def run(args, what, warnings, runs):
    p = vt.run(args, 2)
    got = sorted(l for l in p.stdout.splitlines() if "given but not used" in l)
    vt.check(got == warnings, "%s: reported unused: %s" % (what, got))
    ran = [s for s in ("features", "fit", "evaluate") if "%s: running" % s in p.stdout]
    vt.check(ran == runs, "%s: stages run: %s" % (what, ran))
    with open("run/options.used") as f:
        used = f.read()
    vt.check("-totally_bogus" not in used and "-minimize_ftol" not in used and "-kpm_moments 64" in used, "%s: options.used holds the options the stages read only" % what)
    return (used, os.stat("run/options.used").st_mtime_ns, sorted(os.listdir("run/cache")))


first = run(base + extra, "fresh run", want, ["features", "fit", "evaluate"])
vt.check(len(first[2]) == 1, "one features cache folder: %s" % first[2])
again = run(base + extra, "rerun", want, [])
vt.check(again == first, "rerun: options.used and the cache folders unchanged")
plain = run(base, "rerun without them", [], [])
vt.check(plain == first, "rerun without them: options.used and the cache folders unchanged")
print("ok")
