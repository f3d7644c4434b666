/* Shared set-up of the libFuzzer harnesses (docs/reliability.md, "Fuzzing"): PETSc initialised
   once, PETSc's error printing silenced (a bad input is an error code, which is fine; a crash,
   a sanitizer report or a hang is a finding), and the input bytes written to a temporary file,
   because vitrum's readers and parsers read files. */
#ifndef VITRUM_FUZZ_COMMON_H
#define VITRUM_FUZZ_COMMON_H

#include <vitrum/potential.h>
#include <vitrum/sample.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

/* Error paths end the program in vitrum, so what they leave allocated is not a leak to report;
   Open MPI's own allocations at exit would drown real reports anyway. */
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static char fuzz_path[256];

/* Inputs go to a file in memory (/dev/shm) where there is one: written to /tmp, millions of inputs
   kept the harnesses waiting on the disk for half of their time (14.8 GB written in 30 minutes). */
static const char *FuzzFolder(void)
{
  return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static int FuzzInitialize(const char suffix[])
{
  if (PetscInitializeNoArguments()) return 1;
  if (VitInitialize()) return 1;
  PetscPushErrorHandler(PetscIgnoreErrorHandler, NULL);
  snprintf(fuzz_path, sizeof(fuzz_path), "%s/vitrum_fuzz_%d%s", FuzzFolder(), (int)getpid(), suffix);
  return 0;
}

/* The input as the file fuzz_path. */
static int FuzzWriteInput(const uint8_t *data, size_t size)
{
  FILE *fp = fopen(fuzz_path, "wb");

  if (!fp) return 1;
  if (size && fwrite(data, 1, size, fp) != size) {
    fclose(fp);
    return 1;
  }
  return fclose(fp);
}

#endif
