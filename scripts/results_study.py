#!/usr/bin/python3
"""One row of docs/RESULTS.md: generate a family's ensemble, run `vitrum pipeline` with vitrum's
DEFAULT structure and fit options (only the targets and the spectrum settings of runs/FAMILY.opts
are kept), build the per-atom datasets of the local models (the exact per-atom <omega^2>_i, the
atom's potential energy and the atom's exact local VDOS on the grid of the VDOS targets), and run
scripts/baselines.py on the pipeline's split (the local VDOS with --local-self: every model on the
atoms' mean, target D_local). Times of each step go to
OUT/times.json.

Options from runs/FAMILY.opts that are DROPPED (so that vitrum's defaults apply): the r grid
(-rdf_rmax, -rdf_dr, -features_rmin, -features_rmax), every -fit_* option and the run folder and
generation options (-pipeline_*, but -pipeline_vdos_rebin and -pipeline_models are kept); the run sets
-fit_test_fraction 0.25 (75/25 split), -spectrum_nev 0 (no eigenmodes: no target uses them) and
-pipeline_learning_curve 0 (baselines.py draws the learning curves). The fixed smoothness weight of
earlier releases (-fit_smooth 2 -fit_smooth_weight 1000, no prior; the default chooses the weight) is
compared by baselines.py --smooth 2,1000, and every model with the protocol reference
(baselines.py --protocols OUT/samples/ensemble.csv).

Usage: /usr/bin/python3 scripts/results_study.py --family ka3d --out study/ka3d [--samples 48]
           [--nx 8 --ny 8 --nz 8] [--seed 424242] [--steps-scale 1] [--np 2] [--jobs 2] [--targets D,Dcum,...]
Full size (the runs/FAMILY.opts ensemble): --samples 100 (60 for the material families) with the
family's default size and --steps-scale 1.
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.abspath(os.path.join(HERE, '..'))
DROPPED = ('-pipeline_', '-fit_', '-rdf_rmax', '-rdf_dr', '-features_rmin', '-features_rmax')


def options(family, out, targets):
    """runs/FAMILY.opts without the dropped options, with this run's folder, sample list and split."""
    kept = []
    for line in open(os.path.join(SRC, 'runs', family + '.opts')):
        line = line.split('#')[0].strip()
        if line and (not line.startswith(DROPPED) or line.startswith('-pipeline_vdos_rebin')) and not line.startswith('-potential_file ZrCuAl'):
            kept.append(line)
        elif line.startswith('-potential_file ZrCuAl'):  # shipped next to the repository (runs/cuzral.opts runs from the root)
            kept.append('-potential_file ' + os.path.join(SRC, 'potentials', 'ZrCuAl2011.eam.alloy'))
        elif line.startswith('-pipeline_models') and not targets:
            targets = line.split()[1]
    kept += ['-pipeline_samples ' + os.path.join(out, 'samples', 'samples.txt'), '-pipeline_dir ' + os.path.join(out, 'run'),
             '-pipeline_models ' + targets.replace('Dred,', ''), '-fit_test_fraction 0.25', '-spectrum_nev 0', '-pipeline_learning_curve 0']
    path = os.path.join(out, 'study.opts')
    open(path, 'w').write('\n'.join(kept) + '\n')
    return path, [line for line in kept if line.startswith('-potential')]


def vdos_grid(run):
    """(bins, omega_max) of the pipeline's VDOS model D, whose targets D(omega=centre) are equal bins
    from 0; None without that model."""
    path = os.path.join(run, 'models', 'D', 'dataset.h5')
    if not os.path.exists(path):
        return None
    import h5py
    with h5py.File(path, 'r') as f:
        centres = [float(n.decode().split('=')[1].rstrip(')')) for n in f['dataset/target_names'][()]]
    width = centres[1] - centres[0] if len(centres) > 1 else 2 * centres[0]
    return len(centres), centres[-1] + width / 2


def timed(times, key, cmd):
    print('results_study: ' + ' '.join(cmd), flush=True)
    t0 = time.time()
    subprocess.run(cmd, check=True)
    times[key] = round(time.time() - t0, 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--family', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--samples', type=int, default=48)
    p.add_argument('--nx', type=int)
    p.add_argument('--ny', type=int)
    p.add_argument('--nz', type=int)
    p.add_argument('--seed', type=int, default=424242)
    p.add_argument('--steps-scale', default='1')
    p.add_argument('--np', type=int, default=2, help='MPI ranks')
    p.add_argument('--jobs', type=int, default=2, help='serial LAMMPS runs at a time (make_ensemble.py --jobs)')
    p.add_argument('--targets', help='pipeline models (default: those of runs/FAMILY.opts, without Dred)')
    p.add_argument('--vitrum', default=os.path.join(SRC, 'build', 'vitrum'))
    p.add_argument('--splits', type=int, default=5, help='baselines.py --splits: the pipeline\'s split and SPLITS-1 other seeded ones')
    p.add_argument('--no-cnn', action='store_true')
    p.add_argument('--reuse-samples', action='store_true', help='analyse the ensemble already in OUT/samples (no generation; '
                   'its generation time is kept from OUT/times.json): rerun the analysis after a vitrum change')
    args = p.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    times = {}
    size = [a for n, v in (('--nx', args.nx), ('--ny', args.ny), ('--nz', args.nz)) if v for a in (n, str(v))]
    if args.reuse_samples:  # the ensemble of an earlier study (its generation time kept)
        listed = [l for l in open(os.path.join(out, 'samples', 'samples.txt')) if l.strip()]
        if len(listed) != args.samples:
            sys.exit('results_study: --reuse-samples: %s lists %d samples, not --samples %d' % (os.path.join(out, 'samples', 'samples.txt'), len(listed), args.samples))
        earlier = os.path.join(out, 'times.json')
        times['generate_s'] = json.load(open(earlier)).get('generate_s') if os.path.exists(earlier) else None
    else:
        timed(times, 'generate_s', [sys.executable, os.path.join(HERE, 'make_ensemble.py'), '--family', args.family, '--out', os.path.join(out, 'samples'),
                                    '--samples', str(args.samples), '--seed', str(args.seed), '--steps-scale', args.steps_scale,
                                    '--jobs', str(args.jobs), '--vitrum', args.vitrum] + size)
    opts, potential = options(args.family, out, args.targets)
    mpirun = ['mpirun', '--allow-run-as-root', '--oversubscribe', '-n', str(args.np), args.vitrum]
    timed(times, 'pipeline_s', mpirun + ['pipeline', '-options_file', opts])
    baselines = [sys.executable, os.path.join(HERE, 'baselines.py'), '--run', os.path.join(out, 'run'), '--label', args.family,
                 '--smooth', '2,1000', '--splits', str(args.splits), '--out', os.path.join(out, 'baselines'),
                 '--protocols', os.path.join(out, 'samples', 'ensemble.csv')] + (['--no-cnn'] if args.no_cnn else [])
    # local-linear models (rows = atoms) of <omega^2> and the energy per atom: per-atom targets whose
    # mean is the sample's value; for a pair potential both are linear functionals of the atom's
    # local g_i(r), for a many-body one they are not (docs/fit.md)
    pot = [w for line in potential for w in line.split()]
    atoms_cmd = mpirun + ['features', '-sample_list', os.path.join(out, 'samples', 'samples.txt'), '-features_per_atom',
                          '-features_cache', os.path.join(out, 'cache_atoms')] + pot
    for atom_target, group in (('omega2', 'omega2_mean'), ('energy', 'energy_per_atom')):
        atoms = os.path.join(out, 'atoms_%s.h5' % atom_target)
        timed(times, 'atoms_%s_s' % atom_target, atoms_cmd + ['-features_atom_target', atom_target, '-o', atoms])
        baselines += ['--local', atoms + ':' + group]
    # the local VDOS (exact eigenvector weights) on the grid of the pipeline's VDOS targets, scored
    # against its atoms' means, the sample's unbroadened VDOS on that grid (baselines.py --local-self)
    grid = vdos_grid(os.path.join(out, 'run'))
    if grid:
        atoms = os.path.join(out, 'atoms_vdos.h5')
        timed(times, 'atoms_vdos_s', atoms_cmd + ['-features_atom_target', 'vdos', '-features_atom_vdos_exact', '-features_atom_vdos_bins', str(grid[0]),
                                                  '-features_atom_vdos_omega_max', '%.10g' % grid[1], '-o', atoms])
        baselines += ['--local-self', atoms + ':D_local']
    timed(times, 'baselines_s', baselines)
    json.dump(dict(times, family=args.family, samples=args.samples, seed=args.seed, steps_scale=args.steps_scale, size=size),
              open(os.path.join(out, 'times.json'), 'w'), indent=1)


if __name__ == '__main__':
    main()
