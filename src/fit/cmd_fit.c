/* vitrum fit: ridge regression of targets Y on features X along a lambda path, with lambda
   chosen by GCV or K-fold CV, from one parallel TSQR of [1 X Y] per fold (docs/fit.md). */
#include <vitrum/commands.h>
#include <vitrum/fit.h>
#include <vitrum/h5io.h>
#include <vitrum/potential.h>

typedef struct {
  char      data[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  PetscReal lambda, lambda_min, lambda_max, smooth_weight, test_fraction;
  PetscBool lambda_set, min_set, max_set, standardize;
  PetscInt  lambda_count, cv, smooth, seed;
} FitOptions;

typedef struct {
  PetscInt  ntrain, ntest, nfolds; /* nfolds = 1 for GCV */
  PetscInt *row_fold;              /* every row: fold 0..nfolds-1, or -1 when held out */
  PetscInt *fold;                  /* this rank's rows: row_fold + row_start */
} FitSplit;

typedef struct {
  PetscReal *x_mean, *x_scale, *y_mean; /* over the training rows */
} FitScaling;

typedef struct {
  PetscInt  n;
  PetscReal *r2, *rmse, *mae;          /* per target */
  PetscReal r2_all, rmse_all, mae_all; /* R^2 averaged over targets; RMSE and MAE over all entries */
} FitMetrics;

/* The exact kernel of <omega^2> for a pair potential (when a target is named omega2_mean and
   -potential is given), and its correlation with the fitted weights of that target. */
typedef struct {
  PetscInt   target; /* -1: not computed */
  PetscReal *K, correlation;
} FitKernel;

typedef struct {
  PetscInt   nlambda, best;
  PetscReal *lambda, *score, *df;
  PetscReal *W_path, *b_path; /* nlambda x t x p and nlambda x t, original units */
  FitMetrics train, test;
  FitKernel  kernel;
} FitResult;

static PetscLogEvent FIT_TSQR, FIT_PATH, FIT_CV, FIT_METRICS;

static PetscErrorCode FitOptionsRead(MPI_Comm comm, FitOptions *o)
{
  PetscFunctionBeginUser;
  o->data[0]       = 0;
  o->out[0]        = 0;
  o->lambda        = 1.0;
  o->lambda_min    = 0;
  o->lambda_max    = 0;
  o->lambda_count  = 41;
  o->cv            = 0;
  o->standardize   = PETSC_FALSE;
  o->smooth        = 0;
  o->smooth_weight = 10.0;
  o->test_fraction = 0.0;
  o->seed          = 1;
  PetscOptionsBegin(comm, NULL, "vitrum fit: parallel TSQR ridge fit of Y = X W^T + b (docs/fit.md)", NULL);
  PetscCall(PetscOptionsString("-data", "dataset file with /dataset/X, /dataset/Y (from vitrum features)", NULL, o->data, o->data, sizeof(o->data), NULL));
  PetscCall(PetscOptionsString("-o", "output model file (default: DATA.model.h5)", NULL, o->out, o->out, sizeof(o->out), NULL));
  PetscCall(PetscOptionsReal("-fit_lambda", "one ridge parameter lambda > 0 (no path, no choice)", NULL, o->lambda, &o->lambda, &o->lambda_set));
  PetscCall(PetscOptionsReal("-fit_lambda_min", "smallest lambda of the log-spaced path (default 1e-8 s_max^2)", NULL, o->lambda_min, &o->lambda_min, &o->min_set));
  PetscCall(PetscOptionsReal("-fit_lambda_max", "largest lambda of the path (default 10 s_max^2)", NULL, o->lambda_max, &o->lambda_max, &o->max_set));
  PetscCall(PetscOptionsInt("-fit_lambda_count", "number of lambdas on the path", NULL, o->lambda_count, &o->lambda_count, NULL));
  PetscCall(PetscOptionsInt("-fit_cv", "lambda choice: 0 = generalised cross-validation, K >= 2 = K-fold CV", NULL, o->cv, &o->cv, NULL));
  PetscCall(PetscOptionsBool("-fit_standardize", "scale every feature to unit variance before the penalty", NULL, o->standardize, &o->standardize, NULL));
  PetscCall(PetscOptionsInt("-fit_smooth", "smoothness penalty: 0 none, 1 or 2 = order of the differences along r", NULL, o->smooth, &o->smooth, NULL));
  PetscCall(PetscOptionsReal("-fit_smooth_weight", "mu in the penalty lambda (||w||^2 + mu ||L w||^2)", NULL, o->smooth_weight, &o->smooth_weight, NULL));
  PetscCall(PetscOptionsReal("-fit_test_fraction", "fraction of rows held out for testing", NULL, o->test_fraction, &o->test_fraction, NULL));
  PetscCall(PetscOptionsInt("-fit_seed", "seed of the test split and of the folds", NULL, o->seed, &o->seed, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

static PetscErrorCode FitOptionsCheck(MPI_Comm comm, FitOptions *o)
{
  PetscFunctionBeginUser;
  PetscCheck(o->data[0], comm, PETSC_ERR_USER_INPUT, "fit needs -data DATA.h5 (a dataset from vitrum features)");
  PetscCheck(!o->lambda_set || o->lambda > 0, comm, PETSC_ERR_USER_INPUT, "-fit_lambda: lambda must be > 0 (got %g)", (double)o->lambda);
  PetscCheck(!o->min_set || o->lambda_min > 0, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_min: lambda must be > 0 (got %g)", (double)o->lambda_min);
  PetscCheck(!o->max_set || o->lambda_max > 0, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_max: lambda must be > 0 (got %g)", (double)o->lambda_max);
  PetscCheck(!(o->min_set && o->max_set) || o->lambda_max >= o->lambda_min, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_max %g is below -fit_lambda_min %g", (double)o->lambda_max, (double)o->lambda_min);
  PetscCheck(o->lambda_count >= 1, comm, PETSC_ERR_USER_INPUT, "-fit_lambda_count %" PetscInt_FMT ": need at least 1", o->lambda_count);
  PetscCheck(o->cv == 0 || o->cv >= 2, comm, PETSC_ERR_USER_INPUT, "-fit_cv %" PetscInt_FMT ": use 0 (GCV) or a number of folds >= 2", o->cv);
  PetscCheck(o->smooth >= 0 && o->smooth <= 2, comm, PETSC_ERR_USER_INPUT, "-fit_smooth %" PetscInt_FMT ": use 0, 1 or 2", o->smooth);
  PetscCheck(o->smooth_weight >= 0, comm, PETSC_ERR_USER_INPUT, "-fit_smooth_weight %g: must be >= 0", (double)o->smooth_weight);
  PetscCheck(o->test_fraction >= 0 && o->test_fraction < 1, comm, PETSC_ERR_USER_INPUT, "-fit_test_fraction %g: must be in [0, 1)", (double)o->test_fraction);
  if (!o->out[0]) PetscCall(VitOutputPath(o->data, ".model.h5", o->out, sizeof(o->out)));
  PetscCall(VitOutputCheck(comm, "-o", o->out, 0, NULL));
  PetscFunctionReturn(0);
}

/* Held-out rows and folds from a seeded permutation of the global row indices, so the split
   does not depend on the number of ranks. */
static PetscErrorCode FitSplitCreate(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, FitSplit *split)
{
  PetscInt *pos;

  PetscFunctionBeginUser;
  split->ntest  = (PetscInt)(o->test_fraction * ds->n + 0.5);
  split->ntrain = ds->n - split->ntest;
  split->nfolds = o->cv ? o->cv : 1;
  PetscCheck(split->ntrain >= 2, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " training rows (of %" PetscInt_FMT ", -fit_test_fraction %g): need at least 2", ds->path, split->ntrain, ds->n, (double)o->test_fraction);
  PetscCheck(o->cv <= split->ntrain, comm, PETSC_ERR_USER_INPUT, "-fit_cv %" PetscInt_FMT ": more folds than the %" PetscInt_FMT " training samples of %s", o->cv, split->ntrain, ds->path);
  PetscCall(PetscMalloc1(ds->n, &pos));
  PetscCall(VitSamplePositions(ds->n, o->seed, pos));
  for (PetscInt i = 0; i < ds->n; i++) pos[i] = pos[i] < split->ntest ? -1 : (pos[i] - split->ntest) % split->nfolds;
  split->row_fold = pos;
  split->fold     = pos + ds->row_start;
  PetscFunctionReturn(0);
}

/* Column sums over the training rows of a row-major block (sq: of squared deviations from mean). */
static PetscErrorCode TrainingColumnSums(MPI_Comm comm, const FitSplit *split, PetscInt nlocal, PetscInt ncols, const PetscReal *A, const PetscReal *mean, PetscReal *sum)
{
  PetscReal *local;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(ncols, &local));
  for (PetscInt i = 0; i < nlocal; i++) {
    if (split->fold[i] < 0) continue;
    for (PetscInt j = 0; j < ncols; j++) {
      PetscReal v = A[i * ncols + j] - (mean ? mean[j] : 0);
      local[j] += mean ? v * v : v;
    }
  }
  PetscCall(MPIU_Allreduce(local, sum, ncols, MPIU_REAL, MPIU_SUM, comm));
  PetscCall(PetscFree(local));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitScalingCompute(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitSplit *split, FitScaling *sc)
{
  PetscReal *ss;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(ds->p, &sc->x_mean, ds->p, &sc->x_scale, ds->t, &sc->y_mean));
  PetscCall(PetscMalloc1(ds->p, &ss));
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->p, ds->X, NULL, sc->x_mean));
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->t, ds->Y, NULL, sc->y_mean));
  for (PetscInt j = 0; j < ds->p; j++) sc->x_mean[j] /= split->ntrain;
  for (PetscInt j = 0; j < ds->t; j++) sc->y_mean[j] /= split->ntrain;
  PetscCall(TrainingColumnSums(comm, split, ds->nlocal, ds->p, ds->X, sc->x_mean, ss));
  for (PetscInt j = 0; j < ds->p; j++) {
    PetscReal sd = PetscSqrtReal(ss[j] / split->ntrain); /* population standard deviation, as StandardScaler */
    sc->x_scale[j] = o->standardize ? sd : 1.0;
    PetscCheck(!o->standardize || (sd > 1e-12 * PetscAbsReal(sc->x_mean[j]) && sd > 0), comm, PETSC_ERR_USER_INPUT,
               "%s: feature '%s' is constant over the training rows (value %g) and cannot be standardised: drop it or fit without -fit_standardize", ds->path, ds->feature_names[j], (double)sc->x_mean[j]);
  }
  PetscCall(PetscFree(ss));
  PetscFunctionReturn(0);
}

/* R factor of [1, (X - mean)/scale, Y - mean] over the local rows of fold f, then over all ranks. */
static PetscErrorCode FoldFactor(MPI_Comm comm, const VitDataset *ds, const FitSplit *split, const FitScaling *sc, PetscInt f, VitTriangle *R)
{
  PetscInt    m = 0, row = 0, p = ds->p, t = ds->t;
  VitTriangle local;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ds->nlocal; i++) m += split->fold[i] == f;
  PetscCall(VitTriangleCreate(m, 1 + p + t, &local));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if (split->fold[i] != f) continue;
    local.a[row] = 1.0;
    for (PetscInt j = 0; j < p; j++) local.a[row + (1 + j) * m] = (ds->X[i * p + j] - sc->x_mean[j]) / sc->x_scale[j];
    for (PetscInt j = 0; j < t; j++) local.a[row + (1 + p + j) * m] = ds->Y[i * t + j] - sc->y_mean[j];
    row++;
  }
  PetscCall(VitTSQR(comm, &local, R));
  PetscCall(VitTriangleDestroy(&local));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitLambdaPath(const FitOptions *o, const VitRidgePath *path, FitResult *res)
{
  PetscReal s2 = path->r && path->s[0] > 0 ? path->s[0] * path->s[0] : 1.0, lo, hi;

  PetscFunctionBeginUser;
  res->nlambda = o->lambda_set ? 1 : o->lambda_count;
  PetscCall(PetscMalloc3(res->nlambda, &res->lambda, res->nlambda, &res->score, res->nlambda, &res->df));
  lo = o->min_set ? o->lambda_min : 1e-8 * s2;
  hi = o->max_set ? o->lambda_max : 10.0 * s2;
  if (hi < lo) hi = lo;
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal frac = res->nlambda > 1 ? (PetscReal)l / (res->nlambda - 1) : 0.0;
    res->lambda[l] = o->lambda_set ? o->lambda : lo * PetscPowReal(hi / lo, frac);
  }
  PetscFunctionReturn(0);
}

/* GCV(lambda) = (RSS / (n t)) / (1 - (df + 1) / n)^2, df = sum s^2/(s^2 + lambda), +1 for the intercept. */
static void GCVScores(const VitRidgePath *path, PetscInt ntrain, FitResult *res)
{
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal rss, df, denom;
    VitRidgePathRSS(path, res->lambda[l], &rss, &df);
    denom          = 1.0 - (df + 1.0) / ntrain;
    res->df[l]     = df;
    res->score[l]  = denom > 0 ? rss / (ntrain * path->t) / (denom * denom) : PETSC_INFINITY;
  }
}

/* K-fold CV: the training R of fold f is the QR of the other folds' stacked R factors; the error on
   fold f for any lambda comes from fold f's own R factor (VitRidgeBlockError). */
static PetscErrorCode KFoldScores(const VitDataset *ds, const FitSplit *split, const VitTriangle Rfold[], const PetscReal *gamma, FitResult *res)
{
  PetscInt     K = split->nfolds, p = ds->p, t = ds->t;
  VitTriangle *others, Rtrain;
  VitRidgePath path;
  PetscReal   *Wt, *b;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(K, &others, p * t, &Wt, t, &b));
  PetscCall(PetscArrayzero(res->score, res->nlambda));
  for (PetscInt f = 0; f < K; f++) {
    PetscInt n = 0;
    for (PetscInt g = 0; g < K; g++)
      if (g != f) others[n++] = Rfold[g];
    PetscCall(VitQRStack(n, others, &Rtrain));
    PetscCall(VitRidgePathCreate(&Rtrain, p, t, gamma, &path));
    for (PetscInt l = 0; l < res->nlambda; l++) {
      PetscReal sse;
      PetscCall(VitRidgePathSolve(&path, res->lambda[l], Wt, b));
      PetscCall(VitRidgeBlockError(&Rfold[f], p, t, Wt, b, &sse));
      res->score[l] += sse / (split->ntrain * t);
    }
    PetscCall(VitRidgePathDestroy(&path));
    PetscCall(VitTriangleDestroy(&Rtrain));
  }
  PetscCall(PetscFree3(others, Wt, b));
  PetscFunctionReturn(0);
}

/* Solutions along the path, converted to original units: W_ij / scale_j, b + y_mean - W x_mean. */
static PetscErrorCode FitSolutions(const VitDataset *ds, const FitScaling *sc, const VitRidgePath *path, FitResult *res)
{
  PetscInt p = ds->p, t = ds->t;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(res->nlambda * t * p, &res->W_path, res->nlambda * t, &res->b_path));
  res->best = 0;
  for (PetscInt l = 0; l < res->nlambda; l++) {
    PetscReal *W = res->W_path + l * t * p, *b = res->b_path + l * t;
    PetscCall(VitRidgePathSolve(path, res->lambda[l], W, b)); /* W^T column-major = W row-major */
    for (PetscInt j = 0; j < t; j++) {
      b[j] += sc->y_mean[j];
      for (PetscInt i = 0; i < p; i++) {
        W[j * p + i] /= sc->x_scale[i];
        b[j] -= W[j * p + i] * sc->x_mean[i];
      }
    }
    if (res->score[l] < res->score[res->best]) res->best = l;
  }
  PetscFunctionReturn(0);
}

/* R^2, RMSE, MAE per target over the rows with fold >= 0 (training) or fold < 0 (held out), from
   the predictions yhat of the local rows. */
static PetscErrorCode FitMetricsCompute(MPI_Comm comm, const VitDataset *ds, const FitSplit *split, PetscBool held_out, const PetscReal *yhat, FitMetrics *m)
{
  PetscInt   t = ds->t, nlocal = 0;
  PetscReal *sums, *acc, sse = 0, sae = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(t, &m->r2, t, &m->rmse, t, &m->mae));
  PetscCall(PetscCalloc2(t, &sums, 3 * t, &acc));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if ((split->fold[i] < 0) != held_out) continue;
    nlocal++;
    for (PetscInt j = 0; j < t; j++) sums[j] += ds->Y[i * t + j];
  }
  PetscCall(MPIU_Allreduce(&nlocal, &m->n, 1, MPIU_INT, MPI_SUM, comm));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, sums, t, MPIU_REAL, MPIU_SUM, comm));
  for (PetscInt i = 0; i < ds->nlocal; i++) {
    if ((split->fold[i] < 0) != held_out) continue;
    for (PetscInt j = 0; j < t; j++) {
      PetscReal y = ds->Y[i * t + j], e = y - yhat[i * t + j], d = y - sums[j] / PetscMax(m->n, 1);
      acc[j] += e * e;
      acc[t + j] += PetscAbsReal(e);
      acc[2 * t + j] += d * d;
    }
  }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, acc, 3 * t, MPIU_REAL, MPIU_SUM, comm));
  m->r2_all = 0;
  for (PetscInt j = 0; j < t; j++) {
    /* as sklearn.metrics.r2_score: a constant target gives 1 if predicted exactly, else 0 */
    m->r2[j]   = acc[2 * t + j] > 0 ? 1.0 - acc[j] / acc[2 * t + j] : (acc[j] > 0 ? 0.0 : 1.0);
    m->rmse[j] = PetscSqrtReal(acc[j] / PetscMax(m->n, 1));
    m->mae[j]  = acc[t + j] / PetscMax(m->n, 1);
    m->r2_all += m->r2[j] / t;
    sse += acc[j];
    sae += acc[t + j];
  }
  m->rmse_all = PetscSqrtReal(sse / PetscMax(m->n * t, 1));
  m->mae_all  = sae / PetscMax(m->n * t, 1);
  PetscCall(PetscFree2(sums, acc));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitMetricsDestroy(FitMetrics *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree3(m->r2, m->rmse, m->mae));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitMetricsWrite(VitH5 *h5, const char group[], const VitDataset *ds, const FitMetrics *m)
{
  char    name[PETSC_MAX_PATH_LEN];
  hsize_t dims[1] = {(hsize_t)ds->t};
  struct {
    const char      *what;
    const PetscReal *per_target, overall;
    const char      *units;
  } items[] = {{"r2", m->r2, m->r2_all, "1"}, {"rmse", m->rmse, m->rmse_all, "target"}, {"mae", m->mae, m->mae_all, "target"}};

  PetscFunctionBeginUser;
  for (size_t k = 0; k < sizeof(items) / sizeof(items[0]); k++) {
    PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/%s", group, items[k].what));
    PetscCall(VitH5WriteReal(h5, name, 1, dims, items[k].per_target, items[k].units));
    PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/%s_overall", group, items[k].what));
    PetscCall(VitH5WriteScalar(h5, name, items[k].overall, items[k].units));
  }
  PetscCall(PetscSNPrintf(name, sizeof(name), "/model/metrics/%s/n", group));
  PetscCall(VitH5WriteScalar(h5, name, (PetscReal)m->n, "rows"));
  PetscFunctionReturn(0);
}

/* Which distances carry the weight: for every target, the fraction of sum_f |W_tf| coming from
   features at r' <= r, on the sorted distinct r of the feature names. */
static PetscErrorCode FitShellAnalysisWrite(VitH5 *h5, const VitDataset *ds, const PetscReal *W)
{
  PetscInt   p = ds->p, t = ds->t, nr = 0, *group;
  PetscReal *r, *shells, *cum;
  hsize_t    dims[2];

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(p, &group, p, &r, p, &shells, t * p, &cum));
  PetscCall(VitFeatureGroups(p, ds->feature_names, group, r));
  PetscCall(PetscArraycpy(shells, r, p));
  PetscCall(PetscSortReal(p, shells));
  for (PetscInt i = 0; i < p; i++)
    if (!nr || shells[i] > shells[nr - 1] + 1e-9 * PetscAbsReal(shells[nr - 1])) shells[nr++] = shells[i];
  PetscCall(PetscArrayzero(cum, t * nr));
  for (PetscInt j = 0; j < t; j++) {
    PetscReal total = 0;
    for (PetscInt i = 0; i < p; i++) {
      PetscInt u = 0;
      while (u < nr - 1 && shells[u] < r[i] - 1e-9 * PetscAbsReal(r[i])) u++;
      cum[j * nr + u] += PetscAbsReal(W[j * p + i]);
      total += PetscAbsReal(W[j * p + i]);
    }
    for (PetscInt u = 1; u < nr; u++) cum[j * nr + u] += cum[j * nr + u - 1];
    for (PetscInt u = 0; u < nr && total > 0; u++) cum[j * nr + u] /= total;
  }
  dims[0] = (hsize_t)nr;
  PetscCall(VitH5WriteReal(h5, "/model/analysis/r", 1, dims, shells, "length"));
  dims[0] = (hsize_t)t;
  dims[1] = (hsize_t)nr;
  PetscCall(VitH5WriteReal(h5, "/model/analysis/cumulative_abs_W", 2, dims, cum, "1"));
  PetscCall(PetscFree4(group, r, shells, cum));
  PetscFunctionReturn(0);
}

static PetscReal Correlation(PetscInt n, const PetscReal *a, const PetscReal *b)
{
  PetscReal ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;

  for (PetscInt i = 0; i < n; i++) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  for (PetscInt i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / PetscSqrtReal(saa * sbb) : 0;
}

/* Species a, b of a feature group "g_A-B" (names of /dataset/structure/type_names). */
static PetscErrorCode PairOfGroup(MPI_Comm comm, const VitDataset *ds, const char group[], PetscInt *a, PetscInt *b)
{
  PetscFunctionBeginUser;
  for (*a = 0; *a < ds->ntypes; (*a)++)
    for (*b = *a; *b < ds->ntypes; (*b)++) {
      char name[2 * VIT_NAME_LEN + 4];
      PetscCall(PetscSNPrintf(name, sizeof(name), "g_%s-%s", ds->type_names[*a], ds->type_names[*b]));
      if (!strcmp(name, group)) PetscFunctionReturn(0);
    }
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: feature group '%s' is not a partial g_A-B of the species in /dataset/structure/type_names", ds->path, group);
}

/* Grid step of a partial: the smallest spacing of its r values (columns dropped as constant leave gaps). */
static PetscReal GroupSpacing(PetscInt p, const PetscInt group[], const PetscReal r[], PetscInt g)
{
  PetscReal step = PETSC_MAX_REAL;

  for (PetscInt i = 0; i + 1 < p; i++)
    if (group[i] == g && group[i + 1] == g && r[i + 1] > r[i]) step = PetscMin(step, r[i + 1] - r[i]);
  return step < PETSC_MAX_REAL ? step : 1.0;
}

/* Tr(H)/(dN) = sum_{a<=b} m_ab c_a c_b rho int S_d r^{d-1} g_ab(r) [phi'' + (d-1) phi'/r] dr / d
   (m_ab = 2 for a != b, masses 1): the weight of feature g_ab(r_k) is that integrand times the
   grid step dr of its partial. */
static PetscErrorCode FitKernelCompute(MPI_Comm comm, const VitDataset *ds, const PetscReal *W, FitKernel *kern)
{
  PetscBool    has_potential;
  VitSample    stub;
  VitPotential pot;
  PetscInt    *group, d = ds->dim;
  PetscReal   *r, Sd = d == 2 ? 2 * PETSC_PI : 4 * PETSC_PI;

  PetscFunctionBeginUser;
  kern->target = -1;
  kern->K      = NULL;
  for (PetscInt j = 0; j < ds->t; j++)
    if (!strcmp(ds->target_names[j], "omega2_mean")) kern->target = j;
  PetscCall(PetscOptionsHasName(NULL, NULL, "-potential", &has_potential));
  if (kern->target < 0 || !has_potential) {
    kern->target = -1;
    PetscFunctionReturn(0);
  }
  PetscCheck(ds->has_structure, comm, PETSC_ERR_USER_INPUT, "-potential: the exact kernel needs the composition in /dataset/structure, which %s lacks (build it with vitrum features from rdf outputs)", ds->path);
  PetscCall(PetscMemzero(&stub, sizeof(stub)));
  stub.dim    = ds->dim;
  stub.ntypes = ds->ntypes;
  for (PetscInt a = 0; a < ds->ntypes; a++) {
    PetscCall(PetscStrncpy(stub.type_name[a], ds->type_names[a], VIT_NAME_LEN));
    stub.type_mass[a] = 1;
  }
  PetscCall(PetscStrncpy(stub.source, ds->path, sizeof(stub.source)));
  PetscCall(VitPotentialCreateFromOptions(comm, &stub, &pot));
  PetscCheck(pot->pair, comm, PETSC_ERR_USER_INPUT, "-potential %s: the exact <omega^2> kernel needs a pair potential", pot->name);
  PetscCall(PetscMalloc2(ds->p, &group, ds->p, &r));
  PetscCall(PetscMalloc1(ds->p, &kern->K));
  PetscCall(VitFeatureGroups(ds->p, ds->feature_names, group, r));
  for (PetscInt i = 0; i < ds->p; i++) {
    char      name[256];
    PetscInt  a, b;
    PetscReal x, phi, d1, d2, dr, cb;
    VitFeatureNameParse(ds->feature_names[i], name, sizeof(name), &x, i);
    PetscCall(PairOfGroup(comm, ds, name, &a, &b));
    dr = GroupSpacing(ds->p, group, r, group[i]);
    PetscCall(pot->pair(pot, a, b, r[i], &phi, &d1, &d2));
    /* g_ab is normalised by the N_a (N_b - delta_ab) pairs of one sample (rdf.c), hence c_b - delta_ab/N */
    cb         = ds->type_fraction[b] - (a == b && ds->natoms > 0 ? 1 / ds->natoms : 0);
    kern->K[i] = (a == b ? 1 : 2) * ds->type_fraction[a] * cb * ds->density * Sd * PetscPowRealInt(r[i], d - 1) * (d2 + (d - 1) * d1 / r[i]) * dr / d;
  }
  kern->correlation = Correlation(ds->p, W + kern->target * ds->p, kern->K);
  PetscCall(VitPotentialDestroy(&pot));
  PetscCall(PetscFree2(group, r));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitWrite(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitScaling *sc, const FitSplit *split, const FitResult *res)
{
  VitH5     h5;
  PetscInt  p = ds->p, t = ds->t, L = res->nlambda;
  hsize_t   d1[1], d2[2] = {(hsize_t)t, (hsize_t)p}, d3[3] = {(hsize_t)L, (hsize_t)t, (hsize_t)p};
  char      cv[64];
  const PetscReal *W = res->W_path + res->best * t * p, *b = res->b_path + res->best * t;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteReal(&h5, "/model/W", 2, d2, W, "target/feature"));
  d1[0] = (hsize_t)t;
  PetscCall(VitH5WriteReal(&h5, "/model/b", 1, d1, b, "target"));
  PetscCall(VitH5WriteReal(&h5, "/model/y_mean", 1, d1, sc->y_mean, "target"));
  PetscCall(VitH5WriteScalar(&h5, "/model/lambda", res->lambda[res->best], "target^2/feature^2 (centred, scaled)"));
  d1[0] = (hsize_t)L;
  PetscCall(VitH5WriteReal(&h5, "/model/lambda_path", 1, d1, res->lambda, "target^2/feature^2 (centred, scaled)"));
  PetscCall(VitH5WriteReal(&h5, "/model/cv_score", 1, d1, res->score, "target^2"));
  PetscCall(VitH5WriteReal(&h5, "/model/df_path", 1, d1, res->df, "1"));
  PetscCall(VitH5WriteReal(&h5, "/model/W_path", 3, d3, res->W_path, "target/feature"));
  d2[0] = (hsize_t)L;
  d2[1] = (hsize_t)t;
  PetscCall(VitH5WriteReal(&h5, "/model/b_path", 2, d2, res->b_path, "target"));
  d1[0] = (hsize_t)p;
  PetscCall(VitH5WriteReal(&h5, "/model/x_mean", 1, d1, sc->x_mean, "feature"));
  PetscCall(VitH5WriteReal(&h5, "/model/x_scale", 1, d1, sc->x_scale, "feature"));
  d1[0] = (hsize_t)ds->n;
  PetscCall(VitH5WriteInt(&h5, "/model/row_fold", 1, d1, split->row_fold, "1"));
  PetscCall(VitH5WriteStrings(&h5, "/model/feature_names", p, (const char *const *)ds->feature_names));
  PetscCall(VitH5WriteStrings(&h5, "/model/target_names", t, (const char *const *)ds->target_names));
  PetscCall(VitH5WriteScalar(&h5, "/model/feature_smooth", ds->feature_smooth, "length"));
  if (o->cv) PetscCall(PetscSNPrintf(cv, sizeof(cv), "%" PetscInt_FMT "-fold", o->cv));
  else PetscCall(PetscStrcpy(cv, "gcv"));
  PetscCall(VitH5WriteAttrString(&h5, "/model", "lambda_choice", o->lambda_set ? "given" : cv));
  PetscCall(VitH5WriteScalar(&h5, "/model/smooth_order", (PetscReal)o->smooth, "1"));
  PetscCall(VitH5WriteScalar(&h5, "/model/smooth_weight", o->smooth ? o->smooth_weight : 0.0, "1"));
  PetscCall(FitMetricsWrite(&h5, "train", ds, &res->train));
  if (split->ntest) PetscCall(FitMetricsWrite(&h5, "test", ds, &res->test));
  PetscCall(FitShellAnalysisWrite(&h5, ds, W));
  if (res->kernel.target >= 0) {
    d1[0] = (hsize_t)p;
    PetscCall(VitH5WriteReal(&h5, "/model/kernel/K", 1, d1, res->kernel.K, "target/feature"));
    PetscCall(VitH5WriteScalar(&h5, "/model/kernel/correlation", res->kernel.correlation, "1"));
    PetscCall(VitH5WriteAttrString(&h5, "/model/kernel", "target", ds->target_names[res->kernel.target]));
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitReport(MPI_Comm comm, const FitOptions *o, const VitDataset *ds, const FitSplit *split, const FitResult *res)
{
  PetscFunctionBeginUser;
  PetscCall(PetscPrintf(comm, "fit: %" PetscInt_FMT " rows (%" PetscInt_FMT " training, %" PetscInt_FMT " held out), %" PetscInt_FMT " features, %" PetscInt_FMT " targets\n", ds->n, split->ntrain, split->ntest, ds->p, ds->t));
  PetscCall(PetscPrintf(comm, "fit: lambda = %g (%s over %" PetscInt_FMT " values), score %g\n", (double)res->lambda[res->best], o->lambda_set ? "given" : (o->cv ? "K-fold CV" : "GCV"), res->nlambda, (double)res->score[res->best]));
  if (!o->lambda_set && res->nlambda > 1 && (res->best == 0 || res->best == res->nlambda - 1))
    PetscCall(PetscPrintf(comm, "fit: warning: the best lambda is at the %s end of the path: extend it with -fit_lambda_%s\n", res->best ? "upper" : "lower", res->best ? "max" : "min"));
  PetscCall(PetscPrintf(comm, "fit: training R^2 %.6f RMSE %g MAE %g\n", (double)res->train.r2_all, (double)res->train.rmse_all, (double)res->train.mae_all));
  if (res->kernel.target >= 0) PetscCall(PetscPrintf(comm, "fit: correlation of the weights of %s with the exact kernel: %.6f\n", ds->target_names[res->kernel.target], (double)res->kernel.correlation));
  if (split->ntest) PetscCall(PetscPrintf(comm, "fit: held-out R^2 %.6f RMSE %g MAE %g\n", (double)res->test.r2_all, (double)res->test.rmse_all, (double)res->test.mae_all));
  PetscCall(PetscPrintf(comm, "fit: model written to %s\n", o->out));
  PetscFunctionReturn(0);
}

static PetscErrorCode FitRegisterEvents(void)
{
  static PetscBool registered = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (registered) PetscFunctionReturn(0);
  PetscCall(PetscLogEventRegister("VitFitTSQR", vit_log.classid, &FIT_TSQR));
  PetscCall(PetscLogEventRegister("VitFitPath", vit_log.classid, &FIT_PATH));
  PetscCall(PetscLogEventRegister("VitFitCV", vit_log.classid, &FIT_CV));
  PetscCall(PetscLogEventRegister("VitFitMetrics", vit_log.classid, &FIT_METRICS));
  registered = PETSC_TRUE;
  PetscFunctionReturn(0);
}

PetscErrorCode VitCmdFit(void)
{
  MPI_Comm     comm = PETSC_COMM_WORLD;
  FitOptions   o;
  VitDataset   ds;
  FitSplit     split;
  FitScaling   sc;
  FitResult    res;
  VitTriangle *Rfold, Rtrain;
  VitRidgePath path;
  PetscReal   *gamma = NULL, *yhat;

  PetscFunctionBeginUser;
  PetscCall(FitOptionsRead(comm, &o));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCall(FitOptionsCheck(comm, &o));
  PetscCall(FitRegisterEvents());
  PetscCall(PetscLogStagePush(vit_log.stage_fit));

  PetscCall(PetscLogEventBegin(vit_log.read, 0, 0, 0, 0));
  PetscCall(VitDatasetRead(comm, o.data, &ds));
  PetscCall(PetscLogEventEnd(vit_log.read, 0, 0, 0, 0));
  PetscCall(FitSplitCreate(comm, &o, &ds, &split));
  PetscCall(FitScalingCompute(comm, &o, &ds, &split, &sc));

  PetscCall(PetscLogEventBegin(FIT_TSQR, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(split.nfolds, &Rfold));
  for (PetscInt f = 0; f < split.nfolds; f++) PetscCall(FoldFactor(comm, &ds, &split, &sc, f, &Rfold[f]));
  PetscCall(VitQRStack(split.nfolds, Rfold, &Rtrain));
  PetscCall(PetscLogEventEnd(FIT_TSQR, 0, 0, 0, 0));

  PetscCall(PetscLogEventBegin(FIT_PATH, 0, 0, 0, 0));
  if (o.smooth) {
    PetscInt  *group;
    PetscReal *r;
    PetscCall(PetscMalloc2(ds.p, &group, ds.p, &r));
    PetscCall(VitFeatureGroups(ds.p, ds.feature_names, group, r));
    PetscCall(VitSmoothPenalty(ds.p, group, o.smooth, o.smooth_weight, &gamma));
    PetscCall(PetscFree2(group, r));
  }
  PetscCall(VitRidgePathCreate(&Rtrain, ds.p, ds.t, gamma, &path));
  PetscCall(FitLambdaPath(&o, &path, &res));
  PetscCall(PetscLogEventEnd(FIT_PATH, 0, 0, 0, 0));

  PetscCall(PetscLogEventBegin(FIT_CV, 0, 0, 0, 0));
  GCVScores(&path, split.ntrain, &res);
  if (o.cv) PetscCall(KFoldScores(&ds, &split, Rfold, gamma, &res));
  PetscCall(FitSolutions(&ds, &sc, &path, &res));
  PetscCall(PetscLogEventEnd(FIT_CV, 0, 0, 0, 0));

  PetscCall(PetscLogEventBegin(FIT_METRICS, 0, 0, 0, 0));
  PetscCall(PetscMalloc1(ds.nlocal * ds.t + 1, &yhat));
  PetscCall(VitLinearPredict(ds.nlocal, ds.p, ds.t, ds.X, res.W_path + res.best * ds.t * ds.p, res.b_path + res.best * ds.t, yhat));
  PetscCall(FitMetricsCompute(comm, &ds, &split, PETSC_FALSE, yhat, &res.train));
  PetscCall(FitMetricsCompute(comm, &ds, &split, PETSC_TRUE, yhat, &res.test));
  PetscCall(PetscFree(yhat));
  PetscCall(FitKernelCompute(comm, &ds, res.W_path + res.best * ds.t * ds.p, &res.kernel));
  PetscCall(PetscLogEventEnd(FIT_METRICS, 0, 0, 0, 0));

  PetscCall(FitWrite(comm, &o, &ds, &sc, &split, &res));
  PetscCall(FitReport(comm, &o, &ds, &split, &res));
  PetscCall(PetscLogStagePop());

  PetscCall(FitMetricsDestroy(&res.train));
  PetscCall(FitMetricsDestroy(&res.test));
  PetscCall(PetscFree(res.kernel.K));
  PetscCall(PetscFree2(res.W_path, res.b_path));
  PetscCall(PetscFree3(res.lambda, res.score, res.df));
  PetscCall(VitRidgePathDestroy(&path));
  PetscCall(PetscFree(gamma));
  for (PetscInt f = 0; f < split.nfolds; f++) PetscCall(VitTriangleDestroy(&Rfold[f]));
  PetscCall(PetscFree(Rfold));
  PetscCall(VitTriangleDestroy(&Rtrain));
  PetscCall(PetscFree3(sc.x_mean, sc.x_scale, sc.y_mean));
  PetscCall(PetscFree(split.row_fold));
  PetscCall(VitDatasetDestroy(&ds));
  PetscFunctionReturn(0);
}
