/* main's last resort for a user error raised on PETSC_COMM_SELF only (no agreement point):
     all   every rank raises it: printed once, every rank exits with status 1 (no abort)
     one   rank 1 raises it while the others wait in a collective: printed once, run aborted
   Mirrors the error path of src/main.c. Usage: unshared_exe all|one */
#include <vitrum/common.h>

static PetscErrorCode Fail(const char mode[])
{
  PetscFunctionBeginUser;
  if (!strcmp(mode, "all") || PetscGlobalRank == 1) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bad value on rank %d", PetscGlobalRank);
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD)); /* the ranks that did not fail wait for the others */
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  int            status = 0;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VitInitialize());
  PetscCall(VitPushErrorHandler());
  ierr = Fail(argc > 1 ? argv[1] : "all");
  if (ierr) {
    VitOutputsRemove();
    if (!VitUserErrorReported()) VitReportUnsharedUserError();
    status = 1;
  }
  PetscCall(PetscFinalize());
  return status;
}
