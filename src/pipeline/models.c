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

/* Width of the broadened VDOS targets, /dataset/vdos_sigma (0 when the dataset has none). */
static PetscErrorCode DatasetVdosSigma(MPI_Comm comm, const char path[], PetscReal *sigma)
{
  VitH5     h5;
  PetscBool has;

  PetscFunctionBeginUser;
  *sigma = 0;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(VitH5Exists(&h5, "/dataset/vdos_sigma", &has));
  if (has) PetscCall(VitH5ReadScalar(&h5, "/dataset/vdos_sigma", sigma));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* The reduced VDOS only above 3 sigma: below, D/omega^(d-1) of the broadened VDOS is the
   broadening of the lowest modes divided by omega^(d-1) -> infinity (as the boson search of
   features). Bins below are removed from Y (n x m, row-major) and names, with a note. */
static PetscErrorCode DropReducedBelow(MPI_Comm comm, const char path[], PetscInt n, PetscInt *m, PetscReal *Y, char **names)
{
  PetscReal sigma;
  PetscInt  keep = 0, m0 = *m;

  PetscFunctionBeginUser;
  PetscCall(DatasetVdosSigma(comm, path, &sigma));
  if (sigma <= 0) PetscFunctionReturn(0);
  for (PetscInt j = 0; j < m0; j++) {
    const char *at = strstr(names[j], "(omega=");
    double      w;
    PetscCheck(at && sscanf(at + 7, "%lf", &w) == 1, comm, PETSC_ERR_USER_INPUT, "%s: reduced VDOS target '%s' has no omega", path, names[j]);
    if (w < 3 * sigma) {
      PetscCall(PetscFree(names[j]));
      continue;
    }
    for (PetscInt i = 0; i < n; i++) Y[i * m0 + keep] = Y[i * m0 + j];
    names[keep++] = names[j];
  }
  for (PetscInt i = 1; i < n; i++) /* rows were m0 apart: close them up to keep apart */
    for (PetscInt j = 0; j < keep; j++) Y[i * keep + j] = Y[i * m0 + j];
  *m = keep;
  PetscCheck(keep > 0, comm, PETSC_ERR_USER_INPUT, "%s: every bin of the reduced VDOS lies below 3 sigma = %.6g of the broadened targets: lower -vdos_sigma or drop the model " VIT_PIPELINE_REDUCED, path, (double)(3 * sigma));
  if (keep < m0) PetscCall(PetscPrintf(comm, "pipeline: note: " VIT_PIPELINE_REDUCED " leaves out its %" PetscInt_FMT " bins below 3 sigma = %.4g (sigma of the VDOS targets): there D/omega^(d-1) is the broadening of the lowest modes, not a density\n", m0 - keep, (double)(3 * sigma)));
  PetscFunctionReturn(0);
}

/* Columns of the model's targets: group `model`, or for VIT_PIPELINE_REDUCED and
   VIT_PIPELINE_CUMULATIVE the VDOS columns "D(omega=w)". Error listing the groups present when none matches. */
static PetscErrorCode SelectColumns(MPI_Comm comm, const char path[], const VitPipelineDataset *ds, const char model[], PetscInt *m, PetscInt cols[])
{
  const char *want = strcmp(model, VIT_PIPELINE_REDUCED) && strcmp(model, VIT_PIPELINE_CUMULATIVE) ? model : "D";
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

/* Replace the rebinned VDOS Y (n x m) by its running integral N_j = sum_{i<=j} Y_i h, h the spacing of
   the rebinned centres, and name the targets "Dcum(omega=upper edge)". The last value is the
   normalisation (1 in every sample) and is dropped: m becomes m - 1 (Y is compacted in place). */
static PetscErrorCode CumulativeTargets(MPI_Comm comm, const char path[], PetscInt n, PetscInt *m, PetscReal *Y, char **names)
{
  const PetscInt mc = *m - 1;
  double         w0, w1, h;

  PetscFunctionBeginUser;
  PetscCheck(*m >= 2, comm, PETSC_ERR_USER_INPUT, "-pipeline_models " VIT_PIPELINE_CUMULATIVE ": %s gives only %" PetscInt_FMT " VDOS bin after rebinning", path, *m);
  PetscCheck(sscanf(names[0], VIT_PIPELINE_CUMULATIVE "(omega=%lf)", &w0) == 1 && sscanf(names[1], VIT_PIPELINE_CUMULATIVE "(omega=%lf)", &w1) == 1, comm, PETSC_ERR_PLIB, "unexpected target names %s, %s", names[0], names[1]);
  h = w1 - w0;
  for (PetscInt i = 0; i < n; i++) {
    PetscReal sum = 0;
    for (PetscInt j = 0; j < mc; j++) {
      sum += Y[i * *m + j] * h;
      Y[i * mc + j] = sum; /* i mc + j <= i m + j: reads stay ahead of writes */
    }
  }
  for (PetscInt j = 0; j < *m; j++) {
    char name[64];
    PetscCall(PetscFree(names[j]));
    if (j == mc) continue;
    PetscCall(PetscSNPrintf(name, sizeof(name), VIT_PIPELINE_CUMULATIVE "(omega=%.10g)", w0 + (j + 0.5) * h));
    PetscCall(PetscStrallocpy(name, &names[j]));
  }
  *m = mc;
  PetscFunctionReturn(0);
}

/* Targets of the VIT_PIPELINE_COUNTS model: the exact counts of modes below each omega of
   /spectrum/counts (inertia; -spectrum_count_omega) from every sample's cached spectrum output,
   named "Ncount(omega=w)". Allocates Y (n x m) and names (m) with PetscMalloc2. */
static PetscErrorCode CountTargets(MPI_Comm comm, const char cache[], const VitPipelineDataset *ds, PetscInt *m, PetscReal **Y, char ***names)
{
  PetscReal *omega = NULL;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < ds->n; i++) {
    char        path[PETSC_MAX_PATH_LEN];
    const char *base = strrchr(ds->sample_names[i], '/') ? strrchr(ds->sample_names[i], '/') + 1 : ds->sample_names[i];
    VitH5       h5;
    PetscBool   has;
    PetscInt    nc;
    PetscReal  *count;

    PetscCall(PetscSNPrintf(path, sizeof(path), "%s/%s.spectrum.h5", cache, base));
    PetscCall(VitH5OpenRead(comm, path, &h5));
    PetscCall(VitH5Exists(&h5, "/spectrum/counts/exact", &has));
    PetscCheck(has, comm, PETSC_ERR_USER_INPUT, "-pipeline_models " VIT_PIPELINE_COUNTS ": %s has no /spectrum/counts/exact (needs -spectrum_inertia and -spectrum_count_omega)", path);
    PetscCall(VitH5ReadReal(&h5, "/spectrum/counts/exact", &nc, &count));
    if (!i) {
      PetscInt nw;
      PetscCall(VitH5ReadReal(&h5, "/spectrum/counts/omega", &nw, &omega));
      PetscCheck(nw == nc, comm, PETSC_ERR_USER_INPUT, "%s: /spectrum/counts/omega and exact differ in length", path);
      *m = nc;
      PetscCall(PetscMalloc2(ds->n * nc, Y, nc, names));
      for (PetscInt j = 0; j < nc; j++) {
        char name[64];
        PetscCall(PetscSNPrintf(name, sizeof(name), VIT_PIPELINE_COUNTS "(omega=%.10g)", (double)omega[j]));
        PetscCall(PetscStrallocpy(name, &(*names)[j]));
      }
    }
    PetscCheck(nc == *m, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " mode counts, the first sample has %" PetscInt_FMT, path, nc, *m);
    for (PetscInt j = 0; j < nc; j++) (*Y)[i * nc + j] = count[j];
    PetscCall(PetscFree(count));
    PetscCall(VitH5Close(&h5));
  }
  PetscCall(PetscFree(omega));
  PetscFunctionReturn(0);
}

/* Targets of the model, n x m (row-major) with their names. Scalar or other groups: the columns as
   they are. VDOS models (D, Dred): every `rebin` consecutive bins averaged into one bin at their
   mean omega; Dred averages D(omega)/omega^(d-1) of the fine bins; Dcum is the fraction of modes
   below the upper edge of each bin, N(omega_j + h/2) = sum_{i<=j} D_i h (h: the rebinned width),
   which self-averages better than single bins (counts of many modes). */
static PetscErrorCode ModelTargets(MPI_Comm comm, const char path[], const VitPipelineDataset *ds, const char model[], PetscInt rebin, PetscInt *m, PetscReal *Y, char **names)
{
  const PetscBool reduced = strcmp(model, VIT_PIPELINE_REDUCED) ? PETSC_FALSE : PETSC_TRUE;
  const PetscBool cumul   = strcmp(model, VIT_PIPELINE_CUMULATIVE) ? PETSC_FALSE : PETSC_TRUE;
  const PetscBool vdos    = reduced || cumul || !strcmp(model, "D") ? PETSC_TRUE : PETSC_FALSE;
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
  if (cumul) PetscCall(CumulativeTargets(comm, path, ds->n, m, Y, names));
  if (reduced) PetscCall(DropReducedBelow(comm, path, ds->n, m, Y, names));
  PetscCall(PetscFree(cols));
  PetscFunctionReturn(0);
}

PetscErrorCode VitPipelineWriteModelDataset(MPI_Comm comm, const char data_path[], const char model[], PetscInt rebin, const char cache[], const char out_path[])
{
  VitPipelineDataset ds;
  VitH5              h5;
  PetscInt           m = 0;
  PetscReal         *Y;
  char             **names;

  PetscFunctionBeginUser;
  PetscCall(VitPipelineDatasetRead(comm, data_path, &ds));
  PetscCall(PetscMalloc2(ds.n * ds.t, &Y, ds.t, &names));
  if (!strcmp(model, VIT_PIPELINE_COUNTS)) {
    PetscCall(PetscFree2(Y, names));
    PetscCall(CountTargets(comm, cache, &ds, &m, &Y, &names));
  } else PetscCall(ModelTargets(comm, data_path, &ds, model, rebin, &m, Y, names));
  PetscCall(VitH5Create(comm, out_path, &h5));
  { /* everything features wrote (X, the names, the rdf grid, the structure, ...) but the targets */
    static const char *const targets[] = {"Y", "target_names"};
    hsize_t                  dy[2]     = {(hsize_t)ds.n, (hsize_t)m};
    VitH5                    in;
    PetscCall(VitH5OpenRead(comm, data_path, &in));
    PetscCall(VitH5CopyGroup(&in, &h5, "/dataset", 2, targets));
    PetscCall(VitH5Close(&in));
    PetscCall(VitH5WriteReal(&h5, "/dataset/Y", 2, dy, Y, !strcmp(model, VIT_PIPELINE_REDUCED) ? "1/omega^d" : !strcmp(model, VIT_PIPELINE_CUMULATIVE) ? "1 (fraction of modes)" : !strcmp(model, VIT_PIPELINE_COUNTS) ? "modes" : "target"));
    PetscCall(VitH5WriteStrings(&h5, "/dataset/target_names", m, (const char *const *)names));
  }
  PetscCall(VitH5Close(&h5));
  for (PetscInt j = 0; j < m; j++) PetscCall(PetscFree(names[j]));
  PetscCall(PetscFree2(Y, names));
  PetscCall(VitPipelineDatasetDestroy(&ds));
  PetscFunctionReturn(0);
}
