static const char help[] = "Compares H x of the shell, sbaij and baij Hessians of a sample (-sample, -potential)\n"
                           "for random x, and their diagonals; exits with 1 when they differ by more than -tol.\n";

#include <vitrum/hessian.h>

/* ||A x - B x|| / ||B x|| and ||diag A - diag B|| / ||diag B|| for a random x. */
static PetscErrorCode Compare(Mat A, Mat B, PetscReal *mult_err, PetscReal *diag_err)
{
  Vec         x, ya, yb;
  PetscRandom rnd;
  PetscReal   norm;

  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(B, &x, &yb));
  PetscCall(VecDuplicate(yb, &ya));
  PetscCall(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PetscCall(VecSetRandom(x, rnd));
  PetscCall(MatMult(A, x, ya));
  PetscCall(MatMult(B, x, yb));
  PetscCall(VecNorm(yb, NORM_2, &norm));
  PetscCall(VecAXPY(ya, -1, yb));
  PetscCall(VecNorm(ya, NORM_2, mult_err));
  *mult_err /= norm;
  PetscCall(MatGetDiagonal(A, ya));
  PetscCall(MatGetDiagonal(B, yb));
  PetscCall(VecNorm(yb, NORM_2, &norm));
  PetscCall(VecAXPY(ya, -1, yb));
  PetscCall(VecNorm(ya, NORM_2, diag_err));
  *diag_err /= norm;
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&ya));
  PetscCall(VecDestroy(&yb));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  VitSystem sys;
  Mat       other[2];
  MatType   types[2] = {MATSHELL, MATSBAIJ};
  PetscReal tol = 1e-12, mult_err, diag_err;
  PetscBool good = PETSC_TRUE;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(VitInitialize());
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-tol", &tol, NULL));
  PetscCall(VitSystemSetUpFromOptions(PETSC_COMM_WORLD, &sys)); /* baij unless -hessian_type */
  for (int k = 0; k < 2; k++) {
    PetscCall(VitHessianCreate(sys.pot, &sys.dom, &sys.sample, types[k], sys.mass_weighted, &other[k]));
    PetscCall(Compare(other[k], sys.H, &mult_err, &diag_err));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%s %-6s vs assembled: MatMult %.2e, diagonal %.2e (tolerance %.0e)\n", mult_err <= tol && diag_err <= tol ? "ok  " : "FAIL", types[k], (double)mult_err, (double)diag_err, (double)tol));
    good = (PetscBool)(good && mult_err <= tol && diag_err <= tol);
    PetscCall(MatDestroy(&other[k]));
  }
  PetscCall(VitSystemDestroy(&sys));
  PetscCall(PetscFinalize());
  return good ? 0 : 1;
}
