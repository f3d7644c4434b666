/* The spectral problem: the dynamical matrix with the per-atom data the solvers need
   (global ids for rank-independent random vectors, sqrt(mass) for the translation modes). */
#include <vitrum/spectrum.h>
#include <vitrum/structure.h>

/* Tr(H), bitwise the same on any number of ranks (VitHessianExactTrace): the one source of the
   mean eigenvalue Tr(H)/(dN) of a run, which scales its shifts, targets and zero-mode tolerances
   and is written as <omega^2>. */
static PetscErrorCode ExactTrace(Mat H, PetscReal *trace)
{
  Vec diag;

  PetscFunctionBegin;
  PetscCall(MatCreateVecs(H, &diag, NULL));
  PetscCall(MatGetDiagonal(H, diag));
  PetscCall(VitHessianExactTrace(diag, trace));
  PetscCall(VecDestroy(&diag));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumProblemCreate(MPI_Comm comm, Mat H, PetscInt dim, PetscInt nowned, const PetscInt gid[], const PetscReal sqrt_mass[], VitSpectrumProblem *prob)
{
  PetscInt bs, nrows;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(prob, sizeof(*prob)));
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(MatGetLocalSize(H, &nrows, NULL));
  PetscCheck(nrows == dim * nowned, comm, PETSC_ERR_ARG_SIZ, "Hessian has %" PetscInt_FMT " local rows for %" PetscInt_FMT " atoms in %" PetscInt_FMT "D", nrows, nowned, dim);
  prob->comm   = comm;
  prob->H      = H;
  PetscCall(PetscObjectReference((PetscObject)H)); /* the KPM may release it early (VitKpmOperatorCreate) */
  prob->dim    = dim;
  prob->nowned = nowned;
  PetscCall(MPIU_Allreduce(&nowned, &prob->natoms, 1, MPIU_INT, MPI_SUM, comm));
  PetscCall(PetscMalloc2(nowned, &prob->gid, nowned, &prob->sqrt_mass));
  PetscCall(PetscArraycpy(prob->gid, gid, nowned));
  for (PetscInt i = 0; i < nowned; i++) prob->sqrt_mass[i] = sqrt_mass ? sqrt_mass[i] : 1.0;
  PetscCall(ExactTrace(H, &prob->trace));
  prob->mean = PetscAbsReal(prob->trace) / (dim * prob->natoms);
  PetscFunctionReturn(0);
}

/* The owned atoms along a Morton (Z-order) curve of their fractional positions in ndir directions
   (10 bits per direction in 3D, 15 in 2D and for a sheet, whose curve runs in its plane only):
   atoms close in space get close indices, so that a product with H gathers the vector entries of
   an atom's neighbours from nearby memory. The owned atoms are otherwise in id order, which after a
   melt is random in space: a 32-vector product at 110,592 atoms with shuffled ids took 5.4x longer
   in id order than in this order (docs/BENCHMARKS.md). */
static PetscErrorCode MortonOrder(const VitDomain *dom, PetscInt ndir, PetscInt code[], PetscInt order[])
{
  const PetscInt bits = ndir == 3 ? 10 : 15, top = (1 << bits) - 1;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < dom->nowned; i++) {
    PetscInt q[3], c = 0;
    for (PetscInt k = 0; k < ndir; k++) q[k] = PetscMax(0, PetscMin(top, (PetscInt)(dom->s[3 * i + k] * (top + 1))));
    for (PetscInt b = bits - 1; b >= 0; b--)
      for (PetscInt k = 0; k < ndir; k++) c = (c << 1) | ((q[k] >> b) & 1);
    code[i]  = c;
    order[i] = i;
  }
  PetscCall(PetscSortIntWithPermutation(dom->nowned, code, order));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumProblemSetGeometry(VitSpectrumProblem *prob, const VitDomain *dom, const VitSample *sample, PetscReal cutoff)
{
  VitVacuum vacuum;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(dom->nowned + 1, &prob->order, dom->nowned + 1, &prob->morton, dom->nowned * dom->dim + 1, &prob->s));
  PetscCall(VitSampleVacuum(dom->comm, sample, &vacuum));
  prob->sheet = VitVacuumIsSheet(&vacuum, cutoff); /* no interaction across the vacuum; not a periodic stack */
  PetscCall(MortonOrder(dom, prob->sheet ? 2 : dom->dim, prob->morton, prob->order));
  for (PetscInt i = 0; i < dom->nowned; i++)
    for (PetscInt k = 0; k < dom->dim; k++) prob->s[i * dom->dim + k] = dom->s[3 * i + k];
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumProblemFromSystem(VitSystem *sys, VitSpectrumProblem *prob)
{
  const VitDomain *dom = &sys->dom;
  PetscReal       *sqrt_mass;

  PetscFunctionBegin;
  /* dN - d = 0 modes: every stage would have nothing to hold (it ended in "-spectrum_nev 0: must lie in [1, 0]") */
  PetscCheck(sys->sample.natoms > 1, dom->comm, PETSC_ERR_USER_INPUT, "%s: 1 atom has no vibrational modes (its %" PetscInt_FMT " degrees of freedom are the translations): give a sample of at least 2 atoms", sys->sample.source, dom->dim);
  PetscCall(PetscMalloc1(dom->nowned, &sqrt_mass));
  for (PetscInt i = 0; i < dom->nowned; i++) sqrt_mass[i] = sys->mass_weighted ? PetscSqrtReal(sys->sample.type_mass[dom->type[i]]) : 1.0;
  PetscCall(VitSpectrumProblemCreate(dom->comm, sys->H, dom->dim, dom->nowned, dom->gid, sqrt_mass, prob));
  PetscCall(PetscFree(sqrt_mass));
  PetscCall(VitSpectrumProblemSetGeometry(prob, dom, &sys->sample, sys->pot->cutoff));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumProblemDestroy(VitSpectrumProblem *prob)
{
  PetscFunctionBegin;
  PetscCall(PetscFree2(prob->gid, prob->sqrt_mass));
  PetscCall(PetscFree3(prob->order, prob->morton, prob->s));
  PetscCall(MatDestroy(&prob->H));
  PetscCall(PetscMemzero(prob, sizeof(*prob)));
  PetscFunctionReturn(0);
}

/* t_a(i,c) = delta_ac sqrt(m_i) / sqrt(sum_j m_j): H t_a = 0 for a translation-invariant energy. */
PetscErrorCode VitSpectrumTranslations(const VitSpectrumProblem *prob, Vec **t)
{
  Vec v;

  PetscFunctionBegin;
  PetscCall(MatCreateVecs(prob->H, &v, NULL));
  PetscCall(VecDuplicateVecs(v, prob->dim, t));
  PetscCall(VecDestroy(&v));
  for (PetscInt a = 0; a < prob->dim; a++) {
    PetscScalar *x;
    PetscCall(VecGetArray((*t)[a], &x));
    for (PetscInt i = 0; i < prob->nowned; i++)
      for (PetscInt c = 0; c < prob->dim; c++) x[i * prob->dim + c] = c == a ? prob->sqrt_mass[i] : 0.0;
    PetscCall(VecRestoreArray((*t)[a], &x));
    PetscCall(VecNormalize((*t)[a], NULL));
  }
  PetscFunctionReturn(0);
}
