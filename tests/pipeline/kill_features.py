"""Interrupted and damaged `vitrum features` runs (docs/reliability.md), on 2 ranks:

kill      `features` is killed with SIGKILL (mpirun and every rank: Open MPI puts each rank in a
          process group of its own, so the ranks are found by their session) once some per-sample
          cache files exist; a rerun must complete, take over the temporary files the kill left,
          and give the same dataset (X, Y, names) as an uninterrupted run in another cache folder:
          caches are written to a temporary name and renamed, so a kill leaves whole files or none;
          a lock file left beside a finished cache (a kill between its rename and the lock's
          removal; one is also made by hand) is removed by the rerun, which only reads that cache.
          Then a run whose first cache file is being written by another live process (its lock
          file held) must stop with one error line and leave that process's files alone.
truncate  a per-sample rdf cache and a per-sample spectrum cache are cut to half their size
          (their dates stay newer than the samples); a rerun must detect both, say so in a
          warning naming the file, recompute them and give the same dataset.

usage: kill_features.py kill|truncate
A check listed in KNOWN_FAILING (a fix pending in another branch) prints XFAIL and does not fail
the test; if it passes it prints XPASS (prune it)."""
import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

VITRUM = os.environ.get("VITRUM", "vitrum")
MPIRUN = os.environ.get("MPIRUN", "mpirun --allow-run-as-root --oversubscribe").split()
NSAMPLES = 16
# check name -> reason; the lead prunes this when the fix is merged
KNOWN_FAILING = {}


def write_sample(path, seed, cells=5, spacing=1.1):
    """Kob-Andersen 80:20 sample: a jittered simple cubic lattice (no overlaps), LAMMPS data."""
    rng = np.random.default_rng(seed)
    grid = np.array([[i, j, k] for i in range(cells) for j in range(cells) for k in range(cells)], float)
    pos = (grid + 0.5) * spacing + rng.normal(scale=0.06, size=grid.shape)
    types = np.where(rng.random(len(pos)) < 0.8, 1, 2)
    box = cells * spacing
    with open(path, "w") as f:
        f.write(f"kill test sample\n\n{len(pos)} atoms\n2 atom types\n\n")
        for k in "xyz":
            f.write(f"0 {box} {k}lo {k}hi\n")
        f.write("\nMasses\n\n1 1.0\n2 1.0\n\nAtoms # atomic\n\n")
        for i, (p, t) in enumerate(zip(pos, types)):
            f.write(f"{i + 1} {t} {p[0]:.10f} {p[1]:.10f} {p[2]:.10f}\n")


def features_cmd(cache, out):
    return MPIRUN + ["-n", "2", VITRUM, "features", "-samples", "samples/*.data", "-features_cache", cache, "-potential", "ka3d",
                     "-features_targets", "scalars", "-spectrum_nev", "4", "-kpm_moments", "64", "-kpm_vectors", "4", "-o", out]


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def read_dataset(path):
    with h5py.File(path, "r") as f:
        return {k: f["/dataset/" + k][()] for k in ("X", "Y", "feature_names", "target_names")}


def same_dataset(a, b):
    return all(np.array_equal(a[k], b[k]) for k in a)


def report(ok, name, message):
    if name in KNOWN_FAILING:
        print(("XPASS (prune it from KNOWN_FAILING): " if ok else "XFAIL (known: %s): " % KNOWN_FAILING[name]) + message)
        return True
    print(("ok: " if ok else "FAILED: ") + message)
    return ok


def session_alive(sid):
    """Live (not zombie) processes of session sid, from /proc."""
    pids = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except (OSError, ValueError):
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def kill_session(sid):
    """SIGKILL every process of the session until none is left (mpirun's ranks sit in their own
    process groups, so os.killpg(mpirun) alone leaves them running: they went on writing the caches
    while the rerun wrote the same files). Whether all are gone."""
    deadline = time.time() + 60
    while time.time() < deadline:
        pids = session_alive(sid)
        if not pids:
            return True
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)
    return False


def reference():
    rc, out = run(features_cmd("cache_ref", "ref.h5"))
    if rc:
        sys.exit("the reference features run failed:\n" + out)
    return read_dataset("ref.h5")


def kill_test(ref):
    """SIGKILL mid-run, then rerun."""
    os.makedirs("cache_kill", exist_ok=True)
    proc = subprocess.Popen(features_cmd("cache_kill", "kill.h5"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and len(glob.glob("cache_kill/*.spectrum.h5")) < 3:
        time.sleep(0.05)
    killed = proc.poll() is None
    gone = kill_session(proc.pid)  # mpirun and both vitrum ranks
    proc.wait()
    left = sorted(os.listdir("cache_kill"))
    done = len(glob.glob("cache_kill/*.spectrum.h5"))
    print(f"killed {'mid-run' if killed else 'after the end (too fast?)'} with {done} of {NSAMPLES} spectrum caches written; "
          f"temporary files left: {[f for f in left if '.tmp' in f]}")
    ok = report(gone, "kill_all", "mpirun and every rank are gone after SIGKILL")
    ok &= report(killed and not os.path.exists("kill.h5") and done < NSAMPLES, "kill_mid_run", "features was killed mid-run, before writing its dataset")
    if not any(".tmp" in f for f in left):  # the kill fell between two files: leave what a kill mid-write leaves
        missing = min(f"cache_kill/s{i:02d}.data.spectrum.h5" for i in range(NSAMPLES) if not os.path.exists(f"cache_kill/s{i:02d}.data.spectrum.h5"))
        for leftover in (missing + ".tmp", missing + ".tmp.lock"):
            with open(leftover, "wb") as f:
                f.write(b"\x89HDF\r\n\x1a\n half-written by the killed run")
        print(f"left by hand: {missing}.tmp and .tmp.lock")
    finished = next((f for f in sorted(glob.glob("cache_kill/*.spectrum.h5")) if not os.path.exists(f + ".tmp.lock")), None)
    if finished:  # what a kill between a cache's rename and the removal of its lock leaves
        for leftover in (finished + ".tmp", finished + ".tmp.lock"):
            with open(leftover, "wb") as f:
                f.write(b"left by a run killed after its rename")
        print(f"left by hand beside the finished {finished}: .tmp and .tmp.lock")
    rc, out = run(features_cmd("cache_kill", "kill.h5"))
    ok &= report(rc == 0, "kill_rerun", f"the rerun completes (exit status {rc})" + ("" if rc == 0 else "\n" + out[-2000:]))
    if rc == 0:
        ok &= report(same_dataset(read_dataset("kill.h5"), ref), "kill_same", "the rerun's dataset equals the uninterrupted run's (X, Y, names, bitwise)")
    tmp = glob.glob("cache_kill/*.tmp*") + glob.glob("*.tmp*")
    ok &= report(not tmp, "kill_tmp_taken_over", f"no temporary or lock file left after the rerun: {tmp}")
    return ok & locked_test()


def locked_test():
    """A cache file being written by another live process (its lock file held here) is refused."""
    os.makedirs("cache_lock")
    lock_path = "cache_lock/s00.data.rdf.h5.tmp.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        rc, out = run(features_cmd("cache_lock", "lock.h5"))
        errors = [line for line in out.splitlines() if "vitrum: error:" in line]
        clean = not any(s in out for s in ("PETSC ERROR", "internal error", "MPI_ABORT"))
        good = (rc == 1 and len(errors) == 1 and "another vitrum run is writing" in errors[0] and lock_path in errors[0] and clean
                and os.path.exists(lock_path) and not os.path.exists("lock.h5") and not glob.glob("cache_lock/s00.data.rdf.h5*[!k]"))
    return report(good, "locked", f"an output locked by another live run is refused with one line, its lock file kept: "
                  f"exit status {rc}, errors {errors}" + ("" if good else "\n" + out[-1500:]))


def truncate_test(ref):
    """Cut one rdf and one spectrum cache to half (dates kept newer than the samples), rerun."""
    shutil.copytree("cache_ref", "cache_cut")
    cut = ["cache_cut/s03.data.rdf.h5", "cache_cut/s07.data.spectrum.h5"]
    for path in cut:
        stat = os.stat(path)
        with open(path, "r+b") as f:
            f.truncate(stat.st_size // 2)
        os.utime(path, (stat.st_atime, stat.st_mtime))
    rc, out = run(features_cmd("cache_cut", "cut.h5"))
    warnings = [line for line in out.splitlines() if "warning" in line.lower()]
    named = all(any(os.path.basename(p) in w for w in warnings) for p in cut)
    good = rc == 0 and named and same_dataset(read_dataset("cut.h5"), ref)
    return report(good, "truncate", f"truncated caches are detected (a warning naming each), recomputed, same dataset: exit status {rc}, "
                  f"warnings {warnings[:3]}" + ("" if rc == 0 else "; last output: " + " | ".join(out.strip().splitlines()[-3:])))


def main():
    mode = sys.argv[1]
    for d in ("samples", "cache_ref", "cache_kill", "cache_cut", "cache_lock"):
        shutil.rmtree(d, ignore_errors=True)
    for f in glob.glob("*.h5"):
        os.remove(f)
    os.makedirs("samples")
    os.makedirs("cache_ref")
    for i in range(NSAMPLES):
        write_sample(f"samples/s{i:02d}.data", 100 + i)
    ref = reference()
    ok = kill_test(ref) if mode == "kill" else truncate_test(ref)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
