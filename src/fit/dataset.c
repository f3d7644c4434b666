/* Reading a dataset (/dataset/X, Y, names) with rows distributed over the ranks, and its checks. */
#include <vitrum/fit.h>
#include <vitrum/h5io.h>

/* Rows of a 1-D or 2-D dataset, and its column count (1 for 1-D). */
static PetscErrorCode MatrixShape(VitH5 *h5, const char name[], PetscInt *rows, PetscInt *cols)
{
  int     ndims;
  hsize_t dims[4];

  PetscFunctionBeginUser;
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  PetscCheck(ndims == 1 || ndims == 2, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has %d dimensions, expected (rows, columns)", h5->path, name, ndims);
  *rows = (PetscInt)dims[0];
  *cols = ndims == 2 ? (PetscInt)dims[1] : 1;
  PetscFunctionReturn(0);
}

/* Names of rows or columns: read when present (count checked), else "prefix<index>". */
static PetscErrorCode ReadNames(VitH5 *h5, const char name[], PetscInt expected, const char prefix[], char ***names)
{
  PetscBool exists;
  PetscInt  n;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, name, &exists));
  if (!exists) {
    PetscCall(PetscMalloc1(expected + 1, names));
    for (PetscInt i = 0; i < expected; i++) {
      char buf[64];
      PetscCall(PetscSNPrintf(buf, sizeof(buf), "%s%" PetscInt_FMT, prefix, i));
      PetscCall(PetscStrallocpy(buf, &(*names)[i]));
    }
    PetscFunctionReturn(0);
  }
  PetscCall(VitH5ReadStrings(h5, name, &n, names));
  PetscCheck(n == expected, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " names, but the data have %" PetscInt_FMT, h5->path, name, n, expected);
  PetscFunctionReturn(0);
}

typedef struct {
  const char *name;
  PetscInt    index;
} NamedIndex;

static int CompareNamedIndex(const void *a, const void *b)
{
  const NamedIndex *x = (const NamedIndex *)a, *y = (const NamedIndex *)b;
  int               c = strcmp(x->name, y->name);
  return c ? c : (x->index > y->index) - (x->index < y->index);
}

PetscErrorCode VitNameFirstOccurrence(PetscInt n, char *const names[], PetscInt first[])
{
  NamedIndex *sorted;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &sorted));
  for (PetscInt i = 0; i < n; i++) sorted[i] = (NamedIndex){names[i], i};
  qsort(sorted, (size_t)n, sizeof(*sorted), CompareNamedIndex);
  for (PetscInt k = 0; k < n; k++) first[sorted[k].index] = k && !strcmp(sorted[k].name, sorted[k - 1].name) ? first[sorted[k - 1].index] : sorted[k].index;
  PetscCall(PetscFree(sorted));
  PetscFunctionReturn(0);
}

/* A name given to two columns would make one quantity two models (a dataset merged by hand):
   refused, naming the first repeated name and its columns. */
static PetscErrorCode CheckNamesDistinct(VitH5 *h5, const char what[], PetscInt n, char *const names[])
{
  PetscInt *first, repeat = -1;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(n + 1, &first));
  PetscCall(VitNameFirstOccurrence(n, names, first));
  for (PetscInt i = 0; i < n && repeat < 0; i++)
    if (first[i] != i) repeat = i;
  PetscCheck(repeat < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/%s names '%s' twice (columns %" PetscInt_FMT " and %" PetscInt_FMT "): one quantity would get two models; keep one column of each name", h5->path, what, repeat < 0 ? "" : names[repeat], repeat < 0 ? 0 : first[repeat], repeat);
  PetscCall(PetscFree(first));
  PetscFunctionReturn(0);
}

/* The first row (global index) holding a non-finite value, over all ranks; -1 if none. */
static PetscErrorCode FirstNonFinite(MPI_Comm comm, PetscInt nlocal, PetscInt ncols, PetscInt row_start, const PetscReal *A, PetscInt *row, PetscInt *col)
{
  PetscInt local[2] = {PETSC_MAX_INT, 0}, best = PETSC_MAX_INT;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nlocal * ncols; i++)
    if (PetscIsInfOrNanReal(A[i])) {
      local[0] = row_start + i / ncols;
      local[1] = i % ncols;
      break;
    }
  PetscCall(MPIU_Allreduce(&local[0], &best, 1, MPIU_INT, MPI_MIN, comm));
  *row = best == PETSC_MAX_INT ? -1 : best;
  if (local[0] != best) local[1] = PETSC_MAX_INT;
  PetscCall(MPIU_Allreduce(&local[1], col, 1, MPIU_INT, MPI_MIN, comm));
  PetscFunctionReturn(0);
}

static PetscErrorCode CheckFinite(const VitDataset *ds, MPI_Comm comm, const char what[], PetscInt ncols, const PetscReal *A, char *const colnames[])
{
  PetscInt row, col;

  PetscFunctionBeginUser;
  PetscCall(FirstNonFinite(comm, ds->nlocal, ncols, ds->row_start, A, &row, &col));
  PetscCheck(row < 0, comm, PETSC_ERR_USER_INPUT, "%s: /dataset/%s row %" PetscInt_FMT " (sample '%s'), column '%s' is not a finite number (NaN or Inf)", ds->path, what, row, ds->sample_names[row], colnames[col]);
  PetscFunctionReturn(0);
}

/* /dataset/structure: dim, density (its units_style attribute optional), type_fraction, type_names
   (optional); density_range and natoms (optional, older datasets lack them: unknown, 0); type_mass and the pair potential on the feature grid pair_table (optional:
   features writes them for a pair -potential). */
static PetscErrorCode ReadStructure(VitH5 *h5, VitDataset *ds)
{
  PetscInt   n, nt;
  PetscReal *dim, *density, *fraction;
  char     **names;
  PetscBool  has_natoms;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/dataset/structure/type_fraction", &ds->has_structure));
  if (!ds->has_structure) PetscFunctionReturn(0);
  PetscCall(VitH5ReadReal(h5, "/dataset/structure/dim", &n, &dim));
  PetscCall(VitH5ReadReal(h5, "/dataset/structure/density", &n, &density));
  PetscCall(VitH5ReadReal(h5, "/dataset/structure/type_fraction", &nt, &fraction));
  PetscCall(VitH5ReadStrings(h5, "/dataset/structure/type_names", &n, &names));
  PetscCheck(n == nt && nt <= VIT_MAX_TYPES, h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure has %" PetscInt_FMT " type names and %" PetscInt_FMT " fractions", h5->path, n, nt);
  ds->dim              = (PetscInt)dim[0];
  ds->density          = density[0];
  {
    char *style;
    PetscCall(VitH5ReadAttrString(h5, "/dataset/structure/density", "units_style", &style));
    if (style) PetscCall(PetscStrncpy(ds->units_style, style, sizeof(ds->units_style)));
    PetscCall(PetscFree(style));
  }
  {
    PetscBool has_range;
    PetscCall(VitH5Exists(h5, "/dataset/structure/density_range", &has_range));
    if (has_range) {
      PetscReal *range;
      PetscCall(VitH5ReadReal(h5, "/dataset/structure/density_range", &n, &range));
      PetscCheck(n == 2 && range[0] > 0 && range[0] <= range[1], h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure/density_range must hold the smallest and largest density, positive", h5->path);
      ds->density_range[0] = range[0];
      ds->density_range[1] = range[1];
      PetscCall(PetscFree(range));
    } else PetscCall(PetscPrintf(h5->comm, "fit: note: %s has no /dataset/structure/density_range (an older dataset): the model records none, so predict cannot refuse a sample of another density (unit system or material)\n", h5->path));
  }
  PetscCall(VitH5Exists(h5, "/dataset/structure/natoms", &has_natoms));
  if (has_natoms) {
    PetscReal *natoms;
    PetscCall(VitH5ReadReal(h5, "/dataset/structure/natoms", &n, &natoms));
    ds->natoms = natoms[0];
    PetscCall(PetscFree(natoms));
  }
  ds->ntypes  = nt;
  for (PetscInt a = 0; a < nt; a++) {
    ds->type_fraction[a] = fraction[a];
    PetscCall(PetscStrncpy(ds->type_names[a], names[a], VIT_NAME_LEN));
  }
  PetscCall(VitH5Exists(h5, "/dataset/structure/type_mass", &ds->has_masses));
  if (ds->has_masses) {
    PetscReal *mass;
    PetscInt   nm;
    PetscCall(VitH5ReadReal(h5, "/dataset/structure/type_mass", &nm, &mass));
    PetscCheck(nm == nt, h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure/type_mass has %" PetscInt_FMT " values for %" PetscInt_FMT " species", h5->path, nm, nt);
    for (PetscInt a = 0; a < nt; a++) {
      PetscCheck(mass[a] > 0 && PetscIsNormalReal(mass[a]), h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure/type_mass of %s is not positive", h5->path, ds->type_names[a]);
      ds->type_mass[a] = mass[a];
    }
    PetscCall(PetscFree(mass));
  }
  {
    PetscBool has_table;
    PetscCall(VitH5Exists(h5, "/dataset/structure/pair_table", &has_table));
    if (has_table) {
      PetscInt nv;
      PetscCall(VitH5ReadReal(h5, "/dataset/structure/pair_table", &nv, &ds->pair_table));
      PetscCheck(nv == 3 * ds->p, h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure/pair_table has %" PetscInt_FMT " values, expected 3 x %" PetscInt_FMT " features", h5->path, nv, ds->p);
      for (PetscInt k = 0; k < nv; k++) PetscCheck(!PetscIsInfOrNanReal(ds->pair_table[k]), h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/structure/pair_table is not finite", h5->path);
      char *name;
      PetscCall(VitH5ReadAttrString(h5, "/dataset/structure/pair_table", "potential", &name));
      PetscCall(PetscStrncpy(ds->pair_potential, name ? name : "?", sizeof(ds->pair_potential)));
      PetscCall(PetscFree(name));
    }
  }
  PetscCall(PetscFree(dim));
  PetscCall(PetscFree(density));
  PetscCall(PetscFree(fraction));
  PetscCall(VitStringsFree(n, &names));
  PetscFunctionReturn(0);
}

/* /dataset/row_sample and /dataset/samples of a per-atom dataset, when present. */
static PetscErrorCode ReadRowSamples(VitH5 *h5, VitDataset *ds)
{
  PetscBool  exists;
  PetscInt   n;
  PetscReal *index;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/dataset/row_sample", &exists));
  if (!exists) PetscFunctionReturn(0);
  PetscCall(VitH5ReadStrings(h5, "/dataset/samples", &ds->nsamples, &ds->samples));
  PetscCall(VitH5ReadReal(h5, "/dataset/row_sample", &n, &index));
  PetscCheck(n == ds->n, h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/row_sample has %" PetscInt_FMT " rows, /dataset/X %" PetscInt_FMT, h5->path, n, ds->n);
  PetscCall(PetscMalloc1(n, &ds->row_sample));
  for (PetscInt i = 0; i < n; i++) {
    ds->row_sample[i] = (PetscInt)index[i];
    PetscCheck(ds->row_sample[i] >= 0 && ds->row_sample[i] < ds->nsamples && ds->row_sample[i] == index[i], h5->comm, PETSC_ERR_USER_INPUT, "%s: /dataset/row_sample[%" PetscInt_FMT "] = %.6g is not an index into the %" PetscInt_FMT " /dataset/samples", h5->path, i, (double)index[i], ds->nsamples);
  }
  PetscCall(PetscFree(index));
  PetscFunctionReturn(0);
}

/* A scalar dataset if present (value left as it is otherwise). */
static PetscErrorCode ReadOptionalScalar(VitH5 *h5, const char name[], PetscReal *value)
{
  PetscBool  exists;
  PetscInt   one;
  PetscReal *v;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, name, &exists));
  if (!exists) PetscFunctionReturn(0);
  PetscCall(VitH5ReadReal(h5, name, &one, &v));
  if (one) *value = v[0];
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

PetscErrorCode VitDatasetRead(MPI_Comm comm, const char path[], VitDataset *ds)
{
  VitH5     h5;
  PetscInt  ny;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(ds, sizeof(*ds)));
  PetscCall(PetscStrncpy(ds->path, path, sizeof(ds->path)));
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(MatrixShape(&h5, "/dataset/X", &ds->n, &ds->p));
  PetscCall(MatrixShape(&h5, "/dataset/Y", &ny, &ds->t));
  PetscCheck(ny == ds->n, comm, PETSC_ERR_USER_INPUT, "%s: /dataset/X has %" PetscInt_FMT " rows but /dataset/Y has %" PetscInt_FMT, path, ds->n, ny);
  PetscCheck(ds->n > 0 && ds->p > 0 && ds->t > 0, comm, PETSC_ERR_USER_INPUT, "%s: empty dataset (%" PetscInt_FMT " rows, %" PetscInt_FMT " features, %" PetscInt_FMT " targets)", path, ds->n, ds->p, ds->t);
  PetscCall(ReadNames(&h5, "/dataset/feature_names", ds->p, "x", &ds->feature_names));
  PetscCall(ReadNames(&h5, "/dataset/target_names", ds->t, "y", &ds->target_names));
  PetscCall(CheckNamesDistinct(&h5, "target_names", ds->t, ds->target_names));
  PetscCall(ReadNames(&h5, "/dataset/sample_names", ds->n, "row ", &ds->sample_names));
  PetscCall(ReadOptionalScalar(&h5, "/dataset/feature_smooth", &ds->feature_smooth));
  PetscCall(ReadOptionalScalar(&h5, "/dataset/rdf_dr", &ds->rdf_dr));
  PetscCall(ReadOptionalScalar(&h5, "/dataset/rdf_rmax", &ds->rdf_rmax));
  PetscCall(ReadOptionalScalar(&h5, "/dataset/atom_sigma", &ds->atom_sigma));
  {
    PetscBool total;
    PetscCall(VitScatteringRead(&h5, "/dataset/scattering", &ds->scattering, &total));
  }

  PetscCall(ReadStructure(&h5, ds));
  PetscCall(ReadRowSamples(&h5, ds));
  ds->nlocal = PETSC_DECIDE;
  PetscCall(PetscSplitOwnership(comm, &ds->nlocal, &ds->n));
  PetscCallMPI(MPI_Scan(&ds->nlocal, &ds->row_start, 1, MPIU_INT, MPI_SUM, comm));
  ds->row_start -= ds->nlocal;
  PetscCall(PetscMalloc2(ds->nlocal * ds->p + 1, &ds->X, ds->nlocal * ds->t + 1, &ds->Y));
  PetscCall(VitH5ReadRealRows(&h5, "/dataset/X", ds->row_start, ds->nlocal, ds->X));
  PetscCall(VitH5ReadRealRows(&h5, "/dataset/Y", ds->row_start, ds->nlocal, ds->Y));
  PetscCall(VitH5Close(&h5));
  PetscCall(CheckFinite(ds, comm, "X", ds->p, ds->X, ds->feature_names));
  PetscCall(CheckFinite(ds, comm, "Y", ds->t, ds->Y, ds->target_names));
  PetscFunctionReturn(0);
}

PetscErrorCode VitModelWeightsRead(MPI_Comm comm, VitH5 *h5, const char path[], PetscInt p, PetscInt t, char *const feature_names[], char *const target_names[], PetscReal **W, PetscReal **b)
{
  PetscInt nw, nb;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadReal(h5, "/model/W", &nw, W));
  PetscCall(VitH5ReadReal(h5, "/model/b", &nb, b));
  PetscCheck(nw == p * t && nb == t, comm, PETSC_ERR_USER_INPUT, "%s: /model/W has %" PetscInt_FMT " values and /model/b %" PetscInt_FMT ", expected %" PetscInt_FMT " x %" PetscInt_FMT " and %" PetscInt_FMT, path, nw, nb, t, p, t);
  for (PetscInt k = 0; k < nw; k++) PetscCheck(!PetscIsInfOrNanReal((*W)[k]), comm, PETSC_ERR_USER_INPUT, "%s: /model/W[%" PetscInt_FMT "][%" PetscInt_FMT "] (target '%s', feature '%s') is not a finite number: the model file is damaged, refit it", path, k / p, k % p, target_names[k / p], feature_names[k % p]);
  for (PetscInt k = 0; k < nb; k++) PetscCheck(!PetscIsInfOrNanReal((*b)[k]), comm, PETSC_ERR_USER_INPUT, "%s: /model/b[%" PetscInt_FMT "] (target '%s') is not a finite number: the model file is damaged, refit it", path, k, target_names[k]);
  PetscFunctionReturn(0);
}

PetscErrorCode VitDatasetDestroy(VitDataset *ds)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree2(ds->X, ds->Y));
  PetscCall(VitStringsFree(ds->p, &ds->feature_names));
  PetscCall(VitStringsFree(ds->t, &ds->target_names));
  PetscCall(VitStringsFree(ds->n, &ds->sample_names));
  if (ds->row_sample) PetscCall(VitStringsFree(ds->nsamples, &ds->samples));
  PetscCall(PetscFree(ds->row_sample));
  PetscCall(PetscFree(ds->pair_table));
  PetscFunctionReturn(0);
}
