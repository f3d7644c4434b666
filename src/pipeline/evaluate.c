/* Held-out evaluation of the fitted linear models on their datasets, and the R^2 table. */
#include "pipeline.h"
#include <vitrum/fit.h>

typedef VitPipelineDataset Dataset;

enum { VIT_TARGET_TRIVIAL = 1, VIT_TARGET_FLAT = 2 };

typedef struct {
  PetscReal *W, *b;    /* t x p row-major, t; original units */
  PetscInt  *dropped;  /* t: 1 where fit dropped a target constant over its training rows (NULL: older file) */
  PetscInt  *row_fold; /* n: -1 for the held-out rows of fit */
} Model;

/* The held-out rows (the same for every model: one split of the n samples) and the others. */
typedef struct {
  PetscInt  ntest, ntrain;
  PetscInt *test_rows, *train_rows;
} Split;

/* All models' targets side by side: T columns, the columns of model m from offset[m]. */
typedef struct {
  PetscInt   T, nmodels, offset[VIT_PIPELINE_MAX_MODELS + 1];
  PetscReal *ytrue, *ypred;                /* ntest x T */
  PetscReal *r2, *rmse, *mae, *r2_train;   /* T (R^2 NaN for a trivial target) */
  PetscInt  *trivial;                      /* T: VIT_TARGET_TRIVIAL (constant over the training rows, not scored), VIT_TARGET_FLAT (held-out values barely vary: no R^2) or 0 */
  PetscInt  *model_of;                     /* T */
  char     **names;                        /* T */
} Evaluation;

/* The model's weights (VitModelWeightsRead: sizes of the dataset's, all finite), its split and its
   dropped targets. */
static PetscErrorCode ModelRead(MPI_Comm comm, const char path[], const Dataset *ds, Model *m)
{
  VitH5     h5;
  PetscInt  nd, nf;
  PetscBool has_dropped;

  PetscFunctionBeginUser;
  m->dropped = NULL;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitModelWeightsRead(comm, &h5, path, ds->p, ds->t, ds->feature_names, ds->target_names, &m->W, &m->b));
  PetscCall(VitH5ReadInt(&h5, "/model/row_fold", &nf, &m->row_fold));
  PetscCall(VitH5Exists(&h5, "/model/metrics/dropped", &has_dropped));
  if (has_dropped) PetscCall(VitH5ReadInt(&h5, "/model/metrics/dropped", &nd, &m->dropped));
  PetscCall(VitH5Close(&h5));
  PetscCheck(nf == ds->n && (!has_dropped || nd == ds->t), comm, PETSC_ERR_USER_INPUT, "%s: /model/row_fold has %" PetscInt_FMT " rows (dataset: %" PetscInt_FMT ")%s", path, nf, ds->n, has_dropped && nd != ds->t ? " and /model/metrics/dropped the wrong length" : "");
  PetscFunctionReturn(0);
}

/* The split of the first model: the rows `fit` held out (/model/row_fold < 0, by -fit_test_fraction
   or -fit_test_samples) and the others. The other models must have the same (CheckSameSplit). */
static PetscErrorCode SplitRead(MPI_Comm comm, const char model_path[], PetscInt n, Split *sp)
{
  VitH5     h5;
  PetscInt  nf, *row_fold;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, model_path, &h5));
  PetscCall(VitH5ReadInt(&h5, "/model/row_fold", &nf, &row_fold));
  PetscCall(VitH5Close(&h5));
  PetscCheck(nf == n, comm, PETSC_ERR_USER_INPUT, "%s: /model/row_fold has %" PetscInt_FMT " rows (dataset: %" PetscInt_FMT ")", model_path, nf, n);
  sp->ntest = 0;
  for (PetscInt i = 0; i < n; i++) sp->ntest += row_fold[i] < 0;
  sp->ntrain = n - sp->ntest;
  PetscCheck(sp->ntest >= 2, comm, PETSC_ERR_USER_INPUT, "%s: fit held out %" PetscInt_FMT " of %" PetscInt_FMT " samples (-fit_test_fraction or -fit_test_samples); the evaluation needs at least 2", model_path, sp->ntest, n);
  PetscCall(PetscMalloc2(sp->ntest, &sp->test_rows, sp->ntrain, &sp->train_rows));
  sp->ntest = sp->ntrain = 0;
  for (PetscInt i = 0; i < n; i++) {
    if (row_fold[i] < 0) sp->test_rows[sp->ntest++] = i;
    else sp->train_rows[sp->ntrain++] = i;
  }
  PetscCall(PetscFree(row_fold));
  PetscFunctionReturn(0);
}

static PetscErrorCode SplitDestroy(Split *sp)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(sp->test_rows, sp->train_rows));
  PetscFunctionReturn(0);
}

/* Every model must hold out the rows of the first (split_path): all are scored on the same samples. */
static PetscErrorCode CheckSameSplit(MPI_Comm comm, const char model_path[], const char split_path[], const Model *m, const Split *sp)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < sp->ntest; i++) PetscCheck(m->row_fold[sp->test_rows[i]] < 0, comm, PETSC_ERR_USER_INPUT, "%s: row %" PetscInt_FMT " is a training row, but %s held it out: the models were fitted with different splits; refit them (-pipeline_force)", model_path, sp->test_rows[i], split_path);
  for (PetscInt i = 0; i < sp->ntrain; i++) PetscCheck(m->row_fold[sp->train_rows[i]] >= 0, comm, PETSC_ERR_USER_INPUT, "%s: row %" PetscInt_FMT " is held out, but is a training row of %s: the models were fitted with different splits; refit them (-pipeline_force)", model_path, sp->train_rows[i], split_path);
  PetscFunctionReturn(0);
}

static PetscErrorCode ModelDestroy(Model *m)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(m->W));
  PetscCall(PetscFree(m->b));
  PetscCall(PetscFree(m->dropped));
  PetscCall(PetscFree(m->row_fold));
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

/* R^2 = 1 - SSE/SST (scikit-learn's r2_score: 1 for a perfect fit, 0 for the mean predictor, and
   for constant truth 1 when predicted exactly, else 0). */
static PetscReal R2(PetscReal sse, PetscReal sst)
{
  return sst > 0 ? 1 - sse / sst : NAN; /* undefined where the values do not vary */
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

/* A target that fit dropped, or (older model files) constant over the training rows up to the
   rounding of its mean: fitting it is trivial and an R^2 of it meaningless (SST ~ 0). */
static PetscBool TrivialTarget(const Dataset *ds, const Model *m, const Split *sp, PetscInt k)
{
  PetscReal mean = 0, sst = 0, tol;

  if (m->dropped) return (PetscBool)(m->dropped[k] != 0);
  for (PetscInt i = 0; i < sp->ntrain; i++) mean += ds->Y[sp->train_rows[i] * ds->t + k] / sp->ntrain;
  for (PetscInt i = 0; i < sp->ntrain; i++) sst += PetscSqr(ds->Y[sp->train_rows[i] * ds->t + k] - mean);
  tol = 1e-12 * PetscAbsReal(mean);
  return (PetscBool)(sst <= sp->ntrain * tol * tol);
}

/* Targets of one model whose held-out values barely vary (sum of squares below 1e-6 of the
   largest among the model's targets, e.g. VDOS bins beyond the held-out samples' band edge):
   their R^2 = 1 - SSE/SST is undefined (-1e38 for SST ~ 1e-40), as in fit. */
static PetscErrorCode FlatTargets(PetscInt ntest, PetscInt t, const PetscReal *ytrue, const PetscReal *ypred, PetscBool flat[])
{
  PetscReal *sse, *sst, *sae, max_sst = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(t, &sse, t, &sst, t, &sae));
  ErrorSums(ntest, t, ytrue, ypred, sse, sst, sae);
  for (PetscInt k = 0; k < t; k++) max_sst = PetscMax(max_sst, sst[k]);
  for (PetscInt k = 0; k < t; k++) flat[k] = (PetscBool)(sst[k] <= 1e-6 * max_sst);
  PetscCall(PetscFree3(sse, sst, sae));
  PetscFunctionReturn(0);
}

/* Evaluate model m into its columns of ev: held-out truth and predictions, metrics. */
static PetscErrorCode EvaluateModel(MPI_Comm comm, PetscInt m, const char data_path[], const char model_path[], const char split_path[], const Split *sp, Evaluation *ev)
{
  Dataset    ds;
  Model      model;
  PetscInt   off = ev->offset[m], t;
  PetscReal *ytrue, *ypred, *ytrain, *ptrain, *r2, *rmse, *mae, *r2_train;
  PetscBool *flat;

  PetscFunctionBeginUser;
  PetscCall(VitPipelineDatasetRead(comm, data_path, &ds));
  t = ds.t;
  PetscCheck(t == ev->offset[m + 1] - off, comm, PETSC_ERR_PLIB, "%s: %" PetscInt_FMT " targets, expected %" PetscInt_FMT, data_path, t, ev->offset[m + 1] - off);
  PetscCall(ModelRead(comm, model_path, &ds, &model));
  PetscCall(CheckSameSplit(comm, model_path, split_path, &model, sp));
  PetscCall(PetscMalloc4(sp->ntest * t, &ytrue, sp->ntest * t, &ypred, sp->ntrain * t, &ytrain, sp->ntrain * t, &ptrain));
  PetscCall(PetscMalloc4(t, &r2, t, &rmse, t, &mae, t, &r2_train));
  PetscCall(PetscMalloc1(t, &flat));
  PetscCall(Metrics(&ds, &model, sp->ntest, sp->test_rows, ytrue, ypred, r2, rmse, mae));
  PetscCall(Metrics(&ds, &model, sp->ntrain, sp->train_rows, ytrain, ptrain, r2_train, NULL, NULL));
  PetscCall(FlatTargets(sp->ntest, t, ytrue, ypred, flat));
  for (PetscInt k = 0; k < t; k++) {
    ev->trivial[off + k] = TrivialTarget(&ds, &model, sp, k) ? VIT_TARGET_TRIVIAL : flat[k] ? VIT_TARGET_FLAT : 0;
    if (ev->trivial[off + k] == VIT_TARGET_TRIVIAL) r2[k] = r2_train[k] = NAN;
    if (ev->trivial[off + k] == VIT_TARGET_FLAT) r2[k] = NAN;
    for (PetscInt i = 0; i < sp->ntest; i++) {
      ev->ytrue[i * ev->T + off + k] = ytrue[i * t + k];
      ev->ypred[i * ev->T + off + k] = ypred[i * t + k];
    }
    ev->r2[off + k]       = r2[k];
    ev->rmse[off + k]     = rmse[k];
    ev->mae[off + k]      = mae[k];
    ev->r2_train[off + k] = r2_train[k];
    ev->model_of[off + k] = m;
    PetscCall(PetscStrallocpy(ds.target_names[k], &ev->names[off + k]));
  }
  PetscCall(PetscFree4(r2, rmse, mae, r2_train));
  PetscCall(PetscFree4(ytrue, ypred, ytrain, ptrain));
  PetscCall(PetscFree(flat));
  PetscCall(ModelDestroy(&model));
  PetscCall(VitPipelineDatasetDestroy(&ds));
  PetscFunctionReturn(0);
}

/* Column offsets of the models (from the shapes of their Y) and the sample names of the rows. */
static PetscErrorCode EvaluationCreate(MPI_Comm comm, PetscInt nmodels, char *const data_paths[], PetscInt ntest, Evaluation *ev)
{
  PetscFunctionBeginUser;
  PetscCheck(nmodels > 0 && nmodels <= VIT_PIPELINE_MAX_MODELS, comm, PETSC_ERR_USER_INPUT, "-pipeline_models: give 1 to %d models", VIT_PIPELINE_MAX_MODELS);
  ev->nmodels   = nmodels;
  ev->offset[0] = 0;
  for (PetscInt m = 0; m < nmodels; m++) {
    VitH5   h5;
    hsize_t dims[2] = {0, 1};
    int     ndims;
    PetscCall(VitH5OpenRead(comm, data_paths[m], &h5));
    PetscCall(VitH5GetDims(&h5, "/dataset/Y", &ndims, dims));
    PetscCall(VitH5Close(&h5));
    ev->offset[m + 1] = ev->offset[m] + (ndims > 1 ? (PetscInt)dims[1] : 1);
  }
  ev->T = ev->offset[nmodels];
  PetscCall(PetscMalloc2(ntest * ev->T, &ev->ytrue, ntest * ev->T, &ev->ypred));
  PetscCall(PetscMalloc4(ev->T, &ev->r2, ev->T, &ev->rmse, ev->T, &ev->mae, ev->T, &ev->r2_train));
  PetscCall(PetscMalloc3(ev->T, &ev->model_of, ev->T, &ev->names, ev->T, &ev->trivial));
  PetscFunctionReturn(0);
}

static PetscErrorCode EvaluationDestroy(Evaluation *ev)
{
  PetscFunctionBeginUser;
  for (PetscInt k = 0; k < ev->T; k++) PetscCall(PetscFree(ev->names[k]));
  PetscCall(PetscFree2(ev->ytrue, ev->ypred));
  PetscCall(PetscFree4(ev->r2, ev->rmse, ev->mae, ev->r2_train));
  PetscCall(PetscFree3(ev->model_of, ev->names, ev->trivial));
  PetscFunctionReturn(0);
}

static PetscErrorCode EvaluationWrite(MPI_Comm comm, const Evaluation *ev, const Split *sp, char *const model_names[], char *const sample_names[], const char out_path[])
{
  VitH5        h5;
  const char **names;
  hsize_t      dT[1] = {(hsize_t)ev->T}, dtest[2] = {(hsize_t)sp->ntest, (hsize_t)ev->T}, dtrain[1] = {(hsize_t)sp->ntrain};

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(sp->ntest, &names));
  for (PetscInt i = 0; i < sp->ntest; i++) names[i] = sample_names[sp->test_rows[i]];
  PetscCall(VitH5Create(comm, out_path, &h5));
  PetscCall(VitH5WriteStrings(&h5, "/evaluation/model_names", ev->nmodels, (const char *const *)model_names));
  PetscCall(VitH5WriteInt(&h5, "/evaluation/target_model", 1, dT, ev->model_of, "index in /evaluation/model_names"));
  PetscCall(VitH5WriteInt(&h5, "/evaluation/test_rows", 1, dtest, sp->test_rows, "row of /dataset"));
  PetscCall(VitH5WriteInt(&h5, "/evaluation/train_rows", 1, dtrain, sp->train_rows, "row of /dataset"));
  PetscCall(VitH5WriteStrings(&h5, "/evaluation/sample_names", sp->ntest, names));
  PetscCall(VitH5WriteStrings(&h5, "/evaluation/target_names", ev->T, (const char *const *)ev->names));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/y_true", 2, dtest, ev->ytrue, "units of the models' /dataset/Y"));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/y_pred", 2, dtest, ev->ypred, "units of the models' /dataset/Y"));
  PetscCall(VitH5WriteInt(&h5, "/evaluation/trivial", 1, dT, ev->trivial, "1: constant over the training rows, not scored (R^2 NaN); 2: held-out values barely vary, R^2 undefined (NaN), not scored; 0: scored"));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/r2", 1, dT, ev->r2, "1 (NaN: trivial target)"));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/rmse", 1, dT, ev->rmse, "units of the models' /dataset/Y"));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/mae", 1, dT, ev->mae, "units of the models' /dataset/Y"));
  PetscCall(VitH5WriteReal(&h5, "/evaluation/r2_train", 1, dT, ev->r2_train, "1"));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscFree(names));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineEvaluate(MPI_Comm comm, PetscInt nmodels, char *const model_names[], char *const data_paths[], char *const model_paths[], const char out_path[])
{
  VitH5      h5;
  PetscInt   n;
  char     **samples;
  Split      sp;
  Evaluation ev;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, data_paths[0], &h5));
  PetscCall(VitH5ReadStrings(&h5, "/dataset/sample_names", &n, &samples));
  PetscCall(VitH5Close(&h5));
  PetscCall(SplitRead(comm, model_paths[0], n, &sp));
  PetscCall(EvaluationCreate(comm, nmodels, data_paths, sp.ntest, &ev));
  for (PetscInt m = 0; m < nmodels; m++) PetscCall(EvaluateModel(comm, m, data_paths[m], model_paths[m], model_paths[0], &sp, &ev));
  PetscCall(EvaluationWrite(comm, &ev, &sp, model_names, samples, out_path));
  PetscCall(EvaluationDestroy(&ev));
  PetscCall(SplitDestroy(&sp));
  PetscCall(VitStringsFree(n, &samples));
  PetscFunctionReturn(0);
}

/* Over the group's scored targets (neither constant over the training rows nor flat over the held-out
   ones: /evaluation/trivial 0): pooled R^2 (1 - sum SSE / sum SST), the worst per-target R^2 and the
   mean training R^2; *scored: how many; *constant, *flat: how many of each kind are not scored. */
static PetscErrorCode GroupScores(PetscInt first, PetscInt count, PetscInt ntest, PetscInt t, const PetscReal *ytrue, const PetscReal *ypred, const PetscReal *r2_train, const PetscInt *trivial, PetscReal *pooled, PetscReal *worst, PetscReal *train, PetscInt *scored, PetscInt *constant, PetscInt *flat)
{
  PetscReal *sse, *sst, *sae, SSE = 0, SST = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc3(t, &sse, t, &sst, t, &sae));
  ErrorSums(ntest, t, ytrue, ypred, sse, sst, sae);

  *worst    = PETSC_MAX_REAL;
  *train    = 0;
  *scored   = 0;
  *constant = 0;
  *flat     = 0;
  for (PetscInt k = first; k < first + count; k++) {
    if (trivial[k] == VIT_TARGET_TRIVIAL) (*constant)++;
    if (trivial[k] == VIT_TARGET_FLAT) (*flat)++;
    if (trivial[k]) continue;
    SSE += sse[k];
    SST += sst[k];
    *worst = PetscMin(*worst, R2(sse[k], sst[k]));
    *train += r2_train[k];
    (*scored)++;
  }
  *pooled = R2(SSE, SST);
  if (*scored) *train /= *scored;
  PetscCall(PetscFree3(sse, sst, sae));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelinePrintTable(MPI_Comm comm, const char eval_path[])
{
  VitH5      h5;
  PetscInt   t, n, ntest, *trivial;
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
  PetscCall(VitH5ReadInt(&h5, "/evaluation/trivial", &n, &trivial));
  PetscCall(VitH5Close(&h5));

  PetscCall(PetscPrintf(comm, "\nHeld-out R^2 (%" PetscInt_FMT " test samples; 1 = perfect, 0 = predicting the mean; pooled = 1 - sum SSE / sum SST)\n", ntest));
  PetscCall(PetscPrintf(comm, "  %-28s %8s %10s %10s %10s\n", "target", "bins", "R^2 test", "worst bin", "R^2 train"));
  for (PetscInt k = 0; k < t;) {
    char      group[64], other[64];
    PetscInt  count = 1, scored = 0, constant = 0, flat = 0;
    PetscReal pooled = 0, worst = 0, train = 0;
    VitPipelineTargetGroup(names[k], group, sizeof(group));
    while (k + count < t && (VitPipelineTargetGroup(names[k + count], other, sizeof(other)), !strcmp(group, other))) count++;
    PetscCall(GroupScores(k, count, ntest, t, ytrue, ypred, r2_train, trivial, &pooled, &worst, &train, &scored, &constant, &flat));
    if (!scored) PetscCall(PetscPrintf(comm, "  %-28s %8" PetscInt_FMT "   %s: not scored\n", count > 1 ? group : names[k], count, constant == count ? "constant over the training samples: not fitted" : flat == count ? "flat over the held-out samples (R^2 undefined)" : "constant over the training or flat over the held-out samples"));
    else if (count > 1) PetscCall(PetscPrintf(comm, "  %-28s %8" PetscInt_FMT " %10.3f %10.3f %10.3f\n", group, scored, (double)pooled, (double)worst, (double)train));
    else PetscCall(PetscPrintf(comm, "  %-28s %8s %10.3f %10s %10.3f\n", names[k], "1", (double)pooled, "", (double)train));
    if (scored && constant) PetscCall(PetscPrintf(comm, "  %-28s %8" PetscInt_FMT " constant over the training samples (e.g. beyond the band edge): not scored\n", "", constant));
    if (scored && flat) PetscCall(PetscPrintf(comm, "  %-28s %8" PetscInt_FMT " flat over the held-out samples (R^2 undefined): not scored, not in the pooled R^2\n", "", flat));
    k += count;
  }
  /* R^2 = 1 - SSE/SST with SST from a handful of samples is dominated by how close they happen to lie */
  if (ntest < 5) PetscCall(PetscPrintf(comm, "vitrum: warning: only %" PetscInt_FMT " held-out samples: these R^2 measure little (their spread, the denominator, is a matter of which samples were drawn); use more samples or -fit_test_fraction\n", ntest));
  PetscCall(PetscFree(ytrue));
  PetscCall(PetscFree(ypred));
  PetscCall(PetscFree(r2_train));
  PetscCall(PetscFree(trivial));
  PetscCall(VitStringsFree(t, &names));
  PetscFunctionReturn(0);
}
