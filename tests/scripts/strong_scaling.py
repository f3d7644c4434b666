"""jobscripts/strong_scaling.sh with a run that fails: the script stops with a non-zero status and
one error line, and its temporary folder (mktemp -d under TMPDIR) is gone; a good series writes its
CSV and leaves nothing behind either."""
import os
import subprocess

import numpy as np

import vitrum_testlib as vt

SRC = os.environ["SRC"]
SCRIPT = os.path.join(SRC, "jobscripts", "strong_scaling.sh")
os.makedirs("tmp")
env = dict(os.environ, TMPDIR=os.path.abspath("tmp"), LAUNCH=os.environ["MPIRUN"])
p = subprocess.run(["sh", SCRIPT, "bad.csv", "2", "rdf", "-sample", "missing.data"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
vt.check(p.returncode != 0 and "strong_scaling.sh: error: the run on 1 ranks failed" in p.stdout, "a failed run stops the script (%s)" % p.stdout[-1000:])
vt.check(os.listdir("tmp") == [], "no temporary folder left after the failure (%s)" % os.listdir("tmp"))

pos, types = vt.random_sample(300, np.diag([8.0, 8.0, 8.0]), seed=2)
vt.write_lammps_data("s.data", np.diag([8.0, 8.0, 8.0]), (0, 0, 0), types, pos)
p = subprocess.run(["sh", SCRIPT, "good.csv", "2", "rdf", "-sample", "s.data", "-rdf_rmax", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
rows = open("good.csv").read().split() if os.path.exists("good.csv") else []
vt.check(p.returncode == 0 and len(rows) == 3 and rows[1].startswith("1,") and rows[2].startswith("2,"), "a good series: rows for 1 and 2 ranks (%s)" % p.stdout)
vt.check(os.listdir("tmp") == [], "no temporary folder left after a good series")
print("ok")
