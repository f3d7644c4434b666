"""The single-precision block product of twolevel's smoother against the double-precision one
(test_kernel32.c: every R in 1..40, every kernel variant this CPU runs, BAIJ and SBAIJ storage),
on a 3D KA glass (bs 3) and a 2D one (bs 2), 1 and 2 ranks: every entry within 1e-5 of |H| |x|."""
import subprocess
import sys
import spectrumlib as sl
import vitrum_testlib as vt

exe = sys.argv[1]  # spectrum_kernel32_exe
glass3 = sl.make_ka_glass("ka3d.data", n_side=5)
glass2 = sl.make_ka_glass("ka2d.data", n_side=12, dim=2)
for sample, potential in ((glass3, "ka3d"), (glass2, "ka2d")):
    for n in (1, 2):
        p = subprocess.run(vt.MPIRUN + ["-n", str(n), exe, "-sample", sample, "-potential", potential], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(p.stdout.strip()[-2000:])
        vt.check(p.returncode == 0 and "ok:" in p.stdout, "%s, %d rank(s): single-precision products within 1e-5 of |H| |x|" % (potential, n))
