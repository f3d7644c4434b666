/* Parallel TSQR on LAPACK: local Householder QR, binary reduction tree of stacked R factors. */
#include <vitrum/fit.h>
#include <petscblaslapack.h>

PetscErrorCode VitTriangleCreate(PetscInt k, PetscInt ncols, VitTriangle *R)
{
  PetscFunctionBeginUser;
  R->k     = k;
  R->ncols = ncols;
  PetscCall(PetscCalloc1(k * ncols + 1, &R->a));
  PetscFunctionReturn(0);
}

PetscErrorCode VitTriangleDestroy(VitTriangle *R)
{
  PetscFunctionBeginUser;
  PetscCall(PetscFree(R->a));
  R->k = 0;
  PetscFunctionReturn(0);
}

/* In-place Householder QR of a m x n column-major matrix; R (min(m,n) x n) copied out. */
static PetscErrorCode HouseholderR(PetscInt m, PetscInt n, PetscReal *A, VitTriangle *R)
{
  PetscBLASInt bm, bn, lwork = -1, info;
  PetscReal    wquery, *tau, *work;
  PetscInt     k = PetscMin(m, n);

  PetscFunctionBeginUser;
  PetscCall(VitTriangleCreate(k, n, R));
  if (k == 0) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(PetscMalloc1(k, &tau));
  PetscCallBLAS("LAPACKgeqrf", LAPACKgeqrf_(&bm, &bn, A, &bm, tau, &wquery, &lwork, &info));
  PetscCall(PetscBLASIntCast((PetscInt)wquery, &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKgeqrf", LAPACKgeqrf_(&bm, &bn, A, &bm, tau, work, &lwork, &info));
  PetscCheck(!info, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK geqrf failed: info %d", (int)info);
  for (PetscInt j = 0; j < n; j++)
    for (PetscInt i = 0; i <= PetscMin(j, k - 1); i++) R->a[i + j * k] = A[i + j * m];
  PetscCall(PetscFree(work));
  PetscCall(PetscFree(tau));
  PetscFunctionReturn(0);
}

PetscErrorCode VitQRStack(PetscInt nblocks, const VitTriangle blocks[], VitTriangle *R)
{
  PetscInt   m = 0, ncols = nblocks ? blocks[0].ncols : 0, row = 0;
  PetscReal *A;

  PetscFunctionBeginUser;
  for (PetscInt b = 0; b < nblocks; b++) m += blocks[b].k;
  PetscCall(PetscMalloc1(m * ncols + 1, &A));
  for (PetscInt b = 0; b < nblocks; b++) {
    for (PetscInt j = 0; j < ncols; j++) PetscCall(PetscArraycpy(A + row + j * m, blocks[b].a + j * blocks[b].k, blocks[b].k));
    row += blocks[b].k;
  }
  PetscCall(HouseholderR(m, ncols, A, R));
  PetscCall(PetscFree(A));
  PetscFunctionReturn(0);
}

/* Receive a factor from rank src (its row count first) and replace R by the R of [R; received]. */
static PetscErrorCode ReceiveAndCombine(MPI_Comm comm, PetscMPIInt src, VitTriangle *R)
{
  VitTriangle pair[2], combined;
  PetscInt    k;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Recv(&k, 1, MPIU_INT, src, 0, comm, MPI_STATUS_IGNORE));
  PetscCall(VitTriangleCreate(k, R->ncols, &pair[1]));
  PetscCallMPI(MPI_Recv(pair[1].a, (PetscMPIInt)(k * R->ncols), MPIU_REAL, src, 1, comm, MPI_STATUS_IGNORE));
  pair[0] = *R;
  PetscCall(VitQRStack(2, pair, &combined));
  PetscCall(VitTriangleDestroy(&pair[1]));
  PetscCall(VitTriangleDestroy(R));
  *R = combined;
  PetscFunctionReturn(0);
}

PetscErrorCode VitTSQR(MPI_Comm comm, const VitTriangle *local, VitTriangle *R)
{
  PetscMPIInt rank, size;
  PetscInt    k;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(VitQRStack(1, local, R));
  /* Level s: ranks with rank % 2s == s send to rank - s, which stacks and refactors. */
  for (PetscMPIInt s = 1; s < size; s *= 2) {
    if (rank % (2 * s) == s) {
      PetscCallMPI(MPI_Send(&R->k, 1, MPIU_INT, rank - s, 0, comm));
      PetscCallMPI(MPI_Send(R->a, (PetscMPIInt)(R->k * R->ncols), MPIU_REAL, rank - s, 1, comm));
      break;
    }
    if (rank % (2 * s) == 0 && rank + s < size) PetscCall(ReceiveAndCombine(comm, rank + s, R));
  }
  k = R->k;
  PetscCallMPI(MPI_Bcast(&k, 1, MPIU_INT, 0, comm));
  if (rank) {
    PetscCall(VitTriangleDestroy(R));
    PetscCall(VitTriangleCreate(k, local->ncols, R));
  }
  PetscCallMPI(MPI_Bcast(R->a, (PetscMPIInt)(R->k * R->ncols), MPIU_REAL, 0, comm));
  PetscFunctionReturn(0);
}
