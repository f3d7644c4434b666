"""Scaling tools (jobscripts/scaling): the halo model's ghost counts equal vitrum's real
decomposition (-domain_view) on several rank counts and grids, 3D triclinic and 2D; a strong series
of 1 and 2 ranks is collected into a CSV whose efficiencies follow from the PETSc logs; the
performance model runs on that CSV."""
import csv
import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.environ["SRC"], "tests"))
from vitrum_testlib import check, random_sample, run, write_lammps_data  # noqa: E402

SRC = os.environ["SRC"]
MODEL = os.path.join(SRC, "jobscripts", "scaling", "model.py")
SERIES = os.path.join(SRC, "jobscripts", "scaling", "series.sh")
PY = "/usr/bin/python3"


def domain_line(text):
    lines = [l for l in text.splitlines() if l.startswith("domain:")]
    check(len(lines) == 1, "one -domain_view line: %r" % lines)
    return lines[0].split(":", 1)[1].strip()


def model_line(sample, width, ranks, grid=None):
    cmd = [PY, MODEL, "ghosts", sample, "--width", str(width), "--ranks", str(ranks)]
    if grid:
        cmd += ["--grid", grid]
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout.strip()
    return out.split(":", 1)[1].strip()


def compare_halo(sample, width, cases):
    for ranks, grid in cases:
        args = ["rdf", "-sample", sample, "-rdf_rmax", width, "-o", "halo.h5", "-domain_view"]
        if grid:
            args += ["-domain_grid", grid]
        real = domain_line(run(args, ranks).stdout)
        model = model_line(sample, width, ranks, grid)
        check(real == model, f"{sample}, {ranks} ranks, grid {grid or 'default'}: model '{model}' == vitrum '{real}'")


# 3D triclinic, two species; a 4x1x1 grid makes slabs thinner than the ghost width (two hops).
cell3 = np.array([[11.0, 0, 0], [1.5, 10.0, 0], [-1.0, 0.8, 9.5]])
pos, types = random_sample(2000, cell3, lo=(-2.0, 1.0, 0.5), fractions=(0.8, 0.2), seed=3)
write_lammps_data("tri.data", cell3, (-2.0, 1.0, 0.5), types, pos)
compare_halo("tri.data", 3.0, [(1, None), (2, None), (3, None), (4, None), (4, "4,1,1"), (4, "1,2,2")])

# 2D
cell2 = np.array([[20.0, 0, 0], [0, 14.0, 0], [0, 0, 1.0]])
pos, types = random_sample(1500, cell2, fractions=(0.65, 0.35), seed=5, dim=2)
write_lammps_data("flat.data", cell2, (0, 0, -0.5), types, pos, dim=2)
compare_halo("flat.data", 2.5, [(1, None), (2, None), (4, None), (4, "4,1")])

# A strong series on 1 and 2 ranks, collected.
env = dict(os.environ, VITRUM=os.environ["VITRUM"])
subprocess.run(["bash", SERIES, "strong", "series", "2", "rdf", "-sample", "tri.data", "-rdf_rmax", "3"], check=True, env=env)
rows = list(csv.DictReader(open("series/scaling.csv")))
rdf = {int(r["ranks"]): r for r in rows if r["stage"] == "Structure"}
check(sorted(rdf) == [1, 2], "Structure stage collected for 1 and 2 ranks")
check(all(int(r["atoms"]) == 2000 for r in rows), "atom count recorded for every run")


def stage_max(path, stage):
    t = [float(r[4]) for r in csv.reader(open(path)) if len(r) > 4 and r[0] == stage and r[1] == "summary"]
    return max(t), len(t)


t1, n1 = stage_max("series/log_1.csv", "Structure")
t2, n2 = stage_max("series/log_2.csv", "Structure")
check(n1 == 1 and n2 == 2, "one summary row per rank in the PETSc logs")
check(math.isclose(float(rdf[2]["efficiency"]), t1 / (2 * t2), rel_tol=1e-4), "efficiency = T1 / (2 T2) from the logs")
check(os.path.exists("series/scaling.png"), "scaling plot written")

# The model calibrated on that series: positive finite times for every series and stage, and a
# strong-scaling KPM time that falls with the rank count while a rank's memory bandwidth is its own.
with open("params.json", "w") as f:
    f.write('{"rdf_width": 3.0}')
subprocess.run([PY, MODEL, "predict", "--measured", "series/scaling.csv", "--atoms", "2000", "--params", "params.json", "--out-csv", "model.csv", "--plot", "model.png"], check=True)
model = list(csv.DictReader(open("model.csv")))
check({r["series"] for r in model} == {"strong 1e6 atoms", "strong 1e9 atoms", "weak 1e5 atoms per rank"}, "three model series")
check(all(math.isfinite(float(r["model_s"])) and float(r["model_s"]) > 0 for r in model), "model times positive and finite")
rdf_strong = {int(r["ranks"]): float(r["model_s"]) for r in model if r["series"] == "strong 1e6 atoms" and r["stage"] == "Structure"}
check(rdf_strong[64] < rdf_strong[1] / 10, "modelled RDF time at 64 ranks below a tenth of 1 rank")

# The low modes are a stage of their own ("Modes", inside "Spectrum"): a strong series of a small
# relaxed glass collects it on 1 and 2 ranks, with the time of the modes' event in the same log.
sys.path.insert(0, os.path.join(SRC, "tests", "spectrum"))
import spectrumlib as sl  # noqa: E402

glass = sl.make_ka_glass("ka1000.data", n_side=10)
subprocess.run(["bash", SERIES, "strong", "modes", "2", "spectrum", "-sample", glass, "-potential", "ka3d", "-spectrum_nev", "6",
                "-spectrum_method", "twolevel", "-spectrum_inertia", "0", "-kpm_moments", "40", "-boson_max_moments", "40"], check=True, env=env)
rows = list(csv.DictReader(open("modes/scaling.csv")))
modes = {int(r["ranks"]): r for r in rows if r["stage"] == "Modes"}
check(sorted(modes) == [1, 2], "Modes stage collected for 1 and 2 ranks")
for p in (1, 2):
    event = max(float(r[4]) for r in csv.reader(open(f"modes/log_{p}.csv")) if len(r) > 4 and r[0] == "Modes" and r[1] == "VitSpecModes")
    stage, _ = stage_max(f"modes/log_{p}.csv", "Modes")
    check(math.isclose(event, stage, rel_tol=0.05, abs_tol=2e-3), f"{p} rank(s): the Modes stage ({stage:.4g} s) is the modes' event ({event:.4g} s)")
    check(float(modes[p]["time_max"]) == stage, f"{p} rank(s): the collected Modes time is the slowest rank's")

# The model calibrated on it: a Modes stage in every series, falling with the ranks (strong, 10^6
# atoms) beyond one node (64 ranks share its memory bandwidth) while the per-atom work dominates,
# and giving back the measured 1-rank time at the measured size (the calibration is exact there).
subprocess.run([PY, MODEL, "predict", "--measured", "modes/scaling.csv", "--atoms", "1000", "--kpm-moments-measured", "40", "--out-csv", "model_modes.csv"], check=True)
model = [r for r in csv.DictReader(open("model_modes.csv")) if r["stage"] == "Modes"]
check({r["series"] for r in model} == {"strong 1e6 atoms", "strong 1e9 atoms", "weak 1e5 atoms per rank"}, "Modes modelled in all three series")
check(all(math.isfinite(float(r["model_s"])) and float(r["model_s"]) > 0 for r in model), "modelled Modes times positive and finite")
strong = {int(r["ranks"]): float(r["model_s"]) for r in model if r["series"] == "strong 1e6 atoms"}
check(strong[64] < strong[1] and strong[1024] < strong[64] / 10, f"modelled Modes time falls: 1 rank {strong[1]:.3g} s, 64 ranks {strong[64]:.3g} s, 1024 ranks {strong[1024]:.3g} s (below a tenth of 64)")
sys.path.insert(0, os.path.dirname(MODEL))
import model as perf  # noqa: E402

c = dict(perf.DEFAULTS, kpm_moments_measured=40)
t_atom = perf.calibrate("modes/scaling.csv", 1000, c)
again = perf.stage_times(1, 1000, c, t_atom)["Modes"]
check(math.isclose(again, float(modes[1]["time_max"]), rel_tol=1e-9), f"the model at 1 rank and 1000 atoms ({again:.6g} s) is the measured time ({float(modes[1]['time_max']):.6g} s)")
