/* Preconditioner of the factorisation-free low-mode solve (LOBPCG, modes.c).

   LOBPCG converges in a number of iterations set by how well the preconditioner T approximates
   (H - lambda I)^-1 near the wanted eigenvalues (Knyazev 2001). Jacobi (the diagonal of H) does not
   see the long-wavelength modes at all; algebraic multigrid on an AIJ copy of H + sigma I with
   block size d and the d translations as near-null space (the rigid-body modes of an elastic
   network, which smoothed aggregation interpolates exactly) does. H is singular (H t_a = 0), so
   the copy is shifted by sigma = shift * Tr(H)/(dN) > 0. Options (-help):
     -spectrum_precond gamg|hypre|ml|jacobi   preconditioner (default gamg; jacobi for shell Hessians)
     -spectrum_precond_shift s                sigma / (Tr(H)/(dN)) (default 1e-3)
   and every -st_pc_* / -st_ksp_* option after these (e.g. -st_pc_gamg_threshold). The
   translations stay deflated by the solver: LOBPCG orthogonalises every preconditioned residual
   against the deflation space, so T need not preserve it. */
#include <vitrum/spectrum.h>

typedef enum { VIT_PRECOND_GAMG, VIT_PRECOND_HYPRE, VIT_PRECOND_ML, VIT_PRECOND_JACOBI } VitPrecond;
static const char *const VitPreconds[] = {"gamg", "hypre", "ml", "jacobi", "VitPrecond", "VIT_PRECOND_", NULL};

/* AIJ copy of H + sigma I, block size d, the d translations as near-null space. */
static PetscErrorCode ShiftedAijCopy(const VitSpectrumProblem *prob, PetscReal sigma, Mat *P)
{
  Vec         *t;
  MatNullSpace translations;

  PetscFunctionBegin;
  PetscCall(MatConvert(prob->H, MATAIJ, MAT_INITIAL_MATRIX, P));
  PetscCall(MatSetBlockSize(*P, prob->dim));
  PetscCall(MatShift(*P, sigma));
  PetscCall(MatSetOption(*P, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(*P, MAT_SPD, PETSC_TRUE));
  PetscCall(VitSpectrumTranslations(prob, &t)); /* orthonormal, as MatNullSpaceCreate requires */
  PetscCall(MatNullSpaceCreate(prob->comm, PETSC_FALSE, prob->dim, t, &translations));
  PetscCall(MatSetNearNullSpace(*P, translations));
  PetscCall(MatNullSpaceDestroy(&translations));
  PetscCall(VecDestroyVecs(prob->dim, &t));
  PetscFunctionReturn(0);
}

/* shell: the Hessian has no entries to copy (-hessian_type shell), so only jacobi applies (that check
   is left to the run: VitModesPreconditionerCheckOptions, before the sample, passes PETSC_FALSE) */
static PetscErrorCode ReadOptions(MPI_Comm comm, PetscBool shell, VitPrecond *type, PetscReal *shift)
{
  PetscFunctionBegin;
  *type  = shell ? VIT_PRECOND_JACOBI : VIT_PRECOND_GAMG;
  *shift = 1e-3;
  PetscOptionsBegin(comm, NULL, "Preconditioner of the LOBPCG low modes", NULL);
  PetscCall(PetscOptionsEnum("-spectrum_precond", "LOBPCG preconditioner: gamg, hypre (BoomerAMG) or ml (algebraic multigrid on an AIJ copy of H + sigma I, translations as near-null space), jacobi (diagonal of H, no copy; the default for -hessian_type shell)", NULL, VitPreconds, (PetscEnum)*type, (PetscEnum *)type, NULL));
  PetscCall(PetscOptionsReal("-spectrum_precond_shift", "multigrid shift sigma in units of the mean eigenvalue Tr(H)/(dN) (> 0: H itself is singular)", NULL, *shift, shift, NULL));
  PetscOptionsEnd();
  PetscCall(VitCheckPositiveReal(comm, "-spectrum_precond_shift", *shift, PETSC_FALSE, "H is singular; 1e-3 is the default"));
  PetscCheck(!shell || *type == VIT_PRECOND_JACOBI, comm, PETSC_ERR_USER_INPUT, "-spectrum_precond %s needs an assembled Hessian: use -spectrum_precond jacobi with -hessian_type shell, or -hessian_type baij", VitPreconds[*type]);
  PetscFunctionReturn(0);
}

PetscErrorCode VitMultigridFits(const VitSpectrumProblem *prob, PetscReal *limit_mb, PetscReal *need_mb, PetscBool *fits)
{
  PetscFunctionBegin;
  *need_mb = VIT_MULTIGRID_BYTES_PER_ATOM * prob->natoms / 1048576.0;
  if (*limit_mb == 0) PetscCall(VitSpectrumFactorMemoryLimit(prob->comm, limit_mb));
  *fits = (PetscBool)(*need_mb <= *limit_mb);
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesPreconditionerCheckOptions(MPI_Comm comm)
{
  VitPrecond type;
  PetscReal  shift;

  PetscFunctionBegin;
  PetscCall(ReadOptions(comm, PETSC_FALSE, &type, &shift));
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesPreconditionerSetUp(const VitSpectrumProblem *prob, ST st)
{
  VitPrecond type;
  PetscReal  shift;
  PetscBool  shell;
  KSP        ksp;
  PC         pc;
  Mat        P;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  PetscCall(ReadOptions(prob->comm, shell, &type, &shift));
  PetscCall(STGetKSP(st, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  switch (type) {
  case VIT_PRECOND_JACOBI:
    PetscCall(PCSetType(pc, PCJACOBI));
    PetscFunctionReturn(0);
  case VIT_PRECOND_GAMG: /* its defaults (no aggressive coarsening, threshold) are set in modes.c */
    PetscCall(PCSetType(pc, PCGAMG));
    break;
  case VIT_PRECOND_HYPRE: {
    PetscBool has;
    PetscCall(PetscHasExternalPackage("hypre", &has));
    PetscCheck(has, prob->comm, PETSC_ERR_USER_INPUT, "-spectrum_precond hypre: this PETSc was built without hypre; use -spectrum_precond gamg");
    PetscCall(PCSetType(pc, PCHYPRE));
  }
    break;
  case VIT_PRECOND_ML: {
    PetscBool has;
    PetscCall(PetscHasExternalPackage("ml", &has));
    PetscCheck(has, prob->comm, PETSC_ERR_USER_INPUT, "-spectrum_precond ml: this PETSc was built without Trilinos ML; use -spectrum_precond gamg");
    PetscCall(PCSetType(pc, PCML));
  }
    break;
  }
  PetscCall(ShiftedAijCopy(prob, shift * prob->mean, &P));
  PetscCall(STSetPreconditionerMat(st, P));
  PetscCall(MatDestroy(&P)); /* the ST holds a reference */
  PetscFunctionReturn(0);
}
