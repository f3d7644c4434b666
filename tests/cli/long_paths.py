"""Long output paths (src/main.c, AvoidLockedfileComponent; src/common/common.c, OutputNameProblem).
Open MPI's default shared-file-pointer component formatted NAME.tmp.locktest.RANK into a 256-byte
buffer at every MPI_File_open: an output path of 250 characters aborted every rank with "buffer
overflow detected" and left NAME.tmp.lock. Now: outputs at 250 and ~1000 characters (nested folders)
and a features cache under a 224-character folder are written, complete (their pair counts equal a
numpy count); a file name or a path too long for the system is one error line naming the limit."""
import os

import h5py
import numpy as np

from vitrum_testlib import check, random_sample, run, write_lammps_data

L, RMAX, DR = 6.0, 2.9, 0.1
expected = {}
for name, seed in (("s.data", 5), ("t.data", 6)):
    pos, types = random_sample(60, np.eye(3) * L, seed=seed)
    write_lammps_data(name, np.eye(3) * L, (0, 0, 0), types, pos)
    d = pos[:, None, :] - pos[None, :, :]
    r = np.linalg.norm(d - L * np.round(d / L), axis=2)
    r = r[~np.eye(len(pos), dtype=bool)]  # ordered pairs i != j, nearest image (rmax < L/2)
    expected[name] = np.histogram(r, bins=np.arange(int(round(RMAX / DR)) + 1) * DR)[0]

def nested(length, top):
    """A new path of `length` characters: folders of 50 characters under top, then a file name."""
    folder = top
    while len(folder) + 60 < length:
        folder = os.path.join(folder, "d" * 50)
    os.makedirs(folder)
    return os.path.join(folder, "x" * (length - len(folder) - 4) + ".h5")


def leftovers(top):
    return [f for _, _, files in os.walk(top) for f in files if ".tmp" in f]


def single_error(p):
    return [line for line in (p.stdout + p.stderr).splitlines() if "error" in line or "overflow" in line]


for n in (1, 2):
    for length in (250, 1000):
        top = os.path.abspath("long_%d_%d" % (length, n))
        out = nested(length, top)
        check(len(out) == length, "a path of %d characters" % len(out))
        p = run(["rdf", "-sample", "s.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", out], n, check=False)
        check(p.returncode == 0 and os.path.isfile(out) and not leftovers(top),
              "rdf -o PATH of %d characters, %d ranks: written, no .tmp left (status %d: %s)" % (length, n, p.returncode, single_error(p)[:1]))
        with h5py.File(out, "r") as f:
            counts = f["/structure/rdf/counts"][:]
        check(np.array_equal(counts[0], expected["s.data"]), "%d characters, %d ranks: the pair counts equal numpy's" % (length, n))

    # features: the per-sample cache under a long folder (the pipeline's DIR/cache/HASH/NAME.rdf.h5)
    folder = os.path.abspath(os.path.join("p" * 100, "campaign_" + "x" * 100, str(n)))
    os.makedirs(folder)
    data = os.path.join(folder, "dataset.h5")
    p = run(["features", "-samples", "s.data", "t.data", "-features_targets", "none", "-rdf_rmax", RMAX, "-rdf_dr", DR,
             "-features_cache", os.path.join(folder, "cache"), "-o", data], n, check=False)
    cached = [os.path.join(w, f) for w, _, files in os.walk(folder) for f in files if f.endswith(".rdf.h5")]
    check(p.returncode == 0 and os.path.isfile(data) and len(cached) == 2 and min(map(len, cached)) > 250 and not leftovers(folder),
          "features, cache under a %d-character folder, %d ranks: dataset and two cache files of %s characters (status %d: %s)"
          % (len(folder), n, sorted(map(len, cached)), p.returncode, single_error(p)[:1]))
    for c in cached:
        with h5py.File(c, "r") as f:
            name = os.path.basename(c)[:6]
            check(np.array_equal(f["/structure/rdf/counts"][0], expected[name]), "%d ranks: cache of %s holds numpy's pair counts" % (n, name))

    # too long: a file name beyond NAME_MAX, a folder name beyond it, the whole path beyond PATH_MAX
    name_max = os.pathconf(".", "PC_NAME_MAX")
    cases = [("y" * 300 + ".h5", "has 303 characters, at most %d are possible here (the file system's NAME_MAX %d, less the 9 of the suffix .tmp.lock" % (name_max - 9, name_max)),
             ("y" * (name_max - 5) + ".h5", "has %d characters, at most %d are possible here" % (name_max - 2, name_max - 9)),
             ("q" * 300 + "/x.h5", "the folder name " + "q" * 60 + "..." + "q" * 60 + " has 300 characters, more than the file system allows (NAME_MAX %d)" % name_max),
             (("e" * 50 + "/") * 80 + "z" * 6 + ".h5", "the path has 4089 characters, at most 4086 are possible (the system's PATH_MAX 4096")]
    for out, expected_text in cases:
        before = sorted(os.listdir("."))
        p = run(["rdf", "-sample", "s.data", "-rdf_rmax", RMAX, "-rdf_dr", DR, "-o", out], n, expect_fail=True)
        errors = single_error(p)
        check(p.returncode == 1 and len(errors) == 1 and errors[0].startswith("vitrum: error: -o ") and expected_text in errors[0]
              and sorted(os.listdir(".")) == before, "%d ranks, -o of %d characters: %s" % (n, len(out), errors))
