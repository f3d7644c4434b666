/* Every eigenvalue of a small dynamical matrix by dense LAPACK (dsyev, eigenvalues only): the exact
   spectrum behind the smooth VDOS targets of `features` for samples of up to -vdos_exact_max_dof
   degrees of freedom, where the stochastic KPM trace would add noise of the size of the sample-to-
   sample differences (docs/spectrum.md, docs/fit.md). */
#include <vitrum/spectrum.h>
#include <petscblaslapack.h>

/* A sequential dense copy of H on every rank (as SLEPc's EPSLAPACK makes it): BAIJ and SBAIJ
   through MatCreateRedundantMatrix; dsyev reads the upper triangle only, which SBAIJ stores. */
static PetscErrorCode RedundantDense(Mat H, Mat *dense)
{
  Mat      local;
  PetscInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)H), &size));
  if (size > 1) PetscCall(MatCreateRedundantMatrix(H, size, PETSC_COMM_SELF, MAT_INITIAL_MATRIX, &local));
  else {
    local = H;
    PetscCall(PetscObjectReference((PetscObject)H));
  }
  PetscCall(MatConvert(local, MATSEQDENSE, MAT_INITIAL_MATRIX, dense));
  PetscCall(MatDestroy(&local));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumAllEigenvalues(const VitSpectrumProblem *prob, PetscReal **lambda)
{
  const PetscInt n = prob->dim * prob->natoms;
  Mat            A;
  PetscScalar   *a, wsize;
  PetscReal     *work;
  PetscBLASInt   bn, lwork = -1, info;
  PetscBool      shell;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)prob->H, MATSHELL, &shell));
  PetscCheck(!shell, prob->comm, PETSC_ERR_USER_INPUT, "-vdos_exact_max_dof: exact eigenvalues need an assembled Hessian, not -hessian_type shell (or give -vdos_exact_max_dof 0)");
  PetscCall(PetscBLASIntCast(n, &bn));
  PetscCall(RedundantDense(prob->H, &A));
  PetscCall(MatDenseGetArray(A, &a));
  PetscCall(PetscMalloc1(n, lambda));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &bn, a, &bn, *lambda, &wsize, &lwork, &info)); /* workspace query */
  PetscCall(PetscBLASIntCast((PetscInt)PetscRealPart(wsize), &lwork));
  PetscCall(PetscMalloc1(lwork, &work));
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_("N", "U", &bn, a, &bn, *lambda, work, &lwork, &info));
  PetscCall(PetscFree(work));
  PetscCall(MatDenseRestoreArray(A, &a));
  PetscCall(MatDestroy(&A));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK dsyev failed (info %d) on the %" PetscInt_FMT " x %" PetscInt_FMT " dense Hessian", (int)info, n, n);
  PetscFunctionReturn(0);
}

PetscErrorCode VitSpectrumEigenvaluesRead(VitH5 *h5, PetscInt *n, PetscReal **lambda, PetscReal *omega_scale, PetscInt *dim, PetscBool *found)
{
  PetscReal v;

  PetscFunctionBegin;
  *n      = 0;
  *lambda = NULL;
  PetscCall(VitH5Exists(h5, "/spectrum/vdos/eigenvalues", found));
  if (!*found) PetscFunctionReturn(0);
  PetscCall(VitH5ReadScalar(h5, "/spectrum/vdos/omega_scale", omega_scale));
  PetscCall(VitH5ReadScalar(h5, "/spectrum/vdos/dimension", &v));
  *dim = (PetscInt)v;
  PetscCheck(*omega_scale > 0 && (*dim == 2 || *dim == 3), h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /spectrum/vdos/omega_scale %.6g or dimension %.6g is not usable", h5->path, (double)*omega_scale, (double)v);
  PetscCall(VitH5ReadReal(h5, "/spectrum/vdos/eigenvalues", n, lambda));
  PetscCheck(*n >= 1, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /spectrum/vdos/eigenvalues is empty", h5->path);
  for (PetscInt i = 0; i < *n; i++) PetscCheck(PetscIsNormalReal((*lambda)[i]) || (*lambda)[i] == 0, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /spectrum/vdos/eigenvalues[%" PetscInt_FMT "] = %.6g is not finite", h5->path, i, (double)(*lambda)[i]);
  for (PetscInt i = 1; i < *n; i++) PetscCheck((*lambda)[i] >= (*lambda)[i - 1], h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: /spectrum/vdos/eigenvalues are not sorted (entry %" PetscInt_FMT ")", h5->path, i);
  PetscFunctionReturn(0);
}
