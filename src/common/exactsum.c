/* Rank-independent sums of reals (include/vitrum/exactsum.h). */
#include <vitrum/exactsum.h>

PetscErrorCode VitExactSumReals(MPI_Comm comm, PetscInt n, const PetscReal x[], PetscReal *sum)
{
  PetscReal bound = 0, count = (PetscReal)n;
  ExactSum  es;
  VitInt128 acc = 0;
  int       log2_bound;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) bound = PetscMax(bound, PetscAbsReal(x[i])); /* NaN-safe below */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bound, 1, MPIU_REAL, MPI_MAX, comm)); /* a max is exact */
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &count, 1, MPIU_REAL, MPI_SUM, comm));
  if (!PetscIsNormalReal(bound)) { /* all zero, or Inf/NaN terms: nothing to quantise */
    *sum = 0;
    for (PetscInt i = 0; i < n; i++) *sum += x[i];
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, sum, 1, MPIU_REAL, MPI_SUM, comm));
    PetscFunctionReturn(0);
  }
  (void)frexp(bound, &log2_bound); /* bound < 2^log2_bound */
  PetscCall(ExactSumCreate(comm, PetscMax(log2_bound, -800), CeilLog2(count) + 1, &es));
  for (PetscInt i = 0; i < n; i++) acc += Quantise(&es, x[i]);
  PetscCall(ExactSumReduce(&es, 1, &acc, sum));
  PetscCall(ExactSumDestroy(&es));
  PetscFunctionReturn(0);
}
