"""main's end of run (tests/errors/unshared.c, path in argv[1]): a user error that no agreement
point carried to every rank (raised on PETSC_COMM_SELF, or on PETSC_COMM_WORLD by rank 1 alone) is
printed exactly once, without a PETSc traceback; when every rank failed or finished the run ends
normally with status 1; without an error, status 0 and no line."""
import subprocess
import sys

from vitrum_testlib import MPIRUN, check

exe = sys.argv[1]
for mode, ranks in (("all", 1), ("all", 2), ("all", 3), ("one", 2), ("one", 3), ("world1", 2), ("world1", 3), ("none", 1), ("none", 3)):
    p = subprocess.run(MPIRUN + ["-n", str(ranks), exe, mode], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    lines = [l for l in p.stdout.splitlines() if "vitrum: error:" in l]
    tag = "%s on %d ranks" % (mode, ranks)
    if mode == "none":
        check(p.returncode == 0 and not lines, "%s: status 0, no error line (got %d, %s)" % (tag, p.returncode, "; ".join(lines)))
        continue
    check(p.returncode == 1, "%s: exit status 1 (got %d)" % (tag, p.returncode))
    check(len(lines) == 1 and "bad value on rank" in lines[0], "%s: one error line (%s)" % (tag, "; ".join(lines)))
    check("PETSC ERROR" not in p.stdout, "%s: no PETSc traceback" % tag)
    if mode == "all":
        check("MPI_ABORT" not in p.stdout and "rank 0" in lines[0], "%s: no abort; the lowest rank's message" % tag)
    if mode == "world1":
        check("MPI_ABORT" not in p.stdout and "rank 1" in lines[0], "%s: no abort; rank 1's message" % tag)
