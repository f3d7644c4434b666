/* main's end of run (VitEndOfRun) for a user error that no agreement point carried to every rank:
     all     every rank raises it on PETSC_COMM_SELF: printed once, every rank exits with status 1
     one     rank 1 raises it on PETSC_COMM_SELF while the others wait in a collective: printed
             once, run aborted
     world1  rank 1 alone raises it on PETSC_COMM_WORLD (a check meant to be collective that only
             rank 1 failed, e.g. a file another rank removed) while the others finish: printed
             once, by rank 1, no abort
     none    no error: status 0 on every rank
   Mirrors the error path of src/main.c. Usage: unshared_exe all|one|world1|none */
#include <vitrum/common.h>

static PetscErrorCode Fail(const char mode[])
{
  PetscFunctionBeginUser;
  if (!strcmp(mode, "all") || (!strcmp(mode, "one") && PetscGlobalRank == 1)) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "bad value on rank %d", PetscGlobalRank);
  if (!strcmp(mode, "world1") && PetscGlobalRank == 1) SETERRQ(PETSC_COMM_WORLD, PETSC_ERR_FILE_OPEN, "bad value on rank %d", PetscGlobalRank);
  if (strcmp(mode, "world1")) PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD)); /* the ranks that did not fail wait for the others */
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  PetscErrorCode ierr;
  int            status;

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(VitInitialize());
  PetscCall(VitPushErrorHandler());
  ierr = Fail(argc > 1 ? argv[1] : "all");
  if (ierr) VitOutputsRemove();
  status = VitEndOfRun((PetscBool)(ierr != 0));
  PetscCall(PetscFinalize());
  return status;
}
