/* Held-out evaluation of a fitted linear model on its dataset, and the R^2 table. */
#include "pipeline.h"
#include <vitrum/fit.h>
#include <vitrum/h5io.h>

typedef struct {
  PetscInt   n, p, t;
  PetscReal *X, *Y;          /* n x p, n x t, row-major */
  char     **sample_names, **target_names;
} Dataset;

typedef struct {
  PetscReal *W, *b;          /* t x p row-major, t; original units */
  PetscInt   ntest;
  PetscInt  *test_rows;      /* dataset rows held out of the fit */
} Model;

/* Shape of a 2-D dataset, with a clear error for a 1-D one. */
static PetscErrorCode Dims2(VitH5 *h5, const char name[], hsize_t dims[2])
{
  int ndims;

  PetscFunctionBeginUser;
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  if (ndims == 1) dims[1] = 1;
  PetscCheck(ndims <= 2, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has %d dimensions, expected 2", h5->path, name, ndims);
  PetscFunctionReturn(0);
}

static PetscErrorCode DatasetRead(MPI_Comm comm, const char path[], Dataset *ds)
{
  VitH5    h5;
  hsize_t  xd[2], yd[2];
  PetscInt nx, ny, ns, nt;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(Dims2(&h5, "/dataset/X", xd));
  PetscCall(Dims2(&h5, "/dataset/Y", yd));
  PetscCheck(xd[0] == yd[0], comm, PETSC_ERR_USER_INPUT, "%s: /dataset/X has %llu rows but /dataset/Y has %llu", path, (unsigned long long)xd[0], (unsigned long long)yd[0]);
  ds->n = (PetscInt)xd[0];
  ds->p = (PetscInt)xd[1];
  ds->t = (PetscInt)yd[1];
  PetscCall(VitH5ReadReal(&h5, "/dataset/X", &nx, &ds->X));
  PetscCall(VitH5ReadReal(&h5, "/dataset/Y", &ny, &ds->Y));
  PetscCall(VitH5ReadStrings(&h5, "/dataset/sample_names", &ns, &ds->sample_names));
  PetscCall(VitH5ReadStrings(&h5, "/dataset/target_names", &nt, &ds->target_names));
  PetscCheck(ns == ds->n && nt == ds->t, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " sample names for %" PetscInt_FMT " rows, %" PetscInt_FMT " target names for %" PetscInt_FMT " targets", path, ns, ds->n, nt, ds->t);
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

static PetscErrorCode DatasetDestroy(Dataset *ds)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(ds->X));
  PetscCall(PetscFree(ds->Y));
  PetscCall(VitStringsFree(ds->n, &ds->sample_names));
  PetscCall(VitStringsFree(ds->t, &ds->target_names));
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelRead(MPI_Comm comm, const char path[], const Dataset *ds, Model *m)
{
  VitH5    h5;
  PetscInt nw, nb;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5ReadReal(&h5, "/model/W", &nw, &m->W));
  PetscCall(VitH5ReadReal(&h5, "/model/b", &nb, &m->b));
  PetscCheck(nw == ds->t * ds->p && nb == ds->t, comm, PETSC_ERR_USER_INPUT, "%s: /model/W has %" PetscInt_FMT " entries and /model/b %" PetscInt_FMT ", but the dataset has %" PetscInt_FMT " targets x %" PetscInt_FMT " features", path, nw, nb, ds->t, ds->p);
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* The held-out rows of `fit`: ntest = round(fraction n) rows whose position in the seeded
   permutation VitSamplePositions(n, seed) is below ntest (src/fit/cmd_fit.c, FitSplitCreate). */
static PetscErrorCode HeldOutRows(MPI_Comm comm, const Dataset *ds, PetscReal fraction, PetscInt seed, Model *m)
{
  PetscInt *pos, ntest = (PetscInt)(fraction * ds->n + 0.5);

  PetscFunctionBeginUser;
  PetscCheck(ntest >= 2, comm, PETSC_ERR_USER_INPUT, "-fit_test_fraction %g holds out %" PetscInt_FMT " of %" PetscInt_FMT " samples; the evaluation needs at least 2", (double)fraction, ntest, ds->n);
  PetscCall(PetscMalloc1(ds->n, &pos));
  PetscCall(PetscMalloc1(ntest, &m->test_rows));
  PetscCall(VitSamplePositions(ds->n, seed, pos));
  m->ntest = 0;
  for (PetscInt i = 0; i < ds->n; i++)
    if (pos[i] < ntest) m->test_rows[m->ntest++] = i;
  PetscCall(PetscFree(pos));
  PetscFunctionReturn(0);
}

/* The split must be the one `fit` used: its held-out R^2 (/model/metrics/test/r2) must equal ours. */
static PetscErrorCode CheckSameSplit(MPI_Comm comm, const char model_path[], PetscInt t, const PetscReal r2[])
{
  VitH5      h5;
  PetscInt   n;
  PetscReal *r2_fit;
  PetscBool  has;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, model_path, &h5));
  PetscCall(VitH5Exists(&h5, "/model/metrics/test/r2", &has));
  PetscCheck(has, comm, PETSC_ERR_USER_INPUT, "%s: no /model/metrics/test: the model was fitted without a held-out split (-fit_test_fraction)", model_path);
  PetscCall(VitH5ReadReal(&h5, "/model/metrics/test/r2", &n, &r2_fit));
  PetscCall(VitH5Close(&h5));
  for (PetscInt k = 0; k < PetscMin(n, t); k++)
    PetscCheck(PetscAbsReal(r2_fit[k] - r2[k]) <= 1e-6 * (1 + PetscAbsReal(r2[k])), comm, PETSC_ERR_PLIB, "%s: held-out R^2 of target %" PetscInt_FMT " is %g in the model file but %g here: the evaluation's split differs from fit's", model_path, k, (double)r2_fit[k], (double)r2[k]);
  PetscCall(PetscFree(r2_fit));
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelDestroy(Model *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(m->W));
  PetscCall(PetscFree(m->b));
  PetscCall(PetscFree(m->test_rows));
  PetscFunctionReturn(0);
}

/* y = W x + b for the given rows: true and predicted values, nrows x t. */
static void Predict(const Dataset *ds, const Model *m, PetscInt nrows, const PetscInt rows[], PetscReal *ytrue, PetscReal *ypred)
{
  for (PetscInt i = 0; i < nrows; i++) {
    const PetscReal *x = ds->X + rows[i] * ds->p;
    for (PetscInt k = 0; k < ds->t; k++) {
      PetscReal y = m->b[k];
      for (PetscInt j = 0; j < ds->p; j++) y += m->W[k * ds->p + j] * x[j];
      ypred[i * ds->t + k] = y;
      ytrue[i * ds->t + k] = ds->Y[rows[i] * ds->t + k];
    }
  }
}

/* Per target k: sse = sum (y - yhat)^2, sst = sum (y - mean y)^2, sae = sum |y - yhat|. */
static void ErrorSums(PetscInt nrows, PetscInt t, const PetscReal *ytrue, const PetscReal *ypred, PetscReal *sse, PetscReal *sst, PetscReal *sae)
{
  for (PetscInt k = 0; k < t; k++) {
    PetscReal mean = 0;
    sse[k] = sst[k] = sae[k] = 0;
    for (PetscInt i = 0; i < nrows; i++) mean += ytrue[i * t + k] / nrows;
    for (PetscInt i = 0; i < nrows; i++) {
      PetscReal e = ytrue[i * t + k] - ypred[i * t + k], d = ytrue[i * t + k] - mean;
      sse[k] += e * e;
      sst[k] += d * d;
      sae[k] += PetscAbsReal(e);
    }
  }
}

/* R^2 = 1 - SSE/SST (scikit-learn's r2_score: 1 for a perfect fit, 0 for the mean predictor). */
static PetscReal R2(PetscReal sse, PetscReal sst)
{
  return sst > 0 ? 1 - sse / sst : (sse > 0 ? -PETSC_INFINITY : 1);
}

/* Rows not held out, in increasing order. */
static PetscErrorCode TrainRows(const Dataset *ds, const Model *m, PetscInt *ntrain, PetscInt **rows)
{
  PetscBool *held;

  PetscFunctionBeginUser;
  PetscCall(PetscCalloc1(ds->n, &held));
  PetscCall(PetscMalloc1(ds->n, rows));
  for (PetscInt i = 0; i < m->ntest; i++) held[m->test_rows[i]] = PETSC_TRUE;
  *ntrain = 0;
  for (PetscInt i = 0; i < ds->n; i++)
    if (!held[i]) (*rows)[(*ntrain)++] = i;
  PetscCall(PetscFree(held));
  PetscFunctionReturn(0);
}

/* Metrics of the model on a set of rows: R^2, RMSE, MAE per target (arrays of t). */
static PetscErrorCode Metrics(const Dataset *ds, const Model *m, PetscInt nrows, const PetscInt rows[], PetscReal *ytrue, PetscReal *ypred, PetscReal *r2, PetscReal *rmse, PetscReal *mae)
{
  PetscReal *sse, *sst, *sae;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(ds->t, &sse, ds->t, &sst, ds->t, &sae));
  Predict(ds, m, nrows, rows, ytrue, ypred);
  ErrorSums(nrows, ds->t, ytrue, ypred, sse, sst, sae);
  for (PetscInt k = 0; k < ds->t; k++) {
    r2[k] = R2(sse[k], sst[k]);
    if (rmse) rmse[k] = PetscSqrtReal(sse[k] / nrows);
    if (mae) mae[k] = sae[k] / nrows;
  }
  PetscCall(PetscFree3(sse, sst, sae));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineEvaluate(MPI_Comm comm, const char data_path[], const char model_path[], PetscReal test_fraction, PetscInt seed, const char out_path[])
{
  Dataset      ds;
  Model        m;
  VitH5        h5;
  PetscInt     ntrain, *train_rows;
  PetscReal   *ytrue, *ypred, *ytrain, *ptrain, *r2, *rmse, *mae, *r2_train;
  const char **names;

  PetscFunctionBeginUser;
  PetscCall(DatasetRead(comm, data_path, &ds));
  PetscCall(ModelRead(comm, model_path, &ds, &m));
  PetscCall(HeldOutRows(comm, &ds, test_fraction, seed, &m));
  PetscCall(TrainRows(&ds, &m, &ntrain, &train_rows));
  PetscCall(PetscMalloc4(m.ntest * ds.t, &ytrue, m.ntest * ds.t, &ypred, ntrain * ds.t + 1, &ytrain, ntrain * ds.t + 1, &ptrain));
  PetscCall(PetscMalloc4(ds.t, &r2, ds.t, &rmse, ds.t, &mae, ds.t, &r2_train));
  PetscCall(PetscMalloc1(m.ntest, &names));
  PetscCall(Metrics(&ds, &m, m.ntest, m.test_rows, ytrue, ypred, r2, rmse, mae));
  PetscCall(Metrics(&ds, &m, ntrain, train_rows, ytrain, ptrain, r2_train, NULL, NULL));
  PetscCall(CheckSameSplit(comm, model_path, ds.t, r2));
  for (PetscInt i = 0; i < m.ntest; i++) names[i] = ds.sample_names[m.test_rows[i]];

  PetscCall(VitH5Create(comm, out_path, &h5));
  {
    hsize_t dt[1] = {(hsize_t)ds.t}, dtest[2] = {(hsize_t)m.ntest, (hsize_t)ds.t}, dtrain[1] = {(hsize_t)ntrain};
    PetscCall(VitH5WriteInt(&h5, "/evaluation/test_rows", 1, dtest, m.test_rows, "row of /dataset"));
    PetscCall(VitH5WriteInt(&h5, "/evaluation/train_rows", 1, dtrain, train_rows, "row of /dataset"));
    PetscCall(VitH5WriteStrings(&h5, "/evaluation/sample_names", m.ntest, names));
    PetscCall(VitH5WriteStrings(&h5, "/evaluation/target_names", ds.t, (const char *const *)ds.target_names));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/y_true", 2, dtest, ytrue, "units of /dataset/Y"));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/y_pred", 2, dtest, ypred, "units of /dataset/Y"));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/r2", 1, dt, r2, "1"));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/rmse", 1, dt, rmse, "units of /dataset/Y"));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/mae", 1, dt, mae, "units of /dataset/Y"));
    PetscCall(VitH5WriteReal(&h5, "/evaluation/r2_train", 1, dt, r2_train, "1"));
  }
  PetscCall(VitH5Close(&h5));

  PetscCall(PetscFree(names));
  PetscCall(PetscFree4(r2, rmse, mae, r2_train));
  PetscCall(PetscFree4(ytrue, ypred, ytrain, ptrain));
  PetscCall(PetscFree(train_rows));
  PetscCall(ModelDestroy(&m));
  PetscCall(DatasetDestroy(&ds));
  PetscFunctionReturn(0);
}

/* Group of a target name: the part before "(" ("D(omega=0.25)" -> "D"), or the whole name. */
static void TargetGroup(const char name[], char group[], size_t len)
{
  size_t k = 0;

  while (name[k] && name[k] != '(' && k + 1 < len) {
    group[k] = name[k];
    k++;
  }
  group[k] = 0;
}

static int CompareReal(const void *a, const void *b)
{
  PetscReal x = *(const PetscReal *)a, y = *(const PetscReal *)b;
  return (x > y) - (x < y);
}

/* Pooled R^2 (1 - sum SSE / sum SST over the group's targets) and the median per-target R^2. */
static PetscErrorCode GroupScores(PetscInt first, PetscInt count, PetscInt ntest, PetscInt t, const PetscReal *ytrue, const PetscReal *ypred, PetscReal *pooled, PetscReal *median)
{
  PetscReal *sse, *sst, *sae, *r2, SSE = 0, SST = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc4(t, &sse, t, &sst, t, &sae, count, &r2));
  ErrorSums(ntest, t, ytrue, ypred, sse, sst, sae);
  for (PetscInt k = 0; k < count; k++) {
    SSE += sse[first + k];
    SST += sst[first + k];
    r2[k] = R2(sse[first + k], sst[first + k]);
  }
  qsort(r2, (size_t)count, sizeof(PetscReal), CompareReal);
  *pooled = R2(SSE, SST);
  *median = count % 2 ? r2[count / 2] : 0.5 * (r2[count / 2 - 1] + r2[count / 2]);
  PetscCall(PetscFree4(sse, sst, sae, r2));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelinePrintTable(MPI_Comm comm, const char eval_path[])
{
  VitH5      h5;
  PetscInt   t, n, ntest;
  char     **names;
  PetscReal *ytrue, *ypred, *r2_train;
  hsize_t    dims[2];
  int        ndims;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, eval_path, &h5));
  PetscCall(VitH5ReadStrings(&h5, "/evaluation/target_names", &t, &names));
  PetscCall(VitH5GetDims(&h5, "/evaluation/y_true", &ndims, dims));
  ntest = (PetscInt)dims[0];
  PetscCall(VitH5ReadReal(&h5, "/evaluation/y_true", &n, &ytrue));
  PetscCall(VitH5ReadReal(&h5, "/evaluation/y_pred", &n, &ypred));
  PetscCall(VitH5ReadReal(&h5, "/evaluation/r2_train", &n, &r2_train));
  PetscCall(VitH5Close(&h5));

  PetscCall(PetscPrintf(comm, "\nHeld-out R^2 (%" PetscInt_FMT " test samples; 1 = perfect, 0 = predicting the mean)\n", ntest));
  PetscCall(PetscPrintf(comm, "  %-28s %8s %10s %10s %10s\n", "target", "bins", "R^2 test", "median bin", "R^2 train"));
  for (PetscInt k = 0; k < t;) {
    char      group[64], other[64];
    PetscInt  count = 1;
    PetscReal pooled = 0, median = 0, train = 0;
    TargetGroup(names[k], group, sizeof(group));
    while (k + count < t && (TargetGroup(names[k + count], other, sizeof(other)), !strcmp(group, other))) count++;
    PetscCall(GroupScores(k, count, ntest, t, ytrue, ypred, &pooled, &median));
    for (PetscInt j = 0; j < count; j++) train += r2_train[k + j] / count;
    if (count > 1) PetscCall(PetscPrintf(comm, "  %-28s %8" PetscInt_FMT " %10.3f %10.3f %10.3f\n", group, count, (double)pooled, (double)median, (double)train));
    else PetscCall(PetscPrintf(comm, "  %-28s %8s %10.3f %10s %10.3f\n", names[k], "1", (double)pooled, "", (double)train));
    k += count;
  }
  PetscCall(PetscFree(ytrue));
  PetscCall(PetscFree(ypred));
  PetscCall(PetscFree(r2_train));
  PetscCall(VitStringsFree(t, &names));
  PetscFunctionReturn(0);
}
