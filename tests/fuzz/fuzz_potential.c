/* libFuzzer harness of the potential-file parsers: VIT_FUZZ_EAM (the first input byte chooses the
   style eam (funcfl, one file for both types), eam/alloy or eam/fs), VIT_FUZZ_TERSOFF (the first
   byte chooses tersoff or tersoff/mod) or VIT_FUZZ_SW, read for a fixed 2-type sample whose types
   are the elements A and B (the seeds use these names). */
#include "fuzz_common.h"

static VitSample sample;

static const char sample_text[] = "fuzz sample\n\n4 atoms\n2 atom types\n\n0 12 xlo xhi\n0 12 ylo yhi\n0 12 zlo zhi\n\n"
                                  "Atoms # atomic\n\n1 1 1 1 1\n2 2 4 4 4\n3 1 7 7 7\n4 2 10 10 10\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  if (FuzzInitialize(".data")) return 1;
  if (FuzzWriteInput((const uint8_t *)sample_text, sizeof(sample_text) - 1)) return 1;
  if (VitSampleRead(PETSC_COMM_SELF, fuzz_path, "lammps-data", -1, &sample)) return 1;
  snprintf(fuzz_path, sizeof(fuzz_path), "%s/vitrum_fuzz_%d.potential", FuzzFolder(), (int)getpid());
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  VitPotential pot = NULL;
  PetscErrorCode ierr;

#if defined(VIT_FUZZ_EAM)
  static const char *styles[] = {"eam", "eam/alloy", "eam/fs"};
#elif defined(VIT_FUZZ_TERSOFF)
  static const char *styles[] = {"tersoff", "tersoff/mod"};
#else
  static const char *styles[] = {"sw"};
#endif
  const char *style = styles[size ? data[0] % (sizeof(styles) / sizeof(styles[0])) : 0];

  if (size) data++, size--;
  if (FuzzWriteInput(data, size)) return 0;
#if defined(VIT_FUZZ_EAM)
  ierr = VitPotentialCreateEAM(PETSC_COMM_SELF, &sample, style, fuzz_path, strcmp(style, "eam") ? "A,B" : "", &pot);
#elif defined(VIT_FUZZ_TERSOFF)
  ierr = VitPotentialCreateTersoff(PETSC_COMM_SELF, &sample, style, fuzz_path, "A,B", &pot);
#else
  ierr = VitPotentialCreateSW(PETSC_COMM_SELF, &sample, fuzz_path, "A,B", &pot);
  (void)style;
#endif
  if (!ierr && pot) VitPotentialDestroy(&pot);
  return 0;
}
