"""DIR/options.used that cannot be written whole (here a file-size limit of 200 bytes on the rank,
RLIMIT_FSIZE with SIGXFSZ ignored, as a full disk would) is one error line naming it, before any
stage runs. Before, fputs and fclose went unchecked: the run went on with a cut options.used (and
samples.used), the files from which it judges which stages are up to date."""
import os
import subprocess

import numpy as np

import vitrum_testlib as vt

vt.write_lj_crystals(np.random.default_rng(3))
with open("limit.py", "w") as f:
    f.write("import os, resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (200, resource.RLIM_INFINITY))\n"
            "os.execv(sys.argv[1], sys.argv[1:])\n")
# the limit on the rank only: mpirun's own files (PMIx's shared memory) are larger
cmd = vt.MPIRUN + ["-n", "1", os.environ.get("PYTHON", "/usr/bin/python3"), "limit.py", vt.VITRUM, "pipeline", "-pipeline_dir", "run",
                   "-pipeline_samples", "samples.txt", "-potential", "lj/cut", "-pipeline_models", "omega2_mean", "-pipeline_report", 0,
                   "-rdf_rmax", 2.0, "-spectrum_nev", 0]
p = subprocess.run([str(a) for a in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
errors = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
vt.check(p.returncode != 0 and errors == ["vitrum: error: run/options.used: cannot write (File too large; check -pipeline_dir)"],
         "options.used cut short: one error naming it\n%s%s" % (p.stdout, p.stderr))
vt.check("features: running" not in p.stdout, "no stage ran")
print("ok")
