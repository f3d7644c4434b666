"""The factor guard's estimates of a MUMPS factor, from the analysis of the atom graph (one row per
atom, d^2 fewer entries): its memory times d^2 and its flops times d^3, against MUMPS's analysis of
the Hessian itself, on 1 and 2 ranks (an estimate above MUMPS's own only skips more, one below it
risks memory: 0.85 to 1.4 x is asked of the memory, 0.5 to 2 x of the flops): a 1000-atom KA glass
replicated 2^3 times (8000 atoms, 3D) and a 2D KA glass (d = 2)."""
import os
import subprocess
import sys
import spectrumlib as sl
import vitrum_testlib as vt

exe = sys.argv[1]  # spectrum_factor_estimate_exe
base = sl.make_ka_glass("ka1000.data", n_side=10)
big = os.path.abspath("ka8000.data")
with open("replicate.in", "w") as f:
    f.write("units lj\natom_style atomic\npair_style lj/cut 2.5\nread_data %s\nreplicate 2 2 2\nwrite_data %s\n" % (base, big))
subprocess.run(["lmp", "-in", "replicate.in", "-log", "none", "-screen", "none"], check=True)
flat = sl.make_ka_glass("ka2d_6400.data", n_side=80, dim=2)
for sample, potential, d in ((big, "ka3d", 3), (flat, "ka2d", 2)):
    vt.run(["hessian", "-sample", sample, "-potential", potential, "-hessian_binary", "H%d.bin" % d, "-o", "h%d.h5" % d])
    for n in (1, 2):
        p = subprocess.run(vt.MPIRUN + ["-n", str(n), exe, "-f", "H%d.bin" % d, "-bs", str(d), "-low", "0.85", "-high", "1.4"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(p.stdout.strip())
        vt.check(p.returncode == 0 and "ok:" in p.stdout, "%dD, %d rank(s): the atom-graph estimates 0.85 to 1.4 x (memory; not far below: that would risk memory) and 0.5 to 2 x (flops) MUMPS's estimates for H" % (d, n))
