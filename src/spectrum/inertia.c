/* Exact eigenvalue counts from Sylvester's law of inertia: the number of negative pivots of an
   LDL^T factorisation of H - s I is the number of eigenvalues of H below s (MUMPS, as in SLEPc's
   ex25: ICNTL(13) = 1 so that the root is not factored by ScaLAPACK and the inertia is available). */
#include <vitrum/spectrum.h>
#include <malloc.h>

PetscErrorCode VitSpectrumFactorableCopy(Mat H, Mat *A)
{
  PetscBool baij, shell;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)H, MATSHELL, &shell));
  PetscCheck(!shell, PetscObjectComm((PetscObject)H), PETSC_ERR_USER_INPUT, "-hessian_type shell cannot be factored: use -spectrum_method lobpcg and -spectrum_inertia 0, or -hessian_type baij");
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &baij, MATSEQBAIJ, MATMPIBAIJ, ""));
  PetscCall(MatSetOption(H, MAT_SYMMETRIC, PETSC_TRUE));
  if (baij) PetscCall(MatConvert(H, MATSBAIJ, MAT_INITIAL_MATRIX, A));
  else PetscCall(MatDuplicate(H, MAT_COPY_VALUES, A));
  PetscCall(MatSetOption(*A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscFunctionReturn(0);
}

/* The atom graph of a (Seq|MPI)BAIJ or SBAIJ Hessian: one row per atom, its upper triangle as
   SBAIJ with block size 1 (d^2 times fewer entries than H), the values of a graph Laplacian plus
   the identity (SPD, diagonally dominant like a Hessian's diagonal blocks). SBAIJ is converted to
   BAIJ first (a transient copy) so that each row's full pattern gives its degree. */
static PetscErrorCode AtomGraph(Mat H, Mat *G)
{
  MPI_Comm        comm = PetscObjectComm((PetscObject)H);
  Mat             B = H, Ad, Ao;
  PetscBool       sbaij;
  const PetscInt *garray, *iad, *jad, *iao = NULL, *jao = NULL;
  PetscInt        bs, n, nghost, rstart, nloc, *ii, *jj, nz = 0;
  PetscScalar    *vv;
  PetscBool       done;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompareAny((PetscObject)H, &sbaij, MATSEQSBAIJ, MATMPISBAIJ, ""));
  if (sbaij) PetscCall(MatConvert(H, MATBAIJ, MAT_INITIAL_MATRIX, &B));
  PetscCall(MatGetBlockSize(B, &bs));
  PetscCall(MatGetOwnershipRange(B, &rstart, NULL));
  rstart /= bs;
  PetscCall(VitBaijParts(B, &Ad, &Ao, &garray, &nghost));
  PetscCall(MatGetRowIJ(Ad, 0, PETSC_FALSE, PETSC_TRUE, &nloc, &iad, &jad, &done));
  if (Ao) PetscCall(MatGetRowIJ(Ao, 0, PETSC_FALSE, PETSC_TRUE, &n, &iao, &jao, &done));
  PetscCall(PetscMalloc3(nloc + 1, &ii, iad[nloc] + (Ao ? iao[nloc] : 0), &jj, iad[nloc] + (Ao ? iao[nloc] : 0), &vv));
  ii[0] = 0;
  for (PetscInt i = 0; i < nloc; i++) {
    const PetscInt row = rstart + i, first = nz, deg = iad[i + 1] - iad[i] + (Ao ? iao[i + 1] - iao[i] : 0);
    for (PetscInt k = iad[i]; k < iad[i + 1]; k++)
      if (rstart + jad[k] >= row) jj[nz] = rstart + jad[k], vv[nz++] = rstart + jad[k] == row ? deg : -1;
    for (PetscInt k = Ao ? iao[i] : 0; k < (Ao ? iao[i + 1] : 0); k++)
      if (garray[jao[k]] > row) jj[nz] = garray[jao[k]], vv[nz++] = -1;
    PetscCall(PetscSortIntWithScalarArray(nz - first, jj + first, vv + first));
    ii[i + 1] = nz;
  }
  PetscCall(MatRestoreRowIJ(Ad, 0, PETSC_FALSE, PETSC_TRUE, &n, &iad, &jad, &done));
  if (Ao) PetscCall(MatRestoreRowIJ(Ao, 0, PETSC_FALSE, PETSC_TRUE, &n, &iao, &jao, &done));
  PetscCall(MatCreate(comm, G));
  PetscCall(MatSetSizes(*G, nloc, nloc, PETSC_DETERMINE, PETSC_DETERMINE));
  PetscCall(MatSetType(*G, MATSBAIJ));
  PetscCall(MatSeqSBAIJSetPreallocationCSR(*G, 1, ii, jj, vv));
  PetscCall(MatMPISBAIJSetPreallocationCSR(*G, 1, ii, jj, vv));
  PetscCall(MatSetOption(*G, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(PetscFree3(ii, jj, vv));
  if (B != H) PetscCall(MatDestroy(&B));
  PetscFunctionReturn(0);
}

PetscErrorCode VitMumpsAnalysis(Mat A, const char prefix[], PetscBool inertia, Mat *F)
{
  IS            rperm, cperm;
  MatFactorInfo info;

  PetscFunctionBegin;
  PetscCall(MatSetOptionsPrefix(A, prefix));
  PetscCall(MatGetFactor(A, MATSOLVERMUMPS, MAT_FACTOR_CHOLESKY, F));
  PetscCall(MatSetOptionsPrefix(*F, prefix));
  PetscCall(MatMumpsSetIcntl(*F, 1, 0));
  if (inertia) {
    PetscCall(MatMumpsSetIcntl(*F, 13, 1));
    PetscCall(MatMumpsSetIcntl(*F, 24, 1));
    PetscCall(MatMumpsSetCntl(*F, 3, 1e-12));
  }
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatGetOrdering(A, MATORDERINGNATURAL, &rperm, &cperm));
  PetscCall(MatCholeskyFactorSymbolic(*F, A, rperm, &info));
  PetscCall(ISDestroy(&rperm));
  PetscCall(ISDestroy(&cperm));
  PetscFunctionReturn(0);
}

/* MUMPS's errors that more workspace (ICNTL(14)) cures, per its users' guide. */
static PetscBool WorkspaceShort(PetscInt infog1)
{
  return (PetscBool)(infog1 == -8 || infog1 == -9 || infog1 == -17 || infog1 == -20);
}

PetscErrorCode VitMumpsFactorNumeric(Mat A, const char prefix[], PetscBool inertia, Mat *F, PetscInt *infog1, PetscInt *relax)
{
  MatFactorInfo info;

  PetscFunctionBegin;
  PetscCall(MatFactorInfoInitialize(&info));
  PetscCall(MatSetErrorIfFailure(A, PETSC_FALSE)); /* MUMPS's failures are reported here (a KSP's operator raises them) */
  PetscCall(MatMumpsGetIcntl(*F, 14, relax));
  for (PetscInt attempt = 0;; attempt++) {
    PetscCall(MatCholeskyFactorNumeric(*F, A, &info));
    PetscCall(MatMumpsGetInfog(*F, 1, infog1));
    if (!WorkspaceShort(*infog1) || attempt == VIT_MUMPS_RETRIES) break;
    PetscCall(PetscInfo(NULL, "MUMPS's workspace was too small (INFOG(1) %" PetscInt_FMT " with ICNTL(14) %" PetscInt_FMT "); analysed again with ICNTL(14) %" PetscInt_FMT "\n", *infog1, *relax, 2 * *relax + 100));
    *relax = 2 * *relax + 100; /* twice the workspace: 1 + p/100 -> 2 (1 + p/100) */
    PetscCall(MatDestroy(F));
    PetscCall(VitMumpsAnalysis(A, prefix, inertia, F));
    PetscCall(MatMumpsSetIcntl(*F, 14, *relax)); /* after the analysis, so that an -mat_mumps_icntl_14 of the user's is raised too: MUMPS reads it in its numeric phase */
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitMumpsFailure(PetscInt infog1, PetscInt relax, const char prefix[], char reason[], size_t len)
{
  PetscFunctionBegin;
  if (WorkspaceShort(infog1)) PetscCall(PetscSNPrintf(reason, len, "MUMPS's workspace was too small (INFOG(1) %" PetscInt_FMT ") even when doubled %d times, up to ICNTL(14) %" PetscInt_FMT " (-%smat_mumps_icntl_14 raises it further)", infog1, VIT_MUMPS_RETRIES, relax, prefix));
  else if (infog1 == -13) PetscCall(PetscSNPrintf(reason, len, "MUMPS could not allocate its workspace (INFOG(1) -13: out of memory)"));
  else if (infog1 == -19) PetscCall(PetscSNPrintf(reason, len, "MUMPS's memory limit -%smat_mumps_icntl_23 is below what it needs (INFOG(1) -19)", prefix));
  else if (infog1 == -10) PetscCall(PetscSNPrintf(reason, len, "the matrix is numerically singular (INFOG(1) -10)"));
  else PetscCall(PetscSNPrintf(reason, len, "MUMPS failed with INFOG(1) %" PetscInt_FMT " (-%smat_mumps_icntl_1 6 prints its messages)", infog1, prefix));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumFactorEstimate(Mat H, PetscReal *megabytes, PetscReal *flops)
{
  Mat       G, F;
  PetscInt  bs, mb;
  PetscReal graph_flops;

  PetscFunctionBegin;
  PetscCall(MatGetBlockSize(H, &bs));
  PetscCall(AtomGraph(H, &G));
  PetscCall(VitMumpsAnalysis(G, "inertia_", PETSC_TRUE, &F));
  PetscCall(MatMumpsGetInfog(F, 17, &mb)); /* estimated MB of all MUMPS data, in-core, summed over ranks */
  *megabytes = (PetscReal)mb * bs * bs;
  PetscCall(MatMumpsGetRinfog(F, 1, &graph_flops)); /* estimated flops of the elimination, all ranks */
  *flops = graph_flops * bs * bs * bs;
  PetscCall(PetscInfo(NULL, "MUMPS's analysis of the atom graph, times d^2 and d^3: %.6g MB, %.6g flops for one factorisation (all ranks)\n", (double)*megabytes, (double)*flops));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&G));
  malloc_trim(0); /* the analysis's heap pages back to the OS (they are freed, but a library's
                     mallopt(M_MMAP_MAX, 0) keeps them in the heap otherwise) */
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumFactorMemoryLimit(MPI_Comm comm, PetscReal *megabytes)
{
  MPI_Comm  node;
  PetscReal mine, avail[2]; /* summed over the nodes; the least a node read */

  PetscFunctionBegin;
  PetscCall(VitNodeSplit(comm, &node, &mine, NULL, 0));
  PetscCallMPI(MPI_Comm_free(&node));
  avail[0] = PetscMax(mine, 0);
  avail[1] = mine < 0 ? PETSC_MAX_REAL : mine;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &avail[0], 1, MPIU_REAL, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &avail[1], 1, MPIU_REAL, MPI_MIN, comm));
  *megabytes = avail[1] > 0 ? 0.5 * avail[0] / 1048576 : PETSC_MAX_REAL; /* a node without /proc/meminfo: no limit */
  PetscFunctionReturn(0);
}

/* Negative pivots of H - shift I; failure: why MUMPS could not factor it, or "". */
static PetscErrorCode CountBelow(Mat H, PetscReal shift, PetscInt *count, char failure[], size_t len)
{
  Mat      A, F;
  PetscInt nzero, npos, infog1, relax;

  PetscFunctionBegin;
  PetscCall(VitSpectrumFactorableCopy(H, &A));
  PetscCall(MatShift(A, -shift));
  PetscCall(VitMumpsAnalysis(A, "inertia_", PETSC_TRUE, &F));
  PetscCall(VitMumpsFactorNumeric(A, "inertia_", PETSC_TRUE, &F, &infog1, &relax));
  if (infog1 < 0) PetscCall(VitMumpsFailure(infog1, relax, "inertia_", failure, len));
  else PetscCall(MatGetInertia(F, count, &nzero, &npos));
  PetscCall(MatDestroy(&F));
  PetscCall(MatDestroy(&A));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumInertiaCounts(const VitSpectrumProblem *prob, PetscInt nshift, const PetscReal shift[], PetscInt count[], char failure[], size_t len)
{
  PetscFunctionBegin;
  failure[0] = 0;
  for (PetscInt j = 0; j < nshift && !failure[0]; j++) PetscCall(CountBelow(prob->H, shift[j], &count[j], failure, len));
  PetscFunctionReturn(0);
}

/* The lower estimate (MB): a nested dissection's top separator, the degrees of freedom that cut
   the sample in two, becomes one dense block of 8 s^2/2 bytes. Cutting needs at least one slab of
   the interaction range r across the box's smallest cross-section A (two in a periodic box):
   s = d N r A / V = d N r / w, w the box's largest perpendicular width (VitSampleWidths), with r
   from the Hessian's blocks per atom c, the atoms within r of an atom at the density N/V
   (c = rho 4 pi r^3/3 in 3D, rho pi r^2 in 2D). MUMPS's own analysis takes minutes at 10^6 atoms. */
PetscErrorCode VitFactorGuardSetUp(const VitSpectrumProblem *prob, const VitSample *sample, PetscReal limit_mb, PetscReal limit_flops, VitFactorGuard *guard)
{
  const PetscInt  d   = prob->dim;
  const PetscReal rho = prob->natoms / VitSampleVolume(sample);
  MatInfo         info;
  PetscBool       shell, sbaij;
  PetscReal       blocks, r, width[3];

  PetscFunctionBegin;
  PetscCall(PetscMemzero(guard, sizeof(*guard)));
  guard->factor_mb   = -1;
  guard->limit_mb    = limit_mb;
  guard->limit_flops = limit_flops;
  if (limit_mb == 0) PetscCall(VitSpectrumFactorMemoryLimit(prob->comm, &guard->limit_mb));
  PetscCall(PetscInfo(NULL, "factor guard: a MUMPS factor may take %.6g MB (-spectrum_factor_max_memory%s) and %.6g flops per rank (-spectrum_factor_max_flops; 0: no limit)\n", (double)guard->limit_mb, limit_mb == 0 ? " 0: half the memory available on the run's nodes" : "", (double)limit_flops));
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  if (shell) PetscFunctionReturn(0);
  PetscCall(PetscObjectTypeCompareAny((PetscObject)prob->H, &sbaij, MATSBAIJ, MATSEQSBAIJ, MATMPISBAIJ, ""));
  PetscCall(MatGetInfo(prob->H, MAT_GLOBAL_SUM, &info));
  blocks = info.nz_used / (d * d) / prob->natoms;
  if (sbaij) blocks = 2 * blocks - 1; /* the upper triangle and the diagonal block are stored */
  r = d == 3 ? PetscCbrtReal(3 * blocks / (4 * PETSC_PI * rho)) : PetscSqrtReal(blocks / (PETSC_PI * rho));
  VitSampleWidths(sample, width);
  guard->separator_dof = PetscMin(d * prob->natoms, d * prob->natoms * r / PetscMax(width[0], PetscMax(width[1], width[2])));
  guard->floor_mb      = 4 * PetscSqr(guard->separator_dof) / 1048576.0;
  PetscFunctionReturn(0);
}

PetscErrorCode VitFactorGuardFits(const VitSpectrumProblem *prob, VitFactorGuard *guard, const char *skipped, const char *instead, PetscBool *fits)
{
  const PetscReal ndof = (PetscReal)prob->dim * prob->natoms, limit = guard->limit_mb;
  PetscBool       shell;
  PetscMPIInt     size;
  PetscReal       limit_flops;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  if (shell) { /* no entries to factor, whatever the size */
    *fits = PETSC_FALSE;
    if (skipped) PetscCall(PetscPrintf(prob->comm, "vitrum: note: %s skipped: -hessian_type shell has no entries to factor%s\n", skipped, instead));
    PetscFunctionReturn(0);
  }
  PetscCallMPI(MPI_Comm_size(prob->comm, &size));
  limit_flops = guard->limit_flops > 0 ? guard->limit_flops * size : PETSC_MAX_REAL; /* all ranks */
  /* A dense LDL^T factor (n^2/2 doubles) plus as much workspace bounds MUMPS's memory, and its
     n^3/3 flops the factorisation's: small samples need no analysis. */
  if (guard->factor_mb < 0 && 8.0 * ndof * ndof / 1048576.0 <= limit && ndof * ndof * ndof / 3 <= limit_flops) {
    *fits = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  if (guard->factor_mb < 0 && guard->floor_mb > limit) {
    *fits = PETSC_FALSE;
    if (skipped) PetscCall(PetscPrintf(prob->comm, "vitrum: note: %s skipped: a factor of this Hessian needs more than %.3g MB (a dense block of the %.0f degrees of freedom that cut the box in two), above the limit of %.4g MB (-spectrum_factor_max_memory); MUMPS's analysis is not run%s\n", skipped, (double)guard->floor_mb, (double)guard->separator_dof, (double)limit, instead));
    PetscFunctionReturn(0);
  }
  if (guard->factor_mb < 0) PetscCall(VitSpectrumFactorEstimate(prob->H, &guard->factor_mb, &guard->factor_flops));
  *fits = (PetscBool)(guard->factor_mb <= limit && guard->factor_flops <= limit_flops);
  if (!skipped) PetscFunctionReturn(0);
  if (guard->factor_mb > limit) PetscCall(PetscPrintf(prob->comm, "vitrum: note: %s skipped: MUMPS estimates %.0f MB for its factor (its analysis of the atom graph, times d^2), above the limit of %.4g MB (-spectrum_factor_max_memory)%s\n", skipped, (double)guard->factor_mb, (double)limit, instead));
  else if (!*fits) PetscCall(PetscPrintf(prob->comm, "vitrum: note: %s skipped: MUMPS estimates %.3g flops per rank for each factorisation (its analysis of the atom graph, times d^3: about %.2g min at 10 GFlop/s), above the limit of %.3g (-spectrum_factor_max_flops)%s\n", skipped, (double)(guard->factor_flops / size), (double)(guard->factor_flops / size / 6e11), (double)guard->limit_flops, instead));
  PetscFunctionReturn(0);
}

PetscErrorCode VitFactorGuardFlops(const VitSpectrumProblem *prob, VitFactorGuard *guard, PetscReal *flops)
{
  PetscBool shell;

  PetscFunctionBegin;
  *flops = -1;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  if (shell) PetscFunctionReturn(0);
  if (guard->factor_mb < 0 && guard->floor_mb > guard->limit_mb) { /* no analysis (minutes at 10^6 atoms): */
    *flops = PetscPowReal(guard->separator_dof, 3) / 3;             /* the dense separator's LDL^T at least */
    PetscFunctionReturn(0);
  }
  if (guard->factor_mb < 0) PetscCall(VitSpectrumFactorEstimate(prob->H, &guard->factor_mb, &guard->factor_flops));
  *flops = guard->factor_flops;
  PetscFunctionReturn(0);
}
