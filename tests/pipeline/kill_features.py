"""Interrupted and damaged `vitrum features` runs (docs/reliability.md), on 2 ranks:

kill      `features` is killed with SIGKILL (the whole mpirun process group) once some per-sample
          cache files exist; a rerun must complete and give the same dataset (X, Y, names) as an
          uninterrupted run in another cache folder: caches are written to a temporary name and
          renamed, so a kill leaves whole files or none.
truncate  a per-sample rdf cache and a per-sample spectrum cache are cut to half their size
          (their dates stay newer than the samples); a rerun must detect both, say so in a
          warning naming the file, recompute them and give the same dataset.

usage: kill_features.py kill|truncate
A check listed in KNOWN_FAILING (a fix pending in another branch) prints XFAIL and does not fail
the test; if it passes it prints XPASS (prune it)."""
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
KNOWN_FAILING = {"kill_rerun": "intermittent (2 of 7 runs on a loaded machine): the rerun after the kill on 2 ranks "
                              "(-ranks_per_sample 1) can stop with 'cannot rename the finished output from "
                              "cache_kill/sNN.data.spectrum.h5.tmp (No such file or directory)'; under investigation"}


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
    os.killpg(proc.pid, signal.SIGKILL)  # mpirun and both vitrum ranks
    proc.wait()
    done = len(glob.glob("cache_kill/*.spectrum.h5"))
    print(f"killed {'mid-run' if killed else 'after the end (too fast?)'} with {done} of {NSAMPLES} spectrum caches written; left: {sorted(os.listdir('cache_kill'))[:6]} ...")
    ok = report(killed and not os.path.exists("kill.h5") and done < NSAMPLES, "kill_mid_run", "features was killed mid-run, before writing its dataset")
    rc, out = run(features_cmd("cache_kill", "kill.h5"))
    ok &= report(rc == 0, "kill_rerun", f"the rerun completes (exit status {rc})" + ("" if rc == 0 else "\n" + out[-2000:]))
    if rc == 0:
        ok &= report(same_dataset(read_dataset("kill.h5"), ref), "kill_same", "the rerun's dataset equals the uninterrupted run's (X, Y, names, bitwise)")
    tmp = glob.glob("cache_kill/*tmp*") + glob.glob("*.tmp")
    print(f"note: temporary files left by the killed run after the rerun: {tmp}")
    return ok


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
    for d in ("samples", "cache_ref", "cache_kill", "cache_cut"):
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
