"""Memory checks see the job's memory limit (cgroup), not only the node's MemAvailable
(VitMemoryAvailable, src/common/common.c; docs/reliability.md).

  unit   errors_cgroup_memory_exe on fake trees (proc/self/cgroup, proc/self/mountinfo,
         proc/meminfo, cgroup folders): the least of MemAvailable and limit - (usage - inactive
         file cache) over the process's memory cgroup and its ancestors, v1 and v2, "max" and v1's
         unlimited value, a mount of a sub-tree; expected values worked out by hand below.
  job    vitrum hessian in a child memory cgroup limited to 200 MB (root only; skipped, with the
         reason, where the kernel offers no writable memory cgroup): a 27,000-atom sample whose
         Hessian and the copies written from it take about 400 MB. Before the fix the check compared
         with the node's MemAvailable and the kernel killed the run (status 137, no line); now one
         line naming the job's memory limit, status 1, no output, on 1 and 2 ranks.
Usage: cgroup_memory.py unit EXE | job"""
import os
import subprocess
import sys
import time

import numpy as np

from vitrum_testlib import MPIRUN, VITRUM, check, write_lammps_data

UNLIMITED_V1 = 9223372036854771712


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def tree(root, cgroup, mounts, files, meminfo_kb=None):
    """A fake root: /proc/self/cgroup lines, mountinfo lines (mount root, point, type, options), files {path: text}."""
    write(root + "/proc/self/cgroup", "".join(l + "\n" for l in cgroup))
    write(root + "/proc/self/mountinfo", "".join("%d 1 0:%d %s %s rw,relatime - %s %s rw,%s\n" % (30 + k, 30 + k, r, p, t, t, o) for k, (r, p, t, o) in enumerate(mounts)))
    if meminfo_kb is not None:
        write(root + "/proc/meminfo", "MemTotal:       99999999 kB\nMemFree:        1 kB\nMemAvailable:   %d kB\n" % meminfo_kb)
    for path, text in files.items():
        write(root + path, text)


def unit(exe):
    V1 = [("/", "/sys/fs/cgroup/memory", "cgroup", "memory"), ("/", "/sys/fs/cgroup/cpu", "cgroup", "cpu"), ("/", "/sys/fs/cgroup/unified", "cgroup2", "")]
    d1 = "/sys/fs/cgroup/memory/slurm/job_1"
    cases = [
        # v1: the job's limit 300e6 with 120e6 used of which 20e6 inactive file cache: 200e6 left;
        # its step (unlimited) and the hierarchy's top (unlimited) do not bind; MemAvailable 25.6e9
        ("v1", ["5:cpu:/slurm/job_1/step_0", "4:memory:/slurm/job_1/step_0", "0::/"], V1,
         {d1 + "/memory.limit_in_bytes": "300000000\n", d1 + "/memory.usage_in_bytes": "120000000\n", d1 + "/memory.stat": "cache 30000000\ninactive_file 5\ntotal_inactive_file 20000000\n",
          d1 + "/step_0/memory.limit_in_bytes": "%d\n" % UNLIMITED_V1, d1 + "/step_0/memory.usage_in_bytes": "110000000\n",
          "/sys/fs/cgroup/memory/memory.limit_in_bytes": "%d\n" % UNLIMITED_V1, "/sys/fs/cgroup/memory/memory.usage_in_bytes": "5000000000\n"},
         25000000, 200e6, "the job's memory limit (cgroup) of 0.3 GB less the 0.1 GB it uses"),
        # v2: the step's memory.max 250e6 with 100e6 current: 150e6; the job's 1e9 - (4e8 - 1e8) = 7e8
        ("v2", ["0::/job/step"], [("/", "/sys/fs/cgroup", "cgroup2", "nsdelegate")],
         {"/sys/fs/cgroup/job/memory.max": "1000000000\n", "/sys/fs/cgroup/job/memory.current": "400000000\n", "/sys/fs/cgroup/job/memory.stat": "anon 1\ninactive_file 100000000\n",
          "/sys/fs/cgroup/job/step/memory.max": "250000000\n", "/sys/fs/cgroup/job/step/memory.current": "100000000\n", "/sys/fs/cgroup/job/step/memory.stat": "inactive_file 0\n"},
         25000000, 150e6, "the job's memory limit (cgroup) of 0.25 GB less the 0.1 GB it uses"),
        # v2, "max" everywhere: MemAvailable (1000 kB = 1.024e6 bytes)
        ("v2 max", ["0::/job"], [("/", "/sys/fs/cgroup", "cgroup2", "")],
         {"/sys/fs/cgroup/job/memory.max": "max\n", "/sys/fs/cgroup/job/memory.current": "400000000\n"},
         1000, 1.024e6, "the node's MemAvailable"),
        # v2 limit above MemAvailable: MemAvailable (5e5 kB = 5.12e8 bytes < 1e9 - 2e8)
        ("v2 MemAvailable less", ["0::/job"], [("/", "/sys/fs/cgroup", "cgroup2", "")],
         {"/sys/fs/cgroup/job/memory.max": "1000000000\n", "/sys/fs/cgroup/job/memory.current": "200000000\n"},
         500000, 5.12e8, "the node's MemAvailable"),
        # a container's mount of the sub-tree /kube/pod1 at /sys/fs/cgroup; the process in /kube/pod1/c:
        # the folders /sys/fs/cgroup/c (6e8 - 1e8) and /sys/fs/cgroup (4e8 - 3e8 = 1e8, binds)
        ("v2 sub-tree mount", ["0::/kube/pod1/c"], [("/kube/pod1", "/sys/fs/cgroup", "cgroup2", "")],
         {"/sys/fs/cgroup/c/memory.max": "600000000\n", "/sys/fs/cgroup/c/memory.current": "100000000\n",
          "/sys/fs/cgroup/memory.max": "400000000\n", "/sys/fs/cgroup/memory.current": "300000000\n"},
         25000000, 1e8, "the job's memory limit (cgroup) of 0.4 GB less the 0.3 GB it uses"),
        # v1 usage above its limit (charged cache): nothing left, not a negative size
        ("v1 over", ["4:memory:/j"], V1,
         {"/sys/fs/cgroup/memory/j/memory.limit_in_bytes": "100000000\n", "/sys/fs/cgroup/memory/j/memory.usage_in_bytes": "120000000\n"},
         25000000, 0, "the job's memory limit (cgroup) of 0.1 GB less the 0.12 GB it uses"),
        # no cgroup files, no meminfo: unknown (0: every check passes)
        ("nothing", ["0::/"], [], {}, None, 0, "unknown"),
    ]
    for k, (what, cgroup, mounts, files, kb, expect, bound) in enumerate(cases):
        root = os.path.abspath("tree%d" % k)
        tree(root, cgroup, mounts, files, kb)
        p = subprocess.run([exe, root], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(p.returncode == 0, "%s: status 0 (%s)" % (what, p.stderr.strip()))
        value, text = p.stdout.strip().split(" ", 1)
        check(abs(float(value) - expect) <= 1e-9 * max(expect, 1), "%s: %s bytes (expected %.17g)" % (what, value, expect))
        check(text == bound, "%s: bound '%s' (expected '%s')" % (what, text, bound))


def writable_cgroup():
    """A new child memory cgroup limited to 200 MB, or (None, why not)."""
    if os.geteuid():
        return None, "not root: no cgroup can be created"
    mounts = [l.split(" - ")[0].split()[3:5] + l.split(" - ")[1].split()[0:3:2] for l in open("/proc/self/mountinfo") if " - " in l]
    own = dict((c.split(":")[1], c.split(":", 2)[2].strip()) for c in open("/proc/self/cgroup"))
    for mroot, point, kind, opts in mounts:  # v1's memory controller: a child of this process's cgroup
        if kind == "cgroup" and "memory" in opts.split(","):
            rel = own.get("memory", "/")
            rel = rel[len(mroot):] if mroot != "/" and rel.startswith(mroot) else rel
            parent, limit = point + rel.rstrip("/"), "memory.limit_in_bytes"
            break
    else:
        v2 = [p for r, p, kind, o in mounts if kind == "cgroup2"]
        if not v2 or "memory" not in open(v2[0] + "/cgroup.controllers").read().split():
            return None, "the kernel offers no memory cgroup controller (no v1 memory mount, no memory in cgroup.controllers of v2)"
        parent, limit = v2[0], "memory.max"
        try:
            with open(parent + "/cgroup.subtree_control", "w") as f:
                f.write("+memory")
        except OSError as e:
            return None, "cannot enable the memory controller in %s: %s" % (parent, e)
    child = "%s/vitrum_test_%d" % (parent, os.getpid())
    try:
        os.mkdir(child)
        with open(child + "/" + limit, "w") as f:
            f.write("200000000")
    except OSError as e:
        return None, "no writable memory cgroup under %s: %s" % (parent, e)
    return child, ""


def job():
    child, why = writable_cgroup()
    if not child:
        print("SKIP: %s" % why)
        return
    try:
        rng = np.random.default_rng(1)
        reps, a = 30, 1.1
        grid = np.stack(np.meshgrid(*[np.arange(reps)] * 3, indexing="ij"), -1).reshape(-1, 3)
        x = (grid + 0.5) * a + rng.uniform(-0.08, 0.08, grid.shape)
        write_lammps_data("big.data", np.eye(3) * reps * a, (0, 0, 0), np.where(rng.random(len(x)) < 0.8, 1, 2), x, masses=(1.0, 1.0))

        def enter():
            with open(child + "/cgroup.procs", "w") as f:
                f.write(str(os.getpid()))
        try:  # a cgroup that cannot take processes (v2's rules in some containers): no job to limit
            subprocess.run(["true"], preexec_fn=enter, check=True)
        except (subprocess.SubprocessError, OSError) as e:
            print("SKIP: no process can join %s: %s" % (child, e))
            return

        for n in (1, 2):
            cmd = MPIRUN + ["-n", str(n), VITRUM, "hessian", "-sample", "big.data", "-potential", "ka3d", "-o", "h.h5"]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=enter)
            out = p.stdout + p.stderr
            lines = [l for l in out.splitlines() if "vitrum: error:" in l]
            tag = "hessian in a 200 MB cgroup (%d rank%s)" % (n, "s" if n > 1 else "")
            if p.returncode != 1 or len(lines) != 1:
                sys.stderr.write(out)
            check(p.returncode == 1, "%s: exit status 1, not killed (got %d)" % (tag, p.returncode))
            check(len(lines) == 1, "%s: exactly one error line (got %d)" % (tag, len(lines)))
            check(lines and "the job's memory limit (cgroup) of 0.2 GB" in lines[0], "%s: the line names the job's memory limit (%s)" % (tag, lines[0].strip() if lines else ""))
            check(not os.path.exists("h.h5"), "%s: no output" % tag)
    finally:
        for attempt in range(100):  # the last exiting processes may still be charged to it for a moment
            try:
                os.rmdir(child)
                break
            except OSError:
                time.sleep(0.1)


if __name__ == "__main__":
    unit(sys.argv[2]) if sys.argv[1] == "unit" else job()
