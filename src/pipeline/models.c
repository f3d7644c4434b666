/* Per-model datasets: the features of the pipeline's dataset with the targets of one model. */
#include "pipeline.h"

/* Shape of a 2-D dataset (a 1-D one is one column). */
static PetscErrorCode Dims2(VitH5 *h5, const char name[], hsize_t dims[2])
{
  int ndims;

  PetscFunctionBeginUser;
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  if (ndims == 1) dims[1] = 1;
  PetscCheck(ndims <= 2, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has %d dimensions, expected 2", h5->path, name, ndims);
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineDatasetRead(MPI_Comm comm, const char path[], VitPipelineDataset *ds)
{
  VitH5    h5;
  hsize_t  xd[2], yd[2];
  PetscInt nx, ny, ns, nt, nf;

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
  PetscCall(VitH5ReadStrings(&h5, "/dataset/feature_names", &nf, &ds->feature_names));
  PetscCall(VitH5ReadStrings(&h5, "/dataset/target_names", &nt, &ds->target_names));
  PetscCheck(ns == ds->n && nf == ds->p && nt == ds->t, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " sample, %" PetscInt_FMT " feature and %" PetscInt_FMT " target names for a %" PetscInt_FMT " x %" PetscInt_FMT " X and %" PetscInt_FMT " targets", path, ns, nf, nt, ds->n, ds->p, ds->t);
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineDatasetDestroy(VitPipelineDataset *ds)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(ds->X));
  PetscCall(PetscFree(ds->Y));
  PetscCall(VitStringsFree(ds->n, &ds->sample_names));
  PetscCall(VitStringsFree(ds->p, &ds->feature_names));
  PetscCall(VitStringsFree(ds->t, &ds->target_names));
  PetscFunctionReturn(0);
}

void VitPipelineTargetGroup(const char name[], char group[], size_t len)
{
  size_t k = 0;

  while (name[k] && name[k] != '(' && k + 1 < len) {
    group[k] = name[k];
    k++;
  }
  group[k] = 0;
}

/* Dimension of the samples, from /dataset/structure/dim (written by features). */
static PetscErrorCode DatasetDimension(MPI_Comm comm, const char path[], PetscInt *dim)
{
  VitH5      h5;
  PetscBool  has;
  PetscInt   n;
  PetscReal *value;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5Exists(&h5, "/dataset/structure/dim", &has));
  PetscCheck(has, comm, PETSC_ERR_USER_INPUT, "%s: no /dataset/structure/dim, needed for the reduced VDOS model " VIT_PIPELINE_REDUCED, path);
  PetscCall(VitH5ReadReal(&h5, "/dataset/structure/dim", &n, &value));
  *dim = (PetscInt)value[0];
  PetscCall(PetscFree(value));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* Copy the optional datasets that fit reads besides X, Y and the names. */
static PetscErrorCode CopyExtras(MPI_Comm comm, const char in_path[], VitH5 *out)
{
  static const char *const reals[] = {"/dataset/feature_smooth", "/dataset/structure/dim", "/dataset/structure/density", "/dataset/structure/type_fraction"};
  VitH5                    in;
  PetscBool                has;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, in_path, &in));
  for (size_t k = 0; k < sizeof(reals) / sizeof(reals[0]); k++) {
    PetscInt   n;
    PetscReal *v;
    hsize_t    dims[1];
    PetscCall(VitH5Exists(&in, reals[k], &has));
    if (!has) continue;
    PetscCall(VitH5ReadReal(&in, reals[k], &n, &v));
    dims[0] = (hsize_t)n;
    if (strstr(reals[k], "type_fraction")) PetscCall(VitH5WriteReal(out, reals[k], 1, dims, v, "1"));
    else PetscCall(VitH5WriteScalar(out, reals[k], v[0], strstr(reals[k], "density") ? "1/length^d" : strstr(reals[k], "smooth") ? "length" : "1"));
    PetscCall(PetscFree(v));
  }
  PetscCall(VitH5Exists(&in, "/dataset/structure/type_names", &has));
  if (has) {
    PetscInt n;
    char   **names;
    PetscCall(VitH5ReadStrings(&in, "/dataset/structure/type_names", &n, &names));
    PetscCall(VitH5WriteStrings(out, "/dataset/structure/type_names", n, (const char *const *)names));
    PetscCall(VitStringsFree(n, &names));
  }
  PetscCall(VitH5Close(&in));
  PetscFunctionReturn(0);
}

/* Columns of the model's targets: group `model`, or for VIT_PIPELINE_REDUCED the VDOS columns
   "D(omega=w)". Error listing the groups present when none matches. */
static PetscErrorCode SelectColumns(MPI_Comm comm, const char path[], const VitPipelineDataset *ds, const char model[], PetscInt *m, PetscInt cols[])
{
  const char *want = strcmp(model, VIT_PIPELINE_REDUCED) ? model : "D";
  char        group[128], present[1024] = "", last[128] = "";

  PetscFunctionBeginUser;
  *m = 0;
  for (PetscInt k = 0; k < ds->t; k++) {
    VitPipelineTargetGroup(ds->target_names[k], group, sizeof(group));
    if (!strcmp(group, want)) cols[(*m)++] = k;
    if (strcmp(group, last) && strlen(present) + strlen(group) + 3 < sizeof(present)) {
      PetscCall(PetscStrlcat(present, present[0] ? ", " : "", sizeof(present)));
      PetscCall(PetscStrlcat(present, group, sizeof(present)));
      PetscCall(PetscStrncpy(last, group, sizeof(last)));
    }
  }
  PetscCheck(*m > 0, comm, PETSC_ERR_USER_INPUT, "-pipeline_models %s: %s has no target '%s' (its targets: %s)", model, path, want, present);
  PetscFunctionReturn(0);
}

/* Omega of a VDOS target name "D(omega=w)". */
static PetscErrorCode VdosOmega(MPI_Comm comm, const char path[], const char name[], PetscReal *omega)
{
  double w;

  PetscFunctionBeginUser;
  PetscCheck(sscanf(name, "D(omega=%lf)", &w) == 1 && w > 0, comm, PETSC_ERR_USER_INPUT, "%s: VDOS target '%s' has no positive omega", path, name);
  *omega = (PetscReal)w;
  PetscFunctionReturn(0);
}

/* Targets of the model, n x m (row-major) with their names. Scalar or other groups: the columns as
   they are. VDOS models (D, Dred): every `rebin` consecutive bins averaged into one bin at their
   mean omega; Dred averages D(omega)/omega^(d-1) of the fine bins. */
static PetscErrorCode ModelTargets(MPI_Comm comm, const char path[], const VitPipelineDataset *ds, const char model[], PetscInt rebin, PetscInt *m, PetscReal *Y, char **names)
{
  const PetscBool reduced = strcmp(model, VIT_PIPELINE_REDUCED) ? PETSC_FALSE : PETSC_TRUE;
  const PetscBool vdos    = reduced || !strcmp(model, "D") ? PETSC_TRUE : PETSC_FALSE;
  PetscInt        ncols, *cols, dim = 1, k = vdos ? rebin : 1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(ds->t, &cols));
  PetscCall(SelectColumns(comm, path, ds, model, &ncols, cols));
  if (reduced) PetscCall(DatasetDimension(comm, path, &dim));
  PetscCheck(ncols % k == 0, comm, PETSC_ERR_USER_INPUT, "-pipeline_vdos_rebin %" PetscInt_FMT ": does not divide the %" PetscInt_FMT " VDOS bins of %s", k, ncols, path);
  *m = ncols / k;
  for (PetscInt j = 0; j < *m; j++) {
    PetscReal wsum = 0;
    for (PetscInt i = 0; i < ds->n; i++) Y[i * *m + j] = 0;
    for (PetscInt q = j * k; q < (j + 1) * k; q++) {
      PetscReal w = 1;
      if (vdos) PetscCall(VdosOmega(comm, path, ds->target_names[cols[q]], &w));
      wsum += w / k;
      for (PetscInt i = 0; i < ds->n; i++) Y[i * *m + j] += ds->Y[i * ds->t + cols[q]] / (k * PetscPowReal(w, (PetscReal)(dim - 1)));
    }
    if (vdos) {
      char name[64];
      PetscCall(PetscSNPrintf(name, sizeof(name), "%s(omega=%.10g)", model, (double)wsum));
      PetscCall(PetscStrallocpy(name, &names[j]));
    } else PetscCall(PetscStrallocpy(ds->target_names[cols[j]], &names[j]));
  }
  PetscCall(PetscFree(cols));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineWriteModelDataset(MPI_Comm comm, const char data_path[], const char model[], PetscInt rebin, const char out_path[])
{
  VitPipelineDataset ds;
  VitH5              h5;
  PetscInt           m = 0;
  PetscReal         *Y;
  char             **names;

  PetscFunctionBeginUser;
  PetscCall(VitPipelineDatasetRead(comm, data_path, &ds));
  PetscCall(PetscMalloc2(ds.n * ds.t, &Y, ds.t, &names));
  PetscCall(ModelTargets(comm, data_path, &ds, model, rebin, &m, Y, names));
  PetscCall(VitH5Create(comm, out_path, &h5));
  {
    hsize_t dx[2] = {(hsize_t)ds.n, (hsize_t)ds.p}, dy[2] = {(hsize_t)ds.n, (hsize_t)m};
    PetscCall(VitH5WriteReal(&h5, "/dataset/X", 2, dx, ds.X, "1 (features of the pipeline dataset)"));
    PetscCall(VitH5WriteReal(&h5, "/dataset/Y", 2, dy, Y, strcmp(model, VIT_PIPELINE_REDUCED) ? "target" : "1/omega^d"));
    PetscCall(VitH5WriteStrings(&h5, "/dataset/feature_names", ds.p, (const char *const *)ds.feature_names));
    PetscCall(VitH5WriteStrings(&h5, "/dataset/target_names", m, (const char *const *)names));
    PetscCall(VitH5WriteStrings(&h5, "/dataset/sample_names", ds.n, (const char *const *)ds.sample_names));
  }
  PetscCall(CopyExtras(comm, data_path, &h5));
  PetscCall(VitH5Close(&h5));
  for (PetscInt j = 0; j < m; j++) PetscCall(PetscFree(names[j]));
  PetscCall(PetscFree2(Y, names));
  PetscCall(VitPipelineDatasetDestroy(&ds));
  PetscFunctionReturn(0);
}
