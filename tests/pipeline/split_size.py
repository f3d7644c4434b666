"""A pipeline whose held-out split leaves fewer than 2 samples on either side stops before any stage
runs, in one error line that names both ways out: the samples needed at the given
-fit_test_fraction, and the fraction that works with the given samples (with 4, when there are
fewer: no fraction splits 3). Both are checked against a brute-force count of fit's split,
held out = round(fraction n) (int(fraction n + 0.5)), and the two messages (fewer than 4
samples, or 4 and more) agree: the fraction the first names for 4 samples is the one the second
names with 4. Before, 3 samples at 0.3 said 'give at least 4', and 4 then said the fraction must
be at least 0.375."""
import re

import vitrum_testlib as vt


def fits(f, n):
    ntest = int(f * n + 0.5)
    return ntest >= 2 and n - ntest >= 2


def error(n, f):
    open("list.txt", "w").writelines("s%d.data\n" % i for i in range(n))
    p = vt.run(["pipeline", "-pipeline_samples", "list.txt", "-pipeline_dir", "run", "-fit_test_fraction", f], expect_fail=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith("vitrum: error:")]
    vt.check(p.returncode == 1 and len(lines) == 1, "n %d, fraction %g: one error line\n%s%s" % (n, f, p.stdout, p.stderr))
    return lines[0]


def fraction_advice(line, m):
    """The fraction bound the line names and whether it is right for m samples."""
    at_least = re.search(r"-fit_test_fraction of at least ([0-9.e+-]+)", line)
    below = re.search(r"-fit_test_fraction below ([0-9.e+-]+)", line)
    vt.check(bool(at_least) != bool(below), "one fraction bound named: " + line)
    x = float((at_least or below).group(1))
    right = fits(x + 1e-3, m) and not fits(x - 1e-3, m) if at_least else fits(x - 1e-3, m) and not fits(x + 1e-3, m)
    vt.check(right, "%d samples: the bound %g is where the split starts (stops) to work: %s" % (m, x, line))
    return (at_least or below).group(0)


for f in (0.05, 0.2, 0.3, 0.5, 0.7, 0.9):
    need = next(n for n in range(4, 1000) if fits(f, n))
    line3 = error(3, f)
    vt.check(line3.startswith("vitrum: error: 3 samples (-fit_test_fraction %g): the evaluation needs at least 2 held-out and 2 training samples; give at least %d samples" % (f, need)),
             "3 samples at %g: at least %d samples (brute force): %s" % (f, need, line3))
    if need == 4:
        vt.check("-fit_test_fraction of" not in line3 and "below" not in line3, "3 samples at %g: 4 samples work at this fraction, no other advice: %s" % (f, line3))
        continue
    vt.check(", or 4 samples with a " in line3, "3 samples at %g: the fraction route with 4 samples too: %s" % (f, line3))
    bound = fraction_advice(line3, 4)
    line4 = error(4, f)
    vt.check(("holds out %d of 4 samples" % int(f * 4 + 0.5)) in line4 and bound in line4 and ("or at least %d samples at this fraction" % need) in line4,
             "4 samples at %g: the same fraction bound (%s) and the same sample count %d: %s" % (f, bound, need, line4))
