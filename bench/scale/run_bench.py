"""End-to-end analysis of a large replicated glass, per stage (docs/SCALING.md, "## End to end"),
run from the repository root:

    /usr/bin/python3 bench/scale/run_bench.py BUILD_DIR WORK_DIR [K] [--moments M] [--vectors R] [--nev NEV] [--ranks 1,2] [--hessian-type baij|sbaij] [--extra "OPTIONS"]

A relaxed 1000-atom 3D Kob-Andersen glass (LAMMPS melt + minimisation, as the tests make it) is
replicated K x K x K times with LAMMPS `replicate` (default K = 10: N = 10^6). On each rank count,
the whole analysis runs as a user would: `vitrum rdf` (read, distribute, RDF) and `vitrum spectrum`
(read, Hessian, KPM VDOS with M moments x R vectors, lowest NEV modes; defaults 1000, 10, 20, the
issue's target; --hessian-type: the spectrum's -hessian_type, default baij). For every stage: time (max over ranks, from -log_view), and for the spectrum its
memory per atom (vitrum's summary line) and peak resident size per rank (/usr/bin/time); the KPM
stage also as achieved bandwidth against the STREAM triad and FMA peak that bench_spmv measures on
the same sample in the same run (the roofline bound max(bytes / triad, flops / peak)).
Rows are printed as measured; `uptime` before each run shows how loaded the machine was: timings
on a loaded machine are indicative only. Nothing here is a test."""
import argparse
import os
import re
import subprocess
import sys

import h5py

here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "..", "..", "tests"), os.path.join(here, "..", "..", "tests", "spectrum")]
ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("build", help="build folder with vitrum and bench_spmv")
ap.add_argument("work", help="work folder (samples, logs)")
ap.add_argument("k", nargs="?", type=int, default=10, help="replicas per direction of the 1000-atom glass (default 10: N = 10^6)")
ap.add_argument("--moments", default="1000", help="KPM moments M")
ap.add_argument("--vectors", default="10", help="KPM random vectors R")
ap.add_argument("--nev", default="20", help="lowest modes")
ap.add_argument("--ranks", default="1,2", help="rank counts, comma separated")
ap.add_argument("--hessian-type", default="baij", choices=("baij", "sbaij"), help="the spectrum's -hessian_type")
ap.add_argument("--extra", default="", help='more spectrum options, one string: --extra="-boson_max_moments 1000"')
a = ap.parse_args()
opts = {"--moments": a.moments, "--vectors": a.vectors, "--nev": a.nev, "--ranks": a.ranks, "--hessian-type": a.hessian_type, "--extra": a.extra}
build, work = os.path.abspath(a.build), os.path.abspath(a.work)
k = a.k
os.environ["VITRUM"] = os.path.join(build, "vitrum")
import spectrumlib as sl  # noqa: E402

os.makedirs(work, exist_ok=True)
os.chdir(work)
MPI = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-x", "OPENBLAS_NUM_THREADS=1", "-n"]
STAGES = [("read", "VitRead"), ("distribute", "VitDistribute"), ("neighbours", "VitNeighbors"), ("ghosts", "VitGhosts"),
          ("RDF", "VitRdf"), ("Hessian", "VitHessAssemble"), ("inertia", "VitSpecInertia"), ("KPM operator", "VitSpecOperator"), ("KPM", "VitSpecKPM"),
          ("modes", "VitSpecModes"), ("write", "VitWrite")]


def uptime():
    return subprocess.run(["uptime"], stdout=subprocess.PIPE, text=True).stdout.strip()


def replicate(base):
    out = os.path.join(work, "ka%d.data" % (1000 * k ** 3))
    if not os.path.exists(out):
        with open("replicate.in", "w") as f:
            f.write('units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data "%s"\nreplicate %d %d %d\nwrite_data "%s"\n' % (base, k, k, k, out))
        subprocess.run(["lmp", "-in", "replicate.in", "-log", "none", "-screen", "none"], check=True)
    return out


def timed(cmd):
    """Run cmd under /usr/bin/time; return (stdout and stderr, wall s, peak resident MB of the largest process)."""
    p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stdout[-3000:] + p.stderr[-3000:])
        raise SystemExit("failed: " + " ".join(cmd))
    wall, rss = re.findall(r"TIME ([0-9.]+) ([0-9]+)", p.stderr)[-1]
    return p.stdout + p.stderr, float(wall), float(rss) / 1024


def events(log):
    """Max time over ranks of every vitrum event in a -log_view text."""
    times = {}
    for line in log.split("\n"):
        parts = line.split()
        if len(parts) > 3 and parts[0].startswith("Vit"):
            times[parts[0]] = times.get(parts[0], 0.0) + float(parts[3])
    return times


base = sl.make_ka_glass(os.path.join(work, "ka1000.data"), n_side=10, massB=1.0)
sample = replicate(base)
N = 1000 * k ** 3
M, R, nev = opts["--moments"], opts["--vectors"], opts["--nev"]
print("# End to end, N = %d (KA glass replicated %d^3), KPM %s moments x %s vectors, %s lowest modes, -hessian_type %s %s\n" % (N, k, M, R, nev, opts["--hessian-type"], opts["--extra"]))
for n in [int(x) for x in opts["--ranks"].split(",")]:
    print("## %d rank(s) (%s)\n" % (n, uptime()), flush=True)
    rdf_out, rdf_wall, rdf_rss = timed(MPI + [str(n), os.environ["VITRUM"], "rdf", "-sample", sample, "-o", "rdf.h5", "-log_view"])
    spec_out, spec_wall, spec_rss = timed(MPI + [str(n), os.environ["VITRUM"], "spectrum", "-sample", sample, "-potential", "ka3d",
                                                 "-kpm_moments", M, "-kpm_vectors", R, "-spectrum_nev", nev, "-hessian_type", opts["--hessian-type"],
                                                 "-o", "spectrum.h5", "-log_view"] + opts["--extra"].split())
    roof = subprocess.run(MPI + [str(n), os.path.join(build, "bench_spmv"), "-sample", sample, "-potential", "ka3d", "-spmv_reps", "3"],
                          stdout=subprocess.PIPE, text=True).stdout
    with h5py.File("spectrum.h5", "r") as f:
        tpm = float(f["/spectrum/kpm/time_per_moment"][()])
        bpp = float(f["/spectrum/kpm/bytes_per_product"][()])
    ev_rdf, ev_spec = events(rdf_out), events(spec_out)
    print("| stage | command | time (s) |\n|---|---|---|")
    for label, name in STAGES:
        for cmd, ev in (("rdf", ev_rdf), ("spectrum", ev_spec)):
            if name in ev:
                print("| %s | %s | %.2f |" % (label, cmd, ev[name]))
    print("| **wall** | rdf | %.1f |\n| **wall** | spectrum | %.1f |\n| **wall, whole analysis** | both | %.1f |" % (rdf_wall, spec_wall, rdf_wall + spec_wall))
    memory = [l.strip() for l in spec_out.split("\n") if "bytes/atom" in l]
    print("\nPeak resident per process: rdf %.0f MB, spectrum %.0f MB (%.0f bytes/atom summed over %d ranks)" % (rdf_rss, spec_rss, spec_rss * 2**20 * n / N, n))
    print("spectrum's own line: %s" % (memory[0] if memory else "(none)"))
    # the choices the run made for its size (the coarse level sized by the memory guard, skipped
    # stages), which decide its time and memory
    said = [l.strip() for l in spec_out.split("\n") if l.startswith("vitrum: note") or l.startswith("vitrum: warning") or " modes (" in l]
    print("spectrum's notes, warnings and modes line:\n%s" % "".join("- %s\n" % l for l in said))
    print("KPM: %.4f s per moment, %.1f MB per product with H: %.2f GB/s achieved (two moments per product)" % (tpm, bpp / 1e6, bpp / (2 * tpm) / 1e9))
    print("\nbench_spmv on the same sample (roofline: triad, FMA peak, kernel):\n\n```\n%s```\n" % roof, flush=True)
