/* Exact, rank-independent global sums in 128-bit fixed point (see include/vitrum/exactsum.h). */
#include <vitrum/exactsum.h>
#include <petsc/private/vecimpl.h> /* the Vec operation table, for VitVecCreateExactCopy */

static void MPIAPI Int128Sum(void *in, void *inout, int *len, MPI_Datatype *type)
{
  for (int i = 0; i < *len; i++) {
    VitInt128 a, b;
    memcpy(&a, (char *)in + i * sizeof(a), sizeof(a));
    memcpy(&b, (char *)inout + i * sizeof(b), sizeof(b));
    b += a;
    memcpy((char *)inout + i * sizeof(b), &b, sizeof(b));
  }
}

/* The fixed point: n <= 2^c terms |t| <= 2^b sum to below 2^126 units of 2^-shift, shift = 126 - b - c.
   The pre-rounding (exactsum.h), with chunks of 2^k deposits: C_1 = 1.5 2^E1, E1 = b + k + 1, holds
   |t| <= 2^(E1-2) in its binade and 2^k grid values r1 (|r1| <= 2^b) below 2^53 ulp(C_1) = 2^(E1+1);
   the remainder |t_2| <= ulp(C_1)/2 = 2^(E1-53) likewise with E2 = E1 - 52 + k. The grid of C_2,
   ulp(C_2) = 2^(b+2k-103), is a multiple of the fixed-point unit when c <= 2k + 23, which sets k. */
PetscErrorCode VitExactSumCreate(MPI_Comm comm, int log2_bound, int log2_count, VitExactSum *es)
{
  const int k = PetscMax(8, (log2_count - 22) / 2), E1 = log2_bound + k + 1;

  PetscFunctionBegin;
  es->comm    = comm;
  es->shift   = 126 - log2_bound - log2_count;
  es->scale   = ldexp(1.0, es->shift);
  es->bound   = ldexp(1.0, log2_bound);
  es->fold[0] = ldexp(1.5, E1);
  es->fold[1] = ldexp(1.5, E1 - 52 + k);
  es->chunk   = (PetscInt)1 << k;
  PetscCallMPI(MPI_Type_contiguous(sizeof(VitInt128), MPI_BYTE, &es->type));
  PetscCallMPI(MPI_Type_commit(&es->type));
  PetscCallMPI(MPI_Op_create(Int128Sum, 1, &es->op));
  PetscFunctionReturn(0);
}

PetscErrorCode VitExactSumDestroy(VitExactSum *es)
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Type_free(&es->type));
  PetscCallMPI(MPI_Op_free(&es->op));
  PetscFunctionReturn(0);
}

PetscErrorCode VitExactSumReduce(const VitExactSum *es, PetscInt n, VitInt128 acc[], PetscReal sum[])
{
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, acc, (int)n, es->type, es->op, es->comm));
  for (PetscInt k = 0; k < n; k++) sum[k] = ldexp((double)acc[k], -es->shift);
  PetscFunctionReturn(0);
}

int VitCeilLog2(PetscReal x)
{
  return x <= 1 ? 0 : (int)PetscCeilReal(PetscLog2Real(x));
}

/* sums[c] = the sum over all ranks of terms[i row + c col] (i < n, c < m; count terms per sum over
   all ranks), bitwise the same on any number of ranks: the terms are pre-rounded onto the grids of
   VitExactSumDeposit a chunk at a time (vectorisable) and the level sums moved into the 128-bit fixed
   point. A term that is not finite makes every sum NaN (as a plain sum would be NaN or infinite). */
static PetscErrorCode ExactSums(MPI_Comm comm, PetscInt count, PetscInt n, PetscInt m, PetscInt row, PetscInt col, const PetscReal terms[], PetscReal sums[])
{
  PetscReal   local_max = 0, max;
  PetscBool   finite = PETSC_TRUE;
  int         log2_bound;
  VitExactSum es;
  VitInt128  *acc;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < n * m; k++) {
    const PetscReal t = PetscAbsReal(terms[k]);
    finite    = (PetscBool)(finite & (t <= PETSC_MAX_REAL)); /* false for NaN too */
    local_max = t > local_max ? t : local_max;
  }
  if (!finite) local_max = PETSC_INFINITY;
  PetscCallMPI(MPI_Allreduce(&local_max, &max, 1, MPIU_REAL, MPIU_MAX, comm));
  if (max == PETSC_INFINITY) {
    for (PetscInt c = 0; c < m; c++) sums[c] = (PetscReal)NAN;
    PetscFunctionReturn(0);
  }
  (void)frexp(max, &log2_bound);          /* max < 2^log2_bound */
  log2_bound = PetscMax(log2_bound, -800); /* keeps 2^shift finite */
  PetscCall(VitExactSumCreate(comm, log2_bound, VitCeilLog2((PetscReal)count + 1), &es));
  PetscCall(PetscCalloc1(m, &acc));
  for (PetscInt c = 0; c < m; c++)
    for (PetscInt start = 0; start < n; start += es.chunk) {
      const PetscInt end = PetscMin(n, start + es.chunk);
      PetscReal      s1 = 0, s2 = 0, tmax = 0;

      for (PetscInt i = start; i < end; i++) VitExactSumDeposit(es.fold[0], es.fold[1], terms[i * row + c * col], &s1, &s2, &tmax);
      acc[c] += VitExactSumFlush(&es, s1, s2);
    }
  PetscCall(VitExactSumReduce(&es, m, acc, sums));
  PetscCall(PetscFree(acc));
  PetscCall(VitExactSumDestroy(&es));
  PetscFunctionReturn(0);
}

PetscErrorCode VitExactSumReals(MPI_Comm comm, PetscInt n, PetscInt m, const PetscReal terms[], PetscReal sums[])
{
  PetscInt count;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&n, &count, 1, MPIU_INT, MPI_SUM, comm));
  PetscCall(ExactSums(comm, count, n, m, m, 1, terms, sums));
  PetscFunctionReturn(0);
}

/* dots[c] = x . y[c] (c < m): exactly summed products. */
static PetscErrorCode ExactMDot(Vec x, PetscInt m, const Vec y[], PetscScalar dots[])
{
  const PetscScalar *a, *b;
  PetscReal         *col;
  PetscInt           n, N;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(x, &n));
  PetscCall(VecGetSize(x, &N));
  PetscCall(PetscMalloc1(n * m, &col));
  PetscCall(VecGetArrayRead(x, &a));
  for (PetscInt c = 0; c < m; c++) {
    PetscCall(VecGetArrayRead(y[c], &b));
    for (PetscInt i = 0; i < n; i++) col[c * n + i] = PetscRealPart(a[i] * b[i]);
    PetscCall(VecRestoreArrayRead(y[c], &b));
  }
  PetscCall(VecRestoreArrayRead(x, &a));
  PetscCall(ExactSums(PetscObjectComm((PetscObject)x), N, n, m, 1, n, col, dots));
  PetscCall(PetscFree(col));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExactDot(Vec x, Vec y, PetscScalar *dot)
{
  PetscFunctionBegin;
  PetscCall(ExactMDot(x, 1, &y, dot));
  PetscFunctionReturn(0);
}

/* VecDotNorm2: s . t and t . t */
static PetscErrorCode ExactDotNorm2(Vec s, Vec t, PetscScalar *dp, PetscScalar *nm)
{
  const Vec   y[2] = {s, t};
  PetscScalar dots[2];

  PetscFunctionBegin;
  PetscCall(ExactMDot(t, 2, y, dots));
  *dp = dots[0];
  *nm = dots[1];
  PetscFunctionReturn(0);
}

/* The 1-norm as an exact sum, the 2-norm as the root of one; the largest |x_i| needs no sum. */
static PetscErrorCode ExactNorm(Vec x, NormType type, PetscReal *z)
{
  const PetscScalar *a;
  PetscReal         *col, sums[2], max = 0;
  PetscInt           n, N;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(x, &n));
  PetscCall(VecGetSize(x, &N));
  PetscCall(VecGetArrayRead(x, &a));
  if (type == NORM_INFINITY) {
    for (PetscInt i = 0; i < n; i++) max = PetscAbsScalar(a[i]) <= max ? max : PetscAbsScalar(a[i]); /* NaN wins */
    PetscCall(VecRestoreArrayRead(x, &a));
    PetscCallMPI(MPI_Allreduce(&max, z, 1, MPIU_REAL, MPIU_MAX, PetscObjectComm((PetscObject)x)));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(2 * n, &col));
  for (PetscInt i = 0; i < n; i++) {
    col[i]     = PetscAbsScalar(a[i]);
    col[n + i] = PetscRealPart(a[i] * a[i]);
  }
  PetscCall(VecRestoreArrayRead(x, &a));
  PetscCall(ExactSums(PetscObjectComm((PetscObject)x), N, n, 2, 1, n, col, sums));
  PetscCall(PetscFree(col));
  if (type == NORM_1) z[0] = sums[0];
  else if (type == NORM_1_AND_2) {
    z[0] = sums[0];
    z[1] = PetscSqrtReal(sums[1]);
  } else z[0] = PetscSqrtReal(sums[1]);
  PetscFunctionReturn(0);
}

/* The "local" parts of the split reductions (VecDotBegin, VecNormBegin), which PETSc adds up (for
   the infinity norm: takes the largest) over the ranks at the End: here the whole exact value on
   rank 0 and 0 on the others, so that the End gives that value on any number of ranks. */
static PetscErrorCode OnRankZero(Vec x, PetscInt n, PetscReal v[])
{
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)x), &rank));
  for (PetscInt k = 0; rank && k < n; k++) v[k] = 0;
  PetscFunctionReturn(0);
}

static PetscErrorCode ExactMDotLocal(Vec x, PetscInt m, const Vec y[], PetscScalar dots[])
{
  PetscFunctionBegin;
  PetscCall(ExactMDot(x, m, y, dots));
  PetscCall(OnRankZero(x, m, dots));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExactDotLocal(Vec x, Vec y, PetscScalar *dot)
{
  PetscFunctionBegin;
  PetscCall(ExactMDotLocal(x, 1, &y, dot));
  PetscFunctionReturn(0);
}

static PetscErrorCode ExactNormLocal(Vec x, NormType type, PetscReal *z)
{
  PetscFunctionBegin;
  PetscCall(ExactNorm(x, type, z));
  PetscCall(OnRankZero(x, type == NORM_1_AND_2 ? 2 : 1, z));
  PetscFunctionReturn(0);
}

/* y += alpha x with one rounding for the product and one for the sum. PETSc's VecAXPY calls BLAS
   daxpy, and OpenBLAS's (Haswell and later kernels) fuses the multiply-add in its vector body but
   not in its scalar tail, so an entry's bits would depend on its place in the local array, that is
   on the rank count. (This file is compiled without fused multiply-adds, CMakeLists.txt.) */
static PetscErrorCode PlainAXPY(Vec y, PetscScalar alpha, Vec x)
{
  const PetscScalar *xa;
  PetscScalar       *ya;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(y, &n));
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(y, &ya));
  for (PetscInt i = 0; i < n; i++) ya[i] += alpha * xa[i];
  PetscCall(VecRestoreArray(y, &ya));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(PetscLogFlops(2.0 * n));
  PetscFunctionReturn(0);
}

PetscErrorCode VitVecCreateExactCopy(Vec v, Vec *exact)
{
  PetscInt n, N, bs;
  Vec      e;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetBlockSize(v, &bs));
  PetscCall(VecCreate(PetscObjectComm((PetscObject)v), &e));
  PetscCall(VecSetSizes(e, n, N));
  PetscCall(VecSetBlockSize(e, bs));
  PetscCall(VecSetType(e, VECMPI));
  PetscCall(VecCopy(v, e));
  e->ops->dot         = ExactDot;
  e->ops->tdot        = ExactDot; /* real numbers: the same */
  e->ops->mdot        = ExactMDot;
  e->ops->mtdot       = ExactMDot;
  e->ops->norm        = ExactNorm;
  e->ops->dotnorm2    = ExactDotNorm2;
  e->ops->dot_local   = ExactDotLocal;
  e->ops->tdot_local  = ExactDotLocal;
  e->ops->mdot_local  = ExactMDotLocal;
  e->ops->mtdot_local = ExactMDotLocal;
  e->ops->norm_local  = ExactNormLocal;
  e->ops->axpy        = PlainAXPY;
  *exact = e;
  PetscFunctionReturn(0);
}
