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
