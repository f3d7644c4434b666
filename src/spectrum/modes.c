/* Low-frequency modes of the dynamical matrix with SLEPc.

   The default (VitModesChooseMethod): sinvert where its factorisation is cheap (2D samples, sheets),
   twolevel above (3D samples from about 500 atoms).
   sinvert: Krylov-Schur on (H - sigma I)^-1 with a MUMPS LDL^T factorisation (as in SLEPc's
   ex25: ICNTL(13) = 1, ICNTL(24) = 1 null-pivot detection), eigenvalues nearest the small positive
   target sigma. lobpcg: LOBPCG for the smallest eigenvalues with a preconditioner (-st_pc_type,
   Jacobi by default), no factorisation: the path for samples too large to factor. dense: LAPACK on a
   redundant dense copy, all eigenvalues (small samples, reference). filter: Krylov-Schur on a
   Chebyshev polynomial of H that passes [range_lo, upper] and damps the rest (SLEPc's STFILTER,
   every eigenvalue of that interval), widened until it holds nev modes: no factorisation, no
   second matrix. chebyshev: subspace iteration on a block of vectors with a Chebyshev filter
   (subspace.c), every product applied to the whole block at once (the path for samples too large
   to factor).
   The d translations (sqrt(m_i) per atom) are deflated (EPSSetDeflationSpace), or removed afterwards
   in the dense path. Every -eps_* / -st_* option applies after these defaults. */
#include <vitrum/spectrum.h>

const char *const VitModesMethods[] = {"sinvert", "lobpcg", "dense", "filter", "chebyshev", "twolevel", "VitModesMethod", "VIT_MODES_", NULL};

PetscErrorCode VitParticipationRatio(Vec e, PetscInt dim, PetscReal *pr)
{
  const PetscScalar *x;
  PetscInt           n, N;
  PetscReal          s[2] = {0, 0};

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(e, &n));
  PetscCall(VecGetSize(e, &N));
  PetscCall(VecGetArrayRead(e, &x));
  for (PetscInt i = 0; i < n / dim; i++) {
    PetscReal a2 = 0;
    for (PetscInt c = 0; c < dim; c++) a2 += PetscSqr(PetscRealPart(x[i * dim + c]));
    s[0] += a2;
    s[1] += a2 * a2;
  }
  PetscCall(VecRestoreArrayRead(e, &x));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, s, 2, MPIU_REAL, MPI_SUM, PetscObjectComm((PetscObject)e)));
  *pr = s[1] > 0 ? s[0] * s[0] / ((N / dim) * s[1]) : 0.0;
  PetscFunctionReturn(0);
}

PetscErrorCode VitSoftSpotField(const VitModes *modes, PetscInt kmax, PetscInt dim, PetscReal phi[])
{
  PetscInt n;

  PetscFunctionBegin;
  if (!modes->k) PetscFunctionReturn(0);
  PetscCall(VecGetLocalSize(modes->vector[0], &n));
  PetscCall(PetscArrayzero(phi, n / dim));
  for (PetscInt m = 0; m < PetscMin(kmax, modes->k); m++) {
    const PetscScalar *x;
    PetscCall(VecGetArrayRead(modes->vector[m], &x));
    for (PetscInt j = 0; j < n; j++) phi[j / dim] += PetscSqr(PetscRealPart(x[j]));
    PetscCall(VecRestoreArrayRead(modes->vector[m], &x));
  }
  PetscFunctionReturn(0);
}

/* Option defaults of the solvers, set unless given and cleared after the solve. MUMPS controls of
   ex25 for the factorisation of H - sigma I (zero modes: null-pivot detection). GAMG (precond.c):
   the Hessian's graph links every pair within the cutoff (~66 neighbours per atom in a 3D LJ glass),
   so aggregates on its square (PETSc's default) or on all its links are so large that the coarse
   spaces are nearly empty (10,648 atoms: 31,944 -> 168 -> 18 rows); links below 5% of the diagonal
   are dropped and the graph is not squared. Options, not PCGAMGSet*: PETSc 3.18's
   PCSetFromOptions resets the aggressive levels to 1. */
static const char *const solver_defaults[][2] = {
  {"-st_mat_mumps_icntl_13",            "1"    },
  {"-st_mat_mumps_icntl_24",            "1"    },
  {"-st_mat_mumps_cntl_3",              "1e-12"},
  {"-st_pc_gamg_aggressive_coarsening", "0"    },
  {"-st_pc_gamg_threshold",             "0.05" },
};
#define NSOLVER_DEFAULTS 5

static PetscErrorCode ConfigureSolver(EPS eps, const VitModesOptions *opt, PetscInt nev, PetscReal target, PetscInt ndof, PetscInt dim)
{
  ST  st;
  KSP ksp;
  PC  pc;

  PetscFunctionBegin;
  PetscCall(EPSGetST(eps, &st));
  PetscCall(STGetKSP(st, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  switch (opt->method) {
  case VIT_MODES_SINVERT:
    PetscCall(EPSSetType(eps, EPSKRYLOVSCHUR));
    PetscCall(EPSSetWhichEigenpairs(eps, EPS_TARGET_MAGNITUDE));
    PetscCall(EPSSetTarget(eps, target));
    PetscCall(STSetType(st, STSINVERT));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(PCSetType(pc, PCCHOLESKY));
    PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
    PetscCall(EPSSetDimensions(eps, nev, PETSC_DEFAULT, PETSC_DEFAULT));
    break;
  case VIT_MODES_LOBPCG:
    PetscCall(EPSSetType(eps, EPSLOBPCG));
    PetscCall(EPSSetWhichEigenpairs(eps, EPS_SMALLEST_REAL));
    PetscCall(STSetType(st, STPRECOND));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(EPSSetDimensions(eps, nev, PETSC_DEFAULT, PETSC_DEFAULT));
    /* a block wider than nev keeps the members of a (near-)degenerate pair at the edge together;
       with the block equal to nev a split pair stalls convergence (8 of 10 in 5000 iterations) */
    PetscCall(EPSLOBPCGSetBlockSize(eps, nev + PetscMax(4, nev / 2)));
    PetscCall(EPSSetTolerances(eps, PETSC_DEFAULT, 5000)); /* Jacobi-preconditioned: hundreds of iterations */
    break;
  case VIT_MODES_FILTER:
    PetscCall(EPSSetType(eps, EPSKRYLOVSCHUR));
    PetscCall(STSetType(st, STFILTER));
    PetscCall(STFilterSetRange(st, opt->range[0], opt->range[1]));
    PetscCall(STFilterSetInterval(st, opt->range[0], target));
    PetscCall(EPSSetInterval(eps, opt->range[0], target)); /* every eigenvalue up to target (the interval's top) */
    PetscCall(EPSSetDimensions(eps, nev, PETSC_DEFAULT, PETSC_DEFAULT)); /* an estimate of how many lie there */
    break;
  case VIT_MODES_DENSE: {
    DS ds;
    PetscCall(EPSSetType(eps, EPSLAPACK));
    PetscCall(EPSGetDS(eps, &ds));
    PetscCall(DSSetMethod(ds, 1)); /* MRRR (dstevr) for the tridiagonal problem: much faster than QR with vectors; -ds_method */
    PetscCall(EPSSetWhichEigenpairs(eps, EPS_SMALLEST_REAL));
    PetscCall(EPSSetDimensions(eps, ndof, PETSC_DEFAULT, PETSC_DEFAULT));
  } break;
  case VIT_MODES_CHEBYSHEV: /* no EPS: subspace.c, twolevel.c */
  case VIT_MODES_TWOLEVEL:
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_PLIB, "-spectrum_method %s does not use an EPS", VitModesMethods[opt->method]);
  }
  PetscFunctionReturn(0);
}

/* The option that gave nev, for messages. */
static const char *NevOption(const VitModesOptions *opt)
{
  return opt->nev_option ? opt->nev_option : "-spectrum_nev";
}

/* Shift-and-invert's factor of its operator H - sigma I (the ST's matrix), made by
   VitMumpsFactorNumeric in a shell preconditioner instead of by PCCHOLESKY, which stops at
   MUMPS's first failure with a traceback (INFOG(1) -9 on 3 ranks for a 343-atom glass): the same
   MUMPS settings (options prefix st_), the workspace raised where MUMPS's estimate falls short,
   else one line saying what to give. */
typedef struct {
  Mat                    F;
  const VitModesOptions *opt;
} SinvertFactor;

static PetscErrorCode SinvertSetUp(PC pc)
{
  MPI_Comm       comm = PetscObjectComm((PetscObject)pc);
  SinvertFactor *sf;
  Mat            P;
  PetscInt       infog1, relax;
  PetscMPIInt    size;
  char           failure[PETSC_MAX_PATH_LEN] = "";

  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &sf));
  PetscCall(MatDestroy(&sf->F));
  PetscCall(PCGetOperators(pc, NULL, &P));
  PetscCall(VitMumpsAnalysis(P, "st_", PETSC_TRUE, &sf->F));
  PetscCall(VitMumpsFactorNumeric(P, "st_", PETSC_TRUE, &sf->F, &infog1, &relax));
  if (infog1 < 0) PetscCall(VitMumpsFailure(infog1, relax, "st_", failure, sizeof(failure)));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(infog1 >= 0, comm, PETSC_ERR_USER_INPUT, "shift-and-invert (-spectrum_method sinvert): MUMPS could not factor H - sigma I on %d ranks: %s; give -spectrum_method twolevel (no factor of H), fewer ranks, or %s 0 (no modes)", size, failure, NevOption(sf->opt));
  PetscFunctionReturn(0);
}

static PetscErrorCode SinvertApply(PC pc, Vec x, Vec y)
{
  SinvertFactor *sf;

  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &sf));
  PetscCall(MatSolve(sf->F, x, y));
  PetscFunctionReturn(0);
}

static PetscErrorCode SinvertDestroy(PC pc)
{
  SinvertFactor *sf;

  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &sf));
  PetscCall(MatDestroy(&sf->F));
  PetscCall(PetscFree(sf));
  PetscFunctionReturn(0);
}

/* Where the ST's solver is still the default one (preonly, Cholesky by MUMPS; -st_ksp_type and
   -st_pc_type of the user's are kept), its factor is made by SinvertSetUp. */
static PetscErrorCode SinvertFactorSet(ST st, const VitModesOptions *opt)
{
  KSP            ksp;
  PC             pc;
  PetscBool      preonly, cholesky, mumps;
  MatSolverType  solver;
  SinvertFactor *sf;

  PetscFunctionBegin;
  PetscCall(STGetKSP(st, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PetscObjectTypeCompare((PetscObject)ksp, KSPPREONLY, &preonly));
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCCHOLESKY, &cholesky));
  if (!preonly || !cholesky) PetscFunctionReturn(0);
  PetscCall(PCFactorGetMatSolverType(pc, &solver));
  PetscCall(PetscStrcmp(solver, MATSOLVERMUMPS, &mumps));
  if (!mumps) PetscFunctionReturn(0);
  PetscCall(PetscNew(&sf));
  sf->opt = opt;
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PCShellSetContext(pc, sf));
  PetscCall(PCShellSetName(pc, "MUMPS LDL^T of H - sigma I, its workspace raised where MUMPS's estimate falls short (vitrum)"));
  PetscCall(PCShellSetSetUp(pc, SinvertSetUp));
  PetscCall(PCShellSetApply(pc, SinvertApply));
  PetscCall(PCShellSetDestroy(pc, SinvertDestroy));
  PetscFunctionReturn(0);
}

/* Squared overlap of v with the translation space. */
static PetscErrorCode TranslationOverlap(Vec v, PetscInt dim, Vec t[], PetscReal *overlap)
{
  PetscScalar dots[3];

  PetscFunctionBegin;
  PetscCall(VecMDot(v, dim, t, dots));
  *overlap = 0;
  for (PetscInt a = 0; a < dim; a++) *overlap += PetscSqr(PetscRealPart(dots[a]));
  PetscFunctionReturn(0);
}

/* nev: the pairs asked of SLEPc. The filter asks for more than the user's modes (FilterModes), and
   its nconv counts the pairs converged inside its interval, not the lowest: the message names the
   user's count and the interval, with SLEPc's count in words. */
static PetscErrorCode ReportUnconverged(EPS eps, const VitSpectrumProblem *prob, const VitModesOptions *opt, PetscInt nev, PetscInt nconv, PetscInt its)
{
  PetscReal err, worst = 0;
  char      what[320];

  PetscFunctionBegin;
  for (PetscInt i = 0; i < nconv; i++) {
    PetscCall(EPSComputeError(eps, i, EPS_ERROR_RELATIVE, &err));
    worst = PetscMax(worst, err);
  }
  if (opt->method == VIT_MODES_FILTER) {
    PetscCall(PetscSNPrintf(what, sizeof(what), "-spectrum_method filter: SLEPc had not converged every eigenpair of the filter's interval [%.6g, %.6g] after %" PetscInt_FMT " iterations (%" PetscInt_FMT " converged there; it was asked for %" PetscInt_FMT ", more than the %" PetscInt_FMT " modes wanted, to find all of them), so the lowest %" PetscInt_FMT " modes may be incomplete", (double)opt->range[0], (double)opt->target, its, nconv, nev, opt->nev, opt->nev));
    PetscCheck(opt->allow_unconverged, prob->comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": %s (largest relative residual of those converged %.6g); raise -eps_max_it/-eps_ncv, loosen -eps_tol, or pass -spectrum_allow_unconverged", NevOption(opt), opt->nev, what, (double)worst);
    PetscCall(PetscPrintf(prob->comm, "vitrum: warning: %s; continuing (-spectrum_allow_unconverged)\n", what));
    PetscFunctionReturn(0);
  }
  if (!opt->allow_unconverged)
    SETERRQ(prob->comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": only %" PetscInt_FMT " of %" PetscInt_FMT " eigenpairs converged after %" PetscInt_FMT " iterations (largest relative residual of those %.6g); raise -eps_max_it/-eps_ncv, loosen -eps_tol, or pass -spectrum_allow_unconverged", NevOption(opt), opt->nev, nconv, nev, its, (double)worst);
  PetscCall(PetscPrintf(prob->comm, "vitrum: warning: only %" PetscInt_FMT " of %" PetscInt_FMT " eigenpairs converged after %" PetscInt_FMT " iterations; continuing (-spectrum_allow_unconverged)\n", nconv, nev, its));
  PetscFunctionReturn(0);
}

/* The wanted modes exist: nev <= dN - d. The options allow 0 (none: -spectrum_nev, -response_nev;
   -minimize_saddle_nev is clamped), so the range named is [0, dN - d]; a solve is never asked for 0. */
static PetscErrorCode CheckNev(const VitSpectrumProblem *prob, const VitModesOptions *opt)
{
  const PetscInt d = prob->dim, nonzero = d * (prob->natoms - 1);

  PetscFunctionBegin;
  PetscCheck(opt->nev <= nonzero, prob->comm, PETSC_ERR_USER_INPUT, "%s %" PetscInt_FMT ": must lie in [0, %" PetscInt_FMT "] (0: none; dN minus the %" PetscInt_FMT " translations)", NevOption(opt), opt->nev, nonzero, d);
  PetscCheck(opt->nev >= 1, prob->comm, PETSC_ERR_PLIB, "%s %" PetscInt_FMT ": a solve for no modes", NevOption(opt), opt->nev);
  PetscFunctionReturn(0);
}

/* One solve for the lowest nev non-translation modes (all of them for the dense path), sorted.
   The translations and the vectors of `known` (may be NULL) are deflated: a solve after a first
   one finds the members of multiplets that the first one missed. */
static PetscErrorCode SolveModes(const VitSpectrumProblem *prob, const VitModesOptions *opt, PetscInt nev, const VitModes *known, VitModes *modes)
{
  const PetscInt d = prob->dim, ndof = d * prob->natoms;
  EPS            eps;
  ST             st;
  STType         sttype;
  Vec           *t, v;
  Mat            A = prob->H;
  PetscInt       nconv, *order, nkeep = 0, *keep;
  PetscReal     *lambda, *overlap, *rank, target = opt->target;
  PetscBool      added[NSOLVER_DEFAULTS] = {PETSC_FALSE}, sinvert;
  EPSConvergedReason reason;

  PetscFunctionBegin;
  PetscCall(PetscMemzero(modes, sizeof(*modes)));
  if (target <= 0 && opt->method == VIT_MODES_SINVERT) target = VIT_ZERO_MODE_RTOL * prob->mean; /* far below the lowest non-zero mode */
  PetscCall(VitSpectrumTranslations(prob, &t));
  PetscCall(EPSCreate(prob->comm, &eps));
  if (opt->method == VIT_MODES_SINVERT) PetscCall(VitSpectrumFactorableCopy(prob->H, &A));
  if (opt->method != VIT_MODES_DENSE) {
    const PetscInt nknown = known ? known->k : 0;
    Vec           *deflate;
    PetscCall(PetscMalloc1(d + nknown, &deflate));
    for (PetscInt a = 0; a < d; a++) deflate[a] = t[a];
    for (PetscInt m = 0; m < nknown; m++) deflate[d + m] = known->vector[m];
    PetscCall(EPSSetDeflationSpace(eps, d + nknown, deflate));
    PetscCall(PetscFree(deflate));
  }
  PetscCall(ConfigureSolver(eps, opt, nev, target, ndof, d));
  if (opt->method == VIT_MODES_LOBPCG) {
    PetscCall(EPSGetST(eps, &st));
    PetscCall(VitModesPreconditionerSetUp(prob, st));
  }
  /* Operators last: converting a parallel BAIJ H (the copies above) disassembles and reassembles it,
     and SLEPc refuses operators whose state changed after EPSSetOperators. */
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, EPS_HEP));
  for (PetscInt j = 0; j < NSOLVER_DEFAULTS; j++) PetscCall(VitOptionsSetDefault(solver_defaults[j][0], solver_defaults[j][1], &added[j]));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(EPSGetST(eps, &st));
  PetscCall(STGetType(st, &sttype));
  PetscCall(PetscStrcmp(sttype, STSINVERT, &sinvert));
  if (sinvert) {
    PetscCall(EPSGetTarget(eps, &target));
    PetscCall(VitCheckPositiveReal(prob->comm, "-eps_target", target, PETSC_FALSE, "the shift-and-invert target: H - sigma I with sigma <= 0 is singular or misses the lowest modes"));
    PetscCall(SinvertFactorSet(st, opt));
  }
  PetscCall(EPSSolve(eps));
  for (PetscInt j = 0; j < NSOLVER_DEFAULTS; j++)
    if (added[j]) PetscCall(PetscOptionsClearValue(NULL, solver_defaults[j][0]));
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCall(EPSGetIterationNumber(eps, &modes->iterations));
  PetscCall(EPSGetConvergedReason(eps, &reason));
  modes->target = sinvert ? target : 0;
  /* the filter: nconv counts the pairs inside the interval (SLEPc discards the others it converged) */
  if (opt->method != VIT_MODES_DENSE && (opt->method == VIT_MODES_FILTER ? reason < 0 : nconv < nev)) PetscCall(ReportUnconverged(eps, prob, opt, nev, nconv, modes->iterations));

  /* The pairs kept: the dense path drops the d most translation-like, shift-and-invert keeps the nev
     nearest its target (SLEPc may converge more; the lowest of them by value would be a window of
     the negative eigenvalues of an unrelaxed sample), the others all; then sorted by eigenvalue. */
  PetscCall(PetscMalloc5(nconv, &lambda, nconv, &order, nconv, &overlap, nconv, &keep, nconv, &rank));
  PetscCall(MatCreateVecs(prob->H, &v, NULL));
  for (PetscInt i = 0; i < nconv; i++) {
    PetscCall(EPSGetEigenpair(eps, i, &lambda[i], NULL, v, NULL));
    PetscCall(TranslationOverlap(v, d, t, &overlap[i]));
    rank[i]  = opt->method == VIT_MODES_DENSE ? -overlap[i] : sinvert ? PetscAbsReal(lambda[i] - target) : lambda[i];
    order[i] = i;
  }
  PetscCall(PetscSortRealWithPermutation(nconv, rank, order));
  for (PetscInt i = opt->method == VIT_MODES_DENSE ? d : 0; i < (sinvert ? PetscMin(nconv, nev) : nconv); i++) keep[nkeep++] = order[i];
  {
    PetscReal *key;
    PetscInt  *perm;
    PetscCall(PetscMalloc2(nkeep, &key, nkeep, &perm));
    for (PetscInt i = 0; i < nkeep; i++) {
      key[i]  = lambda[keep[i]];
      perm[i] = i;
    }
    PetscCall(PetscSortRealWithPermutation(nkeep, key, perm));
    modes->k = (opt->method == VIT_MODES_DENSE && !opt->dense_lowest) || opt->method == VIT_MODES_FILTER ? nkeep : PetscMin(nkeep, nev);
    if (opt->method == VIT_MODES_DENSE && opt->dense_lowest) /* with the rest of the nev-th's multiplet, as the other methods */
      while (modes->k < nkeep && key[perm[modes->k]] <= key[perm[nev - 1]] + VIT_MULTIPLET_RTOL * PetscAbsReal(key[perm[nev - 1]])) modes->k++;
    PetscCall(PetscMalloc3(modes->k, &modes->eigenvalue, modes->k, &modes->residual, modes->k, &modes->participation));
    PetscCall(VecDuplicateVecs(v, PetscMax(modes->k, 1), &modes->vector));
    for (PetscInt m = 0; m < modes->k; m++) {
      const PetscInt i = keep[perm[m]];
      PetscCall(EPSGetEigenpair(eps, i, &modes->eigenvalue[m], NULL, modes->vector[m], NULL));
      PetscCall(EPSComputeError(eps, i, EPS_ERROR_RELATIVE, &modes->residual[m]));
      PetscCall(VitParticipationRatio(modes->vector[m], d, &modes->participation[m]));
    }
    PetscCall(PetscFree2(key, perm));
  }
  PetscCall(PetscFree5(lambda, order, overlap, keep, rank));
  PetscCall(VecDestroy(&v));
  PetscCall(VecDestroyVecs(d, &t));
  PetscCall(EPSDestroy(&eps));
  if (A != prob->H) PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

/* Keep modes first..last-1; the vectors of the others are destroyed (VitModesDestroy frees k of them). */
static PetscErrorCode KeepModes(VitModes *modes, PetscInt first, PetscInt last)
{
  PetscFunctionBegin;
  for (PetscInt j = 0; j < modes->k; j++)
    if (j < first || j >= last) PetscCall(VecDestroy(&modes->vector[j]));
  for (PetscInt j = first; j < last; j++) {
    modes->eigenvalue[j - first]    = modes->eigenvalue[j];
    modes->residual[j - first]      = modes->residual[j];
    modes->participation[j - first] = modes->participation[j];
    modes->vector[j - first]        = modes->vector[j];
  }
  for (PetscInt j = last - first; j < modes->k; j++) modes->vector[j] = NULL;
  modes->k = last - first;
  PetscFunctionReturn(0);
}

/* Drop modes whose vector repeats an earlier one (|<e_i, e_j>| > 1/2; a shift-and-invert solve
   can return one eigenpair twice when it misses members of a multiplet). */
static PetscErrorCode DropRepeatedModes(VitModes *modes)
{
  PetscInt kept = 0;

  PetscFunctionBegin;
  for (PetscInt m = 0; m < modes->k; m++) {
    PetscBool repeat = PETSC_FALSE;
    for (PetscInt j = 0; j < kept && !repeat; j++) {
      PetscScalar dot;
      PetscCall(VecDot(modes->vector[m], modes->vector[j], &dot));
      repeat = (PetscBool)(PetscAbsScalar(dot) > 0.5);
    }
    if (repeat) continue;
    if (kept != m) {
      PetscCall(VecSwap(modes->vector[m], modes->vector[kept]));
      modes->eigenvalue[kept]    = modes->eigenvalue[m];
      modes->residual[kept]      = modes->residual[m];
      modes->participation[kept] = modes->participation[m];
    }
    kept++;
  }
  PetscCall(KeepModes(modes, 0, kept));
  PetscFunctionReturn(0);
}

/* Append the modes of `more` to `modes` (both sorted) and sort the union by eigenvalue; `more` is emptied. */
static PetscErrorCode MergeModes(VitModes *modes, VitModes *more)
{
  const PetscInt k = modes->k + more->k;
  PetscReal     *lambda, *residual, *participation, *key;
  PetscInt      *perm;
  Vec           *vector;

  PetscFunctionBegin;
  PetscCall(PetscMalloc3(k, &lambda, k, &residual, k, &participation));
  PetscCall(PetscMalloc1(k, &vector));
  PetscCall(PetscMalloc2(k, &key, k, &perm));
  for (PetscInt m = 0; m < k; m++) {
    const VitModes *from = m < modes->k ? modes : more;
    const PetscInt  i    = m < modes->k ? m : m - modes->k;
    key[m]               = from->eigenvalue[i];
    perm[m]              = m;
  }
  PetscCall(PetscSortRealWithPermutation(k, key, perm));
  for (PetscInt m = 0; m < k; m++) {
    const VitModes *from = perm[m] < modes->k ? modes : more;
    const PetscInt  i    = perm[m] < modes->k ? perm[m] : perm[m] - modes->k;
    lambda[m]            = from->eigenvalue[i];
    residual[m]          = from->residual[i];
    participation[m]     = from->participation[i];
    vector[m]            = from->vector[i];
  }
  PetscCall(PetscFree2(key, perm));
  PetscCall(PetscFree3(modes->eigenvalue, modes->residual, modes->participation));
  PetscCall(PetscFree3(more->eigenvalue, more->residual, more->participation));
  PetscCall(PetscFree(modes->vector));
  PetscCall(PetscFree(more->vector));
  modes->eigenvalue    = lambda;
  modes->residual      = residual;
  modes->participation = participation;
  modes->vector        = vector;
  modes->k             = k;
  modes->iterations += more->iterations;
  PetscCall(PetscMemzero(more, sizeof(*more)));
  PetscFunctionReturn(0);
}

/* Whether two of the modes found have the same eigenvalue (to VIT_MULTIPLET_RTOL relative). */
static PetscBool HasMultiplet(const VitModes *modes)
{
  for (PetscInt m = 1; m < modes->k; m++)
    if (PetscAbsReal(modes->eigenvalue[m] - modes->eigenvalue[m - 1]) <= VIT_MULTIPLET_RTOL * PetscAbsReal(modes->eigenvalue[m])) return PETSC_TRUE;
  return PETSC_FALSE;
}

/* Every eigenvalue of the filter's interval [range_lo, upper] (`known`, may be NULL, deflated).
   SLEPc's Krylov-Schur on p(H) stops as soon as `ask` pairs have converged, and those are not the
   lowest of the interval (p is about 1 all across it): where all `ask` lie inside it, more may lie
   there, and the solve is repeated asking for twice as many. Where fewer lie inside, SLEPc went on to
   pairs beyond the interval (and discarded them): the interval is exhausted. `ask` keeps the
   count that sufficed, for the next solve. */
static PetscErrorCode FilterSolve(const VitSpectrumProblem *prob, const VitModesOptions *opt, PetscInt *ask, const VitModes *known, VitModes *modes)
{
  const PetscInt left = prob->dim * (prob->natoms - 1) - (known ? known->k : 0);

  PetscFunctionBegin;
  *ask = PetscMin(*ask, left);
  for (;;) {
    PetscCall(SolveModes(prob, opt, *ask, known, modes));
    PetscCall(PetscInfo(NULL, "filter: %" PetscInt_FMT " modes in [%.6g, %.6g] with %" PetscInt_FMT " asked of SLEPc\n", modes->k, (double)opt->range[0], (double)opt->upper, *ask));
    if (modes->k < *ask || *ask >= left) break;
    *ask = PetscMin(2 * *ask, left);
    PetscCall(VitModesDestroy(modes));
  }
  PetscFunctionReturn(0);
}

/* The filter's interval must stay below the top of the spectrum (SLEPc refuses a filter that passes
   all of it): where the interval would have to grow to the top, one line naming the degree. */
static PetscErrorCode FilterCheckWidening(const VitSpectrumProblem *prob, const VitModesOptions *opt, PetscInt found, PetscInt attempt)
{
  PetscInt  degree = 100; /* SLEPc's default */
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-st_filter_degree", &degree, &set));
  PetscCheck(attempt < 12, prob->comm, PETSC_ERR_NOT_CONVERGED, "-spectrum_method filter: %" PetscInt_FMT " of the %s %" PetscInt_FMT " modes found below lambda = %.6g after %" PetscInt_FMT " widenings; raise -st_filter_degree or use -spectrum_method lobpcg", found, NevOption(opt), opt->nev, (double)opt->upper, attempt);
  PetscCheck(opt->upper < opt->range[1], prob->comm, PETSC_ERR_USER_INPUT, "-spectrum_method filter: %" PetscInt_FMT " of the %s %" PetscInt_FMT " modes found, and the filter's interval cannot grow to the top of the spectrum (%.6g; SLEPc's filter must not pass all of it): the polynomial of degree %" PetscInt_FMT " (-st_filter_degree%s) does not resolve the low modes; %s, or use -spectrum_method chebyshev or lobpcg", found, NevOption(opt), opt->nev, (double)opt->range[1], degree, set ? "" : ", SLEPc's default", degree > 100 ? "give -st_filter_degree 100 (the default)" : "raise -st_filter_degree");
  PetscFunctionReturn(0);
}

/* The filter finds every eigenvalue of [range_lo, upper] (FilterSolve): too few (the first guess of
   upper was low), and upper grows as (nev + margin)/found)^(2/d) (the Debye count N ~ lambda^(d/2)
   of the acoustic modes at the bottom of a solid's spectrum), at least 1.5-fold; complete
   multiplets by construction. The modes kept: the lowest nev, with the rest of the nev-th's
   multiplet. */
static PetscErrorCode FilterModes(const VitSpectrumProblem *prob, const VitModesOptions *given, VitModes *modes)
{
  const PetscInt  d = prob->dim, want = given->nev + PetscMax(4, given->nev / 4);
  VitModesOptions opt = *given;
  PetscInt        upto, ask = 3 * want; /* SLEPc's count, above the interval's (the guess of upper aims at 2 nev + 10) */

  PetscFunctionBegin;
  for (PetscInt attempt = 0;; attempt++) {
    opt.target = opt.upper;
    PetscCall(FilterSolve(prob, &opt, &ask, NULL, modes));
    if (modes->k >= opt.nev) break;
    opt.upper *= PetscMax(1.5, PetscPowReal((PetscReal)want / PetscMax(modes->k, 1), 2.0 / d));
    opt.upper = PetscMin(opt.upper, opt.range[1]);
    PetscCall(FilterCheckWidening(prob, &opt, modes->k, attempt));
    PetscCall(VitModesDestroy(modes));
  }
  /* A Krylov method sees one vector of an exactly degenerate eigenspace per start vector: where the
     modes found include a multiplet (a crystal, a replicated cell), solve again with them deflated
     until a solve finds nothing more in the interval. Glasses have no exact multiplets: one solve. */
  for (PetscInt again = 0; HasMultiplet(modes); again++) {
    VitModes more;
    if (again == 8) {
      PetscCall(PetscPrintf(prob->comm, "vitrum: warning: -spectrum_method filter: 8 solves with the found modes deflated still found more members of degenerate multiplets; the multiplets at the top of the %" PetscInt_FMT " modes may be incomplete (-spectrum_method sinvert checks them by inertia)\n", modes->k));
      break;
    }
    PetscCall(FilterSolve(prob, &opt, &ask, modes, &more));
    if (!more.k) {
      PetscCall(VitModesDestroy(&more));
      break;
    }
    PetscCall(MergeModes(modes, &more));
    PetscCall(DropRepeatedModes(modes));
  }
  for (upto = opt.nev; upto < modes->k && modes->eigenvalue[upto] <= modes->eigenvalue[opt.nev - 1] * (1 + VIT_MULTIPLET_RTOL); upto++) { }
  PetscCall(KeepModes(modes, 0, upto));
  PetscFunctionReturn(0);
}

static PetscErrorCode MultipletsOption(MPI_Comm comm, PetscBool *check)
{
  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "Low-frequency modes", NULL);
  PetscCall(PetscOptionsBool("-spectrum_complete_multiplets", "check the modes found against an exact inertia count and complete degenerate multiplets (default: on for sinvert)", NULL, *check, check, NULL));
  PetscOptionsEnd();
  PetscFunctionReturn(0);
}

/* -eps_nev would replace the number of pairs vitrum asks of SLEPc: the modes wanted (sinvert,
   lobpcg), several times more (the filter, which finds every mode of its interval only while it
   asks for more than lie there; -eps_nev 5 for 10 modes ended in "only 0 of 42 eigenpairs
   converged"), or all of them (dense). The count of modes is -spectrum_nev (-response_nev,
   -minimize_saddle_nev): -eps_nev is refused. */
static PetscErrorCode EpsNevOption(MPI_Comm comm)
{
  PetscInt  n = 0;
  PetscBool set;

  PetscFunctionBegin;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-eps_nev", &n, &set));
  PetscCheck(!set, comm, PETSC_ERR_USER_INPUT, "-eps_nev %" PetscInt_FMT ": vitrum sets the number of eigenpairs it asks of SLEPc from the modes wanted (more than those for -spectrum_method filter, all for dense), and -eps_nev would replace it: give the number of modes as -spectrum_nev (-response_nev in response) and leave -eps_nev out", n);
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesCheckOptions(MPI_Comm comm, PetscInt nev)
{
  PetscBool check = PETSC_TRUE;

  PetscFunctionBegin;
  PetscCall(MultipletsOption(comm, &check));
  PetscCall(VitModesChebyshevCheckOptions(comm, nev));
  PetscCall(VitModesTwoLevelCheckOptions(comm, nev));
  PetscCall(VitModesPreconditionerCheckOptions(comm));
  PetscCall(EpsNevOption(comm));
  PetscFunctionReturn(0);
}

/* The window of shift-and-invert's modes: they are the nev nearest its target sigma, i.e. every
   eigenvalue within r of it, r the nev-th smallest |lambda - sigma| of the modes found, widened by
   VIT_MULTIPLET_RTOL of the largest |lambda| there so that the whole multiplet at the edge is in. Found modes
   first..last-1 (ascending) lie in [lo, hi]. Below a relaxed sample's modes lo is negative and
   empty; an unrelaxed one has eigenvalues below it. */
static PetscErrorCode NearestWindow(const VitModes *modes, PetscInt nev, PetscReal window[2], PetscInt *first, PetscInt *last)
{
  const PetscReal sigma = modes->target;
  PetscReal      *dist, r;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(modes->k, &dist));
  for (PetscInt m = 0; m < modes->k; m++) dist[m] = PetscAbsReal(modes->eigenvalue[m] - sigma);
  PetscCall(PetscSortReal(modes->k, dist));
  r = dist[nev - 1];
  r += VIT_MULTIPLET_RTOL * (PetscAbsReal(sigma) + r);
  PetscCall(PetscFree(dist));
  window[0] = sigma - r;
  window[1] = sigma + r;
  for (*first = 0; *first < modes->k && modes->eigenvalue[*first] < window[0]; (*first)++) { }
  for (*last = *first; *last < modes->k && modes->eigenvalue[*last] <= window[1]; (*last)++) { }
  PetscFunctionReturn(0);
}

/* The eigenvalues of H in the window [lo, hi] (hi > 0) but the d translations, by Sylvester's
   inertia: count(hi) - count(lo). Where count(hi) equals the modes found below hi (last), every
   eigenvalue below hi was found, so the window holds those found there: one factorisation (a
   relaxed sample); else a second one counts below lo. */
static PetscErrorCode CountInWindow(const VitSpectrumProblem *prob, const PetscReal window[2], PetscInt first, PetscInt last, PetscInt *count, char failure[], size_t len)
{
  const PetscInt d = prob->dim;
  PetscInt       below_hi, below_lo;

  PetscFunctionBegin;
  PetscCall(VitSpectrumInertiaCounts(prob, 1, &window[1], &below_hi, failure, len));
  below_hi -= d; /* the translations, zero up to round-off, lie below hi > 0 */
  *count = last - first;
  if (failure[0] || below_hi == last) PetscFunctionReturn(0);
  PetscCall(VitSpectrumInertiaCounts(prob, 1, &window[0], &below_lo, failure, len));
  if (window[0] > 0) below_lo -= d;
  *count = below_hi - below_lo;
  PetscFunctionReturn(0);
}

/* Complete multiplets, checked by inertia: Sylvester's count of the eigenvalues of H in the window
   of the nev modes nearest the target (NearestWindow; one or two MUMPS factorisations) must equal
   the number of modes found there; when a solve missed members of a degenerate multiplet (a
   crystal, a symmetric sheet), another solve with the found modes deflated finds the missing ones
   (a Krylov method sees one vector of an exact multiplet per start vector). The modes kept are
   those of the window, with the whole multiplet at its edges, so k can exceed nev. */
static PetscErrorCode ComputeBySolver(const VitSpectrumProblem *prob, const VitModesOptions *opt, VitModes *modes)
{
  const PetscInt d = prob->dim, ndof = d * prob->natoms, extra = PetscMax(4, opt->nev / 4);
  PetscBool      check = (PetscBool)(opt->method == VIT_MODES_SINVERT);
  PetscInt       want = opt->nev, count = 0, first = 0, last = 0;
  PetscReal      window[2];
  char           failure[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  if (opt->method == VIT_MODES_DENSE) {
    PetscCall(SolveModes(prob, opt, opt->dense_lowest ? opt->nev : ndof, NULL, modes));
    PetscFunctionReturn(0);
  }
  PetscCall(CheckNev(prob, opt));
  if (opt->method == VIT_MODES_FILTER) {
    PetscCall(FilterModes(prob, opt, modes));
    PetscFunctionReturn(0);
  }
  if (opt->method == VIT_MODES_CHEBYSHEV) {
    PetscCall(VitModesChebyshev(prob, opt, modes));
    PetscFunctionReturn(0);
  }
  if (opt->method == VIT_MODES_TWOLEVEL) {
    PetscCall(VitModesTwoLevel(prob, opt, modes));
    PetscFunctionReturn(0);
  }
  if (opt->nearest_only) check = PETSC_FALSE;
  else PetscCall(MultipletsOption(prob->comm, &check));
  if (check) want = PetscMin(opt->nev + extra, ndof - d);
  PetscCall(SolveModes(prob, opt, want, NULL, modes));
  PetscCall(DropRepeatedModes(modes));
  for (PetscInt attempt = 0; check && modes->k >= opt->nev; attempt++) {
    VitModes more;
    PetscCall(NearestWindow(modes, opt->nev, window, &first, &last));
    PetscCall(CountInWindow(prob, window, first, last, &count, failure, sizeof(failure)));
    if (failure[0]) { /* MUMPS could not factor H - s I: keep what the solve found, with a note */
      PetscCall(PetscPrintf(prob->comm, "vitrum: note: multiplets of the modes not checked: MUMPS could not factor H - s I: %s\n", failure));
      break;
    }
    if (count == last - first) break;
    PetscCheck(attempt < 8 && count > last - first, prob->comm, PETSC_ERR_NOT_CONVERGED, "%s %" PetscInt_FMT ": %" PetscInt_FMT " modes found in [%.6g, %.6g], but the exact inertia count there is %" PetscInt_FMT "; raise -eps_ncv or use -spectrum_method dense", NevOption(opt), opt->nev, last - first, (double)window[0], (double)window[1], count);
    PetscCall(PetscInfo(NULL, "modes: %" PetscInt_FMT " found in [%.6g, %.6g], %" PetscInt_FMT " exist: solving for the missing ones with the found ones deflated\n", last - first, (double)window[0], (double)window[1], count));
    PetscCall(SolveModes(prob, opt, PetscMin(count - (last - first) + extra, ndof - d - modes->k), modes, &more));
    PetscCall(MergeModes(modes, &more));
    PetscCall(DropRepeatedModes(modes));
  }
  if (check && modes->k >= opt->nev) PetscCall(KeepModes(modes, first, last));
  PetscFunctionReturn(0);
}

/* The filter's interval when the caller gives none: the whole spectrum's range from the KPM bounds
   (Lanczos with a margin, within Gershgorin), and a first guess of the top of the wanted part: from
   the eigenvalue below which 2 % of the states lie (a KPM pilot of 1024 moments x 4 vectors
   resolves it: its width pi (hi - lo)/2048 is a fraction of it in the glasses tried), the Debye
   count N ~ lambda^(d/2) of a solid's acoustic modes extrapolated to 2 nev + 10 modes. Too low a
   guess only costs a wider second solve (FilterModes). */
static PetscErrorCode FilterInterval(const VitSpectrumProblem *prob, VitModesOptions *opt)
{
  const PetscReal states = (PetscReal)prob->dim * prob->natoms - prob->dim;
  VitKpm          pilot;
  PetscReal       lo, hi, l2;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorSetVectors(opt->op, 4));
  PetscCall(VitKpmBounds(opt->op, prob, opt->bounds_steps, opt->seed, &lo, &hi));
  PetscCall(VitKpmCompute(opt->op, prob, 1024, opt->seed, lo, hi, &pilot));
  PetscCall(VitKpmQuantile(&pilot, 0.02, &l2));
  PetscCall(VitKpmDestroy(&pilot));
  opt->range[0] = lo;
  opt->range[1] = hi;
  opt->upper    = l2 > 0 ? PetscMin(hi, l2 * PetscPowReal((2.0 * opt->nev + 10) / (0.02 * states), 2.0 / prob->dim)) : 1e-3 * hi;
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesChooseMethod(const VitSpectrumProblem *prob, VitFactorGuard *guard, VitModesOptions *opt)
{
  const PetscReal ndof = (PetscReal)prob->dim * prob->natoms;
  PetscBool       fits;
  PetscReal       flops;

  PetscFunctionBegin;
  if (opt->method != VIT_MODES_SINVERT) PetscFunctionReturn(0);
  if (opt->method_default && ndof > VIT_MODES_DENSE_DOF) {
    PetscBool costly;
    PetscCall(VitFactorGuardFlops(prob, guard, &flops));
    costly = (PetscBool)(flops > VIT_MODES_SINVERT_MAX_FLOPS_PER_DOF * ndof);
    if (flops >= 0) PetscCall(PetscInfo(NULL, "default method: a factorisation of H takes %.6g flops per degree of freedom (limit %.6g): %s\n", (double)(flops / ndof), (double)VIT_MODES_SINVERT_MAX_FLOPS_PER_DOF, costly ? "twolevel" : "sinvert"));
    if (costly) { /* where twolevel does not converge, sinvert after all if it fits (no note here) */
      opt->method   = VIT_MODES_TWOLEVEL;
      opt->fallback = PETSC_TRUE;
      PetscCall(VitFactorGuardFits(prob, guard, NULL, NULL, &opt->sinvert_fits));
      PetscFunctionReturn(0);
    }
  }
  PetscCall(VitFactorGuardFits(prob, guard, "shift-and-invert", "; the lowest modes are computed by LOBPCG with a two-level preconditioner instead (-spectrum_method twolevel)", &fits));
  if (!fits) opt->method = VIT_MODES_TWOLEVEL;
  opt->fallback = (PetscBool)!fits;
  PetscFunctionReturn(0);
}

PetscBool VitModesDenseInstead(const VitSpectrumProblem *prob, const VitModesOptions *opt)
{
  const PetscInt nonzero = prob->dim * (prob->natoms - 1);
  const PetscInt nev     = opt->nev_default ? PetscMin(opt->nev, nonzero) : opt->nev; /* as VitModesCompute shrinks it */

  /* most of the space: SLEPc's LOBPCG stops when the space is below 5 block sizes ("problem size
     too small relative to the block size", once internal error 56 of minimize
     -minimize_saddle_nev 1e9) and the others waste their work; dense where the matrix fits one rank */
  return (PetscBool)(opt->method != VIT_MODES_DENSE && (prob->dim * prob->natoms <= VIT_MODES_DENSE_DOF || 5 * nev > nonzero));
}

/* The block methods' operator is the caller's or one built here from prob->H, which stays; where
   twolevel declines (opt->fallback, with its note), sinvert computes the modes where its factor fits
   (opt->sinvert_fits; on prob->H), else chebyshev on the operator. */
PetscErrorCode VitModesCompute(const VitSpectrumProblem *prob, const VitModesOptions *given, VitModes *modes)
{
  VitModesOptions opt = *given;
  PetscBool       block = (PetscBool)(opt.method == VIT_MODES_TWOLEVEL || opt.method == VIT_MODES_CHEBYSHEV || opt.method == VIT_MODES_FILTER);

  PetscFunctionBegin;
  if (opt.nev_default && opt.method != VIT_MODES_DENSE && opt.nev > prob->dim * (prob->natoms - 1)) {
    opt.nev = prob->dim * (prob->natoms - 1);
    PetscCall(PetscPrintf(prob->comm, "vitrum: note: %" PetscInt_FMT " atoms have %" PetscInt_FMT " non-zero modes, fewer than the default %" PetscInt_FMT ": computing all of them\n", prob->natoms, opt.nev, given->nev));
  }
  if (VitModesDenseInstead(prob, &opt)) { /* dense LAPACK instead, recorded as the method used */
    const PetscInt nonzero = prob->dim * (prob->natoms - 1);
    PetscCall(CheckNev(prob, &opt));
    if (prob->dim * prob->natoms > VIT_MODES_DENSE_DOF) {
      PetscCheck(prob->dim * prob->natoms <= VIT_MODES_DENSE_MAX_DOF, prob->comm, PETSC_ERR_USER_INPUT, "%" PetscInt_FMT " modes of %" PetscInt_FMT " non-zero ones: an iterative eigensolver needs them to be at most a fifth of the space; ask for at most %" PetscInt_FMT, opt.nev, nonzero, nonzero / 5);
      PetscCall(PetscPrintf(prob->comm, "vitrum: note: %" PetscInt_FMT " of the %" PetscInt_FMT " non-zero modes asked for: computed by dense LAPACK\n", opt.nev, nonzero));
    }
    opt.method       = VIT_MODES_DENSE;
    opt.dense_lowest = PETSC_TRUE;
    block            = PETSC_FALSE;
  }
  if (block && !given->op) PetscCall(VitKpmOperatorCreate((VitSpectrumProblem *)prob, 4, PETSC_FALSE, &opt.op));
  if (opt.method == VIT_MODES_TWOLEVEL) {
    PetscCall(ComputeBySolver(prob, &opt, modes));
    if (modes->declined) {
      PetscCall(VitModesDestroy(modes));
      opt.method = opt.sinvert_fits ? VIT_MODES_SINVERT : VIT_MODES_CHEBYSHEV;
    }
  }
  if ((opt.method == VIT_MODES_CHEBYSHEV || opt.method == VIT_MODES_FILTER) && opt.range[1] <= 0) PetscCall(FilterInterval(prob, &opt));
  if (opt.method != VIT_MODES_TWOLEVEL) PetscCall(ComputeBySolver(prob, &opt, modes));
  modes->method = opt.method;
  if (!given->op) PetscCall(VitKpmOperatorDestroy(&opt.op));
  PetscFunctionReturn(0);
}

PetscErrorCode VitModesDestroy(VitModes *modes)
{
  PetscFunctionBegin;
  if (modes->vector) PetscCall(VecDestroyVecs(PetscMax(modes->k, 1), &modes->vector));
  PetscCall(PetscFree3(modes->eigenvalue, modes->residual, modes->participation));
  PetscCall(PetscMemzero(modes, sizeof(*modes)));
  PetscFunctionReturn(0);
}
