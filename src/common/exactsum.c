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

PetscErrorCode VitExactSumCreate(MPI_Comm comm, int log2_bound, int log2_count, VitExactSum *es)
{
  PetscFunctionBegin;
  es->comm  = comm;
  es->shift = 126 - log2_bound - log2_count;
  es->scale = ldexp(1.0, es->shift);
  es->bound = ldexp(1.0, log2_bound);
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
