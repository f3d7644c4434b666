"""Reading a vitrum pipeline run folder (dataset.h5, model.h5, evaluation.h5, samples/ensemble.csv):
shared by plot_report.py and learning_curve.py. Run the scripts with /usr/bin/python3."""
import csv
import glob
import os
import re

import h5py
import numpy as np

_NAME = re.compile(r'^(?P<group>.+)\((?P<var>[A-Za-z_]+)=(?P<value>[-+0-9.eE]+)\)$')  # a species may be Cu(2)


def strings(ds):
    return [s.decode() if isinstance(s, bytes) else str(s) for s in ds[()]]


def split_name(name):
    """'g_A-B(r=1.005)' -> ('g_A-B', 'r', 1.005) (also 'g_Cu(1)-Cu(2)(r=1.005)'); a scalar name -> (name, None, None)."""
    m = _NAME.match(name)
    if not m:
        return name, None, None
    return m.group('group'), m.group('var'), float(m.group('value'))


def groups(names):
    """Ordered dict group -> (indices, grid values or None) of consecutive names sharing a group."""
    out = {}
    for k, name in enumerate(names):
        g, _, v = split_name(name)
        idx, grid = out.setdefault(g, ([], []))
        idx.append(k)
        grid.append(v)
    return {g: (np.array(i), None if grid[0] is None else np.array(grid)) for g, (i, grid) in out.items()}


def classify_targets(names):
    """Which target groups are the VDOS, the reduced VDOS, <omega^2>, the boson-peak frequency and
    the low-frequency mode count (by name; None where absent)."""
    gs = groups(names)
    vec = [g for g, (i, grid) in gs.items() if grid is not None]
    sca = [g for g, (i, grid) in gs.items() if grid is None]
    reduced = next((g for g in vec if re.search(r'red', g, re.I)), None)
    cumulative = next((g for g in vec if re.search(r'cum', g, re.I) or g == 'C'), None)  # C: features' cumvdos
    counts = next((g for g in vec if re.search(r'count', g, re.I)), None)
    vdos = next((g for g in vec if g not in (reduced, cumulative, counts) and re.search(r'vdos|^D', g, re.I)), None)

    def find(pattern):
        return next((g for g in sca if re.search(pattern, g, re.I)), None)

    return dict(vdos=vdos, reduced=reduced, cumulative=cumulative, counts=counts,
                omega2=find(r'omega2|omega\^2|moment|w2'),
                boson=find(r'boson.*(omega|freq|pos)|^boson'),
                lowcount=find(r'low|count|soft'),
                groups=gs)


def pretty_target(group):
    labels = {'omega2': r'$\langle\omega^2\rangle$', 'boson': r'boson-peak $\omega_{BP}$', 'lowcount': 'low-frequency modes'}
    return labels.get(group, group)


# Where a classified target's numbers come from in a spectrum output (docs/fit.md, -features_targets),
# for the units attribute vitrum wrote there; a scalar not listed is /spectrum/scalars/NAME.
TARGET_SOURCES = {'vdos': '/spectrum/vdos/D', 'reduced': '/spectrum/vdos/reduced',
                  'boson_peak_omega_broadened': '/spectrum/vdos/omega', 'boson_peak_height_broadened': '/spectrum/vdos/reduced'}
# Targets that are numbers of modes or fractions of them: no unit style.
COUNT_UNITS = {'cumulative': 'fraction of modes', 'counts': 'modes', 'lowcount': 'modes'}


def units_attr(f, path):
    """The `units` attribute vitrum wrote on a dataset ('' where the dataset or the attribute is absent)."""
    if path not in f or 'units' not in f[path].attrs:
        return ''
    v = f[path].attrs['units']
    return v.decode() if isinstance(v, bytes) else str(v)


class Run:
    """Everything of one run folder, loaded with h5py: the features of dataset.h5, and per model
    (models/NAME/dataset.h5 and model.h5, in the order of evaluation.h5) its targets, weights and
    ridge path; Y, W, b and target_names put all models' targets side by side."""

    def __init__(self, folder):
        self.folder = folder
        with h5py.File(os.path.join(folder, 'dataset.h5'), 'r') as f:
            d = f['dataset']
            self.X = d['X'][()]
            self.feature_names = strings(d['feature_names'])
            self.sample_names = strings(d['sample_names'])
            self.dim = int(np.ravel(d['structure/dim'][()])[0]) if 'structure/dim' in d else None
        with h5py.File(os.path.join(folder, 'evaluation.h5'), 'r') as f:
            e = f['evaluation']
            self.test_rows, self.train_rows = e['test_rows'][()], e['train_rows'][()]
            self.y_true, self.y_pred = e['y_true'][()], e['y_pred'][()]
            self.r2, self.r2_train = e['r2'][()], e['r2_train'][()]
            self.rmse = e['rmse'][()]
            self.target_names = strings(e['target_names'])
            model_names = strings(e['model_names'])
        self.models = [self._model(name) for name in model_names]
        self.Y = np.hstack([m['Y'] for m in self.models])
        self.W = np.vstack([m['W'] for m in self.models])
        self.b = np.concatenate([m['b'] for m in self.models])
        self.features = groups(self.feature_names)
        self.targets = classify_targets(self.target_names)
        self.ensemble = read_ensemble(folder, self.sample_names)
        # the first sample's cached spectrum output: its units attributes label the report (features
        # refuses an ensemble whose spectra are in different unit styles)
        self.spectrum = spectrum_file(self, self.sample_names[0]) if len(self.sample_names) else None
        # and its unit style, else that of the dataset's pair table, else None (unknown)
        self.units_style = (units_style(self.spectrum) if self.spectrum else
                            _attr_path(os.path.join(folder, 'dataset.h5'), '/dataset/structure/pair_table', 'units_style') or None)

    def _model(self, name):
        folder = os.path.join(self.folder, 'models', name)
        out = dict(name=name)
        with h5py.File(os.path.join(folder, 'dataset.h5'), 'r') as f:
            out['Y'] = f['dataset/Y'][()].reshape(len(self.X), -1)
        with h5py.File(os.path.join(folder, 'model.h5'), 'r') as f:
            m = f['model']
            out['W'] = m['W'][()].reshape(-1, self.X.shape[1])
            out['b'] = np.atleast_1d(m['b'][()])
            out['lambda'] = float(np.array(m['lambda'][()]).ravel()[0])
            for key in ('lambda_path', 'cv_score', 'W_path'):
                out[key] = m[key][()] if key in m else None
            out['lambda_choice'] = _attr(f, 'model', 'lambda_choice')
            out['target_names'] = strings(m['target_names'])
            out['kernels'] = stored_kernels(m, self.X.shape[1])
        return out

    def exact_kernel(self, target):
        """The exact kernel of a target on the run's features as vitrum fit computed and stored it
        (potential, masses and composition of the samples), or None where fit had none."""
        return next((m['kernels'][target] for m in self.models if target in m['kernels']), None)

    def spectrum_units(self, path):
        """The `units` attribute of a dataset of the first sample's spectrum output ('' without one)."""
        if self.spectrum is None:
            return ''
        with h5py.File(self.spectrum, 'r') as f:
            return units_attr(f, path)

    def target_units(self, key):
        """Units of a classified target as vitrum wrote them (docs/units.md): the `units` attribute of
        the dataset of the first sample's spectrum output that the target comes from, e.g. <omega^2>
        in eV/(A^2 amu) in metal units, epsilon/(sigma^2 m) in lj units (m the mass unit of the
        sample's masses); '' without a cached spectrum output."""
        name = self.targets.get(key)
        if name is None or key in COUNT_UNITS:
            return COUNT_UNITS.get(key, '') if name else ''
        return self.spectrum_units(TARGET_SOURCES.get(key) or TARGET_SOURCES.get(name, '/spectrum/scalars/' + name))

    def masses(self):
        """The samples' masses as the report states them: per species from the dataset
        (/dataset/structure/type_mass, written with a pair potential) with their unit, and where
        the spectrum's masses came from (attribute masses of /spectrum/moments); '' where neither."""
        words = []
        with h5py.File(os.path.join(self.folder, 'dataset.h5'), 'r') as f:
            if 'dataset/structure/type_mass' in f:
                mass = f['dataset/structure/type_mass'][()]
                names = strings(f['dataset/structure/type_names']) if 'dataset/structure/type_names' in f else [str(t + 1) for t in range(len(mass))]
                words.append(', '.join('%s: %.6g' % (n, m) for n, m in zip(names, mass)) + ' (%s)' % units_attr(f, 'dataset/structure/type_mass'))
        source = _attr_path(self.spectrum, '/spectrum/moments', 'masses') if self.spectrum else ''
        if source:
            words.append('from %s' % source)
        return ' '.join(words)

    def target(self, key):
        """(indices, grid) of a classified target group, or None."""
        g = self.targets[key]
        return None if g is None else self.targets['groups'][g]


def stored_kernels(model, nfeatures):
    """{target: K} of a /model group: /model/kernels/NAME/K (docs/fit.md, "The exact kernels"), or
    the /model/kernel/K of older files, named by its attribute target. fit writes them only for a
    pair potential: empty for a many-body one (eam, tersoff, ...), which has no exact kernel."""
    if 'kernels' in model:
        return {name: model['kernels'][name]['K'][()].reshape(nfeatures) for name in model['kernels']}
    if 'kernel' in model and 'target' in model['kernel'].attrs:
        name = model['kernel'].attrs['target']
        return {name.decode() if isinstance(name, bytes) else str(name): model['kernel']['K'][()].reshape(nfeatures)}
    return {}


def _attr(f, obj, name):
    if obj in f and name in f[obj].attrs:
        v = f[obj].attrs[name]
        return v.decode() if isinstance(v, bytes) else str(v)
    return ''


def _attr_path(path, obj, name):
    """_attr of a file given by its path."""
    with h5py.File(path, 'r') as f:
        return _attr(f, obj, name)


def read_ensemble(folder, sample_names):
    """Per dataset row: the generation record (samples/ensemble.csv of make_ensemble.py) matched by
    file name, or None when the samples did not come from the generator."""
    path = os.path.join(folder, 'samples', 'ensemble.csv')
    if not os.path.exists(path):
        return None
    by_name = {r['name']: r for r in csv.DictReader(open(path))}
    rows = [by_name.get(os.path.basename(s)) for s in sample_names]
    return None if any(r is None for r in rows) else rows


def cache_name(path, depth):
    """The name `features` gives a sample's cache entries (VitFeaturesCachePath, src/fit/cmd_features.c):
    its last `depth` path components ('.' and empty ones skipped) joined by '__'."""
    parts = [p for p in path.split('/') if p and p != '.']
    return '__'.join(parts[-max(depth, 1):])


def name_depth(paths):
    """How many trailing path components make the cache names of all samples distinct (1: the file
    names already are), as `features` chooses it for its sample list (DistinctNameDepth)."""
    depth = 1
    while depth < 32 and len({cache_name(p, depth) for p in paths}) < len(paths):
        depth += 1
    return depth


def spectrum_file(run, name):
    """The per-sample spectrum output that `features` cached for a sample (newest cache folder)."""
    if not hasattr(run, 'cache_depth'):
        run.cache_depth = name_depth(run.sample_names)
    entry = cache_name(name, run.cache_depth)
    found = glob.glob(os.path.join(run.folder, 'cache', '*', entry + '.spectrum.h5'))
    return max(found, key=os.path.getmtime) if found else None


def jackson(M):
    """Jackson kernel coefficients g_n, n < M (Weisse et al., Rev. Mod. Phys. 78, 275, eq. 71)."""
    n, q = np.arange(M), np.pi / (M + 1)
    return ((M - n + 1) * np.cos(q * n) + np.sin(q * n) / np.tan(q)) / (M + 1)


# Frequency unit of the spectrum outputs per LAMMPS unit style (docs/units.md): nu = sqrt(lambda) * factor.
# metal: sqrt(eV / (amu A^2)) / (2 pi) = 15.6333 THz; real: sqrt(kcal/mol / (g/mol A^2)) / (2 pi) = 3.25549 THz
# (CODATA 2018: eV = 1.602176634e-19 J, amu = 1.66053906660e-27 kg, kcal = 4184 J, N_A = 6.02214076e23).
FREQUENCY_UNITS = {
    'lj': (1.0, r'$\omega$ ($\sqrt{\epsilon/m\sigma^2}$)'),
    'metal': (np.sqrt(1.602176634e-19 / 1.66053906660e-27) * 1e10 / (2 * np.pi) * 1e-12, r'$\nu$ (THz)'),
    'real': (np.sqrt(4184.0 / 1e-3) * 1e10 / (2 * np.pi) * 1e-12, r'$\nu$ (THz)'),
}


def units_style(path):
    """LAMMPS unit style of a spectrum file ('lj' for files without the attribute)."""
    with h5py.File(path, 'r') as f:
        style = f['spectrum/moments'].attrs.get('units_style', 'lj')
    return style.decode() if isinstance(style, bytes) else style


def kpm_vdos(path, nu):
    """D(nu) on a fine grid nu in the file's frequency unit (omega = sqrt(lambda) in lj units, THz in
    metal and real units), from the Chebyshev moments of a spectrum file (mean over the random
    vectors, Jackson kernel): rho(x) = [g_0 mu_0 + 2 sum g_n mu_n T_n(x)] / (pi sqrt(1 - x^2)) with
    lambda = a + b x, D(omega) = rho 2 omega / b, normalised to 1 over the grid."""
    omega = nu / FREQUENCY_UNITS[units_style(path)][0]
    with h5py.File(path, 'r') as f:
        mu = f['spectrum/kpm/mu'][()].reshape(-1, f['spectrum/kpm/mu'].shape[-1]).mean(0)
        lo, hi = float(np.ravel(f['spectrum/kpm/lambda_min'][()])[0]), float(np.ravel(f['spectrum/kpm/lambda_max'][()])[0])
    a, b = 0.5 * (hi + lo), 0.5 * (hi - lo)
    x = np.clip((omega ** 2 - a) / b, -1 + 1e-12, 1 - 1e-12)
    T = np.cos(np.outer(np.arange(len(mu)), np.arccos(x)))
    c = jackson(len(mu)) * mu
    rho = (c[0] + 2 * c[1:] @ T[1:]) / (np.pi * np.sqrt(1 - x ** 2))
    rho[(omega ** 2 < lo) | (omega ** 2 > hi)] = 0  # outside the Chebyshev interval: no states
    D = np.maximum(rho, 0) * 2 * omega / b
    return D / np.trapz(D, nu)

