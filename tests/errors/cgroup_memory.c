/* Prints VitMemoryAvailable for a fake tree (its /proc/self/cgroup, /proc/self/mountinfo,
   /proc/meminfo and cgroup folders under the root given): "<bytes> <bound in words>".
   Usage: errors_cgroup_memory_exe ROOT (tests/errors/cgroup_memory.py writes the trees). */
#include <vitrum/common.h>

int main(int argc, char **argv)
{
  PetscReal bytes;
  char      bound[VIT_MEMORY_BOUND_LEN];

  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCheck(argc == 2, PETSC_COMM_SELF, PETSC_ERR_USER_INPUT, "usage: %s ROOT", argv[0]);
  PetscCall(VitMemoryAvailable(argv[1], &bytes, bound, sizeof(bound)));
  PetscCall(PetscPrintf(PETSC_COMM_SELF, "%.17g %s\n", (double)bytes, bound));
  PetscCall(PetscFinalize());
  return 0;
}
