"""Per-sample caches of features, shared with predict (docs/fit.md, "Cache"):
* `-samples a.data b.data` (an unquoted glob expanded by the shell) uses every file;
* a cached output carries a completion marker (/meta vitrum_complete) written last; a truncated
  file, or one without the marker, is recomputed with a warning (the dataset equals the rdf code's),
  and so is an entry that is not a regular file (a FIFO: never opened, which would wait);
* the cache keys are per product: another -rdf_dr recomputes the rdf outputs but not the spectra
  (a spectrum made with other spectrum options is still stale); the output of another setting is
  kept aside (SAMPLE.rdf.HASH.h5), not overwritten, and brought back when that setting returns;
* predict -sample computes the g(r) on the model's grid (a different -rdf_dr given is replaced,
  with a note), reuses features' up-to-date cache with -features_cache, and never writes next to
  the sample; its prediction equals W x + b of the sample's dataset row;
* nothing is written next to an input: without -o, rdf writes into the current folder, and
  features caches into ./vitrum_cache by default;
* samples of one name from two folders: in one call their entries are named by their folders too
  (twin_a__glass.data), the rows equal the rdf code's; across calls sharing a cache, the entry of the
  other sample is recomputed with a note, never reused; a symbolic or hard link of a listed sample
  is refused with one line naming both paths (same device and inode);
* a cached rdf output that vitrum did not write (no /meta) is used as it is on the asked grid, and
  on another grid refused with one line, never overwritten."""
import glob
import os
import shutil
import stat
import time

import h5py
import numpy as np

from fitlib import read_model, rel_diff, run

rng = np.random.default_rng(11)
for d in ("gas", "cache"):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
L, n = 6.0, 150
names = [f"gas/s{i}.data" for i in range(6)]
for path in names:
    x = rng.uniform(0, L, (n, 3))
    types = rng.integers(1, 3, n)
    with open(path, "w") as f:
        f.write(f"random gas\n\n{n} atoms\n2 atom types\n\n0 {L} xlo xhi\n0 {L} ylo yhi\n0 {L} zlo zhi\n\nAtoms # atomic\n\n")
        f.writelines(f"{i + 1} {types[i]} {x[i, 0]} {x[i, 1]} {x[i, 2]}\n" for i in range(n))
rdf_opts = ["-rdf_rmax", 2.5, "-rdf_dr", 0.1]
base = ["-features_cache", "cache", "-features_targets", "none", "-features_drop_constant", 0]
rdf0 = "cache/s0.data.rdf.h5"


def reference(sample, extra):
    run("rdf", ["-sample", sample, "-o", "ref.rdf.h5"] + extra, 1)
    with h5py.File("ref.rdf.h5", "r") as f:
        return f["/structure/rdf/g"][()].ravel()


# several files after -samples
run("features", ["-samples", names[0], names[1], names[2]] + base + rdf_opts + ["-o", "three.h5"], 2)
with h5py.File("three.h5", "r") as f:
    assert f["/dataset/X"].shape[0] == 3, f["/dataset/X"].shape
    assert rel_diff(f["/dataset/X"][1], reference(names[1], rdf_opts)) < 1e-12
    assert [s.decode() for s in f["/dataset/sample_names"][()]] == names[:3]
with h5py.File(rdf0, "r") as f:
    assert f["/meta"].attrs["vitrum_complete"] == 1
print("several -samples files, completion marker: ok")

# a truncated cache file, and one without the marker: recomputed with a warning
for damage in ("truncate", "unmark"):
    if damage == "truncate":
        with open(rdf0, "r+b") as f:
            f.truncate(os.path.getsize(rdf0) // 2)
    else:
        with h5py.File(rdf0, "a") as f:
            del f["/meta"].attrs["vitrum_complete"]
    proc = run("features", ["-samples", names[0]] + base + rdf_opts + ["-o", "one.h5"], 2)
    warning = [l for l in proc.stdout.splitlines() if "damaged or incomplete" in l]  # on stdout, as every warning
    assert len(warning) == 1 and rdf0 in warning[0] and "damaged" not in proc.stderr, (proc.stdout, proc.stderr)
    with h5py.File("one.h5", "r") as f:
        assert rel_diff(f["/dataset/X"][0], reference(names[0], rdf_opts)) < 1e-12
    print(f"damaged cache ({damage}): recomputed with a warning: ok")

# a cache entry that is a FIFO (named pipe) is never opened (that would wait for a writer): replaced
os.remove(rdf0)
os.mkfifo(rdf0)
proc = run("features", ["-samples", names[0]] + base + rdf_opts + ["-o", "one.h5"], 2, timeout=120)
warning = [l for l in proc.stdout.splitlines() if "FIFO" in l]
assert len(warning) == 1 and rdf0 in warning[0], (proc.stdout, proc.stderr)
assert os.path.isfile(rdf0) and not stat.S_ISFIFO(os.stat(rdf0).st_mode)
with h5py.File("one.h5", "r") as f:
    assert rel_diff(f["/dataset/X"][0], reference(names[0], rdf_opts)) < 1e-12
print("a FIFO as cache entry: replaced with a warning, never opened: ok")

# per-product keys: a spectrum output written with the options of this run (as vitrum writes
# them, with the marker) survives a change of -rdf_dr; one made with another -kpm_moments does not
with h5py.File(rdf0, "r") as f:
    options = f["/meta"].attrs["options"]
    options = options.decode() if isinstance(options, bytes) else options
    revision = f["/meta"].attrs["results_revision"]
for kpm in ("", " -kpm_moments 64"):
    with h5py.File("cache/s0.data.spectrum.h5", "w") as f:
        f.create_group("/meta")
        f["/meta"].attrs["options"] = options + kpm
        f["/meta"].attrs["results_revision"] = revision
        f["/meta"].attrs["sample"] = os.path.realpath(names[0])
        f["/meta"].attrs["vitrum_complete"] = 1
        f["/spectrum/scalars/omega2_mean"] = [1.0]
    time.sleep(1.1)
    stamps = [os.path.getmtime(p) for p in (rdf0, "cache/s0.data.spectrum.h5")]
    proc = run("features", ["-samples", names[0], "-features_cache", "cache", "-features_targets", "omega2_mean",
                            "-rdf_rmax", 2.5, "-rdf_dr", 0.05 if not kpm else 0.1, "-o", "spec.h5"], 2, check=False)
    if not kpm:
        assert proc.returncode == 0, proc.stderr
        assert os.path.getmtime(rdf0) > stamps[0], "the rdf output on another grid was reused"
        assert os.path.getmtime("cache/s0.data.spectrum.h5") == stamps[1], "-rdf_dr made the spectrum stale"
    else:
        assert proc.returncode == 1 and "needs -potential" in proc.stderr, proc.stderr
print("per-product cache keys: ok")

# one setting never overwrites another's: the rdf output of -rdf_dr 0.1 was kept aside as
# s0.data.rdf.HASH.h5 when -rdf_dr 0.05 came; switching back and forth brings each back, never recomputed
parked = glob.glob("cache/s0.data.rdf.*.h5")
assert len(parked) == 1, parked
stamps = {0.1: os.path.getmtime(parked[0]), 0.05: os.path.getmtime(rdf0)}
time.sleep(1.1)
for dr in (0.1, 0.05, 0.1):
    run("features", ["-samples", names[0]] + base + ["-rdf_rmax", 2.5, "-rdf_dr", dr, "-o", "back.h5"], 2)
    assert os.path.getmtime(rdf0) == stamps[dr], f"the kept output of -rdf_dr {dr} was recomputed"
    with h5py.File("back.h5", "r") as f:
        assert rel_diff(f["/dataset/X"][0], reference(names[0], ["-rdf_rmax", 2.5, "-rdf_dr", dr])) < 1e-12
    assert len(glob.glob("cache/s0.data.rdf.*.h5")) == 1  # the other setting's output kept aside
print("cache files of one setting never overwrite another's: ok")

# predict -sample: the model's grid, features' cache, nothing written next to the sample
for i, path in enumerate(names):
    with h5py.File(f"cache/s{i}.data.spectrum.h5", "w") as f:  # foreign spectra (no /meta): taken as they are
        f["/spectrum/scalars/omega2_mean"] = [rng.uniform(10, 20)]
run("features", ["-samples", "gas/*.data", "-features_cache", "cache", "-features_targets", "omega2_mean", "-features_drop_constant", 0,
                 "-o", "gas.h5"] + rdf_opts, 2)
run("fit", ["-data", "gas.h5", "-o", "gas.model.h5", "-fit_lambda", 1.0, "-fit_test_fraction", 0], 2)
m = read_model("gas.model.h5")
assert abs(m["rdf_dr"][0] - 0.1) < 1e-12 and abs(m["rdf_rmax"][0] - 2.5) < 1e-12, (m["rdf_dr"], m["rdf_rmax"])
with h5py.File("gas.h5", "r") as f:
    row = f["/dataset/X"][3]
expect = m["W"] @ row + m["b"]
before = sorted(os.listdir("gas"))


def predicted(args):
    proc = run("predict", ["-model", "gas.model.h5", "-sample", names[3]] + args, 2)
    value = [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")][0]
    return float(value[1]), proc.stdout


value, _ = predicted(["-rdf_dr", 0.05, "-rdf_rmax", 2.0])  # other grid options: replaced by the model's
assert abs(value - expect[0]) < 1e-9 * abs(expect[0]), (value, expect)
assert sorted(os.listdir("gas")) == before, "predict wrote next to the sample"
stamp = os.path.getmtime("cache/s3.data.rdf.h5")
value, out = predicted(["-features_cache", "cache", "-rdf_dr", 0.05])
assert "replaced by the model's" in out, out
assert abs(value - expect[0]) < 1e-9 * abs(expect[0]) and os.path.getmtime("cache/s3.data.rdf.h5") == stamp, "the fresh cache was not reused"
print(f"predict -sample: {value:.10g} = model on the dataset row {expect[0]:.10g}: ok")

# predict takes samples as features does: -samples GLOB (and more words), -sample_list FILE, after
# -sample's list; each row is the model on that sample's dataset row
with open("list.txt", "w") as f:
    f.write("# held out\n\n%s\n" % names[4])
proc = run("predict", ["-model", "gas.model.h5", "-sample", names[3], "-samples", "gas/s[01].data", names[2], "-features_cache", "cache"], 2)
rows = [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")]
proc = run("predict", ["-model", "gas.model.h5", "-sample_list", "list.txt", "-features_cache", "cache"], 2)
rows += [l.split() for l in proc.stdout.splitlines() if l and not l.startswith("#")]
order = [3, 0, 1, 2, 4]
assert [row[0] for row in rows] == [names[i] for i in order], rows
with h5py.File("gas.h5", "r") as f:
    want = [m["W"] @ f["/dataset/X"][i] + m["b"] for i in order]
assert all(abs(float(row[1]) - w[0]) < 1e-9 * abs(w[0]) for row, w in zip(rows, want)), (rows, want)
print("predict -samples GLOB FILE and -sample_list FILE: the samples in order, each = the model on its row: ok")

# predict's temporary rdf output (no -features_cache, no up-to-date entry) is removed after it is
# read, and also when the profile is refused: a sample 8x less dense than the training samples
# (its temporary file was left behind until session 21)
shutil.rmtree("tmp", ignore_errors=True)  # a clean folder: files of an earlier run must not count
os.makedirs("tmp")
with open("sparse.data", "w") as f:
    f.write(f"sparse gas\n\n{n} atoms\n2 atom types\n\n0 {2 * L} xlo xhi\n0 {2 * L} ylo yhi\n0 {2 * L} zlo zhi\n\nAtoms # atomic\n\n")
    f.writelines(f"{i + 1} {types[i]} {2 * x[i, 0]} {2 * x[i, 1]} {2 * x[i, 2]}\n" for i in range(n))
shutil.copy(names[5], "fresh.data")
os.environ["PETSC_TMP"] = os.path.abspath("tmp")  # PetscGetTmp's folder
run("predict", ["-model", "gas.model.h5", "-sample", "fresh.data"], 2)
assert os.listdir("tmp") == [], os.listdir("tmp")
proc = run("predict", ["-model", "gas.model.h5", "-sample", "sparse.data"], 2, check=False)
assert proc.returncode == 1 and proc.stderr.count("vitrum: error:") == 1 and "outside the training samples" in proc.stderr, proc.stderr
assert "sparse.data:" in proc.stderr and "vitrum_predict_" not in proc.stderr, "the refusal names the sample, not the temporary file: " + proc.stderr
assert os.listdir("tmp") == [], "a refused profile left " + " ".join(os.listdir("tmp"))
del os.environ["PETSC_TMP"]
print("predict -sample: the temporary rdf output is removed after a prediction and after a refused profile: ok")

# nothing next to an input: rdf without -o writes ./s1.rdf.h5; features' default cache is ./vitrum_cache
before = sorted(os.listdir("gas"))
shutil.rmtree("vitrum_cache", ignore_errors=True)
for f in ("s1.rdf.h5",):
    if os.path.exists(f):
        os.remove(f)
run("rdf", ["-sample", names[1]] + rdf_opts, 2)
assert os.path.exists("s1.rdf.h5"), "rdf without -o did not write into the current folder"
run("features", ["-samples", names[1], names[2]] + ["-features_targets", "none", "-features_drop_constant", 0, "-o", "dflt.h5"] + rdf_opts, 2)
assert sorted(os.listdir("vitrum_cache")) == ["s1.data.rdf.h5", "s2.data.rdf.h5"], os.listdir("vitrum_cache")
assert sorted(os.listdir("gas")) == before, "an output was written next to the samples"
print("default outputs in the current folder, never next to the input: ok")

# two samples of one name from two folders
for d in ("twin_a", "twin_b"):
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
shutil.copy(names[1], "twin_a/glass.data")
shutil.copy(names[2], "twin_b/glass.data")
# in one call (as job arrays write run_1/final.data, run_2/final.data): entries named by the folder too
proc = run("features", ["-samples", "twin_a/glass.data", "twin_b/glass.data", "-o", "twins.h5"] + base + rdf_opts, 2)
assert "their cache entries are named by their last 2 path components (twin_a__glass.data for twin_a/glass.data)" in proc.stdout, proc.stdout
with h5py.File("twins.h5", "r") as f:
    X = f["/dataset/X"][()]
assert rel_diff(X[0], reference(names[1], rdf_opts)) < 1e-12 and rel_diff(X[1], reference(names[2], rdf_opts)) < 1e-12
for twin in ("twin_a", "twin_b"):
    with h5py.File(f"cache/{twin}__glass.data.rdf.h5", "r") as f:
        assert f["/meta"].attrs["sample"].decode() == os.path.realpath(twin + "/glass.data")
# the report scripts find the entries by the same rule (scripts/vitrum_run.py)
import sys  # noqa: E402
sys.path.insert(0, os.path.join(os.environ["SRC"], "scripts"))
import vitrum_run  # noqa: E402
twins = ["twin_a/glass.data", "twin_b/glass.data"]
assert [vitrum_run.cache_name(t, vitrum_run.name_depth(twins)) for t in twins] == ["twin_a__glass.data", "twin_b__glass.data"]
assert vitrum_run.name_depth(names) == 1 and vitrum_run.cache_name(names[0], 1) == "s0.data"
proc = run("features", ["-samples", names[1], names[1], "-o", "twins.h5"] + base + rdf_opts, 2, check=False)
assert proc.returncode != 0 and "listed twice" in proc.stdout + proc.stderr, proc.stdout + proc.stderr
# a link to a listed sample is the same sample (it could land in the training and held-out rows)
for link, make in (("sym.data", os.symlink), ("hard.data", os.link)):
    if os.path.lexists(f"gas/{link}"):
        os.remove(f"gas/{link}")
    make(os.path.abspath(names[1]) if make is os.symlink else names[1], f"gas/{link}")
    for nranks in (1, 2):
        proc = run("features", ["-samples", names[0], names[1], f"gas/{link}", "-o", "links.h5"] + base + rdf_opts, nranks, check=False)
        lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
        assert proc.returncode == 1 and len(lines) == 1 and f"samples {names[1]} and gas/{link} are the same file" in lines[0], proc.stderr
        assert not os.path.exists("links.h5")
    os.remove(f"gas/{link}")
rows = []
for twin, source in (("twin_a", names[1]), ("twin_b", names[2])):  # one after the other, one cache
    proc = run("features", ["-samples", twin + "/glass.data", "-o", twin + ".h5"] + base + rdf_opts, 2)
    with h5py.File(twin + ".h5", "r") as f:
        rows.append(f["/dataset/X"][0])
    assert rel_diff(rows[-1], reference(source, rdf_opts)) < 1e-12, f"{twin}: the cache entry of the other glass.data was reused"
    with h5py.File("cache/glass.data.rdf.h5", "r") as f:
        assert f["/meta"].attrs["sample"].decode() == os.path.realpath(twin + "/glass.data")
assert "computed from" in proc.stdout and "recomputing it" in proc.stdout, proc.stdout
# an entry written by a vitrum of another results revision (or of none recorded: before session 39)
# may hold numbers this vitrum no longer computes: it is recomputed, with a note
with h5py.File("cache/glass.data.rdf.h5", "r") as f:
    assert f["/meta"].attrs["results_revision"].decode() != "1"
for revision in ("1", None):
    with h5py.File("cache/glass.data.rdf.h5", "a") as f:
        f["/structure/rdf/g"][...] = f["/structure/rdf/g"][...] + 1  # what an older vitrum may have computed
        if revision is None:
            del f["/meta"].attrs["results_revision"]
        else:
            f["/meta"].attrs["results_revision"] = np.bytes_(revision)
    proc = run("features", ["-samples", "twin_b/glass.data", "-o", "twin_b_rev.h5"] + base + rdf_opts, 2)
    notes = [l for l in proc.stdout.splitlines() if "results revision" in l]
    assert len(notes) == 1 and "results revision %s" % (revision or "1") in notes[0] and "recomputing it" in notes[0], proc.stdout
    with h5py.File("twin_b_rev.h5", "r") as f:
        assert rel_diff(f["/dataset/X"][0], reference(names[2], rdf_opts)) < 1e-12
    os.remove("twin_b_rev.h5")
# without a grid given, the ensemble grid comes from the first sample's own cached output only
grid_notes = []
for twin in ("twin_a", "twin_b"):
    proc = run("features", ["-samples", twin + "/glass.data", "-features_cache", "cache_grid", "-features_targets", "none", "-o", twin + "_g.h5"], 2)
    grid_notes += [l for l in proc.stdout.splitlines() if "one g(r) grid" in l]
assert len(grid_notes) == 2 and "the defaults of twin_b/glass.data" in grid_notes[1], grid_notes
print("samples of one name: in one call named by their folders, across calls never sharing a cache entry: ok")

# -potential_elements names the species of the pairs: it is part of the rdf output's key
for elements in ([], ["-potential_elements", "Cu,Zr"]):
    run("features", ["-samples", names[4], "-features_cache", "cache_el", "-features_targets", "none", "-o", "el.h5"] + rdf_opts + elements, 2)
    with h5py.File("el.h5", "r") as f:
        first = f["/dataset/feature_names"][0].decode()
    assert first.startswith("g_Cu-Cu" if elements else "g_1-1"), (elements, first)
print("-potential_elements recomputes the rdf outputs (pair names): ok")

# -frame, -format and -sample_dimension apply to every sample of an ensemble as to -sample: a
# two-frame dump with -frame 0 gives the rdf code's frame 0 (until session 38 the g(r) of an
# ensemble was always the last frame, while its spectra followed -frame)
with open("gas/two.dump", "w") as f:
    for step in range(2):
        x = rng.uniform(0, L, (n, 3))
        f.write(f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{n}\nITEM: BOX BOUNDS pp pp pp\n")
        f.write(f"0 {L}\n0 {L}\n0 {L}\nITEM: ATOMS id type x y z\n")
        f.writelines(f"{i + 1} {1 + i % 2} {x[i, 0]} {x[i, 1]} {x[i, 2]}\n" for i in range(n))
frames = [reference("gas/two.dump", rdf_opts + ["-frame", k]) for k in (0, 1)]
assert rel_diff(frames[0], frames[1]) > 1e-3, "the two frames differ"
for ranks in (1, 2):
    shutil.rmtree("cache_frame", ignore_errors=True)
    run("features", ["-samples", "gas/two.dump", "-frame", 0, "-features_cache", "cache_frame", "-features_targets", "none",
                     "-features_drop_constant", 0, "-o", "frame0.h5"] + rdf_opts, ranks)
    with h5py.File("frame0.h5", "r") as f:
        assert rel_diff(f["/dataset/X"][0], frames[0]) < 1e-12, rel_diff(f["/dataset/X"][0], frames[1])
print("-frame 0 of a two-frame dump: the ensemble's g(r) is that frame's, on 1 and 2 ranks: ok")

# an rdf output that vitrum did not write (no /meta) on another grid than asked: refused with one
# line, never overwritten (it was recomputed over the user's file); on the asked grid it is used
shutil.rmtree("cache_foreign", ignore_errors=True)
os.makedirs("cache_foreign")
if os.path.exists("foreign.h5"):
    os.remove("foreign.h5")
run("rdf", ["-sample", names[5], "-o", "foreign.rdf.h5", "-rdf_rmax", 2.5, "-rdf_dr", 0.05], 1)
with h5py.File("foreign.rdf.h5", "a") as f:
    del f["/meta"]
shutil.copy("foreign.rdf.h5", "cache_foreign/s5.data.rdf.h5")
foreign_base = ["-features_cache", "cache_foreign", "-features_targets", "none", "-features_drop_constant", 0]
with open("cache_foreign/s5.data.rdf.h5", "rb") as f:
    foreign = f.read()
for nranks in (1, 2):
    proc = run("features", ["-samples", names[5], "-o", "foreign.h5"] + foreign_base + rdf_opts, nranks, check=False)
    lines = [l for l in proc.stderr.splitlines() if l.startswith("vitrum: error:")]
    assert proc.returncode == 1 and len(lines) == 1 and "cache_foreign/s5.data.rdf.h5 was not written by vitrum" in lines[0] and "does not overwrite" in lines[0], proc.stderr
    assert open("cache_foreign/s5.data.rdf.h5", "rb").read() == foreign and not os.path.exists("foreign.h5")
run("features", ["-samples", names[5], "-o", "foreign.h5", "-rdf_rmax", 2.5, "-rdf_dr", 0.05] + foreign_base, 2)
assert open("cache_foreign/s5.data.rdf.h5", "rb").read() == foreign
print("a cached output vitrum did not write is used as it is or refused, never overwritten: ok")
print("ok")
