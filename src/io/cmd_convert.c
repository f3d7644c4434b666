/* vitrum convert -sample IN -o OUT: any supported sample file to H5MD (.h5, .h5md) or to a
   LAMMPS data file (.data, .lmp). */
#include <vitrum/commands.h>
#include <vitrum/sample.h>

typedef enum {OUT_H5MD, OUT_DATA, OUT_UNKNOWN} OutFormat;

static OutFormat OutputFormat(const char path[])
{
  const char *ext = strrchr(path, '.');

  if (ext && (!strcmp(ext, ".h5") || !strcmp(ext, ".h5md"))) return OUT_H5MD;
  if (ext && (!strcmp(ext, ".data") || !strcmp(ext, ".lmp"))) return OUT_DATA;
  return OUT_UNKNOWN;
}

PetscErrorCode VitCmdConvert(void)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  char      out[PETSC_MAX_PATH_LEN] = "";
  VitSample s;
  OutFormat fmt;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Sample conversion (vitrum convert)", NULL);
  PetscCall(PetscOptionsString("-o", "Output file: H5MD (.h5 .h5md) or LAMMPS data (.data .lmp)", "VitCmdConvert", out, out, sizeof(out), NULL));
  PetscOptionsEnd();
  PetscCall(VitSampleReadFromOptions(comm, &s)); /* reads (and with -help lists) -sample, -format, -frame */
  if (VitHelpRequested()) PetscFunctionReturn(0);
  fmt = OutputFormat(out);
  PetscCheck(out[0], comm, PETSC_ERR_USER_INPUT, "convert: give the output file with -o OUT.h5 (H5MD) or -o OUT.data (LAMMPS data)");
  PetscCheck(fmt != OUT_UNKNOWN, comm, PETSC_ERR_USER_INPUT, "-o %s: unknown output format (use .h5, .h5md, .data or .lmp)", out);
  PetscCall(VitOutputCheck(comm, "-o", out, 0, NULL));
  if (fmt == OUT_H5MD) PetscCall(VitSampleWriteH5MD(comm, &s, out));
  else PetscCall(VitSampleWriteLammpsData(comm, &s, out));
  PetscCall(PetscPrintf(comm, "wrote %s (%" PetscInt_FMT " atoms)\n", out, s.natoms));
  PetscCall(VitSampleDestroy(&s));
  PetscFunctionReturn(0);
}
