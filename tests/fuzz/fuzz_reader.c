/* libFuzzer harness of one text sample reader (VIT_FUZZ_FORMAT: lammps-data, lammps-dump or
   extxyz) through VitSampleRead on PETSC_COMM_SELF, last frame. */
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  return FuzzInitialize(".sample");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  VitSample sample;

  if (FuzzWriteInput(data, size)) return 0;
  PetscMemzero(&sample, sizeof(sample));
  (void)VitSampleRead(PETSC_COMM_SELF, fuzz_path, VIT_FUZZ_FORMAT, -1, &sample);
  VitSampleDestroy(&sample);
  return 0;
}
