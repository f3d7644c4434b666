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
#include <stdlib.h>
#include <unistd.h>

/* Error paths end the program in vitrum, so what they leave allocated is not a leak to report;
   Open MPI's own allocations at exit would drown real reports anyway. */
const char *__asan_default_options(void) { return "detect_leaks=0"; }

static char fuzz_path[256], fuzz_first_path[256];

/* The input files go when the harness exits (libFuzzer ends with exit() at -max_total_time, on a
   finding and on replay), so runs leave nothing behind in /dev/shm or /tmp. */
static void FuzzRemoveInputs(void)
{
  if (fuzz_first_path[0]) unlink(fuzz_first_path);
  if (fuzz_path[0]) unlink(fuzz_path);
}

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
  snprintf(fuzz_first_path, sizeof(fuzz_first_path), "%s", fuzz_path); /* the potential harness moves on to a second file */
  atexit(FuzzRemoveInputs);
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
