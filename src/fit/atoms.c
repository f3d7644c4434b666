/* Per-atom mode of vitrum features: Gaussian-broadened local partial RDFs of every atom as the
   rows of a dataset, with a per-atom target from the spectrum output (docs/fit.md). */
#include "features.h"
#include <vitrum/hessian.h>

#define VIT_ATOM_MAX_POINTS 100000 /* grid points per partial of the per-atom profiles */

typedef struct {
  const VitDomain *dom;
  PetscInt         ntypes, nr;
  const PetscReal *r;
  PetscReal        sigma, *rows;
} AtomCtx;

static PetscErrorCode AddNeighbor(PetscInt i, PetscInt j, const PetscReal d[3], PetscReal rij, void *ctx)
{
  AtomCtx   *c   = (AtomCtx *)ctx;
  PetscInt   p   = c->ntypes * c->ntypes * c->nr;
  PetscReal *row = c->rows + i * p + (c->dom->type[i] * c->ntypes + c->dom->type[j]) * c->nr;

  for (PetscInt k = 0; k < c->nr; k++) {
    PetscReal u = (c->r[k] - rij) / c->sigma;
    if (PetscAbsReal(u) < 5) row[k] += PetscExpReal(-0.5 * u * u);
  }
  return 0;
}

PetscErrorCode VitAtomFeatures(VitDomain *dom, const VitSample *sample, PetscInt nr, const PetscReal r[], PetscReal sigma, PetscReal **rows)
{
  PetscInt  nt = sample->ntypes, p = nt * nt * nr, counts[VIT_MAX_TYPES], d = sample->dim;
  PetscReal volume = VitSampleVolume(sample), Sd = d == 2 ? 2 * PETSC_PI : 4 * PETSC_PI;
  AtomCtx   ctx = {dom, nt, nr, r, sigma, NULL};

  PetscFunctionBeginUser;
  PetscCall(VitSampleTypeCounts(dom->comm, sample, counts));
  PetscCall(PetscCalloc1(dom->nowned * p + 1, &ctx.rows));
  PetscCall(VitDomainForEachPair(dom, r[nr - 1] + 5 * sigma, PETSC_FALSE, AddNeighbor, &ctx));
  for (PetscInt i = 0; i < dom->nowned; i++)
    for (PetscInt b = 0; b < nt; b++)
      for (PetscInt k = 0; k < nr; k++) {
        PetscReal norm = PetscSqrtReal(2 * PETSC_PI) * sigma * (counts[b] / volume) * Sd * PetscPowRealInt(r[k], d - 1);
        ctx.rows[i * p + (dom->type[i] * nt + b) * nr + k] /= norm;
      }
  *rows = ctx.rows;
  PetscFunctionReturn(0);
}

/* Copy the rows of a per-sample Vec (global id order, block size bs) into the ensemble Vec at row offset. */
static PetscErrorCode AppendRows(Vec part, PetscInt offset, Vec all)
{
  PetscInt   lo, hi, bs;
  IS         from, to;
  VecScatter scatter;

  PetscFunctionBeginUser;
  PetscCall(VecGetOwnershipRange(part, &lo, &hi));
  PetscCall(VecGetBlockSize(part, &bs));
  PetscCall(ISCreateStride(PetscObjectComm((PetscObject)part), hi - lo, lo, 1, &from));
  PetscCall(ISCreateStride(PetscObjectComm((PetscObject)part), hi - lo, offset * bs + lo, 1, &to));
  PetscCall(VecScatterCreate(part, from, all, to, &scatter));
  PetscCall(VecScatterBegin(scatter, part, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, part, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(ISDestroy(&from));
  PetscCall(ISDestroy(&to));
  PetscFunctionReturn(0);
}

/* Per-atom target of the owned atoms: dataset o->atom_target (N values in global id order) of the
   sample's spectrum output (computed when missing or stale). */
static PetscErrorCode AtomTargets(MPI_Comm comm, const FeatOptions *o, const char sample_path[], const VitDomain *dom, PetscReal **values)
{
  VitH5      h5;
  PetscInt   n;
  PetscReal *all;

  PetscFunctionBeginUser;
  PetscCall(VitFeaturesSpectrumOpen(comm, o, sample_path, &h5));
  PetscCall(VitH5ReadReal(&h5, o->atom_target, &n, &all));
  PetscCall(VitH5Close(&h5));
  PetscCheck(n == dom->natoms, comm, PETSC_ERR_USER_INPUT, "%s: %s has %" PetscInt_FMT " values, the sample %s has %" PetscInt_FMT " atoms", h5.path, o->atom_target, n, sample_path, dom->natoms);
  PetscCall(PetscMalloc1(dom->nowned + 1, values));
  for (PetscInt i = 0; i < dom->nowned; i++) (*values)[i] = all[dom->gid[i]];
  PetscCall(PetscFree(all));
  PetscFunctionReturn(0);
}

/* Per-atom <omega^2>_i = Tr(H_ii)/d: the trace of the atom's diagonal block of the Hessian (the
   dynamical matrix with -mass_weighted, the default), exact; sum_i Tr(H_ii) = Tr(H), so the atoms'
   mean is the sample's <omega^2> = Tr(H)/(dN). Y: the values in global id order. */
static PetscErrorCode AtomOmega2(MPI_Comm comm, const char sample_path[], Vec *Y)
{
  VitSystem          sys;
  Vec                diag;
  const PetscScalar *a;
  PetscReal         *values;
  PetscInt           d;

  PetscFunctionBeginUser;
  PetscCall(VitSystemSetUp(comm, sample_path, &sys));
  d = sys.sample.dim;
  PetscCall(MatCreateVecs(sys.H, &diag, NULL));
  PetscCall(MatGetDiagonal(sys.H, diag));
  PetscCall(VecGetArrayRead(diag, &a));
  PetscCall(PetscMalloc1(sys.dom.nowned + 1, &values));
  for (PetscInt i = 0; i < sys.dom.nowned; i++) {
    values[i] = 0;
    for (PetscInt c = 0; c < d; c++) values[i] += PetscRealPart(a[i * d + c]) / d;
  }
  PetscCall(VecRestoreArrayRead(diag, &a));
  PetscCall(VitDomainToGlobalOrder(&sys.dom, 1, values, Y));
  PetscCall(PetscFree(values));
  PetscCall(VecDestroy(&diag));
  PetscCall(VitSystemDestroy(&sys));
  PetscFunctionReturn(0);
}

/* Per-atom potential energy e_i as the potential splits it (half of each pair term; EAM: the
   embedding energy F(rho_i) plus half its pair terms; Tersoff: the half-bond repulsion to i, the
   attractive half-bond term shared by i and j), with
   sum_i e_i = E: the atoms' mean is the sample's energy_per_atom (the inherent-structure energy of
   a relaxed sample). Y: the values in global id order. */
static PetscErrorCode AtomEnergy(MPI_Comm comm, const VitSample *sample, Vec *Y)
{
  VitPotential pot;
  VitDomain    dom;
  PetscReal   *energy, *force, virial[6], total, fmax;

  PetscFunctionBeginUser;
  PetscCall(VitPotentialCreateFromOptions(comm, sample, &pot));
  PetscCall(VitPotentialSetUpDomain(comm, pot, sample, 0, &dom));
  PetscCall(PetscMalloc2(dom.nowned + 1, &energy, 3 * dom.nowned + 1, &force));
  PetscCall(VitPotentialEvaluate(pot, &dom, energy, force, virial, &total, &fmax));
  PetscCall(VitDomainToGlobalOrder(&dom, 1, energy, Y));
  PetscCall(PetscFree2(energy, force));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitPotentialDestroy(&pot));
  PetscFunctionReturn(0);
}

static PetscErrorCode AtomFeatureNames(const VitSample *sample, PetscInt nr, const PetscReal r[], char ***names)
{
  PetscInt nt = sample->ntypes, k = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(nt * nt * nr, names));
  for (PetscInt a = 0; a < nt; a++)
    for (PetscInt b = 0; b < nt; b++)
      for (PetscInt i = 0; i < nr; i++) {
        char name[128];
        PetscCall(PetscSNPrintf(name, sizeof(name), "g_%s-%s(r=%.10g)", sample->type_name[a], sample->type_name[b], (double)r[i]));
        PetscCall(PetscStrallocpy(name, &(*names)[k++]));
      }
  PetscFunctionReturn(0);
}

/* Name of the single per-atom target column of o->atom_target (not the local spectral targets). */
static PetscErrorCode AtomTargetName(const FeatOptions *o, char ***tnames)
{
  const char *base = strrchr(o->atom_target, '/');

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(1, tnames));
  PetscCall(PetscStrallocpy(!strcmp(o->atom_target, "omega2") ? "omega2_atom" : !strcmp(o->atom_target, "energy") ? "energy_atom" : base ? base + 1 : o->atom_target, &(*tnames)[0]));
  PetscFunctionReturn(0);
}

/* Whether the per-atom target is a local spectral one (vdos, cumvdos, counts), and which. */
static PetscBool LocalSpectrumTarget(const FeatOptions *o, VitLocalKind *kind)
{
  const char *names[3] = {"vdos", "cumvdos", "counts"};

  for (PetscInt k = 0; k < 3; k++)
    if (!strcmp(o->atom_target, names[k])) {
      *kind = (VitLocalKind)k;
      return PETSC_TRUE;
    }
  return PETSC_FALSE;
}

/* The features and targets of one sample as Vecs in global id order; the first sample sets the
   feature names (p of them) and the target names (nt). */
static PetscErrorCode AtomSample(MPI_Comm comm, const FeatOptions *o, const char path[], PetscInt nr, const PetscReal r[], char ***names, PetscInt *p, char ***tnames, PetscInt *nt, Vec *X, Vec *Y, VitComposition *comp)
{
  VitSample    sample;
  VitDomain    dom;
  PetscReal   *rows, *target = NULL;
  PetscInt     counts[VIT_MAX_TYPES];
  VitLocalKind kind;

  PetscFunctionBeginUser;
  PetscCall(VitSampleReadPath(comm, path, &sample));
  PetscCall(VitSampleTypeCounts(comm, &sample, counts));
  PetscCall(VitCompositionAdd(comm, path, sample.dim, sample.ntypes, (const char(*)[VIT_NAME_LEN])sample.type_name, counts, VitSampleVolume(&sample), comp));
  PetscCall(VitDomainSetUp(comm, &sample, r[nr - 1] + 5 * o->atom_sigma, &dom));
  PetscCall(VitAtomFeatures(&dom, &sample, nr, r, o->atom_sigma, &rows));
  if (!*names) {
    *p = sample.ntypes * sample.ntypes * nr;
    PetscCall(AtomFeatureNames(&sample, nr, r, names));
  }
  PetscCheck(*p == sample.ntypes * sample.ntypes * nr, comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " species, unlike the first sample", path, sample.ntypes);
  PetscCall(VitDomainToGlobalOrder(&dom, *p, rows, X));
  *Y = NULL;
  if (LocalSpectrumTarget(o, &kind)) PetscCall(VitAtomLocalSpectrum(comm, o, path, sample.natoms, sample.dim, kind, nt, tnames, Y));
  else if (!strcmp(o->atom_target, "omega2")) PetscCall(AtomOmega2(comm, path, Y));
  else if (!strcmp(o->atom_target, "energy")) PetscCall(AtomEnergy(comm, &sample, Y));
  else if (strcmp(o->atom_target, "none")) {
    PetscCall(AtomTargets(comm, o, path, &dom, &target));
    PetscCall(VitDomainToGlobalOrder(&dom, 1, target, Y));
  }
  if (*Y && !*tnames) {
    *nt = 1;
    PetscCall(AtomTargetName(o, tnames));
  }
  PetscCall(PetscFree(rows));
  PetscCall(PetscFree(target));
  PetscCall(VitDomainDestroy(&dom));
  PetscCall(VitSampleDestroy(&sample));
  PetscFunctionReturn(0);
}

/* Ensemble Vec of `rows` rows of bs values (PETSc's default row split). */
PetscErrorCode VitFeaturesRowsVec(MPI_Comm comm, PetscInt rows, PetscInt bs, Vec *v)
{
  PetscFunctionBeginUser;
  PetscCall(VecCreate(comm, v));
  PetscCall(VecSetBlockSize(*v, bs));
  PetscCall(VecSetSizes(*v, PETSC_DECIDE, rows * bs));
  PetscCall(VecSetFromOptions(*v));
  PetscFunctionReturn(0);
}

/* The local spectral targets need the local KPM moments in the spectrum outputs, or with
   -features_atom_vdos_exact the eigenvectors of all modes: -kpm_local, or -spectrum_method dense
   and -spectrum_vectors, are set (so that they are part of the cached outputs' options); vdos and
   cumvdos need a frequency grid. */
static PetscErrorCode LocalSpectrumSetUp(MPI_Comm comm, const FeatOptions *o)
{
  PetscBool    given;
  VitLocalKind kind;

  PetscFunctionBeginUser;
  if (!LocalSpectrumTarget(o, &kind)) PetscFunctionReturn(0);
  if (o->atom_vdos_exact) {
    const char *method = NULL;
    PetscCall(PetscOptionsFindPair(NULL, NULL, "-spectrum_method", &method, &given));
    PetscCheck(!given || (method && !strcmp(method, "dense")), comm, PETSC_ERR_USER_INPUT, "-features_atom_vdos_exact needs every mode: -spectrum_method dense, not %s", method ? method : "(none)");
    PetscCall(PetscOptionsSetValue(NULL, "-spectrum_method", "dense"));
    PetscCall(PetscOptionsSetValue(NULL, "-spectrum_vectors", "true"));
  } else {
    PetscCall(PetscOptionsHasName(NULL, NULL, "-kpm_local", &given));
    if (!given) PetscCall(PetscOptionsSetValue(NULL, "-kpm_local", "true"));
  }
  if (kind == VIT_LOCAL_COUNTS) PetscFunctionReturn(0);
  PetscCheck(o->atom_vdos_bins >= 1, comm, PETSC_ERR_USER_INPUT, "-features_atom_vdos_bins %" PetscInt_FMT ": must be positive", o->atom_vdos_bins);
  PetscCheck(o->atom_vdos_omega_max >= 0, comm, PETSC_ERR_USER_INPUT, "-features_atom_vdos_omega_max %.6g: must be positive (given by it or -vdos_omega_max): the upper end of the frequency grid in the frequency unit of -units (THz in metal and real units)", (double)o->atom_vdos_omega_max);
  PetscCheck(o->atom_vdos_omega_max > 0, comm, PETSC_ERR_USER_INPUT, "-features_atom_target %s needs the upper end of its frequency grid: give -features_atom_vdos_omega_max (or -vdos_omega_max) in the frequency unit of -units (THz in metal and real units), a little above the highest frequency of the samples", o->atom_target);
  PetscFunctionReturn(0);
}

/* Lengths of the per-atom profiles not given, in units of the first sample's length unit L (the
   power of two nearest its mean spacing, as for the default g(r) grid: docs/structure.md):
   sigma 0.05 L, dr 0.02 L, rmax 2.5 L, so LJ samples keep 0.05, 0.02, 2.5 and metal-unit glasses
   get 0.1, 0.04, 5 A. One ensemble, one grid: fixed by the first sample, said in a note. */
static PetscErrorCode AtomGridDefaults(MPI_Comm comm, const char first[], FeatOptions *o)
{
  VitSample  sample;
  VitRdfGrid grid;

  PetscFunctionBeginUser;
  if (o->atom_sigma > 0 && o->atom_dr > 0 && o->xmax > 0) PetscFunctionReturn(0);
  PetscCall(VitSampleReadPath(comm, first, &sample));
  PetscCall(VitRdfDefaultGrid(comm, &sample, &grid));
  PetscCall(VitSampleDestroy(&sample));
  if (o->atom_sigma <= 0) o->atom_sigma = 0.05 * grid.unit;
  if (o->atom_dr <= 0) o->atom_dr = 0.02 * grid.unit;
  if (o->xmax <= 0) o->xmax = 2.5 * grid.unit;
  PetscCall(PetscPrintf(comm, "features: note: per-atom profiles up to r = %.6g on a grid of %.6g, broadened by sigma = %.6g (2.5, 0.02 and 0.05 x %.6g, the power of two nearest the mean spacing %.4g of %s, unless given)\n", (double)o->xmax, (double)o->atom_dr, (double)o->atom_sigma, (double)grid.unit, (double)grid.spacing, first));
  PetscFunctionReturn(0);
}

/* Rows in (sample, global id) order, so the dataset does not depend on the rank count. */
PetscErrorCode VitFeaturesPerAtom(MPI_Comm comm, const FeatOptions *given, PetscInt n, char *const paths[])
{
  FeatOptions options = *given, *o = &options;
  PetscInt    nr, p = 0, nt = 0, total = 0, offset = 0, lo, hi;
  PetscReal  *r, rmin, rmax;
  char      **names = NULL, **tnames = NULL;
  char        bound[VIT_REAL_STRING_LEN];
  Vec        *Xs, *Ys, X, Y = NULL, row_sample, row_atom;
  VitProgress progress;
  VitH5       h5;
  VitComposition comp = {0};

  PetscFunctionBeginUser;
  PetscCheck(given->atom_sigma >= 0 && given->atom_dr >= 0, comm, PETSC_ERR_USER_INPUT, "per-atom features need -features_atom_sigma > 0 (%.6g) and -features_atom_dr > 0 (%.6g)", (double)given->atom_sigma, (double)given->atom_dr);
  PetscCall(AtomGridDefaults(comm, paths[0], o));
  rmin = PetscMax(o->xmin, o->atom_dr);
  rmax = o->xmax;
  PetscCheck(o->atom_sigma > 0 && o->atom_dr > 0 && rmax > rmin, comm, PETSC_ERR_USER_INPUT, "per-atom features need -features_atom_sigma > 0 (%.6g), -features_atom_dr > 0 (%.6g) and -features_rmax > -features_rmin (%.6g, %.6g)", (double)o->atom_sigma, (double)o->atom_dr, (double)rmax, (double)rmin);
  PetscCheck((rmax - rmin) / o->atom_dr < VIT_ATOM_MAX_POINTS, comm, PETSC_ERR_USER_INPUT, "-features_atom_dr %.6g gives %.3g points per partial over [%.6g, %.6g]: at most %d (each is a feature column); give a larger -features_atom_dr", (double)o->atom_dr, (double)((rmax - rmin) / o->atom_dr), (double)rmin, (double)rmax, VIT_ATOM_MAX_POINTS);
  /* a Gaussian narrower than half the spacing falls between the grid points: the features would
     follow where each neighbour sits between them, not the structure */
  PetscCheck(o->atom_sigma >= 0.5 * o->atom_dr, comm, PETSC_ERR_USER_INPUT, "-features_atom_sigma %.6g is below half of -features_atom_dr %.6g: the Gaussians fall between the grid points; give -features_atom_sigma >= %s or a smaller -features_atom_dr", (double)o->atom_sigma, (double)o->atom_dr, VitBoundString(0.5 * o->atom_dr, 1, bound));
  PetscCall(LocalSpectrumSetUp(comm, o));
  nr = (PetscInt)PetscFloorReal((rmax - rmin) / o->atom_dr + 1e-9) + 1;
  PetscCall(PetscMalloc1(nr, &r));
  for (PetscInt k = 0; k < nr; k++) r[k] = rmin + k * o->atom_dr;
  PetscCall(PetscMalloc2(n, &Xs, n, &Ys));
  PetscCall(VitProgressStart(&progress, "samples", n));
  for (PetscInt s = 0; s < n; s++) {
    PetscInt N;
    VitUserErrorContext(paths[s]); /* an error about this sample names it */
    PetscCall(AtomSample(comm, o, paths[s], nr, r, &names, &p, &tnames, &nt, &Xs[s], &Ys[s], &comp));
    VitUserErrorContext(NULL);
    PetscCall(VecGetSize(Xs[s], &N));
    total += N / p;
    PetscCall(VitProgressUpdate(comm, &progress, s + 1));
  }
  PetscCall(VitFeaturesRowsVec(comm, total, p, &X));
  PetscCall(VitFeaturesRowsVec(comm, total, 1, &row_sample));
  PetscCall(VecDuplicate(row_sample, &row_atom));
  if (Ys[0]) PetscCall(VitFeaturesRowsVec(comm, total, nt, &Y));
  PetscCall(VecGetOwnershipRange(row_sample, &lo, &hi));
  for (PetscInt s = 0; s < n; s++) {
    PetscInt N;
    PetscCall(VecGetSize(Xs[s], &N));
    PetscCall(AppendRows(Xs[s], offset, X));
    if (Y) PetscCall(AppendRows(Ys[s], offset, Y));
    for (PetscInt i = PetscMax(lo, offset); i < PetscMin(hi, offset + N / p); i++) {
      PetscCall(VecSetValue(row_sample, i, (PetscScalar)s, INSERT_VALUES));
      PetscCall(VecSetValue(row_atom, i, (PetscScalar)(i - offset), INSERT_VALUES));
    }
    offset += N / p;
    PetscCall(VecDestroy(&Xs[s]));
    PetscCall(VecDestroy(&Ys[s]));
  }
  PetscCall(VecAssemblyBegin(row_sample));
  PetscCall(VecAssemblyEnd(row_sample));
  PetscCall(VecAssemblyBegin(row_atom));
  PetscCall(VecAssemblyEnd(row_atom));

  PetscCall(VitH5Create(comm, o->out, &h5));
  PetscCall(VitH5WriteVec(&h5, "/dataset/X", X, "1 (local g(r))"));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/feature_names", p, (const char *const *)names));
  if (Y) {
    PetscCall(VitH5WriteVec(&h5, "/dataset/Y", Y, "target"));
    PetscCall(VitH5WriteStrings(&h5, "/dataset/target_names", nt, (const char *const *)tnames));
  }
  PetscCall(VitH5WriteVec(&h5, "/dataset/row_sample", row_sample, "index into /dataset/samples"));
  PetscCall(VitH5WriteVec(&h5, "/dataset/row_atom", row_atom, "global atom id"));
  PetscCall(VitH5WriteStrings(&h5, "/dataset/samples", n, (const char *const *)paths));
  PetscCall(VitFeaturesWriteSamplePaths(&h5, n, paths)); /* fit keeps them: predict never writes over one */
  PetscCall(VitH5WriteScalar(&h5, "/dataset/feature_smooth", 0.0, "length"));
  PetscCall(VitH5WriteScalar(&h5, "/dataset/atom_sigma", o->atom_sigma, "length"));
  PetscCall(VitH5WriteAttrString(&h5, "/dataset", "feature_kind", "per-atom rdf"));
  PetscCall(PetscStrncpy(comp.units_style, o->units_style, sizeof(comp.units_style)));
  PetscCall(VitCompositionWrite(&h5, &comp)); /* the density range: predict refuses a sample in other units */
  PetscCall(VitH5Close(&h5));
  PetscCall(VitCompositionDestroy(&comp));
  PetscCall(PetscPrintf(comm, "features: %" PetscInt_FMT " atoms of %" PetscInt_FMT " samples x %" PetscInt_FMT " per-atom features, %" PetscInt_FMT " targets: wrote %s\n", total, n, p, nt, o->out));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&Y));
  PetscCall(VecDestroy(&row_sample));
  PetscCall(VecDestroy(&row_atom));
  PetscCall(VitStringsFree(p, &names));
  if (tnames) PetscCall(VitStringsFree(nt, &tnames));
  PetscCall(PetscFree2(Xs, Ys));
  PetscCall(PetscFree(r));
  PetscFunctionReturn(0);
}
