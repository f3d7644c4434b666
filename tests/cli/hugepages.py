"""vitrum re-executes itself once with glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES (huge pages for
malloc's heap: the Hessian assembly's page faults, src/main.c). Checked on the running process's
environment (/proc/PID/environ, read while it waits on a FIFO given as the sample): the tunable is
added, a tunable the user set is kept, VITRUM_HUGEPAGES=0 leaves the environment alone, and a
tunable already naming hugetlb is not changed. The numbers do not depend on it: energies and
forces on 1 and 2 ranks are bitwise equal with and without."""
import os
import subprocess
import time

import h5py
import numpy as np

from vitrum_testlib import MPIRUN, VITRUM, check, random_sample, write_lammps_data


def running_environment(env):
    """GLIBC_TUNABLES of a vitrum process once it blocks opening a FIFO as its sample (after any
    re-execution; None when unset), its tunables joined by ':'."""
    if os.path.exists("wait.fifo"):
        os.remove("wait.fifo")
    os.mkfifo("wait.fifo")
    proc = subprocess.Popen([VITRUM, "info", "-sample", "wait.fifo", "-format", "lammps-data"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            with open("/proc/%d/wchan" % proc.pid) as f:
                if f.read().strip() == "wait_for_partner":  # in open() of the FIFO
                    break
            time.sleep(0.02)
        check(time.time() < deadline, "vitrum reached the open() of its FIFO sample")
        with open("/proc/%d/environ" % proc.pid, "rb") as f:
            entries = f.read().split(b"\0")
    finally:
        proc.kill()
        proc.wait()
    # glibc parses the tunables in place, ending the string at each ':' (the rest follow as entries)
    start = [k for k, e in enumerate(entries) if e.startswith(b"GLIBC_TUNABLES=")]
    if not start:
        return None
    value = [entries[start[0]][len(b"GLIBC_TUNABLES="):]]
    value += [e for e in entries[start[0] + 1:] if e.startswith(b"glibc.")][:8]
    return ":".join(v.decode() for v in value)


base = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "VITRUM_HUGEPAGES")}
got = running_environment(base)
check(got == "glibc.malloc.hugetlb=1", "default: the running process has GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (%s)" % got)
got = running_environment(dict(base, GLIBC_TUNABLES="glibc.malloc.trim_threshold=1048576"))
check(got == "glibc.malloc.trim_threshold=1048576:glibc.malloc.hugetlb=1", "a user's tunable is kept and hugetlb appended (%s)" % got)
got = running_environment(dict(base, VITRUM_HUGEPAGES="0"))
check(got is None, "VITRUM_HUGEPAGES=0: the environment is left alone (%s)" % got)
got = running_environment(dict(base, GLIBC_TUNABLES="glibc.malloc.hugetlb=0"))
check(got == "glibc.malloc.hugetlb=0", "a hugetlb setting of the user is not changed (%s)" % got)

cell = np.diag([7.0, 7.0, 7.0])
pos, types = random_sample(400, cell, fractions=(0.8, 0.2), seed=4)
write_lammps_data("gas.data", cell, (0, 0, 0), types, pos)
results = {}
for mode in ("1", "0"):
    for n in (1, 2):
        out = "e_%s_%d.h5" % (mode, n)
        env = dict(base, VITRUM_HUGEPAGES=mode)
        subprocess.run(MPIRUN + ["-n", str(n), "-x", "VITRUM_HUGEPAGES", VITRUM, "energy", "-sample", "gas.data", "-potential", "ka3d",
                                 "-potential_min_distance", "0.01", "-o", out], env=env, check=True, capture_output=True)
        with h5py.File(out, "r") as f:
            results[mode, n] = {k: f[k][()] for k in ("/energy/total", "/energy/per_atom", "/forces")}
ref = results["1", 1]
check(all(all(np.array_equal(r[k], ref[k]) for k in ref) for r in results.values()),
      "energies, per-atom energies and forces bitwise equal with and without huge pages, on 1 and 2 ranks")
