/* Per-atom local spectral targets of vitrum features (-features_atom_target vdos | cumvdos | counts;
   docs/fit.md).

   The spectrum output holds the local KPM moments of every atom, /spectrum/kpm/local_mu (N x M,
   `spectrum -kpm_local`), estimated with the random vectors of the global KPM, so that their sum
   over the atoms is the global moments. With the Jackson-damped count of local states below lambda,

     n_i(lambda) = [g_0 mu_0^(i) (pi - theta) - 2 sum_n g_n mu_n^(i) sin(n theta)/n] / pi, cos theta = (lambda - a)/b,

   on the grid omega_j = (j + 1/2) domega, j < bins, domega = omega_max / bins:

     vdos:    D_i(omega_j) = [n_i(omega_{j+1}^2) - n_i(omega_j^2)] / (domega c)
     cumvdos: C_i(omega_j) = [n_i(omega_{j+1}^2) - n_i(0)] / c

   with one normalisation c for all atoms, the states per atom in the grid, c = (1/N) sum_i
   [n_i(omega_max^2) - n_i(0)]: the mean of D_i over the atoms is the sample's VDOS on this grid,
   normalised to 1 over it as /spectrum/vdos/D, and the mean of C_i rises to 1. counts: at each
   frequency w of the spectrum's -spectrum_count_omega, the atom's share of the modes below w,
   n_i(w^2) - n_i(0), whose sum over the atoms is the KPM count /spectrum/counts/kpm.
   -features_atom_vdos_exact: n_i from the eigenvectors of all modes instead (small samples),
   n_i(w) = sum_{omega_k < w} |e_k,i|^2, no broadening and no noise. */
#include "features.h"
#include <vitrum/exactsum.h>

/* The frequencies (written unit) where n_i is needed, edge[0..nedge), and the target columns:
   vdos/cumvdos the bin edges 0, domega, ..., omega_max; counts 0 and the count frequencies. */
static PetscErrorCode TargetGrid(MPI_Comm comm, const FeatOptions *o, VitH5 *h5, VitLocalKind kind, PetscInt *nt, PetscReal **edge, char ***names)
{
  const PetscReal dw = o->atom_vdos_omega_max / o->atom_vdos_bins;
  PetscReal      *w = NULL;

  PetscFunctionBeginUser;
  if (kind == VIT_LOCAL_COUNTS) {
    PetscBool exists;
    PetscCall(VitH5Exists(h5, "/spectrum/counts/omega", &exists));
    PetscCheck(exists, comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/counts/omega (-features_atom_target counts): give the frequencies with -spectrum_count_omega w1,w2,...", h5->path);
    PetscCall(VitH5ReadReal(h5, "/spectrum/counts/omega", nt, &w));
  } else *nt = o->atom_vdos_bins;
  PetscCall(PetscMalloc1(*nt + 1, edge));
  PetscCall(PetscMalloc1(*nt, names));
  (*edge)[0] = 0;
  for (PetscInt j = 0; j < *nt; j++) {
    char name[128];
    (*edge)[j + 1] = w ? w[j] : (j + 1) * dw;
    if (kind == VIT_LOCAL_VDOS) PetscCall(PetscSNPrintf(name, sizeof(name), "D_atom(omega=%.10g)", (double)((j + 0.5) * dw)));
    else PetscCall(PetscSNPrintf(name, sizeof(name), "%s_atom(omega=%.10g)", kind == VIT_LOCAL_COUNTS ? "count" : "cumvdos", (double)(*edge)[j + 1]));
    PetscCall(PetscStrallocpy(name, &(*names)[j]));
  }
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* n_i at the frequencies edge[0..nt] for the owned rows [lo, hi), from the local KPM moments
   (VitKpmCumulative with the atoms as its "vectors"); n is (nt + 1) x rows. */
static PetscErrorCode KpmCounts(VitH5 *h5, const FeatOptions *o, PetscInt lo, PetscInt hi, PetscInt nt, const PetscReal edge[], PetscReal n[])
{
  VitKpm    local;
  int       ndims;
  hsize_t   dims[2];
  PetscReal freq, mean;
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/spectrum/kpm/local_mu", &exists));
  PetscCheck(exists, h5->comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/kpm/local_mu (-features_atom_target %s): compute the spectrum with -kpm_local", h5->path, o->atom_target);
  PetscCall(PetscMemzero(&local, sizeof(local)));
  PetscCall(VitH5GetDims(h5, "/spectrum/kpm/local_mu", &ndims, dims));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/lambda_min", &local.lambda_min));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/lambda_max", &local.lambda_max));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/kpm/omega_scale", &freq));
  local.moments = ndims == 2 ? (PetscInt)dims[1] : 1;
  local.vectors = hi - lo;
  PetscCall(PetscMalloc1(local.vectors * local.moments + 1, &local.mu));
  PetscCall(VitH5ReadRealRows(h5, "/spectrum/kpm/local_mu", (hsize_t)lo, (hsize_t)(hi - lo), local.mu));
  for (PetscInt j = 0; j <= nt && hi > lo; j++) PetscCall(VitKpmCumulative(&local, PetscSqr(edge[j] / freq), n + j * (hi - lo), &mean));
  PetscCall(PetscFree(local.mu));
  PetscFunctionReturn(0);
}

/* n_i at the frequencies edge[0..nt] from the eigenvectors of all modes (-features_atom_vdos_exact):
   n_i(w) = sum over the modes with omega_k < w of |e_k,i|^2 (unbroadened; every rank reads the K x dN
   vectors, so for small samples only). */
static PetscErrorCode ExactCounts(VitH5 *h5, PetscInt natoms, PetscInt dim, PetscInt lo, PetscInt hi, PetscInt nt, const PetscReal edge[], PetscReal n[])
{
  const PetscInt rows = hi - lo;
  PetscInt       k, nv;
  PetscReal     *omega, *v;
  PetscBool      exists;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/spectrum/modes/vectors", &exists));
  PetscCheck(exists, h5->comm, PETSC_ERR_USER_INPUT, "%s: has no /spectrum/modes/vectors (-features_atom_vdos_exact): compute the spectrum with -spectrum_method dense -spectrum_vectors", h5->path);
  PetscCall(VitH5ReadReal(h5, "/spectrum/modes/omega", &k, &omega));
  PetscCheck(k == dim * natoms - dim, h5->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " modes, -features_atom_vdos_exact needs all dN - d = %" PetscInt_FMT ": compute the spectrum with -spectrum_method dense", h5->path, k, dim * natoms - dim);
  PetscCall(VitH5ReadReal(h5, "/spectrum/modes/vectors", &nv, &v));
  PetscCall(PetscArrayzero(n, (nt + 1) * rows));
  for (PetscInt m = 0; m < k; m++)
    for (PetscInt i = 0; i < rows; i++) {
      PetscReal w = 0;
      for (PetscInt c = 0; c < dim; c++) w += PetscSqr(v[m * dim * natoms + (lo + i) * dim + c]);
      for (PetscInt j = 0; j <= nt; j++)
        if (omega[m] < edge[j]) n[j * rows + i] += w;
    }
  PetscCall(PetscFree(omega));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* The share of the sample's states of real frequency below the grid's top wmax (written unit), and
   the spectrum's top frequency: from the global KPM moments, or from all modes (exact). */
static PetscErrorCode GridShare(VitH5 *h5, const FeatOptions *o, PetscReal wmax, PetscReal *share, PetscReal *top)
{
  PetscFunctionBeginUser;
  if (o->atom_vdos_exact) {
    PetscInt   k, below = 0;
    PetscReal *omega;
    PetscCall(VitH5ReadReal(h5, "/spectrum/modes/omega", &k, &omega));
    *top = 0;
    for (PetscInt m = 0; m < k; m++) {
      below += omega[m] < wmax;
      *top = PetscMax(*top, omega[m]);
    }
    *share = k ? (PetscReal)below / k : 1;
    PetscCall(PetscFree(omega));
  } else {
    VitKpm    kpm;
    PetscReal freq, n0, nw, nall;
    PetscInt  dim;
    PetscBool found;
    PetscCall(VitKpmRead(h5, &kpm, &freq, &dim, &found));
    *share = 1;
    *top   = 0;
    if (found) {
      PetscCall(VitKpmCumulative(&kpm, 0.0, NULL, &n0));
      PetscCall(VitKpmCumulative(&kpm, PetscSqr(wmax / freq), NULL, &nw));
      PetscCall(VitKpmCumulative(&kpm, kpm.lambda_max, NULL, &nall));
      *share = nall > n0 ? (nw - n0) / (nall - n0) : 1;
      *top   = PetscSqrtReal(kpm.lambda_max) * freq;
    }
    PetscCall(PetscFree(kpm.mu));
  }
  PetscFunctionReturn(0);
}

/* A warning (on the first sample: one grid for all) when the grid of vdos/cumvdos holds less than
   99 % of the states: D_i and C_i are normalised over the grid, so they are 1/share times the
   local VDOS then. */
static PetscErrorCode WarnShortGrid(VitH5 *h5, const FeatOptions *o, const char sample_path[])
{
  PetscReal share = 1, top = 0;

  PetscFunctionBeginUser;
  PetscCall(GridShare(h5, o, o->atom_vdos_omega_max, &share, &top));
  if (share < 0.99) PetscCall(PetscPrintf(h5->comm, "vitrum: warning: per-atom %s: the grid [0, %.6g] (-features_atom_vdos_omega_max) holds %.3g %% of the states of %s, whose spectrum reaches %.4g: the targets, normalised over the grid, are %.3g times the local ones; give -features_atom_vdos_omega_max above %.4g for the local VDOS itself\n", o->atom_target, (double)o->atom_vdos_omega_max, (double)(100 * share), sample_path, (double)top, (double)(1 / PetscMax(share, PETSC_SMALL)), (double)top));
  PetscFunctionReturn(0);
}

/* D_i, C_i or the counts of the owned rows from n_i at the frequencies edge. */
static PetscErrorCode TargetsFromCounts(MPI_Comm comm, const FeatOptions *o, VitLocalKind kind, PetscInt rows, PetscInt natoms, PetscInt nt, const PetscReal edge[], const PetscReal n[], PetscReal Y[])
{
  PetscReal *total, c = 1;

  PetscFunctionBeginUser;
  if (kind != VIT_LOCAL_COUNTS) {
    PetscCall(PetscMalloc1(rows + 1, &total));
    for (PetscInt i = 0; i < rows; i++) total[i] = n[nt * rows + i] - n[i];
    PetscCall(VitExactSumReals(comm, rows, 1, total, &c)); /* the same on any rank count */
    PetscCall(PetscFree(total));
    c /= natoms;
    PetscCheck(c > 0, comm, PETSC_ERR_USER_INPUT, "per-atom local VDOS: no states below -features_atom_vdos_omega_max %.6g: give the upper end of the frequency grid in the frequency unit of the spectrum output", (double)o->atom_vdos_omega_max);
  }
  for (PetscInt i = 0; i < rows; i++)
    for (PetscInt j = 0; j < nt; j++) {
      const PetscReal above = n[(j + 1) * rows + i];
      Y[i * nt + j] = kind == VIT_LOCAL_VDOS ? (above - n[j * rows + i]) / ((edge[j + 1] - edge[j]) * c) : (above - n[i]) / c;
    }
  PetscFunctionReturn(0);
}

/* The first sample's target names, or a check that this sample has the same. */
static PetscErrorCode KeepNames(MPI_Comm comm, const char path[], PetscInt nt, char **mine, PetscInt *ntargets, char ***names)
{
  PetscFunctionBeginUser;
  if (!*names) {
    *names    = mine;
    *ntargets = nt;
    PetscFunctionReturn(0);
  }
  PetscCheck(nt == *ntargets, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " per-atom targets, the first sample had %" PetscInt_FMT ": use the same -spectrum_count_omega for all samples", path, nt, *ntargets);
  for (PetscInt j = 0; j < nt; j++) PetscCheck(!strcmp(mine[j], (*names)[j]), comm, PETSC_ERR_USER_INPUT, "%s: per-atom target %s where the first sample had %s: use the same -spectrum_count_omega for all samples", path, mine[j], (*names)[j]);
  PetscCall(VitStringsFree(nt, &mine));
  PetscFunctionReturn(0);
}

PetscErrorCode VitAtomLocalSpectrum(MPI_Comm comm, const FeatOptions *o, const char sample_path[], PetscInt natoms, PetscInt dim, VitLocalKind kind, PetscInt *ntargets, char ***names, Vec *Y)
{
  char       **mine;
  VitH5        h5;
  PetscInt     lo, hi, nt;
  PetscReal   *edge, *n;
  PetscScalar *y;

  PetscFunctionBeginUser;
  PetscCall(VitFeaturesSpectrumOpen(comm, o, sample_path, &h5));
  PetscCall(TargetGrid(comm, o, &h5, kind, &nt, &edge, &mine));
  if (kind != VIT_LOCAL_COUNTS && !*names) PetscCall(WarnShortGrid(&h5, o, sample_path));
  PetscCall(VitFeaturesRowsVec(comm, natoms, nt, Y));
  PetscCall(VecGetOwnershipRange(*Y, &lo, &hi));
  lo /= nt;
  hi /= nt;
  PetscCall(PetscMalloc1((nt + 1) * (hi - lo) + 1, &n));
  if (o->atom_vdos_exact) PetscCall(ExactCounts(&h5, natoms, dim, lo, hi, nt, edge, n));
  else {
    int     ndims;
    hsize_t dims[2];
    PetscCall(KpmCounts(&h5, o, lo, hi, nt, edge, n));
    PetscCall(VitH5GetDims(&h5, "/spectrum/kpm/local_mu", &ndims, dims));
    PetscCheck((PetscInt)dims[0] == natoms, comm, PETSC_ERR_USER_INPUT, "%s: the local moments are for %llu atoms, the sample %s has %" PetscInt_FMT, h5.path, (unsigned long long)dims[0], sample_path, natoms);
  }
  PetscCall(VitH5Close(&h5));
  PetscCall(VecGetArray(*Y, &y));
  PetscCall(TargetsFromCounts(comm, o, kind, hi - lo, natoms, nt, edge, n, (PetscReal *)y));
  PetscCall(VecRestoreArray(*Y, &y));
  PetscCall(PetscFree(n));
  PetscCall(PetscFree(edge));
  PetscCall(KeepNames(comm, sample_path, nt, mine, ntargets, names));
  PetscFunctionReturn(0);
}
