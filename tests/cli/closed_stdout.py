"""A reader of vitrum's output that stops early (`vitrum energy ... | head -3`) neither crashes vitrum
nor costs the output file. vitrum ignores SIGPIPE (src/common/common.c, VitInitialize: PETSc's signal
handler once printed "Caught signal number 13 Broken Pipe" and called MPI_ABORT), so writes to the
closed pipe fail quietly; and energy, hessian, minimize write their file before the summary, so the
file is there when the first line can be read. Run as one process (no mpirun), as from a shell:
  closed  stdout closed before vitrum prints anything: status 0, the file written, stderr free of
          PETSc's signal message;
  head    the summary's first line read, the file already there; then stdout closed: as above."""
import os
import subprocess

import numpy as np

from vitrum_testlib import VITRUM, check, write_lammps_data

# 4x4x4 simple cubic: forces zero by symmetry, so that no warning comes before the summary
grid = np.array([(i, j, k) for i in range(4) for j in range(4) for k in range(4)], float) * 1.1
write_lammps_data("sc.data", np.eye(3) * 4.4, (0, 0, 0), [1] * 64, grid)
commands = {"energy": [], "hessian": [], "minimize": ["-minimize_saddle_escapes", 0]}
summary = {"energy": "energy:", "hessian": "hessian:", "minimize": "  energy per atom"}  # minimize's progress lines come before


def start(cmd, out):
    if os.path.exists(out):
        os.remove(out)
    args = [VITRUM, cmd, "-sample", "sc.data", "-potential", "lj", "-o", out] + [str(a) for a in commands[cmd]]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(p, cmd, out, how):
    err = p.stderr.read().decode()
    rc = p.wait()
    check(rc == 0 and os.path.exists(out) and "PETSC ERROR" not in err and "Broken Pipe" not in err and "MPI_ABORT" not in err,
          "%s, stdout %s: status %d, %s written, stderr %r" % (cmd, how, rc, out, err[:300]))


for cmd in commands:
    out = "%s_closed.%s" % (cmd, "data" if cmd == "minimize" else "h5")
    p = start(cmd, out)
    p.stdout.close()
    finish(p, cmd, out, "closed at the start")

    out = "%s_head.%s" % (cmd, "data" if cmd == "minimize" else "h5")
    p = start(cmd, out)
    line = p.stdout.readline().decode()
    while line and not line.startswith(summary[cmd]):
        line = p.stdout.readline().decode()
    there = os.path.exists(out)
    p.stdout.close()
    check(line and there, "%s: the file is written when the summary's first line (%r) can be read" % (cmd, line.strip()))
    finish(p, cmd, out, "closed after that line")
