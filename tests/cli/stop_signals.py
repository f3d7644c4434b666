"""A run stopped by SIGTERM (a batch system's time limit) or SIGINT (docs/reliability.md): one line
`vitrum: stopped by SIGTERM` on stderr, the process ends by that signal (status 128 + N when started
alone; mpirun, signalled itself, ends with its own status 1 on 2 ranks, the line still printed once),
no output and no temporary file (NAME.tmp, NAME.tmp.lock) are left, and a rerun writes the output (a
short run with the same -o: what could block it is a file left behind, not the work done).
Before, the run ended without a word. The signal is sent once every
process of the run catches SIGTERM (SigCgt in /proc/PID/status: the handler is installed after
PETSc's start; 5 s at most, for a build without it), and once more as soon as the output's
temporary file appears (the handler removes it, its lock and Open MPI's r.h5.tmp.data.0 and
.metadata.0; when the run finishes first, that case is reported and not checked)."""
import glob
import os
import signal
import subprocess
import time

import numpy as np

from vitrum_testlib import MPIRUN, VITRUM, check, random_sample, write_lammps_data

cell = np.diag([30.0, 30.0, 30.0])
pos, types = random_sample(20000, cell, fractions=(0.8, 0.2), seed=1)
write_lammps_data("big.data", cell, (0, 0, 0), types, pos)
# mpirun, signalled, sends SIGTERM to the ranks and SIGKILL odls_base_sigkill_timeout seconds later;
# the tests' setting of 0 (tests/testing.cmake) kills them before their handler writes; the default kept here.
ENV = {k: v for k, v in os.environ.items() if k != "OMPI_MCA_odls_base_sigkill_timeout"}
ARGS = ["rdf", "-sample", "big.data", "-rdf_rmax", "10", "-rdf_dr", "0.0005", "-o", "r.h5"]
RERUN = ["rdf", "-sample", "big.data", "-rdf_rmax", "2", "-o", "r.h5"]


def leftovers():
    return sorted(glob.glob("r.h5*"))


PROC, RANKS = [None], [0]


def stopped_run(ranks, sig, when):
    """The run on ranks (0: alone), sig sent to vitrum or mpirun when when() says so; (status, stderr)."""
    cmd = (MPIRUN + ["-n", str(ranks)] if ranks else []) + [VITRUM] + ARGS
    with open("err.txt", "w") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=ENV)
        PROC[0], RANKS[0] = proc, ranks
        deadline = time.time() + 120
        while proc.poll() is None and not when() and time.time() < deadline:
            time.sleep(0.001)
        sent = proc.poll() is None
        if sent:
            proc.send_signal(sig)
        status = proc.wait(timeout=120)
    with open("err.txt") as f:
        return sent, status, f.read()


def vitrum_pids(pid):
    """pid itself, or its children that run vitrum (mpirun's ranks)."""
    kids = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and os.readlink("/proc/%s/exe" % entry) == os.path.realpath(VITRUM):
                kids.append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    return kids or [pid]


def catches_sigterm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            caught = [l for l in f if l.startswith("SigCgt:")][0].split()[1]
        return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))
    except (OSError, IndexError):
        return False


START = [0.0]


def started():
    """Every process of the run has its stop handler (SigCgt), or 5 s have passed (a build without one)."""
    if not START[0]:
        START[0] = time.time()
    pids = vitrum_pids(PROC[0].pid)
    ready = all(catches_sigterm(p) for p in pids) and (len(pids) == RANKS[0] or not RANKS[0])
    if ready or time.time() - START[0] > 5:
        START[0] = 0.0
        return True
    return False


writing = lambda: os.path.exists("r.h5.tmp")
for ranks, sig, when, what in ((0, signal.SIGTERM, started, "mid-run"), (0, signal.SIGINT, started, "mid-run"),
                               (2, signal.SIGTERM, started, "mid-run"), (0, signal.SIGTERM, writing, "while writing r.h5.tmp")):
    name = signal.Signals(sig).name
    tag = "%s %s (%s)" % (name, what, "alone" if not ranks else "mpirun -n %d" % ranks)
    sent, status, err = stopped_run(ranks, sig, when)
    if not sent or (when is writing and os.path.exists("r.h5") and "stopped" not in err):
        print("note: %s: the run ended before the signal; not checked" % tag)
        for f in leftovers():
            os.remove(f)
        continue
    lines = [l for l in err.splitlines() if l.startswith("vitrum:")]
    if len(lines) != 1:
        print(err)
    check(len(lines) == 1 and lines[0].startswith("vitrum: stopped by %s" % name), "%s: one line 'vitrum: stopped by %s' (%s)" % (tag, name, lines))
    check(status == (-sig if not ranks else 1), "%s: status %s (got %d)" % (tag, "killed by the signal" if not ranks else "mpirun's 1", status))
    check(not leftovers(), "%s: no output or temporary file left (%s)" % (tag, leftovers()))
    subprocess.run([VITRUM] + RERUN, check=True, capture_output=True)
    check(leftovers() == ["r.h5"], "%s: a rerun writes r.h5" % tag)
    os.remove("r.h5")
