#!/usr/bin/python3
"""Amorphous monolayer carbon by Stone-Wales bond-rotation Monte Carlo from graphene.

A constrained in-plane melt of a carbon sheet with the Tersoff potential gives a chain network
below graphene's energy (an artefact of the potential), so disorder is introduced the way it
arises in real sheets: by Stone-Wales moves. One move picks a random C-C bond, rotates it by 90
degrees about its midpoint in the plane of the sheet, relaxes the whole sheet (conjugate
gradients, fixed box) and accepts with the Metropolis rule exp(-dE / kT). Few moves at low kT
leave graphene with isolated 5-7 defects; many moves at high kT reach a continuous random
network of 5-, 6-, 7- (and 8-) rings. At the end the sheet is relaxed with its in-plane box
(`fix box/relax x 0 y 0`) to the inherent structure.

Three guards keep every sample a minimum of a three-fold network. A relaxed move is also rejected
when it leaves an atom with other than three bonds, or a pair of atoms inside the Tersoff cutoff
shell (R - D, R + D) = (1.8, 2.1) A for C, read from the potential file: Stone-Wales rotations keep
every atom three-fold in real sheets, and without this rule the walk at kT >= 2.5 eV broke the
network into chains (74 of 160 atoms two-fold, the sheet crumpled 9 A out of plane) with pairs
stuck at the cutoff's outer edge (2.100 A), where the potential's curvature jumps and conjugate
gradients and FIRE stall (largest forces 0.02-0.4 eV/A after 10^5 steps). A rotation that would put a moved atom closer than
CORE (1.1 A, inside the repulsive core) to another atom is rejected before any minimisation: in a
disordered network such a move left atoms inside each other's core, which the loose walk
minimisation accepted and the final one could not undo (largest forces up to 0.75 eV/A and states
at 460-1640 THz). And the final state must have a largest force below --fmax (FIRE continues
where conjugate gradients stop on a line search); otherwise the script stops with status 1 and
one line saying so, rather than writing a sample that is not at a minimum.

Zero forces do not make a minimum: a disordered sheet can end on a flat saddle, whose out-of-plane
forces vanish by symmetry while a few out-of-plane curvatures are slightly negative (3 of 60 sheets
of the ensemble in docs/RESULTS.md before session 34: 1-3 eigenvalues near -5e-5 eV/A^2, about
1e-6 of the mean curvature). So the relaxed sheet is checked by `vitrum minimize` (--vitrum): its
curvature check computes the lowest Hessian eigenvalues and, below -SADDLE_TOL x the mean
curvature, steps along the negative modes and minimises again (docs/potentials.md); the sheet it
ends on goes back to LAMMPS for the final relaxation with its in-plane box, and is checked again,
at most CHECKS times. A sheet still on a saddle after that stops the script with status 1.

Potential: Tersoff, Lindsay-Broido parameters for C in Debian's BNC.tersoff (metal units);
vitrum reads the sample with -potential tersoff -potential_file .../BNC.tersoff
-potential_elements C (a sheet in 3D: vacuum of `--vacuum` A along z).

One persistent `lmp` process takes the commands on its standard input; each step ends with a
file renamed by LAMMPS's `shell mv`, which this script waits for. It and `vitrum minimize` get
SIGTERM when this script dies (make_ensemble.die_with_parent).

Usage: /usr/bin/python3 scripts/stone_wales.py --out sheet.data [--nx 8 --ny 5] [--kt 2.0]
       [--moves 200] [--seed 1] [--vitrum build/vitrum]
       (N = 4 nx ny atoms; prints "VITRUM_IS pe E fmax F ... saddle escapes K")
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

from make_ensemble import die_with_parent

POTENTIAL = '/usr/share/lammps/potentials/BNC.tersoff'
BOND = 1.44       # C-C bond of graphene with this potential (A), relaxed with the box at the start
BOND_CUT = 1.85   # neighbours closer than this are bonded (between the first and second shells)
CORE = 1.1        # a rotation may not bring a moved atom closer than this to another (A)
SADDLE_TOL = 1e-8 # vitrum minimize -minimize_saddle_tol: 100x below its default, under the saddles seen (~1e-6)
CHECKS = 3        # curvature checks of the final sheet (each after a relaxation with the box)
REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))


def graphene(nx, ny, vacuum, rng):
    """Rectangular graphene cell (4 atoms, a x a sqrt(3)) repeated nx x ny; z = vacuum / 2 with
    0.02 A of random ripple so that the flat saddle is left (the flat sheet is not a minimum)."""
    a = BOND * np.sqrt(3.0)
    basis = np.array([[0, 0], [0.5 * a, 0.5 * BOND], [0.5 * a, 1.5 * BOND], [0, 2 * BOND]])
    cell = np.array([a, 3 * BOND])
    xy = np.array([b + cell * (i, j) for i in range(nx) for j in range(ny) for b in basis])
    z = 0.5 * vacuum + 0.02 * rng.standard_normal(len(xy))
    return np.column_stack([xy, z]), np.array([nx * cell[0], ny * cell[1], vacuum])


def write_data(path, x, box):
    with open(path, 'w') as f:
        f.write('graphene (scripts/stone_wales.py)\n\n%d atoms\n1 atom types\n\n' % len(x))
        for k, c in enumerate('xyz'):
            f.write('0 %.17g %slo %shi\n' % (box[k], c, c))
        f.write('\nMasses\n\n1 12.011\n\nAtoms # atomic\n\n')
        for i, p in enumerate(x):
            f.write('%d 1 %.17g %.17g %.17g\n' % (i + 1, p[0], p[1], p[2]))


class Lammps:
    """One lmp process fed on standard input; call() sends commands and waits for them."""

    def __init__(self, lmp, workdir):
        self.dir, self.k = workdir, 0
        self.proc = subprocess.Popen([lmp, '-log', 'none', '-screen', 'none'], stdin=subprocess.PIPE, text=True, cwd=workdir, preexec_fn=die_with_parent())

    def call(self, commands, timeout=600):
        self.k += 1
        done = os.path.join(self.dir, 'done_%d' % self.k)
        self.proc.stdin.write(commands + '\nprint "ok" file step.tmp\nshell mv step.tmp done_%d\n' % self.k)
        self.proc.stdin.flush()
        t0 = time.time()
        while not os.path.exists(done):
            if self.proc.poll() is not None or time.time() - t0 > timeout:
                sys.exit('stone_wales: lmp stopped or hung at step %d' % self.k)
            time.sleep(0.002)
        os.remove(done)

    def state(self):
        """Energy (eV) and positions (ids in order) after the last minimisation."""
        self.call('write_dump all custom cur.dump id x y z modify sort id format float %.17g\n'
                  'print "$(pe:%.17g)" file energy.txt')
        e = float(open(os.path.join(self.dir, 'energy.txt')).read())
        x = np.loadtxt(os.path.join(self.dir, 'cur.dump'), skiprows=9)[:, 1:4]
        return e, x

    def set_positions(self, x, ids=None):
        ids = range(len(x)) if ids is None else ids
        self.call('\n'.join('set atom %d x %.17g y %.17g z %.17g' % (i + 1, x[i][0], x[i][1], x[i][2]) for i in ids))

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def bonds(x, box):
    """Bonded pairs (i < j) under the in-plane minimum image."""
    d = x[None, :, :] - x[:, None, :]
    d[:, :, :2] -= box[:2] * np.round(d[:, :, :2] / box[:2])
    r = np.sqrt((d ** 2).sum(-1))
    i, j = np.nonzero(np.triu(r < BOND_CUT, 1))
    return i, j


def rotate_bond(x, box, i, j):
    """Positions of i and j after a 90-degree in-plane rotation about the bond's midpoint."""
    d = x[j] - x[i]
    d[:2] -= box[:2] * np.round(d[:2] / box[:2])
    mid = x[i] + 0.5 * d
    rot = np.array([-d[1], d[0]])  # d rotated by 90 degrees about z
    new = x.copy()
    new[i, :2] = mid[:2] - 0.5 * rot
    new[j, :2] = mid[:2] + 0.5 * rot
    return new


def cutoff_shell(potential):
    """(R - D, R + D) of the C-C-C entry of a Tersoff file: the shell where the cutoff switches."""
    for line in open(potential):
        words = line.split('#')[0].split()
        if words[:3] == ['C', 'C', 'C'] and len(words) == 17:
            R, D = float(words[13]), float(words[14])
            return R - D, R + D
    sys.exit('stone_wales: %s has no C C C entry (need a Tersoff file with carbon)' % potential)


def network_ok(x, box, shell):
    """Every atom three-fold (bonds: pairs below the shell) and no pair inside the cutoff shell."""
    d = x[None, :, :] - x[:, None, :]
    d[:, :, :2] -= box[:2] * np.round(d[:, :, :2] / box[:2])
    r = np.sqrt((d ** 2).sum(-1))
    np.fill_diagonal(r, np.inf)
    return bool(np.all((r < shell[0]).sum(1) == 3) and not np.any((r >= shell[0]) & (r <= shell[1])))


def too_close(x, box, moved):
    """Whether an atom of `moved` lies closer than CORE to another atom (in-plane minimum image)."""
    for i in moved:
        d = x - x[i]
        d[:, :2] -= box[:2] * np.round(d[:, :2] / box[:2])
        r = np.sqrt((d ** 2).sum(-1))
        r[i] = np.inf
        if r.min() < CORE:
            return True
    return False


def curvature_check(args, tmp):
    """`vitrum minimize` on final.data with its curvature check (the forces are below --fmax already,
    so it only checks, and escapes from a saddle): the number of escapes it made and, if any, the
    positions it ended on (ids in order)."""
    cmd = [args.vitrum, 'minimize', '-sample', 'final.data', '-potential', 'tersoff', '-potential_file', args.potential,
           '-potential_elements', 'C', '-minimize_ftol', repr(args.fmax), '-minimize_saddle_tol', repr(SADDLE_TOL),
           '-o', 'checked.h5']
    try:
        proc = subprocess.run(cmd, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent())
    except OSError as err:
        sys.exit('stone_wales: cannot run %s (give the vitrum executable with --vitrum): %s' % (args.vitrum, err))
    if proc.returncode != 0:
        sys.exit('stone_wales: vitrum minimize failed on the final sheet (status %d):\n%s' % (proc.returncode, proc.stdout[-2000:]))
    with h5py.File(os.path.join(tmp, 'checked.h5'), 'r') as f:
        escapes = int(f['minimize/saddle_escapes'][()])
        if f['minimize/lowest_curvature'].attrs['ends_on'] in (b'saddle', 'saddle'):
            sys.exit('stone_wales: vitrum minimize could not leave the saddle of the final sheet:\n' + proc.stdout[-2000:])
        ids = f['particles/all/id/value'][-1]
        x = f['particles/all/position/value'][-1][np.argsort(ids)]
    os.remove(os.path.join(tmp, 'checked.h5'))
    return escapes, x


def run(args):
    rng = np.random.default_rng(args.seed)
    shell = cutoff_shell(args.potential)
    x, box = graphene(args.nx, args.ny, args.vacuum, rng)
    with tempfile.TemporaryDirectory() as tmp:
        write_data(os.path.join(tmp, 'start.data'), x, box)
        lmp = Lammps(args.lmp, tmp)
        lmp.call('units metal\natom_style atomic\nboundary p p p\nread_data start.data\n'
                 'pair_style tersoff\npair_coeff * * %s C\nneighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n'
                 'min_style cg\nfix relax all box/relax x 0.0 y 0.0 couple none\nminimize 0.0 1.0e-8 10000 100000\nunfix relax' % args.potential)
        energy, x = lmp.state()
        box = np.loadtxt(os.path.join(tmp, 'cur.dump'), skiprows=5, max_rows=3)
        box = box[:, 1] - box[:, 0]
        accepted = cored = broken = 0
        for move in range(args.moves):
            i, j = bonds(x, box)
            b = rng.integers(len(i))
            trial = rotate_bond(x, box, i[b], j[b])
            if too_close(trial, box, (i[b], j[b])):
                cored += 1
                continue
            lmp.set_positions(trial, (i[b], j[b]))
            lmp.call('minimize 0.0 1.0e-4 1000 10000')  # loose during the walk; tight at the end
            e_new, x_new = lmp.state()
            if not network_ok(x_new, box, shell):
                broken += 1
                lmp.set_positions(x)
            elif e_new <= energy or rng.random() < np.exp(-(e_new - energy) / args.kt):
                energy, x, accepted = e_new, x_new, accepted + 1
            else:
                lmp.set_positions(x)
        escapes = 0
        for check in range(1, CHECKS + 1):
            lmp.call('min_style cg\nfix relax all box/relax x 0.0 y 0.0 couple none\nminimize 0.0 1.0e-8 10000 100000\nunfix relax\n'
                     'minimize 0.0 1.0e-10 100000 1000000\nmin_style fire\nminimize 0.0 %.17g 100000 1000000\n'
                     'variable pe equal pe/atoms\nvariable fmax equal fmax\n'
                     'print "VITRUM_IS pe ${pe} fmax ${fmax} accepted %d of %d (%d rejected: atoms in the core, %d: not a three-fold network)" file summary.txt\n'
                     'write_data final.data nocoeff' % (0.1 * args.fmax, accepted, args.moves, cored, broken))
            made, x_escaped = curvature_check(args, tmp)
            if not made:
                break
            escapes += made
            lmp.set_positions(x_escaped)
        else:
            sys.exit('stone_wales: the final sheet is still on a saddle after %d curvature checks (%d escapes by vitrum minimize); '
                     'give another --seed' % (CHECKS, escapes))
        summary = open(os.path.join(tmp, 'summary.txt')).read().strip() + ' saddle escapes %d' % escapes
        lmp.close()
        fmax = float(summary.split()[summary.split().index('fmax') + 1])
        if not fmax <= args.fmax:
            sys.exit('stone_wales: the final sheet is not at a minimum (largest force %.3g eV/A > --fmax %g) after %d accepted '
                     'moves at kT %g eV; give a lower --kt or fewer --moves, or another --seed' % (fmax, args.fmax, accepted, args.kt))
        shutil.move(os.path.join(tmp, 'final.data'), args.out)
    print(summary, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='output LAMMPS data file')
    p.add_argument('--nx', type=int, default=8, help='rectangular 4-atom cells along x (N = 4 nx ny)')
    p.add_argument('--ny', type=int, default=5)
    p.add_argument('--kt', type=float, default=2.0, help='Monte Carlo temperature kT (eV)')
    p.add_argument('--moves', type=int, default=200, help='bond-rotation attempts')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--vacuum', type=float, default=25.0, help='box length along z (A)')
    p.add_argument('--fmax', type=float, default=1e-3, help='largest force (eV/A) the final sheet may keep')
    p.add_argument('--potential', default=POTENTIAL, help='Tersoff file with C (Lindsay-Broido)')
    p.add_argument('--lmp', default='lmp')
    p.add_argument('--vitrum', default=os.environ.get('VITRUM', os.path.join(REPO, 'build', 'vitrum')),
                   help='vitrum executable, whose `minimize` checks the final sheet for saddles (default: $VITRUM, else build/vitrum of this repository)')
    args = p.parse_args()
    if args.nx < 2 or args.ny < 2 or args.moves < 0 or args.kt <= 0 or args.fmax <= 0:
        p.error('need --nx, --ny >= 2, --moves >= 0, --kt > 0 and --fmax > 0')
    run(args)


if __name__ == '__main__':
    main()
