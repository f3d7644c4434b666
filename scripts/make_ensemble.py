#!/usr/bin/python3
"""Generate an ensemble of glass samples with LAMMPS (melt, equilibrate at a parent temperature,
quench, minimise to the inherent structure), one serial `lmp` per sample, `--jobs` at a time.

Families (--family; LAMMPS inputs in jobscripts/lammps/):
  ka2d, ka3d  Kob-Andersen Lennard-Jones 65:35 (2D) / 80:20 (3D), LJ units     in.ka2d, in.ka3d
  cuzral      Cu46Zr46Al8 metallic glass, ZrCuAl2011.eam.alloy, metal units     in.metallic
  cuzr        Cu50Zr50 metallic glass, CuZr_mm.eam.fs, metal units              in.metallic
  sic         amorphous SiC, Tersoff (SiC.tersoff), metal units                 in.covalent
  si          amorphous Si, Stillinger-Weber (Si.sw), metal units               in.covalent
  carbon      amorphous monolayer carbon, Tersoff (BNC.tersoff C), metal units  scripts/stone_wales.py
              (Stone-Wales bond-rotation Monte Carlo from graphene; its ladder is (kT in eV, moves,
              0) in the tpar, neq and nquench columns)
Stability is varied in a controlled way by a ladder of protocols per family, from an
instantaneous quench of a hot liquid (least stable) to a long anneal of the supercooled liquid
followed by a slow quench (most stable; quench rates over several decades); samples cycle through
the ladder with distinct seeds.

Writes into OUT:
  sample_NNNN.data   LAMMPS data files (atom_style atomic), read by vitrum
  samples.txt        the list of data files (one path per line: OUT/sample_NNNN.data, relative to the
                     folder the script ran in, as `vitrum features -sample_list` reads them)
  ensemble.csv       per sample: name, protocol, parent temperature, steps, seed, inherent-structure
                     energy per atom (LAMMPS units of the family) and the final max force component
  generation.json    the parameters of the ensemble
  .make_ensemble.lock  locked while a run generates into OUT (kept; see below)
Samples whose data file already exists are kept (resume), unless generation.json shows that they
were made with other parameters: then every old sample is removed first. Exit status 1 if a
LAMMPS run fails; the message gives its exit status or the signal that ended it.

One run at a time per OUT: a run holds an exclusive lock (flock) on OUT/.make_ensemble.lock while
it generates, and a second run on the same OUT stops at once with one line instead of writing the
same temporary files (the slices of an array job, --range, share the lock with one another and
exclude a run without --range). The kernel drops the lock when the run ends, even by SIGKILL.
The LAMMPS runs (and the generators' own children) end with SIGTERM when this script dies, so a
killed run leaves no lmp behind; `vitrum pipeline` starts this script the same way, so killing
its ranks ends the generation.

On a cluster (jobscripts/ensemble.slurm): `--range A:B` generates only the samples with index
A..B-1, one slice per task of an array job; such a run never removes anything (other parameters in
generation.json are an error) and writes neither samples.txt nor ensemble.csv. A run without
--range afterwards finds every sample made and writes both. Each sample's seed depends only on
--seed and its index, so the slices give the files of one run, bit for bit.

OUT may contain spaces (LAMMPS gets the output path in triple quotes); a failed LAMMPS run prints
the end of its output.

Usage: /usr/bin/python3 scripts/make_ensemble.py --out DIR [--family ka2d] [--samples 100] [--nx 20 --ny 20]
       (--dim 2|3 is the old spelling of --family ka2d|ka3d)
"""
import argparse
import csv
import ctypes
import fcntl
import glob
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, '..', 'jobscripts', 'lammps')

REPO = os.path.abspath(os.path.join(HERE, '..'))

# Protocol ladders: (parent temperature, MD steps at it, steps of the linear quench), least to most
# stable. KA: LJ units, dt 0.005, quench to T = 0.01. Metallic: K, dt 2 fs, quench to 50 K (rates
# from instantaneous to ~4e12 K/s). SiC: K, dt 0.5 fs; Si: K, dt 1 fs; quench to 300 K.
KA_PROTOCOLS = [(4.0, 500, 0), (2.0, 1000, 0), (1.0, 2000, 2000), (0.7, 4000, 5000), (0.55, 8000, 10000), (0.45, 12000, 12000)]
FAMILIES = {
    'ka2d': dict(nmelt=1000, input='in.ka2d', sizes=('nx', 'ny'), default_size=(20, 20), protocols=KA_PROTOCOLS, fixed={}),
    'ka3d': dict(nmelt=1000, input='in.ka3d', sizes=('nx', 'ny', 'nz'), default_size=(8, 8, 8), protocols=KA_PROTOCOLS, fixed={}),
    'cuzral': dict(nmelt=5000, input='in.metallic', sizes=('nx',), default_size=(5,), fixed=dict(alloy='cuzral', potdir=os.path.join(REPO, 'potentials')),
                   protocols=[(2200, 2000, 0), (1500, 4000, 0), (1500, 4000, 5000), (1200, 5000, 20000), (1000, 10000, 50000), (900, 20000, 100000)]),
    'cuzr': dict(nmelt=5000, input='in.metallic', sizes=('nx',), default_size=(5,), fixed=dict(alloy='cuzr'),
                 protocols=[(2200, 2000, 0), (1500, 4000, 0), (1500, 4000, 5000), (1200, 5000, 20000), (1000, 10000, 50000), (900, 20000, 100000)]),
    'sic': dict(nmelt=10000, input='in.covalent', sizes=('nx',), default_size=(3,), fixed=dict(material='sic'),
                protocols=[(6500, 2000, 0), (5000, 4000, 0), (4500, 5000, 10000), (4000, 10000, 20000), (3500, 20000, 40000), (3000, 20000, 80000)]),
    'carbon': dict(script='stone_wales.py', sizes=('nx', 'ny'), default_size=(8, 5), fixed={},
                   protocols=[(1.0, 10, 0), (1.5, 25, 0), (2.0, 50, 0), (2.5, 100, 0), (3.0, 150, 0), (4.0, 200, 0)]),
    'si': dict(nmelt=10000, input='in.covalent', sizes=('nx',), default_size=(3,), fixed=dict(material='si'),
               protocols=[(3500, 2000, 0), (2500, 4000, 0), (2000, 5000, 10000), (1700, 10000, 20000), (1500, 20000, 40000), (1300, 20000, 80000)]),
}


def clean_env():
    """Environment for a serial lmp: without the variables of an enclosing mpirun, so that lmp
    starts as an MPI singleton instead of trying to join the parent's job."""
    return {k: v for k, v in os.environ.items() if not re.match(r'(OMPI_|PMIX_|OPAL_|PRTE_|HYDRA_|PMI_)', k)}


def die_with_parent():
    """preexec_fn for a child that must not outlive this process (Linux): SIGTERM to it when the
    thread that started it ends (the thread waits for it, so: when this process dies, even by
    SIGKILL). If this process died between fork and prctl, the child ends at once."""
    if not sys.platform.startswith('linux'):
        return None
    parent, prctl = os.getpid(), ctypes.CDLL(None, use_errno=True).prctl

    def preexec():
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(128 + signal.SIGTERM)
    return preexec


def how_it_ended(returncode):
    """A child's exit status as words: 'exit status N' or 'killed by signal N (SIGNAME)'."""
    if returncode < 0:
        try:
            name = ' (%s)' % signal.Signals(-returncode).name
        except ValueError:
            name = ''
        return 'killed by signal %d%s' % (-returncode, name)
    return 'exit status %d' % returncode


def lock_out(out, shared):
    """Lock OUT against a second generator: exclusive, or shared between the slices of an array job
    (--range). Exits with one line when another run holds it. The descriptor stays open (and the
    lock held) until this process ends; a file system without flock runs unlocked."""
    path = os.path.join(out, '.make_ensemble.lock')
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit('make_ensemble: %s: another make_ensemble run is generating into this folder now (%s is locked): '
                 'wait for it to end, or give another --out' % (out, path))
    except OSError:
        pass


def lammps_path(path):
    """A path as the value of a LAMMPS variable: in triple quotes, so that the command it is
    substituted into (write_data ${out}) takes it as one word even with spaces (LAMMPS substitutes
    variables first, then splits the line into words); main() refuses an --out with three quotes."""
    return '"""%s"""' % path


def run_sample(args, index):
    family = FAMILIES[args.family]
    protocols = family['protocols']
    tpar, neq, nquench = protocols[index % len(protocols)]
    neq, nquench = int(round(neq * args.steps_scale)), int(round(nquench * args.steps_scale))
    name = 'sample_%04d' % index
    final = os.path.join(args.out, name + '.data')
    seed = args.seed + 7919 * index
    row = dict(name=name + '.data', protocol=index % len(protocols), tpar=tpar, neq=neq, nquench=nquench, seed=seed)
    if os.path.exists(final) and os.path.exists(final + '.is'):
        row.update(parse_is(open(final + '.is').read()))
        return row, 0.0
    tmp = os.path.join(args.out, '.' + name + '.data.tmp')
    if 'script' in family:  # a Python generator driving lmp itself (carbon: tpar = kT, neq = moves)
        cmd = [sys.executable, os.path.join(HERE, family['script']), '--out', tmp, '--seed', str(seed),
               '--kt', str(tpar), '--moves', str(neq), '--lmp', args.lmp, '--vitrum', args.vitrum]
        for var, value in zip(family['sizes'], args.size):
            cmd += ['--' + var, str(value)]
    else:
        cmd = [args.lmp, '-in', os.path.join(INPUTS, family['input']), '-log', 'none',
               '-var', 'seed', str(seed), '-var', 'tpar', str(tpar), '-var', 'neq', str(neq),
               '-var', 'nquench', str(nquench), '-var', 'out', lammps_path(tmp)]
        for var, value in list(zip(family['sizes'], args.size)) + list(family['fixed'].items()):
            cmd += ['-var', var, str(value)]
        if args.steps_scale != 1:
            cmd += ['-var', 'nmelt', str(max(1, int(round(family['nmelt'] * args.steps_scale))))]
    t0 = time.time()
    # The screen output goes to the pipe; the input prints the line "VITRUM_IS pe E fmax F".
    try:
        proc = subprocess.run(cmd, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, preexec_fn=die_with_parent())
    except OSError as err:
        sys.stderr.write('make_ensemble: cannot run %s: %s\n' % (args.lmp, err))
        return None, time.time() - t0
    if proc.returncode != 0 or not os.path.exists(tmp):
        what = how_it_ended(proc.returncode) + ('' if proc.returncode else ', but it wrote no %s' % tmp)
        program = os.path.basename(cmd[1] if 'script' in family else args.lmp)
        sys.stderr.write('make_ensemble: %s failed for %s (%s):\n%s\n' % (program, name, what, proc.stdout[-2000:]))
        return None, time.time() - t0
    summary = [line for line in proc.stdout.splitlines() if line.startswith('VITRUM_IS')]
    with open(final + '.is', 'w') as f:
        f.write(summary[-1] + '\n')
    os.replace(tmp, final)
    row.update(parse_is(summary[-1]))
    return row, time.time() - t0


def parse_is(line):
    words = line.split()
    row = dict(e_is=float(words[words.index('pe') + 1]), fmax=float(words[words.index('fmax') + 1]))
    if 'escapes' in words:  # carbon: saddles left by vitrum minimize (stone_wales.py)
        row['saddle_escapes'] = int(words[words.index('escapes') + 1])
    return row


def check_parameters(args):
    """Remove samples made with other parameters (or an unknown set) and record the current ones
    (written atomically: the tasks of an array job start together). With --range nothing is
    removed: other parameters are an error."""
    family = FAMILIES[args.family]
    source = os.path.join(HERE, family['script']) if 'script' in family else os.path.join(INPUTS, family['input'])
    params = dict(family=args.family, size=args.size, seed=args.seed, steps_scale=args.steps_scale, protocols=family['protocols'], fixed=family['fixed'],
                  input=open(source).read())
    path = os.path.join(args.out, 'generation.json')
    old = json.load(open(path)) if os.path.exists(path) else None
    if old == json.loads(json.dumps(params)):
        return
    if args.range and old is not None:
        sys.exit('make_ensemble: --range %s: %s records other parameters; run once without --range to start the ensemble anew' % (args.range, path))
    stale = [] if args.range else glob.glob(os.path.join(args.out, 'sample_*.data*'))
    if stale:
        print('make_ensemble: parameters changed, removing %d old files' % len(stale), flush=True)
    for f in stale:
        os.remove(f)
    tmp = '%s.%d.tmp' % (path, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(params, f, indent=1)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--family', choices=sorted(FAMILIES), help='glass family (default ka2d)')
    p.add_argument('--dim', type=int, choices=(2, 3), help='old spelling: 2 = --family ka2d, 3 = --family ka3d')
    p.add_argument('--samples', type=int, default=100)
    p.add_argument('--nx', type=int, help='start-lattice cells along x (KA: N = nx*ny in 2D, nx*ny*nz in 3D; '
                   'metallic: N = 4 nx^3; covalent: N = 8 nx^3); defaults per family: ka2d 20,20; ka3d 8,8,8; '
                   'cuzral/cuzr 5 (500 atoms); sic/si 3 (216 atoms)')
    p.add_argument('--ny', type=int)
    p.add_argument('--nz', type=int)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--jobs', type=int, default=2, help='serial lmp runs at a time')
    p.add_argument('--lmp', default='lmp', help='LAMMPS executable')
    p.add_argument('--vitrum', default=os.environ.get('VITRUM', os.path.join(REPO, 'build', 'vitrum')),
                   help='vitrum executable (carbon: `vitrum minimize` checks every sheet for saddles); default $VITRUM, else build/vitrum of this repository')
    p.add_argument('--range', help='A:B: generate only the samples with index A..B-1 (one task of a cluster array job, '
                   'jobscripts/ensemble.slurm); writes no samples.txt or ensemble.csv')
    p.add_argument('--steps-scale', type=float, default=1.0, help='multiply every MD step count (melt, anneal, quench; '
                   'carbon: moves) by this factor: < 1 for quick tests, > 1 for better-annealed glasses')
    args = p.parse_args()
    if args.family and args.dim and args.family != 'ka%dd' % args.dim:
        p.error('--dim %d contradicts --family %s' % (args.dim, args.family))
    args.family = args.family or ('ka%dd' % args.dim if args.dim else 'ka2d')
    family = FAMILIES[args.family]
    given = [v for v in (args.nx, args.ny, args.nz) if v is not None]
    if given and len(given) != len(family['sizes']):
        p.error('family %s takes %s' % (args.family, ' '.join('--' + n for n in family['sizes'])))
    args.size = tuple(given) if given else family['default_size']
    if '"""' in args.out:
        p.error('--out %s: LAMMPS cannot be given a path with three double quotes in a row' % args.out)
    indices = range(args.samples)
    if args.range:
        try:
            first, end = (int(v) for v in args.range.split(':'))
        except ValueError:
            p.error('--range %s: give A:B, two sample indices' % args.range)
        if not 0 <= first < end:
            p.error('--range %s: need 0 <= A < B' % args.range)
        indices = range(first, min(end, args.samples))
    os.makedirs(args.out, exist_ok=True)
    lock_out(args.out, shared=bool(args.range))
    check_parameters(args)

    t0 = time.time()
    rows, done = [None] * args.samples, 0
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_sample, args, i): i for i in indices}
        for fut in futures:
            rows[futures[fut]] = fut.result()[0]
            if rows[futures[fut]] is None:  # stop at the first failure; the reason is printed
                pool.shutdown(wait=True, cancel_futures=True)
                sys.exit(1)
            done += 1
            elapsed = time.time() - t0
            if done % 10 == 0 or done == len(indices):
                print('make_ensemble: %d/%d samples, %.1f s, ETA %.0f s' % (done, len(indices), elapsed,
                      elapsed / done * (len(indices) - done)), flush=True)
    if args.range:
        print('make_ensemble: %d samples of %d (--range %s) in %s (%.1f s); run without --range to list them' % (len(indices), args.samples, args.range, args.out, time.time() - t0))
        return
    with open(os.path.join(args.out, 'ensemble.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(args.out, 'samples.txt'), 'w') as f:
        f.writelines(os.path.join(args.out, r['name']) + '\n' for r in rows)
    print('make_ensemble: %d samples in %s (%.1f s)' % (args.samples, args.out, time.time() - t0))


if __name__ == '__main__':
    main()
