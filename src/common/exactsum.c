/* Exact, rank-independent global sums in 128-bit fixed point (see include/vitrum/exactsum.h). */
#include <vitrum/exactsum.h>

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

PetscErrorCode VitExactSumReals(MPI_Comm comm, PetscInt n, PetscInt m, const PetscReal terms[], PetscReal sums[])
{
  PetscReal   local_max = 0, max;
  PetscInt    count;
  int         log2_bound;
  VitExactSum es;
  VitInt128  *acc;

  PetscFunctionBegin;
  for (PetscInt k = 0; k < n * m; k++) local_max = PetscMax(local_max, PetscAbsReal(terms[k]));
  PetscCallMPI(MPI_Allreduce(&local_max, &max, 1, MPIU_REAL, MPIU_MAX, comm));
  PetscCallMPI(MPI_Allreduce(&n, &count, 1, MPIU_INT, MPI_SUM, comm));
  (void)frexp(max, &log2_bound);               /* max < 2^log2_bound */
  log2_bound = PetscMax(log2_bound, -800);      /* keeps 2^shift finite */
  PetscCall(VitExactSumCreate(comm, log2_bound, VitCeilLog2((PetscReal)count + 1), &es));
  PetscCall(PetscCalloc1(m, &acc));
  for (PetscInt k = 0; k < n; k++)
    for (PetscInt c = 0; c < m; c++) acc[c] += VitExactSumQuantise(&es, terms[k * m + c]);
  PetscCall(VitExactSumReduce(&es, m, acc, sums));
  PetscCall(PetscFree(acc));
  PetscCall(VitExactSumDestroy(&es));
  PetscFunctionReturn(0);
}
