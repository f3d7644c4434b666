/* Kernel polynomial method for the vibrational density of states.

   With Hs = (H - a) / b mapping the spectrum into [-1, 1], the Chebyshev moments
   mu_n = Tr T_n(Hs) are estimated stochastically, mu_n ~ <r, T_n(Hs) r> over Rademacher vectors r
   (Weisse et al., Rev. Mod. Phys. 78, 275 (2006)). Two moments come from every product with H:
   mu_2n = 2 <v_n, v_n> - mu_0 and mu_2n+1 = 2 <v_n+1, v_n> - mu_1 with v_n = T_n(Hs) r.

   Reproducibility: r(i,c,k) is a hash of (seed, global atom id i, component c, vector k); H is
   applied by an own block-CSR kernel whose row sums run over the columns in increasing global atom
   id; dot products are summed exactly (pre-rounded onto fixed grids, then 128-bit fixed point;
   include/vitrum/exactsum.h). The moments are therefore bitwise the same on any number of ranks
   (given a Hessian whose entries are). All R vectors are applied together, so the matrix streams
   from memory once per product, not once per vector. */
#include <vitrum/spectrum.h>
#include <vitrum/exactsum.h>
#include "kpm_impl.h"
#include <petscblaslapack.h>
#include <sys/mman.h>
#include <malloc.h>

/* ---- Rademacher vectors ------------------------------------------------------------------------- */
uint64_t VitSplitMix64(uint64_t x)
{
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

PetscReal VitRademacher(PetscInt64 seed, PetscInt gid, PetscInt component, PetscInt vector)
{
  uint64_t h = VitSplitMix64((uint64_t)seed);
  h          = VitSplitMix64(h ^ (uint64_t)gid);
  h          = VitSplitMix64(h ^ (((uint64_t)vector << 8) | (uint64_t)component));
  return (h >> 63) ? -1.0 : 1.0;
}

/* ---- Big buffers -------------------------------------------------------------------------------- */
/* Anonymous mappings, so that freeing them returns the memory to the OS at once (glibc's malloc
   keeps freed heap memory when a library sets M_MMAP_MAX = 0, as Debian's libsuperlu_dist does). */
PetscErrorCode VitBigAlloc(size_t bytes, void *p)
{
  void *q = mmap(NULL, bytes ? bytes : 1, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  PetscFunctionBegin;
  PetscCheck(q != MAP_FAILED, PETSC_COMM_SELF, PETSC_ERR_MEM, "could not map %.3g GB of memory", (double)bytes / 1e9);
  *(void **)p = q;
  PetscFunctionReturn(0);
}

PetscErrorCode VitBigFree(size_t bytes, void *p)
{
  void **q = (void **)p;

  PetscFunctionBegin;
  if (*q) PetscCheck(munmap(*q, bytes ? bytes : 1) == 0, PETSC_COMM_SELF, PETSC_ERR_MEM, "munmap failed");
  *q = NULL;
  PetscFunctionReturn(0);
}

PetscErrorCode VitBaijParts(Mat Hb, Mat *Ad, Mat *Ao, const PetscInt **garray, PetscInt *nghost)
{
  PetscBool mpi;
  PetscInt  bs, ncols;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)Hb, MATMPIBAIJ, &mpi));
  *Ad     = Hb;
  *Ao     = NULL;
  *garray = NULL;
  *nghost = 0;
  if (!mpi) PetscFunctionReturn(0);
  PetscCall(MatMPIBAIJGetSeqBAIJ(Hb, Ad, Ao, garray));
  PetscCall(MatGetBlockSize(Hb, &bs));
  PetscCall(MatGetLocalSize(*Ao, NULL, &ncols));
  *nghost = ncols / bs;
  PetscFunctionReturn(0);
}

/* The kernel variants for this CPU (kernel/kpm_rows.h): the widest x86-64 level it supports, or the
   one named by -kpm_kernel (tests compare them; all give bitwise the same products and moments). */
static PetscErrorCode SelectKernels(MPI_Comm comm, VitKpmRowsFn *rows, VitKpmStepFn *step, VitKpmRows32Fn *rows32)
{
  const char *const names[] = {"auto", "generic", "v2", "v3", "v4"};
  PetscInt          choice  = 0;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "KPM operator", NULL);
  PetscCall(PetscOptionsEList("-kpm_kernel", "block-CSR kernel: auto (the widest SIMD this CPU supports), generic, v2 (SSE4.2), v3 (AVX2), v4 (AVX-512); all give the same bits", NULL, names, 5, names[0], &choice, NULL));
  PetscOptionsEnd();
#if defined(VIT_KPM_X86_VARIANTS)
  __builtin_cpu_init();
  {
    const PetscBool v3 = (PetscBool)(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2"));
    const PetscBool v4 = (PetscBool)(v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"));
    if (choice == 0) choice = v4 ? 4 : v3 ? 3 : 2;
    PetscCheck(choice != 1, comm, PETSC_ERR_USER_INPUT, "-kpm_kernel generic: this build has the x86-64 variants v2, v3, v4 only");
    PetscCheck((choice != 3 || v3) && (choice != 4 || v4), comm, PETSC_ERR_USER_INPUT, "-kpm_kernel %s: this CPU does not support it", names[choice]);
    *rows = choice == 4 ? VitKpmRows_v4 : choice == 3 ? VitKpmRows_v3 : VitKpmRows_v2;
    *step = choice == 4 ? VitKpmStep_v4 : choice == 3 ? VitKpmStep_v3 : VitKpmStep_v2;
    *rows32 = choice == 4 ? VitKpmRows32_v4 : choice == 3 ? VitKpmRows32_v3 : VitKpmRows32_v2;
  }
#else
  PetscCheck(choice <= 1, comm, PETSC_ERR_USER_INPUT, "-kpm_kernel %s: this build has the generic kernel only", names[choice]);
  *rows = VitKpmRows_generic;
  *step = VitKpmStep_generic;
  *rows32 = VitKpmRows32_generic;
#endif
  PetscCall(PetscInfo(NULL, "KPM kernel: %s\n", names[choice]));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmCheckOptions(MPI_Comm comm)
{
  VitKpmRowsFn rows;
  VitKpmStepFn step;
  VitKpmRows32Fn rows32;

  PetscFunctionBegin;
  PetscCall(SelectKernels(comm, &rows, &step, &rows32));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorCreate(VitSpectrumProblem *prob, PetscInt nvec, PetscBool release, VitKpmOperator *opp)
{
  VitKpmOperator  op;
  Mat             Hb, Ad, Ao = NULL;
  PetscBool       baij, sbaij, shell, handback;
  const PetscInt *garray;
  PetscInt       *gidg, *rowg, *inv, *sghosts = NULL, refs;
  VitKpmOffBlocks upper, lower;
  PetscSF         bylayout;
  PetscLayout     layout;

  PetscFunctionBegin;
  PetscCall(PetscNew(&op));
  op->comm  = prob->comm;
  op->bs    = prob->dim;
  op->nrows = prob->nowned;
  op->nvec  = nvec;
  *opp      = op;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  PetscCall(PetscMalloc3(op->nrows + 1, &op->order, op->nrows + 1, &op->gid, op->nrows + 1, &op->sqrt_mass));
  for (PetscInt r = 0; r < op->nrows; r++) op->order[r] = shell || !prob->order ? r : prob->order[r];
  for (PetscInt r = 0; r < op->nrows; r++) {
    op->gid[r]       = prob->gid[op->order[r]];
    op->sqrt_mass[r] = prob->sqrt_mass[op->order[r]];
  }
  PetscCall(SelectKernels(prob->comm, &op->rows, &op->step, &op->rows32));
  if (shell) { /* vectors in the problem's order: MatMult applies it */
    op->shell = prob->H;
    PetscCall(PetscObjectReference((PetscObject)prob->H));
    PetscCall(MatCreateVecs(prob->H, &op->xs, &op->ys));
    PetscFunctionReturn(0);
  }
  PetscCheck(op->bs <= VIT_KPM_MAX_BS, prob->comm, PETSC_ERR_SUP, "KPM: block size %" PetscInt_FMT " above %d", op->bs, VIT_KPM_MAX_BS);
  PetscCall(PetscObjectTypeCompareAny((PetscObject)prob->H, &baij, MATSEQBAIJ, MATMPIBAIJ, ""));
  PetscCall(PetscObjectTypeCompareAny((PetscObject)prob->H, &sbaij, MATSEQSBAIJ, MATMPISBAIJ, ""));
  Hb = prob->H;
  if (!baij && !sbaij) { /* any other storage: a BAIJ copy */
    PetscCall(MatConvert(prob->H, MATBAIJ, MAT_INITIAL_MATRIX, &Hb));
    if (release) PetscCall(MatDestroy(&prob->H));
  }
  if (sbaij) { /* applied as stored: the diagonal part, and the off-process blocks of both triangles */
    PetscCall(MatGetDiagonalBlock(Hb, &Ad));
    PetscCall(VitKpmSbaijOffBlocks(Hb, &upper, &lower, &op->nghost, &sghosts));
    garray = sghosts;
  } else PetscCall(VitBaijParts(Hb, &Ad, &Ao, &garray, &op->nghost));
  PetscCall(PetscMalloc1(op->nrows + 1, &inv));
  for (PetscInt r = 0; r < op->nrows; r++) inv[op->order[r]] = r;

  /* Ghost blocks: PETSc's off-diagonal block columns (garray); their atoms' global ids and operator
     rows from the owners, which become the roots of the exchange. */
  PetscCall(PetscLayoutCreateFromSizes(prob->comm, op->nrows, PETSC_DECIDE, 1, &layout));
  PetscCall(PetscSFCreate(prob->comm, &bylayout));
  PetscCall(PetscSFSetGraphLayout(bylayout, layout, op->nghost, NULL, PETSC_COPY_VALUES, garray));
  PetscCall(PetscLayoutDestroy(&layout));
  PetscCall(PetscSFSetUp(bylayout));
  PetscCall(PetscMalloc2(op->nghost, &gidg, op->nghost, &rowg));
  PetscCall(PetscSFBcastBegin(bylayout, MPIU_INT, prob->gid, gidg, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(bylayout, MPIU_INT, prob->gid, gidg, MPI_REPLACE));
  PetscCall(PetscSFBcastBegin(bylayout, MPIU_INT, inv, rowg, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(bylayout, MPIU_INT, inv, rowg, MPI_REPLACE));
  {
    const PetscSFNode *remote;
    PetscSFNode       *leaves;
    PetscCall(PetscSFGetGraph(bylayout, NULL, NULL, NULL, &remote));
    PetscCall(PetscMalloc1(op->nghost, &leaves));
    for (PetscInt g = 0; g < op->nghost; g++) {
      leaves[g].rank  = remote[g].rank;
      leaves[g].index = rowg[g];
    }
    PetscCall(PetscSFCreate(prob->comm, &op->sf));
    PetscCall(PetscSFSetGraph(op->sf, op->nrows, op->nghost, NULL, PETSC_COPY_VALUES, leaves, PETSC_OWN_POINTER));
    PetscCall(PetscSFSetUp(op->sf));
  }
  PetscCall(PetscSFDestroy(&bylayout));
  PetscCall(PetscMalloc1(op->nrows + 1, &op->ia));
  /* the source's pages go back behind the copy when it is destroyed right after: our own BAIJ
     conversion, or the Hessian released by a caller that holds no other reference to it */
  PetscCall(PetscObjectGetReference((PetscObject)Hb, &refs));
  handback = (PetscBool)(Hb != prob->H || (release && refs == 1));
  if (sbaij) {
    PetscCall(VitKpmCopySbaijRows(op, Ad, &upper, &lower, sghosts, inv, gidg, handback));
    PetscCall(VitKpmOffBlocksDestroy(&upper));
    PetscCall(VitKpmOffBlocksDestroy(&lower));
    PetscCall(PetscFree(sghosts));
  } else PetscCall(VitKpmCopyBaijRows(op, Ad, Ao, inv, prob->gid, gidg, handback));
  PetscCall(PetscFree2(gidg, rowg));
  PetscCall(PetscFree(inv));
  if (Hb != prob->H) PetscCall(MatDestroy(&Hb));
  if (release) { /* the caller's Hessian, when it no longer needs it; its heap pages go back to the OS */
    PetscCall(MatDestroy(&prob->H));
    malloc_trim(0);
  }
  PetscCallMPI(MPI_Type_contiguous((int)op->bs, MPIU_REAL, &op->unit[1]));
  PetscCallMPI(MPI_Type_commit(&op->unit[1]));
  op->nvec = 0;
  PetscCall(VitKpmOperatorSetVectors(op, nvec));
  PetscFunctionReturn(0);
}

/* The halo exchange's unit of a single-precision multi-vector: one block row of nvec floats. */
static PetscErrorCode SingleUnit(VitKpmOperator op)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Type_contiguous((int)(op->bs * op->nvec), MPI_FLOAT, &op->unit32));
  PetscCallMPI(MPI_Type_commit(&op->unit32));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorSetVectors(VitKpmOperator op, PetscInt nvec)
{
  PetscFunctionBegin;
  PetscCheck(nvec >= 1, op->comm, PETSC_ERR_ARG_OUTOFRANGE, "KPM operator: %" PetscInt_FMT " vectors", nvec);
  if (nvec == op->nvec) PetscFunctionReturn(0);
  if (!op->shell) { /* the halo exchange's unit: one block row of the multi-vector */
    if (op->nvec) PetscCallMPI(MPI_Type_free(&op->unit[0]));
    PetscCallMPI(MPI_Type_contiguous((int)(op->bs * nvec), MPIU_REAL, &op->unit[0]));
    PetscCallMPI(MPI_Type_commit(&op->unit[0]));
  }
  op->nvec = nvec;
  if (op->val32) { /* the single-precision unit for the new width */
    PetscCallMPI(MPI_Type_free(&op->unit32));
    PetscCall(SingleUnit(op));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorDestroy(VitKpmOperator *opp)
{
  VitKpmOperator op = *opp;

  PetscFunctionBegin;
  if (!op) PetscFunctionReturn(0);
  if (op->shell) {
    PetscCall(VecDestroy(&op->xs));
    PetscCall(VecDestroy(&op->ys));
    PetscCall(MatDestroy(&op->shell));
  } else {
    PetscCall(PetscFree(op->ia));
    PetscCall(VitBigFree(op->ja_bytes, &op->ja));
    PetscCall(VitBigFree(op->vb_bytes, &op->vb));
    PetscCall(VitBigFree(op->val_bytes, &op->val));
    PetscCall(PetscSFDestroy(&op->sf));
    PetscCallMPI(MPI_Type_free(&op->unit[0]));
    PetscCallMPI(MPI_Type_free(&op->unit[1]));
    PetscCall(VitKpmOperatorSingleDestroy(op));
  }
  PetscCall(PetscFree3(op->order, op->gid, op->sqrt_mass));
  PetscCall(PetscFree(*opp));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorRows(VitKpmOperator op, const PetscInt **order, const PetscInt **gid, const PetscReal **sqrt_mass)
{
  PetscFunctionBegin;
  if (order) *order = op->order;
  if (gid) *gid = op->gid;
  if (sqrt_mass) *sqrt_mass = op->sqrt_mass;
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorSizes(VitKpmOperator op, PetscInt *nrows, PetscInt *nghost, PetscLogDouble *matrix_bytes)
{
  PetscFunctionBegin;
  if (nrows) *nrows = op->nrows;
  if (nghost) *nghost = op->nghost;
  if (matrix_bytes) *matrix_bytes = op->shell ? 0 : (PetscLogDouble)(op->ja_bytes + op->vb_bytes + op->val_bytes + (op->nrows + 1) * sizeof(PetscInt));
  PetscFunctionReturn(0);
}

/* The ghost block rows from their owners' owned ones, a block row being one `unit`. */
static PetscErrorCode Halo(VitKpmOperator op, MPI_Datatype unit, const void *owned, void *ghosts)
{
  PetscFunctionBegin;
  PetscCall(PetscSFBcastBegin(op->sf, unit, owned, ghosts, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(op->sf, unit, owned, ghosts, MPI_REPLACE));
  PetscFunctionReturn(0);
}

/* The ghost rows of x (after its nrows owned block rows) from their owners; nv: op->nvec or 1. */
static PetscErrorCode ExchangeGhosts(VitKpmOperator op, PetscInt nv, PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(Halo(op, op->unit[nv == op->nvec ? 0 : 1], x, x + op->nrows * op->bs * nv));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorGhosts(VitKpmOperator op, PetscReal x[])
{
  PetscFunctionBegin;
  PetscCall(ExchangeGhosts(op, op->nvec, x));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorGhostsSingle(VitKpmOperator op, float x[])
{
  PetscFunctionBegin;
  PetscCheck(op->val32, op->comm, PETSC_ERR_PLIB, "KPM operator: no single-precision copy");
  PetscCall(Halo(op, op->unit32, x, x + op->nrows * op->bs * op->nvec));
  PetscFunctionReturn(0);
}

/* Multi-vector layout: x[(i bs + c) nv + k] for block i, component c, vector k, nv = nvec or 1; x has
   room for the ghost blocks after the owned ones. y = H x on owned blocks (ghosts of x refreshed). */
PetscErrorCode VitKpmOperatorApply(VitKpmOperator op, PetscInt nv, PetscReal x[], PetscReal y[])
{
  const PetscInt bs = op->bs;

  PetscFunctionBegin;
  PetscCheck(nv == op->nvec || nv == 1, op->comm, PETSC_ERR_ARG_OUTOFRANGE, "KPM operator made for %" PetscInt_FMT " vectors, applied to %" PetscInt_FMT, op->nvec, nv);
  if (op->shell) { /* vector by vector through MatMult */
    for (PetscInt k = 0; k < nv; k++) {
      PetscScalar *xs, *ys;
      PetscCall(VecGetArray(op->xs, &xs));
      for (PetscInt j = 0; j < op->nrows * bs; j++) xs[j] = x[j * nv + k];
      PetscCall(VecRestoreArray(op->xs, &xs));
      PetscCall(MatMult(op->shell, op->xs, op->ys));
      PetscCall(VecGetArray(op->ys, &ys));
      for (PetscInt j = 0; j < op->nrows * bs; j++) y[j * nv + k] = PetscRealPart(ys[j]);
      PetscCall(VecRestoreArray(op->ys, &ys));
    }
    PetscFunctionReturn(0);
  }
  PetscCall(ExchangeGhosts(op, nv, x));
  op->rows(bs, op->nrows, op->ia, op->ja, op->vb, op->val, nv, x, y);
  PetscCall(PetscLogFlops(2.0 * op->ia[op->nrows] * bs * bs * nv));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorSingleCreate(VitKpmOperator op)
{
  const size_t n = op->val_bytes / sizeof(PetscReal);

  PetscFunctionBegin;
  PetscCheck(!op->shell, op->comm, PETSC_ERR_SUP, "KPM operator: no single-precision copy of a shell Hessian");
  if (op->val32) PetscFunctionReturn(0);
  op->val32_bytes = n * sizeof(float);
  PetscCall(VitBigAlloc(op->val32_bytes, &op->val32));
  for (size_t q = 0; q < n; q++) op->val32[q] = (float)op->val[q];
  PetscCall(SingleUnit(op));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorSingleDestroy(VitKpmOperator op)
{
  PetscFunctionBegin;
  if (!op->val32) PetscFunctionReturn(0);
  PetscCall(VitBigFree(op->val32_bytes, &op->val32));
  PetscCallMPI(MPI_Type_free(&op->unit32));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmOperatorApplySingle(VitKpmOperator op, float x[], float y[])
{
  PetscFunctionBegin;
  PetscCall(VitKpmOperatorGhostsSingle(op, x));
  op->rows32(op->bs, op->nrows, op->ia, op->ja, op->vb, op->val32, op->nvec, x, y);
  PetscCall(PetscLogFlops(2.0 * op->ia[op->nrows] * op->bs * op->bs * op->nvec));
  PetscFunctionReturn(0);
}

PetscInt VitKpmOperatorTileRows(VitKpmOperator op, PetscInt R, size_t real_bytes)
{
  return PetscMax(16, (PetscInt)(65536 / (op->bs * R * real_bytes)));
}

/* Bytes of the buffer y that ProductStep needs: a tile of rows, or all of H v for a MATSHELL. */
static size_t ProductStepBytes(VitKpmOperator op, PetscInt R)
{
  return (size_t)(op->shell ? op->nrows : PetscMin(op->nrows, VitKpmOperatorTileRows(op, R, sizeof(PetscReal)))) * op->bs * R * sizeof(PetscReal);
}

/* One Chebyshev step fused with its product, on R vectors: w = (H v - a v) s - w, and <v, v>,
   <w, v> added to acc (op->step), tile of rows by tile, so that H v only ever lives in a
   cache-sized tile y: one multi-vector less in memory (the time per moment did not change beyond
   the noise, docs/BENCHMARKS.md). The same operations as a whole
   product and then a step, so the same bits (the exact sums do not depend on how the terms are
   split). A MATSHELL has no rows to tile: H v is applied whole (y holds all of it). */
static PetscErrorCode ProductStep(VitKpmOperator op, const VitExactSum *es, PetscInt R, PetscReal a, PetscReal s, PetscReal v[], PetscReal w[], VitInt128 acc[], PetscReal work[], PetscReal y[])
{
  const PetscInt bs = op->bs, tile = VitKpmOperatorTileRows(op, R, sizeof(PetscReal));

  PetscFunctionBegin;
  if (op->shell) {
    PetscCall(VitKpmOperatorApply(op, R, v, y));
    op->step(es, op->nrows * bs, R, y, a, s, v, w, acc, work);
    PetscFunctionReturn(0);
  }
  PetscCall(ExchangeGhosts(op, R, v));
  for (PetscInt r0 = 0; r0 < op->nrows; r0 += tile) {
    const PetscInt nr = PetscMin(tile, op->nrows - r0);
    op->rows(bs, nr, op->ia + r0, op->ja, op->vb, op->val, R, v, y);
    op->step(es, nr * bs, R, y, a, s, v + r0 * bs * R, w + r0 * bs * R, acc, work);
  }
  PetscCall(PetscLogFlops(2.0 * op->ia[op->nrows] * bs * bs * R));
  PetscFunctionReturn(0);
}

/* Matrix bytes plus three vector streams (x, previous vector, result) per application, all ranks. */
static PetscErrorCode OperatorBytes(VitKpmOperator op, PetscLogDouble *bytes)
{
  PetscLogDouble b;

  PetscFunctionBegin;
  PetscCall(VitKpmOperatorSizes(op, NULL, NULL, &b));
  if (b > 0) b += 3.0 * op->nrows * op->bs * op->nvec * sizeof(PetscReal);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &b, 1, MPI_DOUBLE, MPI_SUM, op->comm));
  *bytes = b;
  PetscFunctionReturn(0);
}

/* ---- Random vectors and exact dot products -------------------------------------------------------- */
/* Random vectors, made orthogonal to the translations u_c(i) = sqrt(m_i) (exact sums) when deflating. */
static PetscErrorCode RandomBlock(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt R, PetscInt64 seed, PetscBool deflate, PetscReal r[])
{
  const PetscInt   d = prob->dim, *gid = op->gid;
  const PetscReal *sqrt_mass = op->sqrt_mass;
  VitExactSum       es;
  VitInt128     *acc;
  PetscReal     *coef, mmax = 0, norm2;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < op->nrows; i++)
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) r[(i * d + c) * R + k] = VitRademacher(seed, gid[i], c, k);
  if (!deflate) PetscFunctionReturn(0);
  for (PetscInt i = 0; i < op->nrows; i++) mmax = PetscMax(mmax, sqrt_mass[i]);
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &mmax, 1, MPIU_REAL, MPI_MAX, prob->comm));
  PetscCall(VitExactSumCreate(prob->comm, VitCeilLog2(PetscMax(mmax, mmax * mmax)), VitCeilLog2(prob->natoms) + 1, &es));
  PetscCall(PetscCalloc2(d * R + 1, &acc, d * R + 1, &coef));
  for (PetscInt i = 0; i < op->nrows; i++) {
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) acc[c * R + k] += VitExactSumQuantise(&es, sqrt_mass[i] * r[(i * d + c) * R + k]);
    acc[d * R] += VitExactSumQuantise(&es, sqrt_mass[i] * sqrt_mass[i]);
  }
  PetscCall(VitExactSumReduce(&es, d * R + 1, acc, coef));
  norm2 = coef[d * R];
  for (PetscInt i = 0; i < op->nrows; i++)
    for (PetscInt c = 0; c < d; c++)
      for (PetscInt k = 0; k < R; k++) r[(i * d + c) * R + k] -= coef[c * R + k] / norm2 * sqrt_mass[i];
  PetscCall(PetscFree2(acc, coef));
  PetscCall(VitExactSumDestroy(&es));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmRandomVectors(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt R, PetscInt64 seed, PetscBool deflate, PetscReal r[])
{
  PetscFunctionBegin;
  PetscCall(RandomBlock(op, prob, R, seed, deflate, r));
  PetscFunctionReturn(0);
}

/* Exact global <x, y> of one vector (n owned entries; the fixed-point scale from the largest term),
   by the kernel's step without update (x, y are only read). */
static PetscErrorCode ExactDot(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt n, PetscReal x[], const PetscReal y[], PetscReal *dot)
{
  VitExactSum es;
  VitInt128   acc[3] = {0, 0, 0}; /* <y, y>, <x, y>, chunks dropped (a term not finite: the bound holds the rest) */
  PetscReal   tmax = 0, sum[3], work[VIT_KPM_STEP_WORK(1)];

  PetscFunctionBegin;
  for (PetscInt j = 0; j < n; j++) tmax = PetscMax(tmax, PetscMax(PetscAbsReal(x[j] * y[j]), y[j] * y[j]));
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, &tmax, 1, MPIU_REAL, MPI_MAX, prob->comm));
  PetscCall(VitExactSumCreate(prob->comm, VitCeilLog2(tmax), VitCeilLog2((PetscReal)prob->dim * prob->natoms), &es));
  op->step(&es, n, 1, NULL, 0, 0, y, x, acc, work);
  PetscCall(VitExactSumReduce(&es, 3, acc, sum));
  PetscCall(VitExactSumDestroy(&es));
  PetscCheck(sum[2] == 0, prob->comm, PETSC_ERR_FP, "KPM bounds: a product with the Hessian is not finite (NaN or Inf): the Hessian holds such entries; check the sample's coordinates and the potential's parameters");
  *dot = sum[1];
  PetscFunctionReturn(0);
}

/* ---- Spectral bounds ---------------------------------------------------------------------------- */
/* Round v outward (up when up, else down) to 8 significant bits, so that values differing in the
   last digits give the same bound. */
static PetscReal RoundOutward(PetscReal v, PetscBool up)
{
  PetscReal step;
  if (v == 0) return 0;
  step = PetscPowReal(2.0, PetscCeilReal(PetscLog2Real(PetscAbsReal(v))) - 8);
  return up ? PetscCeilReal(v / step) * step : PetscFloorReal(v / step) * step;
}

/* Gershgorin discs of the scalar rows: every eigenvalue lies in [min_r (H_rr - s_r), max_r (H_rr + s_r)],
   s_r = sum_{q != r} |H_rq| (row sums in the operator's fixed order: the same on any rank count).
   Without stored entries (matrix-free) the interval is unbounded. */
static PetscErrorCode GershgorinBounds(VitKpmOperator op, PetscReal *lo, PetscReal *hi)
{
  const PetscInt bs = op->bs;
  PetscReal      ext[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}; /* lo, -hi */

  PetscFunctionBegin;
  if (op->shell) ext[0] = ext[1] = -PETSC_MAX_REAL;
  for (PetscInt i = 0; !op->shell && i < op->nrows; i++)
    for (PetscInt c = 0; c < bs; c++) {
      PetscReal diag = 0, radius = 0;
      for (PetscInt p = op->ia[i]; p < op->ia[i + 1]; p++)
        for (PetscInt cc = 0; cc < bs; cc++) {
          const PetscReal v = VitKpmBlockEntry(op, p, c, cc);
          if (op->ja[p] == i && cc == c) diag = v;
          else radius += PetscAbsReal(v);
        }
      ext[0] = PetscMin(ext[0], diag - radius);
      ext[1] = PetscMin(ext[1], -(diag + radius));
    }
  PetscCall(MPIU_Allreduce(MPI_IN_PLACE, ext, 2, MPIU_REAL, MPI_MIN, op->comm));
  *lo = ext[0];
  *hi = -ext[1];
  PetscFunctionReturn(0);
}

/* k steps of Lanczos from the deflated random vector 0 (operator applies and exact dot products, so
   the result is the same on any rank count); the extreme Ritz values of the tridiagonal T_k widened
   by their residual norms |beta_k z_k| (Zhou & Li, Linear Algebra Appl. 435, 480 (2011)).
   *partial: the start vector spans an invariant subspace smaller than the dN - d states (it is a
   translation, or it stopped early short of the whole space), which may miss the ends of the
   spectrum: a sample of a few atoms, whose +-1 vectors can lie in a few modes (a dimer: one
   vector in 8 is a translation, one in 2 misses the stretch). */
static PetscErrorCode LanczosBounds(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt steps, PetscInt64 seed, PetscReal *lo, PetscReal *hi, PetscBool *partial)
{
  const PetscInt n = op->nrows * op->bs, nall = (op->nrows + op->nghost) * op->bs;
  PetscReal     *v0, *v1, *q, *qprev, *w, *alpha, *beta, *Z, *work, norm2, b = 0;
  PetscBLASInt   k = 0, info;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(nall, &v0, nall, &v1, n, &w)); /* q and qprev swap between v0 and v1 */
  q     = v0;
  qprev = v1;
  PetscCall(PetscCalloc4(steps, &alpha, steps, &beta, steps * steps, &Z, 2 * steps, &work));
  PetscCall(RandomBlock(op, prob, 1, seed, PETSC_TRUE, q));
  PetscCall(ExactDot(op, prob, n, q, q, &norm2));
  *partial = (PetscBool)(norm2 == 0);
  if (*partial) steps = 0; /* a translation: nothing to run */
  for (PetscInt j = 0; j < n && !*partial; j++) q[j] /= PetscSqrtReal(norm2);
  for (k = 0; k < steps;) {
    PetscReal *swap;
    PetscCall(VitKpmOperatorApply(op, 1, q, w));
    for (PetscInt j = 0; j < n; j++) w[j] -= b * qprev[j];
    PetscCall(ExactDot(op, prob, n, w, q, &alpha[k]));
    for (PetscInt j = 0; j < n; j++) w[j] -= alpha[k] * q[j];
    PetscCall(ExactDot(op, prob, n, w, w, &norm2));
    b = beta[k++] = PetscSqrtReal(norm2);
    if (b <= 1e-12 * PetscAbsReal(alpha[0])) break; /* invariant subspace: T_k's eigenvalues are exact */
    for (PetscInt j = 0; j < n; j++) qprev[j] = w[j] / b;
    swap  = q;
    q     = qprev;
    qprev = swap;
  }
  if (k < steps && k < prob->dim * (prob->natoms - 1)) *partial = PETSC_TRUE;
  *lo = *hi = 0;
  if (k) {
    PetscCallBLAS("LAPACKsteqr", LAPACKsteqr_("I", &k, alpha, beta, Z, &k, work, &info));
    PetscCheck(info == 0, prob->comm, PETSC_ERR_LIB, "KPM bounds: LAPACK steqr failed (info %d)", (int)info);
    *lo = alpha[0] - PetscAbsReal(b * Z[k - 1]);
    *hi = alpha[k - 1] + PetscAbsReal(b * Z[(k - 1) * k + k - 1]);
  }
  PetscCall(PetscFree3(v0, v1, w));
  PetscCall(PetscFree4(alpha, beta, Z, work));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmBounds(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt steps, PetscInt64 seed, PetscReal *lo, PetscReal *hi)
{
  const PetscReal margin = 0.01;
  PetscReal       glo, ghi, llo, lhi, lmin, lmax;
  PetscBool       partial;

  PetscFunctionBegin;
  PetscCheck(steps >= 2, prob->comm, PETSC_ERR_USER_INPUT, "-kpm_bounds_steps %" PetscInt_FMT ": at least 2 Lanczos steps are needed", steps);
  PetscCall(GershgorinBounds(op, &glo, &ghi));
  PetscCall(LanczosBounds(op, prob, steps, seed, &llo, &lhi, &partial));
  PetscCall(PetscInfo(NULL, "KPM bounds: Gershgorin [%.6g, %.6g], Lanczos (%" PetscInt_FMT " steps) [%.6g, %.6g]%s\n", (double)glo, (double)ghi, steps, (double)llo, (double)lhi, partial ? ", an invariant subspace of the start vector: Gershgorin's used" : ""));
  if (partial) { /* Gershgorin's discs hold every eigenvalue */
    PetscCheck(!op->shell, prob->comm, PETSC_ERR_USER_INPUT, "KPM bounds: the Lanczos start vector (-kpm_seed %" PetscInt64_FMT ") of this %" PetscInt_FMT "-atom sample spans only some of its modes, and a shell Hessian has no Gershgorin bound: give -kpm_lambda_min and -kpm_lambda_max, another -kpm_seed, or -hessian_type baij", seed, prob->natoms);
    llo = glo;
    lhi = ghi;
  }
  /* Lanczos starts off the translations (zero modes the KPM's vectors do hold): the interval keeps
     0 inside, also where every other mode is negative (a sample far from any minimum) */
  lmin = PetscMin(llo, 0.0); /* negative eigenvalues (unrelaxed samples) are found without inertia */
  lmax = PetscMax(lhi, 0.0);
  *hi  = PetscMin(ghi, RoundOutward(lmax + margin * (lmax - lmin), PETSC_TRUE));
  *lo  = PetscMin(0.0, PetscMax(glo, RoundOutward(lmin - margin * (lmax - lmin), PETSC_FALSE)));
  PetscFunctionReturn(0);
}

/* ---- Moments ------------------------------------------------------------------------------------- */
/* Reduce the 2R dot products and the overflow count (slot 2R), failing on overflow. */
static PetscErrorCode ReduceDots(const VitExactSum *es, PetscInt R, PetscReal lo, PetscReal hi, VitInt128 acc[], PetscReal dots[])
{
  PetscFunctionBegin;
  PetscCall(VitExactSumReduce(es, 2 * R + 1, acc, dots));
  PetscCheck(dots[2 * R] == 0, es->comm, PETSC_ERR_USER_INPUT, "KPM vectors grew beyond their bound: the spectrum exceeds the interval used, [%.6g, %.6g] (eigenvalue unit; -kpm_lambda_min/-kpm_lambda_max where given, else the Lanczos estimate); set -kpm_lambda_min/-kpm_lambda_max, or raise -kpm_bounds_steps (the Lanczos steps that estimate the interval)", (double)lo, (double)hi);
  PetscCall(PetscArrayzero(acc, 2 * R + 1));
  PetscFunctionReturn(0);
}

/* The state of a moment recursion between calls: the exact-sum context, the vectors v_{m-1}
   (vprev) and v_m (vcur) at the top of iteration m of the moment loop, and the loop's wall time. */
struct _p_VitKpmRecursion {
  VitExactSum    es;
  PetscReal     *vprev, *vcur, *y; /* v_{m-1}, v_m (with ghost rows), ProductStep's H v */
  size_t         vbytes, ybytes;
  PetscInt       m;
  PetscLogDouble seconds;
};

static PetscErrorCode RecursionFree(VitKpmRecursion *rec)
{
  PetscFunctionBegin;
  if (!*rec) PetscFunctionReturn(0);
  PetscCall(VitExactSumDestroy(&(*rec)->es));
  PetscCall(VitBigFree((*rec)->vbytes, &(*rec)->vprev));
  PetscCall(VitBigFree((*rec)->vbytes, &(*rec)->vcur));
  PetscCall(VitBigFree((*rec)->ybytes, &(*rec)->y));
  PetscCall(PetscFree(*rec));
  PetscFunctionReturn(0);
}

/* Iterations rec->m, ... of the moment loop while 2m < M: mu (R x M, vector-major) gets moments
   2m and 2m + 1 of each vector. Each iteration is a product, a Chebyshev step and one reduction;
   the last one of an odd M computes no v_{m+1} and leaves the recursion unable to continue. */
static PetscErrorCode Recurse(VitKpmOperator op, const VitSpectrumProblem *prob, VitKpmRecursion rec, PetscReal lo, PetscReal hi, PetscInt M, PetscReal mu[])
{
  const PetscInt  n = prob->nowned * prob->dim, R = op->nvec;
  const PetscReal a = 0.5 * (hi + lo), b2inv = 2.0 / (0.5 * (hi - lo));
  VitInt128      *acc;
  PetscReal      *dots, *work, *swap;
  PetscLogDouble  t0, t1;
  VitProgress     progress;

  PetscFunctionBegin;
  PetscCall(PetscCalloc3(2 * R + 1, &acc, 2 * R + 1, &dots, VIT_KPM_STEP_WORK(R), &work));
  PetscCall(VitProgressStart(&progress, "KPM moments", M));
  progress.interval  = 60; /* a line a minute on long runs (10^6 atoms), none on short ones */
  progress.long_only = PETSC_TRUE;
  PetscCall(PetscTime(&t0));
  /* Invariant at the top: vprev = v_{m-1}, vcur = v_m. */
  for (; 2 * rec->m < M; rec->m++) {
    const PetscInt  m   = rec->m;
    const PetscBool odd = (PetscBool)(2 * m + 1 < M);
    /* v_{m+1} = 2 Hs v_m - v_{m-1} = (H v_m - a v_m) s - v_{m-1} over vprev, s = 2/b, with <v_m, v_m>
       and <v_{m+1}, v_m> (kernel/kpm_rows.h); the last iteration of an odd M only needs <v_m, v_m>. */
    if (odd) PetscCall(ProductStep(op, &rec->es, R, a, b2inv, rec->vcur, rec->vprev, acc, work, rec->y));
    else op->step(&rec->es, n, R, NULL, a, b2inv, rec->vcur, rec->vprev, acc, work);
    PetscCall(ReduceDots(&rec->es, R, lo, hi, acc, dots));
    PetscCall(VitProgressUpdate(prob->comm, &progress, PetscMin(2 * m + 2, M)));
    for (PetscInt k = 0; k < R; k++) {
      mu[k * M + 2 * m] = 2.0 * dots[k] - mu[k * M];
      if (odd) mu[k * M + 2 * m + 1] = 2.0 * dots[R + k] - mu[k * M + 1];
    }
    if (!odd) break; /* vcur = v_m and no v_{m+1}: the recursion ends here */
    swap       = rec->vprev;
    rec->vprev = rec->vcur;
    rec->vcur  = swap;
  }
  PetscCall(PetscTime(&t1));
  rec->seconds += t1 - t0;
  PetscCall(PetscFree3(acc, dots, work));
  PetscFunctionReturn(0);
}

/* Timing of a finished run; the recursion is kept only when it can continue (M even). */
static PetscErrorCode KpmFinish(VitKpmRecursion rec, VitKpm *kpm)
{
  PetscFunctionBegin;
  kpm->time_per_moment = rec->seconds / kpm->moments;
  kpm->recursion       = rec;
  if (kpm->moments % 2) PetscCall(RecursionFree(&kpm->recursion));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmCompute(VitKpmOperator op, const VitSpectrumProblem *prob, PetscInt M, PetscInt64 seed, PetscReal lo, PetscReal hi, VitKpm *kpm)
{
  const PetscInt  d = prob->dim, R = op->nvec;
  const PetscReal a = 0.5 * (hi + lo), binv = 1.0 / (0.5 * (hi - lo));
  VitKpmRecursion rec;
  VitInt128      *acc;
  PetscReal      *dots, *work;
  PetscLogDouble  t0, t1;

  PetscFunctionBegin;
  PetscCheck(M >= 2, prob->comm, PETSC_ERR_USER_INPUT, "-kpm_moments %" PetscInt_FMT ": at least 2 moments are needed", M);
  PetscCheck(hi > lo, prob->comm, PETSC_ERR_USER_INPUT, "KPM interval [%.6g, %.6g] is empty", (double)lo, (double)hi);
  PetscCall(PetscMemzero(kpm, sizeof(*kpm)));
  kpm->moments    = M;
  kpm->vectors    = R;
  kpm->seed       = seed;
  kpm->lambda_min = lo;
  kpm->lambda_max = hi;
  kpm->deflate    = PETSC_TRUE;
  kpm->nstates    = d * prob->natoms - d;
  PetscCall(PetscNew(&rec));
  rec->vbytes = (size_t)(op->nrows + op->nghost) * d * R * sizeof(PetscReal);
  PetscCall(VitBigAlloc(rec->vbytes, &rec->vprev));
  PetscCall(VitBigAlloc(rec->vbytes, &rec->vcur));
  rec->ybytes = ProductStepBytes(op, R);
  PetscCall(VitBigAlloc(rec->ybytes, &rec->y));
  PetscCall(PetscCalloc1(R * M, &kpm->mu));
  PetscCall(PetscCalloc3(2 * R + 1, &acc, 2 * R + 1, &dots, VIT_KPM_STEP_WORK(R), &work));
  /* |v_n(j)| <= ||r|| = sqrt(dN), so each product term is at most dN in magnitude. */
  PetscCall(VitExactSumCreate(prob->comm, VitCeilLog2((PetscReal)d * prob->natoms), VitCeilLog2((PetscReal)d * prob->natoms), &rec->es));

  PetscCall(PetscTime(&t0));
  PetscCall(RandomBlock(op, prob, R, seed, kpm->deflate, rec->vprev)); /* v_0 */
  /* v_1 = Hs v_0 = (H v_0 - a v_0) / b - 0 over vcur (zero-filled), with <v_0, v_0>, <v_1, v_0> */
  PetscCall(ProductStep(op, &rec->es, R, a, binv, rec->vprev, rec->vcur, acc, work, rec->y));
  PetscCall(ReduceDots(&rec->es, R, lo, hi, acc, dots));
  for (PetscInt k = 0; k < R; k++) {
    kpm->mu[k * M + 0] = dots[k];
    kpm->mu[k * M + 1] = dots[R + k];
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscFree3(acc, dots, work));
  rec->seconds = t1 - t0;
  rec->m       = 1;
  PetscCall(Recurse(op, prob, rec, lo, hi, M, kpm->mu));
  PetscCall(OperatorBytes(op, &kpm->bytes_per_apply));
  PetscCall(VitKpmOperatorSizes(op, NULL, NULL, &kpm->bytes_matrix));
  kpm->bytes_vectors = 2.0 * rec->vbytes + rec->ybytes;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &kpm->bytes_matrix, 1, MPI_DOUBLE, MPI_SUM, prob->comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &kpm->bytes_vectors, 1, MPI_DOUBLE, MPI_SUM, prob->comm));
  PetscCall(KpmFinish(rec, kpm));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmContinue(VitKpmOperator op, const VitSpectrumProblem *prob, VitKpm *kpm, PetscInt M2, VitKpm *more)
{
  const PetscInt M = kpm->moments, R = kpm->vectors;

  PetscFunctionBegin;
  PetscCheck(M2 > M && op->nvec == R, prob->comm, PETSC_ERR_ARG_WRONGSTATE, "KPM: %" PetscInt_FMT " moments of %" PetscInt_FMT " vectors cannot be extended to %" PetscInt_FMT " moments with %" PetscInt_FMT " vectors", M, R, M2, op->nvec);
  if (!kpm->recursion) { /* an odd count, or continued already: the same run anew */
    PetscCall(VitKpmCompute(op, prob, M2, kpm->seed, kpm->lambda_min, kpm->lambda_max, more));
    PetscFunctionReturn(0);
  }
  *more           = *kpm;
  more->moments   = M2;
  kpm->recursion  = NULL;
  PetscCall(PetscCalloc1(R * M2, &more->mu));
  for (PetscInt k = 0; k < R; k++) PetscCall(PetscArraycpy(more->mu + k * M2, kpm->mu + k * M, M));
  PetscCall(Recurse(op, prob, more->recursion, kpm->lambda_min, kpm->lambda_max, M2, more->mu));
  PetscCall(KpmFinish(more->recursion, more));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmRecursionFree(VitKpm *kpm)
{
  PetscFunctionBegin;
  PetscCall(RecursionFree(&kpm->recursion));
  PetscFunctionReturn(0);
}

PetscErrorCode VitKpmDestroy(VitKpm *kpm)
{
  PetscFunctionBegin;
  PetscCall(PetscFree(kpm->mu));
  PetscCall(RecursionFree(&kpm->recursion));
  PetscFunctionReturn(0);
}

/* Jackson kernel g_n (Weisse et al. eq. 71). */
PetscReal VitKpmJackson(PetscInt n, PetscInt M)
{
  const PetscReal q = PETSC_PI / (M + 1);
  return ((M - n + 1) * PetscCosReal(n * q) + PetscSinReal(n * q) / PetscTanReal(q)) / (M + 1);
}

/* Integrating rho(x) = [g_0 mu_0 + 2 sum g_n mu_n T_n(x)] / (pi sqrt(1 - x^2)) from -1 to x = cos(theta):
   N(x) = [g_0 mu_0 (pi - theta) - 2 sum_n g_n mu_n sin(n theta) / n] / pi. */
PetscErrorCode VitKpmCumulative(const VitKpm *kpm, PetscReal lambda, PetscReal per_vector[], PetscReal *mean)
{
  const PetscInt  M = kpm->moments;
  const PetscReal a = 0.5 * (kpm->lambda_max + kpm->lambda_min), b = 0.5 * (kpm->lambda_max - kpm->lambda_min);
  const PetscReal x = PetscMax(-1.0, PetscMin(1.0, (lambda - a) / b)), theta = PetscAcosReal(x);
  PetscReal      *w, sum = 0;

  PetscFunctionBegin;
  PetscCall(PetscMalloc1(M, &w));
  w[0] = VitKpmJackson(0, M) * (PETSC_PI - theta) / PETSC_PI;
  for (PetscInt n = 1; n < M; n++) w[n] = -2.0 * VitKpmJackson(n, M) * PetscSinReal(n * theta) / (n * PETSC_PI);
  for (PetscInt k = 0; k < kpm->vectors; k++) {
    PetscReal c = 0;
    for (PetscInt n = 0; n < M; n++) c += w[n] * kpm->mu[k * M + n];
    if (per_vector) per_vector[k] = c;
    sum += c;
  }
  *mean = sum / kpm->vectors;
  PetscCall(PetscFree(w));
  PetscFunctionReturn(0);
}

/* The eigenvalue at a grid frequency w, the KPM interval's top where w^2 reaches it within round-off:
   N(lambda) rises like sqrt(lambda_max - lambda) there, so a grid ending one ulp below the top (a
   unit conversion's rounding) would miss ~1e-7 of the states. */
static PetscReal GridLambda(const VitKpm *kpm, PetscReal w)
{
  const PetscReal lambda = w * w;
  return lambda >= kpm->lambda_max * (1 - 1e-12) ? kpm->lambda_max : lambda;
}

PetscErrorCode VitKpmVdos(const VitKpm *kpm, PetscReal omega_max, PetscInt nbins, PetscReal omega[], PetscReal D[], PetscReal err[], PetscReal *fraction)
{
  const PetscInt  R  = kpm->vectors;
  const PetscReal dw = omega_max / nbins;
  PetscReal      *lower, *upper, mean, total = 0, all;

  PetscFunctionBegin;
  PetscCall(PetscMalloc2(R, &lower, R, &upper));
  PetscCall(VitKpmCumulative(kpm, kpm->lambda_max, NULL, &all));
  PetscCall(VitKpmCumulative(kpm, 0.0, lower, &mean));
  all -= mean; /* the states of real frequency, whatever the grid holds of them */
  for (PetscInt j = 0; j < nbins; j++) {
    PetscReal s = 0, s2 = 0;
    PetscCall(VitKpmCumulative(kpm, GridLambda(kpm, (j + 1) * dw), upper, &mean));
    for (PetscInt k = 0; k < R; k++) {
      const PetscReal Dk = (upper[k] - lower[k]) / dw;
      s += Dk;
      s2 += Dk * Dk;
    }
    omega[j] = (j + 0.5) * dw;
    D[j]     = s / R;
    err[j]   = R > 1 ? PetscSqrtReal(PetscMax(0.0, s2 / R - D[j] * D[j]) / (R - 1)) : 0.0; /* std / sqrt(R) */
    total += D[j] * dw;
    PetscCall(PetscArraycpy(lower, upper, R)); /* the next bin's lower end (R values) */
  }
  for (PetscInt j = 0; j < nbins; j++) {
    D[j] /= all;
    err[j] /= all;
  }
  *fraction = total / all; /* sum D domega: the share of the states of real frequency inside the grid, as D is normalised */
  PetscCall(PetscFree2(lower, upper));
  PetscFunctionReturn(0);
}
