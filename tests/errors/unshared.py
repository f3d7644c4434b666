"""main's last resort (tests/errors/unshared.c, path in argv[1]): a user error on PETSC_COMM_SELF
that no agreement point carried to PETSC_COMM_WORLD is printed exactly once, without a PETSc
traceback; when every rank raised it the run ends normally with status 1."""
import subprocess
import sys

from vitrum_testlib import MPIRUN, check

exe = sys.argv[1]
for mode, ranks in (("all", 1), ("all", 2), ("all", 3), ("one", 2), ("one", 3)):
    p = subprocess.run(MPIRUN + ["-n", str(ranks), exe, mode], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = [l for l in p.stdout.splitlines() if "vitrum: error:" in l]
    tag = "%s on %d ranks" % (mode, ranks)
    check(p.returncode == 1, "%s: exit status 1 (got %d)" % (tag, p.returncode))
    check(len(lines) == 1 and "bad value on rank" in lines[0], "%s: one error line (%s)" % (tag, "; ".join(lines)))
    check("PETSC ERROR" not in p.stdout, "%s: no PETSc traceback" % tag)
    if mode == "all":
        check("MPI_ABORT" not in p.stdout and "rank 0" in lines[0], "%s: no abort; the lowest rank's message" % tag)
