"""-h and --help are -help (src/main.c, HelpSpellings): after every command, and with a sample given,
they print the same text as -help, exit 0 and run nothing (before, PETSc took them for unknown
options: `spectrum --help` said "no sample", `info -sample S --help` ran and warned that --help was
not used, `pipeline --help` created pipeline_run/ and started generating 100 samples with LAMMPS).
scripts/run_demo.sh -h/--help/-help prints its usage and starts nothing (it passed them on to the
pipeline). A timeout guards against a study started by mistake; it is not a timing assertion."""
import os
import re
import signal
import subprocess

import numpy as np

from vitrum_testlib import MPIRUN, VITRUM, check, write_lammps_data

grid = np.array([(i, j, k) for i in range(3) for j in range(3) for k in range(3)], float) * 1.1
write_lammps_data("sc.data", np.eye(3) * 3.3, (0, 0, 0), [1] * 27, grid)
os.mkdir("work")


def vitrum(args, ranks=1):
    """Status and output of vitrum in the empty folder work/; the files it left there (then removed)."""
    p = subprocess.Popen(MPIRUN + ["-n", str(ranks), VITRUM] + args, cwd="work", stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out = p.communicate(timeout=300)[0]
    except subprocess.TimeoutExpired:  # a study started: stop it and its LAMMPS runs
        os.killpg(p.pid, signal.SIGKILL)
        out = p.communicate()[0] + "\n(killed after 300 s)"
    left = sorted(os.listdir("work"))
    subprocess.run(["rm", "-rf"] + [os.path.join("work", f) for f in left], check=True)
    return p.returncode, out, left


status, usage, _ = vitrum(["-help"])
commands = re.findall(r"^  ([a-z]+) ", usage.split("Commands:")[1], re.M)
check(status == 0 and len(commands) >= 12, "vitrum -help lists %d commands" % len(commands))
for spelling in ("-h", "--help"):
    got = vitrum([spelling])
    check(got == (0, usage, []), "vitrum %s prints the usage, status 0 (status %d)" % (spelling, got[0]))

for command in commands:
    for before in ([], ["-sample", os.path.abspath("sc.data"), "-potential", "lj"]):
        status, reference, left = vitrum([command] + before + ["-help"])
        check(status == 0 and not left, "%s %s-help: status 0, nothing written" % (command, "-sample S ... " if before else ""))
        for spelling in ("--help",) if before else ("-h", "--help"):
            got = vitrum([command] + before + [spelling])
            check(got == (0, reference, []), "%s %s%s prints what -help prints, status 0, writes nothing (status %d, %s)"
                  % (command, "-sample S ... " if before else "", spelling, got[0],
                     [line for line in got[1].splitlines() if "error" in line or "warning" in line][:1]))

got = vitrum(["info", "-sample", os.path.abspath("sc.data"), "--help"], 2)
check(got[0] == 0 and got[1] == vitrum(["info", "-sample", os.path.abspath("sc.data"), "-help"], 2)[1] and "warning" not in got[1],
      "info --help on 2 ranks: the help once, no warning")

# scripts/run_demo.sh: its usage, without starting the pipeline (VITRUM would record a start)
with open("fake_vitrum", "w") as f:
    f.write("#!/bin/sh\ntouch %s\nexit 1\n" % os.path.abspath("started"))
os.chmod("fake_vitrum", 0o755)
for spelling in ("-h", "--help", "-help"):
    p = subprocess.run(["sh", os.path.join(os.environ["SRC"], "scripts", "run_demo.sh"), spelling], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60, env=dict(os.environ, VITRUM=os.path.abspath("fake_vitrum"), NP="1"))
    check(p.returncode == 0 and p.stdout.startswith("Usage: scripts/run_demo.sh") and not os.path.exists("started"),
          "run_demo.sh %s prints its usage, status 0, starts nothing (status %d)" % (spelling, p.returncode))
