"""The user-error contract on 1 and 2 ranks (argv[1]: "sub", "options", "h5", "outputs", "atomic", "memory" or "full").

Every bad input below must end the run with exit status 1 and exactly one line "vitrum: error: ..."
(printed once, whatever the rank count or the communicator the error was raised on), no PETSc
traceback, no "internal error", no MPI_ABORT, no output file and no temporary file left, and the
inputs unchanged.
  sub      features (and so pipeline) with a malformed sample, raised inside the per-sample
           sub-communicators (-ranks_per_sample 1 and 2); a folder among the samples; an
           unreadable cached output (read on rank 0 of the sub-communicator only: hung before)
  options  rdf: -sq_nq 0, -sq_qmax -1, -rdf_rmax 100 / -1, -rdf_dr 1e-8 / 1e-12 / nan (checked
           before any allocation), two atoms at distance 0 (named by id); spectrum -spectrum_pr_bands 0
  h5       fit on datasets with /dataset/X of strings, 2-D /dataset/feature_names, (2,2) type_names
  outputs  -o equal to an input (also through a hard link: same inode, another name) in rdf, fit,
           convert, minimize, predict, hessian, features; predict's -samples GLOB and -sample_list
           expanded (a folder they match: refused); -o equal to an -options_file (given, nested, or
           in PETSC_OPTIONS); features and predict -o in the -features_cache folder; -o an existing directory; -o in a missing folder;
           -o (rdf, convert) and -hessian_binary a FIFO or a character device node (root only), left
           as they were; -pipeline_dir a FIFO
  atomic   hessian -hessian_binary H.bin -o o.h5 failing on o.h5: neither H.bin nor any .tmp is left
  memory   a failed allocation (rdf arrays of 640 MB under a 500 MB address-space limit): one line
           that says out of memory, where, and the limit (was a traceback and "internal error 3291")
  full     outputs on a full file system (a 4 MiB tmpfs mounted in the test folder, filled to leave
           0 bytes to the output's size plus its reserve; root only, else skipped): rdf on 1 and 2
           ranks either writes its whole output or stops with one line naming it and "No space left
           on device", the older output intact (was a traceback, "internal error 76" and
           MPI_ABORT; a hang or a crash at exit when the failure hit HDF5's metadata); convert to
           H5MD failing in its per-atom elements, and features' per-sample caches on 2
           sub-communicators, likewise
"""
import glob
import hashlib
import io
import os
import shutil
import stat
import subprocess
import sys

import h5py
import numpy as np
from vitrum_testlib import MPIRUN, VITRUM, check, run, write_lammps_data

case = sys.argv[1]
RESERVE = 1 << 20  # room an output keeps on its file system while it is written (docs/reliability.md)
RANKS = (1, 2)
for entry in os.listdir("."):  # a clean folder: outputs of an earlier run must not count
    shutil.rmtree(entry) if os.path.isdir(entry) else os.remove(entry)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def expect_error(what, args, text, outputs=(), inputs=(), ranks=RANKS, address_limit=None):
    """Run args on each rank count and check the contract; text (or each of a tuple) must be in the error line."""
    for n in ranks:
        before = {p: digest(p) for p in inputs}
        tmps_before = set(glob.glob("**/*.tmp", recursive=True))
        p = run(args, n, expect_fail=True, address_limit=address_limit)
        out = p.stdout + p.stderr
        lines = [l for l in out.splitlines() if "vitrum: error:" in l]
        tag = "%s (%d rank%s)" % (what, n, "s" if n > 1 else "")
        if len(lines) != 1 or p.returncode != 1:
            sys.stderr.write(out)
        check(p.returncode == 1, "%s: exit status 1 (got %d)" % (tag, p.returncode))
        check(len(lines) == 1, "%s: exactly one error line (got %d)" % (tag, len(lines)))
        for part in (text,) if isinstance(text, str) else text:
            check(part in lines[0], "%s: the line says '%s' (%s)" % (tag, part, lines[0].strip()))
        for bad in ("PETSC ERROR", "internal error", "MPI_ABORT", "Traceback", "Segmentation"):
            check(bad not in out, "%s: no '%s'" % (tag, bad))
        check(not any(os.path.exists(o) for o in outputs), "%s: no output %s" % (tag, ", ".join(outputs)))
        left = set(glob.glob("**/*.tmp", recursive=True)) - tmps_before
        check(not left, "%s: no temporary file left (%s)" % (tag, " ".join(sorted(left))))
        check(all(digest(q) == before[q] for q in inputs), "%s: inputs unchanged" % tag)


def free_bytes(folder):
    fs = os.statvfs(folder)
    return fs.f_bavail * fs.f_frsize


def fill_to(folder, free):
    """Fill folder's file system (a tmpfs of its own) up to `free` bytes left."""
    with open(os.path.join(folder, "filler"), "ab") as f:
        f.write(b"\0" * max(0, free_bytes(folder) - free))


def run_limited(args, n):
    """vitrum on n ranks, stopped after 120 s (a hang is a failure, not a timing)."""
    cmd = MPIRUN + ["-n", str(n), VITRUM] + [str(a) for a in args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired as e:
        said = [x.decode(errors="replace") if isinstance(x, bytes) else x or "" for x in (e.stdout, e.stderr)]
        return subprocess.CompletedProcess(cmd, -1, said[0], "(stopped after 120 s: a hang)\n" + said[1])


def full_write(n, free, old, what, args=("rdf", "-sample", "s.data", "-o", "full/r.h5"), data="/structure/rdf/g"):
    """args (writing full/r.h5) with `free` bytes left beside an older full/r.h5 (bytes old): either
    it writes a whole new output (its dataset data as in the old one), or one line naming the
    output and the full disk, exit 1, the old output unchanged and no temporary file left."""
    for entry in os.listdir("full"):
        os.remove(os.path.join("full", entry))
    with open("full/r.h5", "wb") as f:
        f.write(old)
    fill_to("full", free)
    p = run_limited(list(args), n)
    out = p.stdout + p.stderr
    lines = [l for l in out.splitlines() if "vitrum: error:" in l]
    tag = "%s, %d KiB free, %d rank%s" % (what, free // 1024, n, "s" if n > 1 else "")
    print("%s: exit status %d" % (tag, p.returncode), flush=True)
    left = sorted(set(os.listdir("full")) - {"filler", "r.h5"})
    clean = not any(bad in out for bad in ("PETSC ERROR", "internal error", "MPI_ABORT", "Segmentation", "a hang"))
    if p.returncode == 0:
        with h5py.File("full/r.h5", "r") as new, h5py.File(io.BytesIO(old), "r") as before:
            same = np.array_equal(new[data][()], before[data][()])
        check(same and clean and not lines and not left, "%s: written whole (the %s of the run with room)" % (tag, data))
        return "written"
    if p.returncode != 1 or len(lines) != 1 or not clean:
        sys.stderr.write(out)
    check(p.returncode == 1 and len(lines) == 1 and clean, "%s: exit status 1, one error line, no traceback, abort or crash (status %d, %d lines)" % (tag, p.returncode, len(lines)))
    check("full/r.h5: cannot write this output (No space left on device)" in lines[0], "%s: the line names the output and the full disk: %s" % (tag, lines[0].strip()))
    check(not left and open("full/r.h5", "rb").read() == old, "%s: the older output is intact, nothing else left (%s)" % (tag, left))
    return "refused"


def full_disk():
    """Outputs on a full file system: a tmpfs of 4 MiB mounted here (root only; skipped otherwise),
    filled so that the output fails at each stage of its writing: before it starts (no room for its
    reserve), in a dataset's data, in the metadata written at its close."""
    lattice_sample("s.data")
    os.makedirs("full")
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", "full"], capture_output=True, text=True)
    if mount.returncode:
        print("SKIP: cannot mount a tmpfs to fill (needs root): %s" % (mount.stderr.strip() or mount.returncode))
        return
    try:
        run(["rdf", "-sample", "s.data", "-o", "full/r.h5"], 1)
        old = open("full/r.h5", "rb").read()
        size = len(old)  # what the output takes
        levels = [0, 4096, RESERVE // 2, RESERVE, RESERVE + size // 4, RESERVE + size // 2]
        levels += list(range(RESERVE + size - 40 * 1024, RESERVE + size + 24 * 1024, 4096))  # the metadata at close
        seen = {}
        for n in RANKS:
            for free in levels:
                result = full_write(n, free, old, "rdf")
                seen[result] = seen.get(result, 0) + 1
        check(seen.get("refused", 0) >= 8 and seen.get("written", 0) >= 2, "both outcomes happened (%s)" % seen)
        # an H5MD sample (convert): its per-atom elements, written by rows, fail in their data
        # (positions 192 kB of 8000 atoms; was "cannot write .../value", a PETSc error of one rank)
        lattice_sample("big.data", reps=20)
        convert = ("convert", "-sample", "big.data", "-o", "full/r.h5")
        for entry in os.listdir("full"):
            os.remove(os.path.join("full", entry))
        run(list(convert), 1)
        old = open("full/r.h5", "rb").read()
        for n in RANKS:
            for free in (RESERVE + len(old) // 4, RESERVE + len(old) // 2):
                result = full_write(n, free, old, "convert to H5MD", convert, "/particles/all/position/value")
                check(result == "refused", "convert to H5MD, %d KiB free, %d rank%s: refused (%s)" % (free // 1024, n, "s" if n > 1 else "", result))
        # features: the per-sample caches, written by sub-communicators of one rank each
        for entry in os.listdir("full"):
            os.remove(os.path.join("full", entry))
        shutil.copy("s.data", "t.data")
        fill_to("full", RESERVE + 16 * 1024)
        expect_error("features, caches on a full disk", ["features", "-samples", "s.data", "t.data", "-features_targets", "none", "-features_cache", "full/cache", "-o", "ds.h5"],
                     ("full/cache/", ".rdf.h5: cannot write this output (No space left on device)"), outputs=["ds.h5"], ranks=(2,))
        check(not [f for f in os.listdir("full/cache") if f.endswith((".tmp", ".lock"))], "features: no temporary or lock file left in the cache")
    finally:
        subprocess.run(["umount", "-l", "full"])  # lazy: a rank still exiting keeps it busy


def lattice_sample(path, reps=6, a=1.1, jitter=0.08, seed=1, coincident=None):
    """A jittered simple-cubic KA-like 80:20 binary sample (types 1, 2); coincident=(i, j): atom j on atom i."""
    rng = np.random.default_rng(seed)
    grid = np.stack(np.meshgrid(*[np.arange(reps)] * 3, indexing="ij"), -1).reshape(-1, 3)
    x = (grid + 0.5) * a + rng.uniform(-jitter, jitter, grid.shape)
    if coincident:
        x[coincident[1]] = x[coincident[0]]
    types = np.where(rng.random(len(x)) < 0.8, 1, 2)
    write_lammps_data(path, np.eye(3) * reps * a, (0, 0, 0), types, x, masses=(1.0, 1.0))


def dataset(path, n=24, p=6, x_strings=False, names_2d=False, type_names_2x2=False):
    """A small dataset as vitrum features writes it (Y linear in X plus noise)."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, p))
    Y = X @ rng.normal(size=(p, 1)) + 0.01 * rng.normal(size=(n, 1))
    with h5py.File(path, "w") as f:
        f["/dataset/X"] = X.astype("S12") if x_strings else X
        f["/dataset/Y"] = Y
        names = np.array([b"x%d" % j for j in range(p)])
        f["/dataset/feature_names"] = np.stack([names, names]) if names_2d else names
        f["/dataset/target_names"] = np.array([b"y"])
        f["/dataset/sample_names"] = np.array([b"s%d" % i for i in range(n)])
        f["/dataset/structure/dim"] = [3.0]
        f["/dataset/structure/density"] = [1.0]
        f["/dataset/structure/natoms"] = [100.0]
        if type_names_2x2:
            f["/dataset/structure/type_fraction"] = [0.5, 0.5]
            f["/dataset/structure/type_names"] = np.array([[b"A", b"B"], [b"C", b"D"]])
        else:
            f["/dataset/structure/type_fraction"] = [0.8, 0.2]
            f["/dataset/structure/type_names"] = np.array([b"A", b"B"])


if case == "sub":
    for k in range(4):
        lattice_sample("s%d.data" % k, seed=k + 1)
    text = open("s1.data").read()
    open("bad.data", "w").write(text[: len(text) - 300])  # truncated: fewer atoms than the header says
    # the bad sample is the 2nd (group 1 on 2 ranks) and, in list2, the 1st (group 0)
    open("list1.txt", "w").write("s0.data\nbad.data\ns2.data\ns3.data\n")
    open("list2.txt", "w").write("bad.data\ns0.data\ns2.data\n")
    for lst in ("list1.txt", "list2.txt"):
        for rps in ("1", "2"):
            ranks = RANKS if rps == "1" else (2,)
            expect_error("features %s -ranks_per_sample %s" % (lst, rps),
                         ["features", "-sample_list", lst, "-features_targets", "none", "-rdf_rmax", 3, "-ranks_per_sample", rps, "-o", "ds.h5", "-features_recompute"],
                         "bad.data", outputs=["ds.h5"], inputs=["bad.data", lst], ranks=ranks)
    # a folder among the samples (was "empty file"): named as a folder, from any group
    os.makedirs("adir.data")
    open("listdir.txt", "w").write("s0.data\nadir.data\n")
    expect_error("features, a folder in the list", ["features", "-sample_list", "listdir.txt", "-features_targets", "none", "-rdf_rmax", 3, "-o", "ds.h5", "-features_recompute"],
                 "adir.data is a folder, not a sample file", outputs=["ds.h5"])
    # pipeline runs features in-process: the same single line (4 samples: hold out 2, so that the
    # split check before the stages passes)
    expect_error("pipeline, truncated sample", ["pipeline", "-pipeline_samples", "list1.txt", "-pipeline_dir", "P", "-potential", "ka3d", "-rdf_rmax", 3, "-fit_test_fraction", 0.5],
                 "bad.data", outputs=["P/dataset.h5"], inputs=["bad.data"])
    # an unreadable cached rdf output (checked by rank 0 of a sub-communicator only, which once hung
    # the other ranks): recomputed with one warning on any grouping
    open("good.txt", "w").write("s0.data\ns2.data\ns3.data\n")
    for rps, ranks in (("1", 1), ("1", 2), ("2", 2)):
        os.makedirs("vitrum_cache", exist_ok=True)  # features' default cache folder
        open("vitrum_cache/s2.data.rdf.h5", "w").write("not HDF5\n")
        p = run(["features", "-sample_list", "good.txt", "-features_targets", "none", "-rdf_rmax", 3, "-ranks_per_sample", rps, "-o", "ds.h5"], ranks)
        warnings = [l for l in (p.stdout + p.stderr).splitlines() if "s2.data.rdf.h5 is damaged or incomplete" in l]
        check(len(warnings) == 1, "features, unreadable cache, -ranks_per_sample %s on %d ranks: recomputed with one warning (%d)" % (rps, ranks, len(warnings)))
        os.remove("ds.h5")
    os.remove("vitrum_cache/s2.data.rdf.h5")
    # the good samples still give a dataset on 2 ranks (the agreement costs nothing when all succeed)
    run(["features", "-sample_list", "good.txt", "-features_targets", "none", "-rdf_rmax", 3, "-o", "ds.h5"], 2)
    check(os.path.exists("ds.h5"), "features on good samples (2 ranks) writes its dataset")

elif case == "options":
    lattice_sample("s.data")
    rdf = ["rdf", "-sample", "s.data", "-o", "o.h5"]
    expect_error("-sq_nq 0", rdf + ["-sq", "-sq_nq", 0], "-sq_nq must be between 1 and", ["o.h5"], ["s.data"])
    expect_error("-sq_qmax -1", rdf + ["-sq", "-sq_qmax", -1], "-sq_qmax -1: must be positive and finite", ["o.h5"])
    expect_error("-rdf_rmax 100", rdf + ["-rdf_rmax", 100], "the largest allowed value is 3.3", ["o.h5"])
    expect_error("-rdf_rmax 1e300", rdf + ["-rdf_rmax", 1e300], "the largest allowed value is 3.3", ["o.h5"])
    expect_error("-rdf_rmax -1", rdf + ["-rdf_rmax", -1], "-rdf_rmax -1: must be positive and finite", ["o.h5"])
    expect_error("-rdf_dr 1e-8", rdf + ["-rdf_rmax", 3, "-rdf_dr", 1e-8], "at most 10000000 bins are allowed: give -rdf_dr >= 3e-07", ["o.h5"])
    expect_error("-rdf_dr 1e-12", rdf + ["-rdf_rmax", 3, "-rdf_dr", 1e-12], "-rdf_dr 1e-12 gives 3e+12 bins", ["o.h5"])
    expect_error("-rdf_dr nan", rdf + ["-rdf_dr", "nan"], "-rdf_dr nan: must be positive and finite", ["o.h5"])
    expect_error("-rdf_rmax inf", rdf + ["-rdf_rmax", "inf"], "-rdf_rmax inf: must be positive and finite", ["o.h5"])
    expect_error("-rdf_dr 10", rdf + ["-rdf_rmax", 3, "-rdf_dr", 10], "-rdf_dr 10 is larger than -rdf_rmax 3", ["o.h5"])
    lattice_sample("twin.data", coincident=(17, 150))
    expect_error("atoms at distance 0", ["rdf", "-sample", "twin.data", "-rdf_rmax", 3, "-o", "o.h5"], "atoms 18 and 151 (ids in the file) are at the same position", ["o.h5"])
    expect_error("-spectrum_pr_bands 0", ["spectrum", "-sample", "s.data", "-potential", "ka3d", "-spectrum_pr_bands", 0, "-o", "o.h5"], "-spectrum_pr_bands 0: must be between 1", ["o.h5"])
    run(rdf + ["-rdf_rmax", 3, "-sq", "-sq_nq", 10], 2)
    check(os.path.exists("o.h5"), "valid options still write the rdf")

elif case == "h5":
    dataset("good.h5")
    run(["fit", "-data", "good.h5", "-o", "m.h5"], 2)
    check(os.path.exists("m.h5"), "fit on the well-formed dataset works")
    dataset("xstr.h5", x_strings=True)
    expect_error("/dataset/X of strings", ["fit", "-data", "xstr.h5", "-o", "bad.h5"], "xstr.h5: /dataset/X holds strings, not numbers", ["bad.h5"], ["xstr.h5"])
    dataset("names2d.h5", names_2d=True)
    expect_error("2-D feature_names", ["fit", "-data", "names2d.h5", "-o", "bad.h5"], "/dataset/feature_names has 2 dimensions; a list of strings has 1", ["bad.h5"])
    dataset("types2x2.h5", type_names_2x2=True)
    expect_error("(2,2) type_names", ["fit", "-data", "types2x2.h5", "-o", "bad.h5"], "/dataset/structure/type_names has 2 dimensions", ["bad.h5"])
    with h5py.File("names5d.h5", "w") as f:
        f["/model/feature_names"] = np.array([b"a"] * 32).reshape(2, 2, 2, 2, 2)
    expect_error("5-D model feature_names", ["predict", "-model", "names5d.h5", "-rdf", "good.h5"], "/model/feature_names has 5 dimensions", [])

elif case == "outputs":
    lattice_sample("s.data")
    os.link("s.data", "hard.data")  # another name, the same file
    os.makedirs("adir", exist_ok=True)
    same = "is the same file as the input"
    expect_error("rdf -o SAMPLE", ["rdf", "-sample", "s.data", "-o", "s.data"], same, inputs=["s.data"])
    expect_error("rdf -o hard link of SAMPLE", ["rdf", "-sample", "s.data", "-o", "hard.data"], "-o hard.data " + same + " -sample s.data", inputs=["s.data"])
    expect_error("rdf -o DIR", ["rdf", "-sample", "s.data", "-o", "adir"], "-o adir is an existing directory")
    expect_error("rdf -o nodir/o.h5", ["rdf", "-sample", "s.data", "-o", "nodir/o.h5"], "the folder nodir does not exist")
    # an existing -o that is not a regular file (a device node, a FIFO) was replaced by the renamed
    # output (as root, -o /dev/null destroyed /dev/null): refused, the node left as it was
    os.mkfifo("fifo.h5")
    nodes = {"fifo.h5": stat.S_ISFIFO}
    try:
        os.mknod("null.h5", 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # as /dev/null; needs root
        nodes["null.h5"] = stat.S_ISCHR
    except PermissionError:
        print("note: not root: no character device node to test -o on")
    kinds = {"fifo.h5": "is a FIFO (named pipe), not a regular file", "null.h5": "is a character device, not a regular file"}
    for node in nodes:
        expect_error("rdf -o " + node, ["rdf", "-sample", "s.data", "-o", node], "-o %s %s" % (node, kinds[node]))
        expect_error("hessian -hessian_binary " + node, ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", node, "-o", "h.h5"], "-hessian_binary %s %s" % (node, kinds[node]), ["h.h5"])
        expect_error("convert -o " + node, ["convert", "-sample", "s.data", "-o", node], "-o %s %s" % (node, kinds[node]))
        check(nodes[node](os.stat(node).st_mode), "-o %s: the node is left as it was" % node)
    os.mkfifo("fifo_dir")
    open("four.txt", "w").write("s.data\n" * 4)  # refused before the samples are read
    expect_error("pipeline -pipeline_dir FIFO", ["pipeline", "-pipeline_samples", "four.txt", "-potential", "ka3d", "-fit_test_fraction", 0.5, "-pipeline_dir", "fifo_dir"], "-pipeline_dir fifo_dir is a FIFO (named pipe), not a folder")
    check(stat.S_ISFIFO(os.stat("fifo_dir").st_mode), "-pipeline_dir FIFO: the FIFO is left as it was")
    expect_error("convert -o SAMPLE", ["convert", "-sample", "s.data", "-o", "hard.data"], same, inputs=["s.data"])
    expect_error("minimize -o SAMPLE", ["minimize", "-sample", "s.data", "-potential", "ka3d", "-o", "hard.data"], same, inputs=["s.data"])
    expect_error("hessian -o SAMPLE", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-o", "hard.data"], same, inputs=["s.data"])
    expect_error("hessian -hessian_binary SAMPLE", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "s.data", "-o", "h.h5"], same, ["h.h5"], ["s.data"])
    expect_error("hessian -hessian_binary = -o", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "h.h5", "-o", "h.h5"], "also the -o file", ["h.h5"])
    # the same file spelt differently (new, then existing: a hard link): refused as such, not as
    # another run's lock on ./H.bin.tmp.lock (the run locked against itself before)
    os.makedirs("sub", exist_ok=True)
    for binary, out in (("H.bin", "./H.bin"), ("sub/../H.bin", os.path.abspath("H.bin"))):
        expect_error("hessian -hessian_binary %s -o %s" % (binary, out), ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", binary, "-o", out], "-hessian_binary %s is also the -o file %s: give two different names" % (binary, out), ["H.bin"])
    open("old.h5", "w").write("an earlier output\n")
    os.link("old.h5", "old_link.h5")
    expect_error("hessian -hessian_binary LINK -o its target", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "old_link.h5", "-o", "old.h5"], "-hessian_binary old_link.h5 is also the -o file old.h5", inputs=["old.h5"])
    dataset("d.h5")
    expect_error("fit -o DATA", ["fit", "-data", "d.h5", "-o", "d.h5"], same, inputs=["d.h5"])
    run(["fit", "-data", "d.h5", "-o", "m.h5"], 1)
    expect_error("predict -o MODEL", ["predict", "-model", "m.h5", "-rdf", "x.txt", "-o", "m.h5"], same, inputs=["m.h5"])
    open("list.txt", "w").write("s.data\n")
    expect_error("features -o SAMPLE", ["features", "-sample_list", "list.txt", "-features_targets", "none", "-o", "hard.data"], same, inputs=["s.data"])
    # predict checks -o against the samples after -samples GLOB and -sample_list are expanded
    shutil.copy("s.data", "s2.data")
    expect_error("predict -samples GLOB -o MATCH", ["predict", "-model", "m.h5", "-samples", "s*.data", "-o", "s2.data"], "-o s2.data " + same + " s2.data", inputs=["s.data", "s2.data"])
    os.makedirs("sdir.data")
    expect_error("predict -samples GLOB matching a folder", ["predict", "-model", "m.h5", "-samples", "sdir.*"], "sdir.data is a folder, not a sample file")
    expect_error("predict -sample_list -o LISTED", ["predict", "-model", "m.h5", "-sample_list", "list.txt", "-o", "hard.data"], "-o hard.data " + same + " s.data", inputs=["s.data"])
    # an options file is consumed by PETSc at initialisation (not an option value): checked too,
    # also one read through another options file or PETSC_OPTIONS
    open("opts.txt", "w").write("-rdf_rmax 2 # a comment\n")
    open("outer.txt", "w").write("# options\n-options_file opts.txt\n")
    expect_error("rdf -o OPTIONS_FILE", ["rdf", "-sample", "s.data", "-options_file", "opts.txt", "-o", "opts.txt"], "-o opts.txt " + same + " -options_file opts.txt", inputs=["opts.txt"])
    expect_error("rdf -o NESTED_OPTIONS_FILE", ["rdf", "-sample", "s.data", "-options_file", "outer.txt", "-o", "./opts.txt"], same + " -options_file opts.txt", inputs=["opts.txt", "outer.txt"])
    os.environ["PETSC_OPTIONS"] = "-options_file outer.txt"
    expect_error("rdf -o OPTIONS_FILE of PETSC_OPTIONS", ["rdf", "-sample", "s.data", "-o", "outer.txt"], same + " -options_file outer.txt", inputs=["opts.txt", "outer.txt"])
    del os.environ["PETSC_OPTIONS"]
    # -o inside the cache folder would replace a per-sample output the run reads or writes
    run(["features", "-sample_list", "list.txt", "-features_targets", "none", "-features_cache", "c", "-o", "f.h5"], 1)
    for cmd in (["features", "-sample_list", "list.txt", "-features_targets", "none"], ["predict", "-model", "m.h5", "-sample", "s.data"]):
        expect_error(cmd[0] + " -o IN_CACHE", cmd + ["-features_cache", "c", "-o", "c/s.data.rdf.h5"], "-o c/s.data.rdf.h5 is in the cache folder c (-features_cache)", inputs=["c/s.data.rdf.h5"])

elif case == "atomic":
    lattice_sample("s.data")
    os.makedirs("o.h5.tmp")  # o.h5 cannot be created: its temporary name is taken (a folder)
    expect_error("hessian -hessian_binary H.bin -o o.h5 (o.h5 fails)", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "H.bin", "-o", "o.h5"], "o.h5: cannot create output file", ["H.bin", "o.h5", "H.bin.tmp"])
    os.rmdir("o.h5.tmp")
    expect_error("hessian -o nodir/o.h5", ["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "H.bin", "-o", "nodir/o.h5"], "the folder nodir does not exist", ["H.bin"])
    run(["hessian", "-sample", "s.data", "-potential", "ka3d", "-hessian_binary", "H.bin", "-o", "o.h5"], 2)
    check(os.path.exists("H.bin") and os.path.exists("o.h5"), "a successful hessian writes both files")
elif case == "memory":
    # 10^7 bins of 2 x 2 species: 3 pair counts and g of 16 bytes, r and the total: 640 MB per rank,
    # where 500 MB of address space is enough to start MPI but not for these arrays
    lattice_sample("m.data")
    expect_error("rdf, 10^7 bins", ["rdf", "-sample", "m.data", "-rdf_rmax", 2.5, "-rdf_dr", 2.5e-7, "-o", "r.h5"], ("out of memory on rank", "an allocation in VitRdfCompute failed", "ulimit -v"),
                 outputs=["r.h5"], inputs=["m.data"], address_limit=500 * 2**20)
elif case == "full":
    full_disk()
else:
    raise SystemExit("unknown case " + case)
