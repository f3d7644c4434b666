/* Per-atom local VDOS targets of vitrum features (-features_atom_target vdos | cumvdos; docs/fit.md).

   The spectrum output holds the local KPM moments of every atom, /spectrum/kpm/local_mu (N x M,
   `spectrum -kpm_local`), estimated with the random vectors of the global KPM, so that their sum
   over the atoms is the global moments. The local density of atom i on the grid
   omega_j = (j + 1/2) domega, j < bins, domega = omega_max / bins, is the Jackson-damped count of
   local states between the bin edges,

     D_i(omega_j) = [n_i(omega_{j+1}^2) - n_i(omega_j^2)] / (domega c),
     n_i(lambda) = [g_0 mu_0^(i) (pi - theta) - 2 sum_n g_n mu_n^(i) sin(n theta)/n] / pi, cos theta = (lambda - a)/b,

   with one normalisation c for all atoms, the states per atom in the grid, c = (1/N) sum_i
   [n_i(omega_max^2) - n_i(0)]: the mean of D_i over the atoms is then the sample's VDOS on this grid,
   normalised to 1 over it as /spectrum/vdos/D. cumvdos: the share of states below the upper bin
   edge, C_i(omega_j) = [n_i(omega_{j+1}^2) - n_i(0)] / c, whose atom mean rises to 1. */
#include "features.h"
#include <vitrum/exactsum.h>

/* Scalar dataset of the spectrum output. */
static PetscErrorCode ReadScalar(VitH5 *h5, const char name[], PetscReal *value)
{
  PetscInt   n;
  PetscReal *v;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadReal(h5, name, &n, &v));
  PetscCheck(n == 1, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a scalar", h5->path, name);
  *value = v[0];
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* Target names: D_atom(omega=centre) or cumvdos_atom(omega=upper edge), omega in the written unit. */
static PetscErrorCode LocalVdosNames(const FeatOptions *o, PetscBool cumulative, char ***names)
{
  const PetscReal dw = o->atom_vdos_omega_max / o->atom_vdos_bins;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(o->atom_vdos_bins, names));
  for (PetscInt j = 0; j < o->atom_vdos_bins; j++) {
    char name[128];
    if (cumulative) PetscCall(PetscSNPrintf(name, sizeof(name), "cumvdos_atom(omega=%.10g)", (double)((j + 1) * dw)));
    else PetscCall(PetscSNPrintf(name, sizeof(name), "D_atom(omega=%.10g)", (double)((j + 0.5) * dw)));
    PetscCall(PetscStrallocpy(name, &(*names)[j]));
  }
  PetscFunctionReturn(0);
}

/* Rows [lo, lo + nrows) of the targets from the same rows of local_mu: the counts n_i at the bin
   edges (VitKpmCumulative with the atoms as its "vectors"), then D_i or C_i. */
static PetscErrorCode LocalVdosRows(MPI_Comm comm, const FeatOptions *o, PetscBool cumulative, const VitKpm *local, PetscReal freq, PetscInt natoms, PetscReal Y[])
{
  const PetscInt  nb = o->atom_vdos_bins, rows = local->vectors;
  const PetscReal dw = o->atom_vdos_omega_max / nb;
  PetscReal      *n, *total, c, mean;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2((nb + 1) * rows + 1, &n, rows + 1, &total));
  for (PetscInt j = 0; j <= nb && rows; j++) PetscCall(VitKpmCumulative(local, PetscSqr(j * dw / freq), n + j * rows, &mean));
  for (PetscInt i = 0; i < rows; i++) total[i] = n[nb * rows + i] - n[i];
  PetscCall(VitExactSumReals(comm, rows, 1, total, &c)); /* the same on any rank count */
  c /= natoms;
  PetscCheck(c > 0, comm, PETSC_ERR_USER_INPUT, "per-atom local VDOS: no states below -features_atom_vdos_omega_max %g: give the upper end of the frequency grid in the frequency unit of the spectrum output", (double)o->atom_vdos_omega_max);
  for (PetscInt i = 0; i < rows; i++)
    for (PetscInt j = 0; j < nb; j++) Y[i * nb + j] = cumulative ? (n[(j + 1) * rows + i] - n[i]) / c : (n[(j + 1) * rows + i] - n[j * rows + i]) / (dw * c);
  PetscCall(PetscFree2(n, total));
  PetscFunctionReturn(0);
}

PetscErrorCode VitAtomLocalVdos(MPI_Comm comm, const FeatOptions *o, const char sample_path[], PetscBool cumulative, char ***names, Vec *Y)
{
  char         cached[PETSC_MAX_PATH_LEN];
  PetscBool    stale, exists;
  VitH5        h5;
  VitKpm       local;
  int          ndims;
  hsize_t      dims[2];
  PetscInt     lo, hi;
  PetscReal    freq;
  PetscScalar *y;

  PetscFunctionBeginUser;
  PetscCall(VitFeaturesCachePath(o, sample_path, ".spectrum.h5", cached));
  PetscCall(VitFeaturesCacheStale(comm, o, sample_path, cached, &stale));
  if (stale) PetscCall(VitFeaturesCacheCompute(comm, sample_path, cached));
  PetscCall(PetscMemzero(&local, sizeof(local)));
  PetscCall(VitH5OpenRead(comm, cached, &h5));
  PetscCall(VitH5Exists(&h5, "/spectrum/kpm/local_mu", &exists));
  PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/kpm/local_mu (-features_atom_target %s): compute the spectrum with -kpm_local", cached, o->atom_target);
  PetscCall(VitH5GetDims(&h5, "/spectrum/kpm/local_mu", &ndims, dims));
  PetscCall(ReadScalar(&h5, "/spectrum/kpm/lambda_min", &local.lambda_min));
  PetscCall(ReadScalar(&h5, "/spectrum/kpm/lambda_max", &local.lambda_max));
  PetscCall(ReadScalar(&h5, "/spectrum/kpm/frequency_per_sqrt_lambda", &freq));
  local.moments = ndims == 2 ? (PetscInt)dims[1] : 1;
  PetscCall(VitFeaturesRowsVec(comm, (PetscInt)dims[0], o->atom_vdos_bins, Y));
  PetscCall(VecGetOwnershipRange(*Y, &lo, &hi));
  lo /= o->atom_vdos_bins;
  hi /= o->atom_vdos_bins;
  local.vectors = hi - lo; /* the owned atoms */
  PetscCall(PetscMalloc1(local.vectors * local.moments + 1, &local.mu));
  PetscCall(VitH5ReadRealRows(&h5, "/spectrum/kpm/local_mu", (hsize_t)lo, (hsize_t)(hi - lo), local.mu));
  PetscCall(VitH5Close(&h5));
  PetscCall(VecGetArray(*Y, &y));
  PetscCall(LocalVdosRows(comm, o, cumulative, &local, freq, (PetscInt)dims[0], y));
  PetscCall(VecRestoreArray(*Y, &y));
  PetscCall(PetscFree(local.mu));
  if (!*names) PetscCall(LocalVdosNames(o, cumulative, names));
  PetscFunctionReturn(0);
}
