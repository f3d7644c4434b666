"""`vitrum pipeline` on a tiny ensemble (8 two-dimensional KA samples of 100 atoms, 2 ranks):
- every stage runs and writes its output; the R^2 table is printed; the report files exist;
- the exact <omega^2> kernel of the report (the one fit stored in models/omega2_mean/model.h5) equals
  the trace identity (docs/fit.md) evaluated here in numpy for the KA parameters, and applied to the
  g(r) features reproduces the <omega^2> targets (Tr(H)/dN from vitrum's Hessian) up to a constant,
  R^2 > 0.95 over the samples;
- every model's dataset has the features of dataset.h5, its density range and unit style (which
  the model keeps), every other dataset and attribute of dataset.h5's /dataset but the targets (the
  rdf grid rdf_dr, rdf_rmax among them: until this release they were lost, and predict -sample with
  a pipeline model computed the sample on the default grid and failed), and its targets (the reduced VDOS model
  Dred: D(omega)/omega, 2D, only its bins above 3 /dataset/vdos_sigma; the cumulative VDOS Dcum: running sum of the rebinned D times the bin
  width, last value dropped), recomputed here with numpy; the exact mode counts of Ncount equal
  the numbers of eigenvalues below omega^2 of a dense Hessian built here in numpy from the sample
  files and the Kob-Andersen parameters (minus the d = 2 translations);
- the evaluation agrees with an independent numpy/scikit-learn computation from the models' datasets
  and model files (held-out predictions y = W x + b, R^2 = sklearn r2_score; NaN for a target whose
  held-out values barely vary, sum of squares below 1e-6 of the model's largest), and every model beats
  the mean predictor on its training data (training R^2 > 0 for every target with variance);
- a rerun skips every stage and leaves the outputs untouched; a listed sample that changed (a newer
  time, or an older copy of another size) runs features again, which recomputes that sample's
  cached outputs only; removing one model file reruns fit,
  evaluate and report only; so does a newer vitrum executable (a copy of it, run once; a second
  run with it skips everything);
- an existing sample list (-pipeline_samples) is used without generation and gives the same
  held-out predictions in another run folder;
- the R^2 table on stdout and the report's table pool the scored targets only (/evaluation/trivial 0):
  `bins` counts them, targets flat over the held-out samples (trivial 2) are counted apart;
- the report ranks the samples by the energy per atom of the spectrum outputs, which equals the
  generator's LAMMPS inherent-structure energy (samples/ensemble.csv);
- a missing sample list is a one-line user error with exit status 1, and so is a held-out split
  with fewer than 2 samples on either side, or a -pipeline_vdos_rebin that does not divide
  -vdos_bins (or without -vdos_bins), or a -pipeline_dir whose outputs would replace a listed sample
  (nothing created there), before any stage runs."""
import glob
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
from sklearn.metrics import r2_score

import vitrum_testlib as vt

SRC = os.environ['SRC']
RUN = 'tiny'
# the models of the shipped demo (D, Dred, Dcum, Ncount, omega2_mean, ..., cv, energy_per_atom)
MODELS = next(l.split()[1] for l in open(os.path.join(SRC, 'runs', 'ka2d.opts')) if l.startswith('-pipeline_models')).split(',')
# Kob-Andersen 2D (LAMMPS types 1, 2): epsilon, sigma; cutoff 2.5 sigma
KA = {(1, 1): (1.0, 1.0), (1, 2): (1.5, 0.8), (2, 2): (0.5, 0.88)}
OUTPUTS = ['samples/samples.txt', 'dataset.h5', 'evaluation.h5', 'report/report.md'] + ['models/%s/model.h5' % m for m in MODELS]
STAGES = ['generate', 'features', 'fit', 'evaluate', 'report']


def write_options():
    """runs/ka2d.opts made tiny: 8 samples of 10 x 10 atoms, rdf range within half the box."""
    text = open(os.path.join(SRC, 'runs', 'ka2d.opts')).read()
    replace = {'-pipeline_dir demo/ka2d': '-pipeline_dir ' + RUN, '-pipeline_nsamples 100': '-pipeline_nsamples 8',
               '-pipeline_cells 20,20': '-pipeline_cells 10,10', '-rdf_rmax 4.0': '-rdf_rmax 3.5',
               '-features_rmax 4.0': '-features_rmax 3.5', '-fit_test_fraction 0.2': '-fit_test_fraction 0.25'}
    for old, new in replace.items():
        assert old in text, 'runs/ka2d.opts no longer has "%s"' % old
        text = text.replace(old, new)
    with open('tiny.opts', 'w') as f:
        f.write(text)


def pipeline(extra=()):
    p = vt.run(['pipeline', '-options_file', 'tiny.opts'] + list(extra), np_ranks=2)
    print(p.stdout)
    return p.stdout


def stage_lines(out, stages=STAGES):
    """The last progress line of every stage ('... done in', '... skipped')."""
    return {s: [l for l in out.splitlines() if l.startswith('pipeline [') and '] %s:' % s in l][-1] for s in stages}


def mtimes():
    return {o: os.stat(os.path.join(RUN, o)).st_mtime_ns for o in OUTPUTS}


def strings(ds):
    return [s.decode() if isinstance(s, bytes) else s for s in ds[()]]


def read(path, group, names, folder=RUN):
    with h5py.File(os.path.join(folder, path)) as f:
        return [strings(f[group][n]) if n.endswith('names') else f[group][n][()] for n in names]


def read_sample(path):
    """Types (in atom id order), positions (N, 2) and box lengths of a 2D LAMMPS data file."""
    lines = open(path).read().splitlines()
    n = int(next(l.split()[0] for l in lines if l.endswith(' atoms')))
    box = np.array([float(l.split()[1]) - float(l.split()[0]) for l in lines if l.endswith(('xlo xhi', 'ylo yhi'))])
    start = next(k for k, l in enumerate(lines) if l.startswith('Atoms')) + 2
    rows = sorted((int(w[0]), int(w[1]), float(w[2]), float(w[3])) for w in (l.split() for l in lines[start:start + n]))
    return np.array([r[1] for r in rows]), np.array([r[2:] for r in rows]), box


def dense_hessian(path):
    """Hessian of the 2D Kob-Andersen sample (masses 1): block of a pair = phi'' u u^T + phi'/r (I - u u^T)."""
    types, x, box = read_sample(path)
    n = len(types)
    H = np.zeros((2 * n, 2 * n))
    for i in range(n):
        d = x[i + 1:] - x[i]
        d -= box * np.round(d / box)
        r = np.hypot(d[:, 0], d[:, 1])
        for k in np.flatnonzero(r > 0):
            j = i + 1 + k
            eps, sig = KA[tuple(sorted((types[i], types[j])))]
            if r[k] >= 2.5 * sig:
                continue
            sr6 = (sig / r[k]) ** 6
            d1, d2 = 24 * eps * (sr6 - 2 * sr6 ** 2) / r[k], 24 * eps * (26 * sr6 ** 2 - 7 * sr6) / r[k] ** 2
            u = d[k] / r[k]
            block = d2 * np.outer(u, u) + d1 / r[k] * (np.eye(2) - np.outer(u, u))
            for a, b, sgn in ((i, j, -1), (j, i, -1), (i, i, 1), (j, j, 1)):
                H[2 * a:2 * a + 2, 2 * b:2 * b + 2] += sgn * block
    return H


def check_counts():
    """Ncount = numbers of eigenvalues of the dense numpy Hessian below omega^2, without the 2 translations."""
    Y, targets = read('models/Ncount/dataset.h5', 'dataset', ['Y', 'target_names'])
    _, _, samples = read('dataset.h5', 'dataset', ['X', 'Y', 'sample_names'])
    omega = np.array([float(t.split('=')[1][:-1]) for t in targets])
    Y = Y.reshape(len(samples), -1)
    for row in (0, len(samples) - 1):
        ev = np.linalg.eigvalsh(dense_hessian(samples[row]))
        expect = (ev[:, None] < omega ** 2).sum(0) - 2
        assert np.array_equal(Y[row], expect), (samples[row], Y[row], expect)
    print('Ncount: exact counts below omega = %s equal numpy eigvalsh of the dense Hessian' % omega)


def check_model_datasets():
    """Model targets: D, Dred and Dcum from -pipeline_vdos_rebin consecutive VDOS bins."""
    rebin = int(next(l.split()[1] for l in open('tiny.opts') if l.startswith('-pipeline_vdos_rebin')))
    X, Y, targets = read('dataset.h5', 'dataset', ['X', 'Y', 'target_names'])
    vdos = [k for k, t in enumerate(targets) if t.startswith('D(omega=')]
    omega = np.array([float(targets[k][8:-1]) for k in vdos])
    coarse = lambda a: a.reshape(len(a), -1, rebin).mean(2)  # noqa: E731
    for m in MODELS:
        Xm, Ym, tm = read('models/%s/dataset.h5' % m, 'dataset', ['X', 'Y', 'target_names'])
        assert np.array_equal(Xm, X), m
        with h5py.File(os.path.join(RUN, 'dataset.h5'), 'r') as f, h5py.File(os.path.join(RUN, 'models/%s/dataset.h5' % m), 'r') as g:
            for name in ('pair_table', 'type_mass'):  # the potential and masses of the spectra travel to every model (fit's exact kernels)
                assert np.array_equal(f['/dataset/structure/' + name][...], g['/dataset/structure/' + name][...]), (m, name)
            assert g['/dataset/structure/pair_table'].attrs['potential'] in ('ka2d', b'ka2d'), m
            # the samples' density range and unit style travel too: the model keeps the true range, not the mean twice
            rho = f['/dataset/structure/density_range'][...]
            assert 0 < rho[0] <= rho[1] and np.array_equal(g['/dataset/structure/density_range'][...], rho), (m, rho)
            assert g['/dataset/structure/density'].attrs['units_style'] in ('lj', b'lj'), m
            assert same_group(f['/dataset'], g['/dataset'], skip=('Y', 'target_names')) > 10, m
        with h5py.File(os.path.join(RUN, 'models/%s/model.h5' % m), 'r') as mf:
            assert np.array_equal(mf['/model/density_range'][...], rho) and mf['/model'].attrs['units_style'] in ('lj', b'lj'), (m, mf['/model/density_range'][...])
        if m == 'D':
            expect = coarse(Y[:, vdos])
        elif m == 'Dred':  # only above 3 sigma of the broadened targets (below: broadening / omega)
            with h5py.File(os.path.join(RUN, 'dataset.h5'), 'r') as f:
                sigma = f['/dataset/vdos_sigma'][()][0]
            above = coarse(omega[None, :])[0] >= 3 * sigma
            expect = coarse(Y[:, vdos] / omega)[:, above]
            assert 0 < above.sum() < len(above), (sigma, above)
        elif m == 'Dcum':
            h = rebin * (omega[1] - omega[0])
            expect = np.cumsum(coarse(Y[:, vdos]) * h, axis=1)[:, :-1]
            edges = coarse(omega[None, :])[0][:-1] + h / 2
            assert np.allclose([float(t.split('=')[1][:-1]) for t in tm], edges), tm
        elif m == 'Ncount':
            continue  # check_counts
        else:  # a scalar target (omega2_mean) or a group of them (cv: "cv(T=1 epsilon/k_B)", ...)
            expect = Y[:, [k for k, t in enumerate(targets) if t == m or t.startswith(m + '(')]]
            assert expect.shape[1] >= 1, (m, targets)
        assert np.allclose(Ym.reshape(expect.shape), expect, rtol=1e-12, atol=1e-15), m
        if m in ('D', 'Dred'):
            assert np.allclose([float(t.split('=')[1][:-1]) for t in tm], coarse(omega[None, :])[0][above if m == 'Dred' else slice(None)]), tm


def same_group(a, b, skip=()):
    """Every dataset (values) and attribute (but a dataset's units) below h5py group a is in b, the
    names in skip left out; returns how many objects were compared."""
    count = 0
    for key in (k for k in a.attrs if k != 'units' or isinstance(a, h5py.Group)):
        assert key in b.attrs and a.attrs[key] == b.attrs[key], (a.name, key)
    for name, obj in a.items():
        if name in skip:
            continue
        assert name in b, (a.name, name)
        if isinstance(obj, h5py.Group):
            count += same_group(obj, b[name])
        else:
            assert np.array_equal(obj[()], b[name][()]), obj.name
            for key in obj.attrs:
                assert key in b[name].attrs and obj.attrs[key] == b[name].attrs[key], (obj.name, key)
            count += 1
    return count


def check_predict_sample():
    """predict -sample with a pipeline model (no cache: computed on the model's grid, which the model
    takes from its dataset) = W x + b of the sample's dataset row."""
    X, samples = read('models/omega2_mean/dataset.h5', 'dataset', ['X', 'sample_names'])
    W, b = read('models/omega2_mean/model.h5', 'model', ['W', 'b'])
    with h5py.File(os.path.join(RUN, 'models/omega2_mean/model.h5'), 'r') as mf:
        assert np.allclose([mf['/model/rdf_dr'][()].item(), mf['/model/rdf_rmax'][()].item()], [0.01, 3.5], rtol=1e-12, atol=0), 'the model lost the training grid'
    shutil.rmtree('predict_cache', ignore_errors=True)
    p = vt.run(['predict', '-model', os.path.join(RUN, 'models/omega2_mean/model.h5'), '-sample', samples[-1], '-features_cache', 'predict_cache', '-o', 'pred.h5'])
    with h5py.File('pred.h5', 'r') as f:
        got = f['/prediction/Y'][()].ravel()
    expect = X[-1] @ W.reshape(-1, X.shape[1]).T + np.atleast_1d(b)
    assert np.allclose(got, expect, rtol=1e-10, atol=0), (got, expect, p.stdout)
    print('predict -sample with the pipeline model: %r = W x + b of the dataset row' % got)


def numpy_omega2_kernel(group, r, types, area):
    """Weight of g_ab(r_k) in <omega^2> = Tr(H)/(dN) for the KA pair a-b of a 2D sample, masses 1
    (docs/fit.md, "The exact kernels"): (2 - delta_ab) N_a (N_b - delta_ab) 2 pi r dr [phi'' + phi'/r] / (2 A N)."""
    a, b = sorted(int(t) for t in group.split('_')[-1].split('-'))
    eps, sig = KA[(a, b)]
    na, nb = (types == a).sum(), (types == b).sum()
    sr6 = (sig / r) ** 6
    d1, d2 = 24 * eps * (sr6 - 2 * sr6 ** 2) / r, 24 * eps * (26 * sr6 ** 2 - 7 * sr6) / r ** 2
    pairs = na * (nb - 1) if a == b else 2 * na * nb
    return np.where(r < 2.5 * sig, pairs * 2 * np.pi * r * (r[1] - r[0]) * (d2 + d1 / r) / (2 * area * len(types)), 0.0)


def check_exact_kernel():
    """The report's exact <omega^2> kernel is the one fit stored (/model/kernels/omega2_mean/K), which
    equals the trace identity evaluated here for the KA parameters, and reproduces the targets."""
    sys.path.insert(0, os.path.join(SRC, 'scripts'))
    import plot_report
    import vitrum_run as vr
    run = vr.Run(RUN)
    report = plot_report.exact_kernel(run)
    X, Y, features, targets, samples = read('dataset.h5', 'dataset', ['X', 'Y', 'feature_names', 'target_names', 'sample_names'])
    types, _, box = read_sample(samples[0])
    K = np.zeros(X.shape[1])
    for group, (idx, r) in vr.groups(features).items():
        K[idx] = numpy_omega2_kernel(group, r, types, np.prod(box))
    for group, (_, _, kernel, cols) in report.items():
        d = np.abs(kernel - K[cols]).max() / np.abs(K).max()
        print('report kernel of %s vs numpy: max diff %.1e (of the largest weight)' % (group, d))
        assert d < 1e-9, (group, d)
    assert sorted(report) == sorted(vr.groups(features)), sorted(report)
    pred = X @ K
    y = Y[:, targets.index('omega2_mean')]
    resid = y - pred - (y - pred).mean()
    r2 = 1 - (resid ** 2).sum() / ((y - y.mean()) ** 2).sum()
    print('exact <omega^2> kernel on the features: R^2 = %.4f (mean offset %.3g of %.4g)' % (r2, (y - pred).mean(), y.mean()))
    assert r2 > 0.95, r2
    md = open(os.path.join(RUN, 'report', 'report.md')).read()
    assert 'correlation between fitted and exact weights' in md and 'stored no exact kernel' not in md


def check_stability_energy():
    """The report's stability order: /spectrum/scalars/energy_per_atom = LAMMPS's e_IS (1e-9)."""
    sys.path.insert(0, os.path.join(SRC, 'scripts'))
    import plot_report
    import vitrum_run
    run = vitrum_run.Run(RUN)
    e = plot_report.energies_per_atom(run)
    e_lammps = np.array([float(r['e_is']) for r in run.ensemble])
    assert e is not None and np.allclose(e, e_lammps, rtol=1e-9, atol=0), (e, e_lammps)
    assert plot_report.stability_order(run)[0].tolist() == np.argsort(e_lammps).tolist()
    print('report stability order: energy_per_atom of the spectrum outputs = LAMMPS e_IS (max diff %.1e)' % np.abs(e - e_lammps).max())


def check_report_table(md):
    """report.md's metrics table: per model the worst and median R^2 over the scored bins of
    /evaluation/r2 (NaN bins counted apart, not turning the median into NaN)."""
    _, _, _, _, r2, _, _, model_of, models = read(
        'evaluation.h5', 'evaluation', ['test_rows', 'train_rows', 'y_true', 'y_pred', 'r2', 'r2_train', 'target_names', 'target_model', 'model_names'])
    rows = {l.split('|')[1].strip(): [c.strip() for c in l.split('|')[2:-1]] for l in md.splitlines()
            if l.startswith('| ') and l.count('|') == 8 and not l.startswith('| target')}
    for k, m in enumerate(models):
        scores = r2[model_of == k]
        if len(scores) == 1 or m not in rows:  # the report lists a cv model's temperatures one per row
            continue
        scored = scores[np.isfinite(scores)]
        bins, _, worst, median = rows[m][:4]
        assert bins == ('%d' % len(scores) + (' (%d)' % (len(scores) - len(scored)) if len(scored) < len(scores) else '')), (m, bins)
        assert float(worst) == round(scored.min(), 3) and float(median) == round(np.median(scored), 3), (m, worst, median, scored)
        # the pooled R^2 is over the scored bins only (trivial 0): none called unscored counts in it
        test, y_true, y_pred, trivial = read('evaluation.h5', 'evaluation', ['test_rows', 'y_true', 'y_pred', 'trivial'])
        cols = np.flatnonzero((model_of == k) & (trivial == 0))
        assert np.array_equal(cols, np.flatnonzero(model_of == k)[np.isfinite(scores)]), (m, trivial)
        pooled = 1 - ((y_true[:, cols] - y_pred[:, cols]) ** 2).sum() / ((y_true[:, cols] - y_true[:, cols].mean(0)) ** 2).sum()
        assert abs(float(rows[m][1]) - pooled) <= 5e-4, (m, rows[m][1], pooled)
        print('report.md: %s worst bin %s, median %s over %d scored bins' % (m, worst, median, len(scored)))


def check_stdout_table(out):
    """The pipeline's R^2 table: per vector group, `bins` counts the scored targets (/evaluation/trivial
    0) and the pooled R^2 is over them alone; the unscored ones (1: constant over the training samples,
    2: flat over the held-out ones) are counted on their own lines. Run folder 'tiny' has some of kind 2."""
    y_true, y_pred, trivial, model_of, models = read('evaluation.h5', 'evaluation', ['y_true', 'y_pred', 'trivial', 'target_model', 'model_names'])
    lines = out[out.index('Held-out R^2'):].splitlines()
    flat_seen = 0
    for k, m in enumerate(models):
        ids = np.flatnonzero(model_of == k)
        cols = ids[trivial[ids] == 0]
        if len(ids) == 1 or not len(cols):
            continue
        row = next(l.split() for l in lines if l.split()[:1] == [m])
        pooled = 1 - ((y_true[:, cols] - y_pred[:, cols]) ** 2).sum() / ((y_true[:, cols] - y_true[:, cols].mean(0)) ** 2).sum()
        assert int(row[1]) == len(cols) and abs(float(row[2]) - pooled) <= 5e-4, (m, row, len(cols), pooled)
        flat = (trivial[ids] == 2).sum()
        flat_seen += flat
        if flat:
            assert any(l.split()[:1] == [str(flat)] and 'flat over the held-out samples' in l for l in lines), (m, flat, lines)
    assert flat_seen > 0, 'no flat target in this run: the check tells nothing'
    print('stdout table: bins and pooled R^2 over the scored targets; %d flat targets apart' % flat_seen)


def check_evaluation():
    test, train, y_true, y_pred, r2, r2_tr, names, model_of, models = read(
        'evaluation.h5', 'evaluation', ['test_rows', 'train_rows', 'y_true', 'y_pred', 'r2', 'r2_train', 'target_names', 'target_model', 'model_names'])
    assert models == MODELS, models
    assert len(test) == 2 and len(train) == 6 and not set(test) & set(train), (test, train)
    for k, m in enumerate(MODELS):
        X, Y = read('models/%s/dataset.h5' % m, 'dataset', ['X', 'Y'])
        W, b = read('models/%s/model.h5' % m, 'model', ['W', 'b'])
        Y, W, b = Y.reshape(len(X), -1), W.reshape(-1, X.shape[1]), np.atleast_1d(b)
        cols = np.flatnonzero(model_of == k)
        assert np.allclose(y_true[:, cols], Y[test]), m
        assert np.allclose(y_pred[:, cols], X[test] @ W.T + b, rtol=1e-10, atol=1e-12 * np.abs(Y).max()), m
        varying = Y[train].std(0) > 1e-9 * (1 + np.abs(Y[train]).max(0))
        # held-out flat targets (sum of squares below 1e-6 of the model's largest): no R^2 (NaN)
        sst = ((Y[test] - Y[test].mean(0)) ** 2).sum(0)
        flat = varying & (sst < 1e-6 * sst[varying].max())
        assert np.all(np.isnan(r2[cols][flat])), m
        scored = varying & ~flat
        r2_test = r2_score(Y[test][:, scored], (X[test] @ W.T + b)[:, scored], multioutput='raw_values')
        assert np.allclose(r2[cols][scored], r2_test, rtol=1e-8, atol=1e-10), m
        r2_train = r2_score(Y[train][:, varying], (X[train] @ W.T + b)[:, varying], multioutput='raw_values')
        assert np.allclose(r2_tr[cols][varying], r2_train, rtol=1e-8, atol=1e-10), m
        print('%s: training R^2 min %.3f over %d targets with variance' % (m, r2_train.min(), varying.sum()))
        assert np.all(r2_train > 0), '%s does not beat the mean predictor on its training data' % m


def main():
    shutil.rmtree(RUN, ignore_errors=True)
    shutil.rmtree('tiny_list', ignore_errors=True)
    write_options()

    out = pipeline()
    lines = stage_lines(out)
    for s in STAGES:
        assert 'done in' in lines[s], lines[s]
    for o in OUTPUTS:
        assert os.path.exists(os.path.join(RUN, o)), o
    assert 'Held-out R^2' in out
    report = os.path.join(RUN, 'report')
    pngs = [f for f in os.listdir(report) if f.endswith('.png')]
    md = open(os.path.join(report, 'report.md')).read()
    for png in pngs:
        assert '(%s)' % png in md, png + ' not in report.md'
    for need in ('rdf_most_least_stable.png', 'vdos.png', 'parity_heldout.png', 'weight_map.png', 'lambda_path.png',
                 'kernel_omega2.png', 'learning_curve.png', 'r2_per_bin.png'):
        assert need in pngs and os.path.getsize(os.path.join(report, need)) > 5000, need
    check_report_table(md)
    check_stdout_table(out)
    check_model_datasets()
    check_predict_sample()
    check_counts()
    check_exact_kernel()
    check_evaluation()
    check_stability_energy()

    before = mtimes()
    lines = stage_lines(pipeline())
    for s in STAGES:
        assert 'skipped' in lines[s], lines[s]
    assert mtimes() == before, 'a skipped stage changed its output'

    os.remove(os.path.join(RUN, 'models', 'omega2_mean', 'model.h5'))
    lines = stage_lines(pipeline())
    assert all('skipped' in lines[s] for s in ('generate', 'features')), lines
    assert all('done in' in lines[s] for s in ('fit', 'evaluate', 'report')), lines
    check_evaluation()

    # a newer executable (a fresh copy: its time is now) fits again; the same one then skips it
    shutil.copy2(vt.VITRUM, 'vitrum_newer')
    os.utime('vitrum_newer')
    for expect_fit in (True, False):
        p = subprocess.run(vt.MPIRUN + ['-n', '2', os.path.abspath('vitrum_newer'), 'pipeline', '-options_file', 'tiny.opts'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.returncode == 0, (p.stdout, p.stderr)
        lines = stage_lines(p.stdout)
        assert all('skipped' in lines[s] for s in ('generate', 'features')), lines
        assert all(('done in' if expect_fit else 'skipped') in lines[s] for s in ('fit', 'evaluate', 'report')), (expect_fit, lines)
    check_evaluation()

    # a listed sample that changed (rewritten: a newer time; then a copy one byte longer with an
    # older time) makes features run again, which recomputes that sample's cached outputs only
    # (until this release "features: up to date, skipped")
    changed = open(os.path.join(RUN, 'samples', 'samples.txt')).readline().strip()
    entries = lambda: {f: os.path.getmtime(f) for f in glob.glob(os.path.join(RUN, 'cache', '*', '*.h5'))}  # noqa: E731
    for change in ('newer', 'older copy, other size'):
        before = entries()
        if change == 'newer':
            os.utime(changed)
        else:
            stamp = os.path.getmtime(changed) - 3600
            open(changed, 'a').write('\n')
            os.utime(changed, (stamp, stamp))
        # -pipeline_report 0 (not in any stage's cache key): these runs check features and fit; a
        # report remade after a fit is checked above (model file removed, newer executable)
        lines = stage_lines(pipeline(['-pipeline_report', '0']), STAGES[:-1])
        assert 'done in' in lines['features'] and 'done in' in lines['fit'], (change, lines)
        after = entries()
        redone = sorted(os.path.basename(f) for f in before if after.get(f) != before[f])
        assert redone and all(f.startswith(os.path.basename(changed) + '.') for f in redone), (change, redone)
    check_evaluation()

    out = pipeline(['-pipeline_samples', os.path.join(RUN, 'samples', 'samples.txt'), '-pipeline_dir', 'tiny_list', '-pipeline_report', '0'])
    assert 'generate: using the sample list' in out and not os.path.exists('tiny_list/samples'), out
    a, b = (read('evaluation.h5', 'evaluation', ['y_pred'], folder)[0] for folder in (RUN, 'tiny_list'))
    assert np.allclose(a, b, rtol=1e-12, atol=0), 'the same samples gave other predictions'

    p = vt.run(['pipeline', '-options_file', 'tiny.opts', '-pipeline_samples', 'no/such/list.txt'], np_ranks=2, expect_fail=True)
    err = [l for l in (p.stdout + p.stderr).splitlines() if 'error' in l]
    assert p.returncode == 1 and err and 'no/such/list.txt' in err[0], (p.returncode, p.stdout, p.stderr)

    # a split that leaves fewer than 2 samples on either side stops before any stage runs (until
    # session 20 the features and every fit ran first, and the evaluation then stopped)
    listed = [l for l in open(os.path.join(RUN, 'samples', 'samples.txt')) if l.strip()]
    open('three.txt', 'w').writelines(listed[:3])
    open('five.txt', 'w').writelines(listed[:5])
    for extra, words in ((['-pipeline_samples', 'three.txt'], ['3 samples', 'at least 6 samples', '4 samples with a -fit_test_fraction of at least 0.375']),
                         (['-pipeline_samples', 'five.txt', '-fit_test_fraction', 0.1], ['holds out 1 of 5', 'at least 0.3']),
                         (['-pipeline_samples', 'five.txt', '-fit_test_fraction', 0.8], ['holds out 4 of 5', 'below 0.7'])):
        p = vt.run(['pipeline', '-options_file', 'tiny.opts', '-pipeline_dir', 'tiny_split'] + extra, np_ranks=2, expect_fail=True)
        lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith('vitrum')]
        assert p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words), (p.stdout, p.stderr)
        assert 'pipeline [' not in p.stdout and not os.path.exists('tiny_split'), p.stdout
    # so does a -pipeline_vdos_rebin that does not divide the VDOS bins, or without -vdos_bins
    # (the automatic count is known only after the features stage, where it used to fail)
    open('nobins.opts', 'w').writelines(l for l in open('tiny.opts') if not l.startswith('-vdos_bins'))
    for opts, extra, words in (('tiny.opts', [], ['-pipeline_vdos_rebin 7 does not divide -vdos_bins 48']),
                               ('tiny.opts', ['-vdos_bins', 200], ['does not divide -vdos_bins 200']),
                               ('nobins.opts', [], ['give -vdos_bins, a multiple of 7'])):
        p = vt.run(['pipeline', '-options_file', opts, '-pipeline_dir', 'tiny_rebin', '-pipeline_vdos_rebin', 7] + extra, np_ranks=2, expect_fail=True)
        lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith('vitrum')]
        assert p.returncode == 1 and len(lines) == 1 and all(w in lines[0] for w in words), (p.stdout, p.stderr)
        assert 'pipeline [' not in p.stdout and not os.path.exists('tiny_rebin'), p.stdout
    # a run folder that is the samples' folder, with a sample named dataset.h5: refused in the
    # pipeline's words before anything is created in it (it named features' -o and left cache/,
    # models/, report/ and options.used behind)
    shutil.rmtree('pdir', ignore_errors=True)
    os.makedirs('pdir')
    for k, line in enumerate(listed):
        shutil.copy(line.strip(), 'pdir/%s' % ('dataset.h5' if k == len(listed) - 1 else 's%d.data' % k))
    open('pdir/list.txt', 'w').writelines('pdir/%s\n' % f for f in sorted(os.listdir('pdir')) if f != 'list.txt')
    before = sorted(os.listdir('pdir'))
    p = vt.run(['pipeline', '-options_file', 'tiny.opts', '-pipeline_dir', 'pdir', '-pipeline_samples', 'pdir/list.txt'], np_ranks=2, expect_fail=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if l.startswith('vitrum')]
    assert p.returncode == 1 and len(lines) == 1 and '-pipeline_dir: the output pdir/dataset.h5 is the same file as the input pdir/dataset.h5' in lines[0] and '-o' not in lines[0], (p.stdout, p.stderr)
    assert sorted(os.listdir('pdir')) == before, os.listdir('pdir')
    print('ok')


if __name__ == '__main__':
    sys.exit(main())
