"""Misspelt and unused options (docs/reliability.md, "Misspelt options"):
* an option in one of vitrum's families (the first word of an option some command's -help lists:
  -kpm_*, -spectrum_*, -rdf_*, ...) that no command reads is refused before any work, with one
  error line on 1 and 2 ranks that names the nearest option, here checked against the nearest name
  (optimal string alignment distance, computed below) among those `vitrum COMMAND -help` lists;
  until this release `pipeline` ran every stage with the default and reported nothing;
* another command's option (-fit_lambda given to rdf), PETSc's options (also under a vitrum prefix,
  -response_ksp_rtol) and options outside vitrum's families (-totally_bogus) are not refused; those
  nothing used are reported once at the end, another command's naming that command;
* features served from its cache reports an unused option as a computing run does (it printed
  nothing), while the options that chose the cached spectra (-kpm_moments, -potential) are not
  reported unused."""
import os
import re
import subprocess

import numpy as np

import vitrum_testlib as vt

exe = os.environ["VITRUM"]


def help_names(cmd):
    out = subprocess.run([exe, cmd, "-help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return set(re.findall(r"^\s*-([a-z][a-z0-9_]*)[\s:]", out, re.M))


def osa(a, b):
    """Optimal string alignment distance (edits and swaps of neighbours)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def nearest(name, names):
    best = min(osa(name, n) for n in names)
    return sorted(n for n in names if osa(name, n) == best)


def error_lines(p):
    return [l for l in (p.stdout + p.stderr).splitlines() if "error:" in l]


pipeline = help_names("pipeline")
for typo in ("kpm_vectros", "kpm_moment", "spectrum_nve", "fit_test_fracton"):
    want = nearest(typo, pipeline)
    vt.check(len(want) == 1, "one nearest name to -%s: %s" % (typo, want))
    for nranks in (1, 2):
        p = vt.run(["pipeline", "-pipeline_dir", "run", "-pipeline_samples", "nolist.txt", "-potential", "ka2d", "-pipeline_report", 0, "-" + typo, 8], nranks, expect_fail=True)
        lines = error_lines(p)
        vt.check(p.returncode == 1 and len(lines) == 1, "pipeline -%s on %d ranks: status 1, one error line (%d, %s)" % (typo, nranks, p.returncode, lines))
        vt.check(lines[0] == "vitrum: error: -%s is no option of vitrum pipeline; did you mean -%s?" % (typo, want[0]), lines[0])
        vt.check("nolist.txt" not in p.stdout + p.stderr and not os.path.exists("run"), "refused before the sample list is looked at or the run folder made")
print("pipeline: -kpm_vectros, -kpm_moment, -spectrum_nve, -fit_test_fracton refused before any work, with the nearest name")

# several at once: one line naming each; a name near nothing gets no suggestion
p = vt.run(["pipeline", "-pipeline_samples", "nolist.txt", "-kpm_vectros", 8, "-spectrum_qwertyuiop", 1], 2, expect_fail=True)
lines = error_lines(p)
vt.check(len(lines) == 1 and "-kpm_vectros (did you mean -kpm_vectors?)" in lines[0] and "-spectrum_qwertyuiop" in lines[0]
         and "-spectrum_qwertyuiop (" not in lines[0] and lines[0].endswith("are no options of vitrum pipeline"), "two misspelt options, one line: %s" % lines)

# a misspelt option of another command: the nearest name is that command's, and it says so
sample = "glass.data"
vt.write_lammps_data(sample, np.eye(3) * 6.0, (0, 0, 0), [1] * 4, [[0, 0, 0], [3, 0, 0], [0, 3, 0], [0, 0, 3.1]], masses=[1.0])
fit = help_names("fit")
vt.check("fit_lambda" in fit and "fit_lambda" not in help_names("rdf") and nearest("fit_lamda", help_names("rdf") | fit) == ["fit_lambda"], "-fit_lambda is fit's, not rdf's")
p = vt.run(["rdf", "-sample", sample, "-o", "g.h5", "-fit_lamda", 1], 1, expect_fail=True)
vt.check(error_lines(p) == ["vitrum: error: -fit_lamda is no option of vitrum rdf; did you mean -fit_lambda (an option of vitrum fit)?"], error_lines(p))
vt.check(not os.path.exists("g.h5"), "no output")

# not refused: another command's option, PETSc's (also under vitrum's -response_ prefix), one outside vitrum's families
p = vt.run(["rdf", "-sample", sample, "-o", "g.h5", "-rdf_rmax", 2.9, "-fit_lambda", 1, "-response_ksp_rtol", 1e-3, "-totally_bogus", 4], 2)
warn = [l for l in p.stdout.splitlines() if "was given but not used" in l]
vt.check(os.path.exists("g.h5") and len(warn) == 3, "rdf runs; three options reported unused, once each: %s" % warn)
vt.check(any("-fit_lambda 1 was given but not used (an option of vitrum fit, not of vitrum rdf)" in l for l in warn), "-fit_lambda: fit's option (%s)" % warn)
vt.check(any("-totally_bogus 4" in l for l in warn) and any("-response_ksp_rtol" in l for l in warn), "-totally_bogus and -response_ksp_rtol reported (%s)" % warn)
print("rdf: -fit_lamda refused naming -fit_lambda of fit; -fit_lambda, -response_ksp_rtol, -totally_bogus run and are reported once")

# features: the same unused option is reported by a computing run and by the run its cache serves,
# and the options that chose the cached spectra are not reported
rng = np.random.default_rng(3)
grid = np.array([(i, j, k) for i in range(3) for j in range(3) for k in range(3)], float) * 1.12
for s in range(2):
    vt.write_lammps_data("s%d.data" % s, np.eye(3) * 3.36, (0, 0, 0), [1] * 27, grid + rng.normal(0, 0.03, grid.shape), masses=[1.0])
features = ["features", "-samples", "s[01].data", "-potential", "lj/cut", "-lj_cutoff", 1.6, "-features_targets", "omega2_mean", "-features_cache", "cache",
            "-kpm_moments", 64, "-spectrum_nev", 0, "-rdf_rmax", 1.6, "-totally_bogus", 4]
cached = ["cache/s%d.data.%s.h5" % (s, kind) for s in range(2) for kind in ("rdf", "spectrum")]
for run, what in ((1, "computed"), (2, "from the cache")):
    p = vt.run(features + ["-o", "d%d.h5" % run], 2)
    warn = [l for l in p.stdout.splitlines() if "was given but not used" in l]
    vt.check(warn == ["vitrum: warning: option -totally_bogus 4 was given but not used (misspelled, or not for this command?)"], "features, spectra %s: -totally_bogus reported once, nothing else (%s)" % (what, warn))
    stamps = [os.stat(f).st_mtime_ns for f in cached]
    if run == 1:
        first = stamps
    vt.check(stamps == first, "spectra %s: the cached files are %s" % (what, "written" if run == 1 else "unchanged"))
p = vt.run(["features", "-samples", "s[01].data", "-o", "d3.h5", "-features_cache", "cache", "-rdf_dx", 0.02], 2, expect_fail=True)
vt.check(error_lines(p) == ["vitrum: error: -rdf_dx is no option of vitrum features; did you mean -rdf_dr?"] and not os.path.exists("d3.h5"), error_lines(p))
print("features: -totally_bogus reported when computed and when served from the cache; -kpm_moments, -potential not; -rdf_dx refused")
print("ok")
