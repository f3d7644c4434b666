/* Sample input: format by extension or -format, the reader of that format, and the common
   finishing steps (VitSampleFinishRead). Text formats are parsed on rank 0. Also the format of a
   sample output, by extension (VitSampleOutputFormat). */
#include "io_private.h"
#include <sys/stat.h>

typedef enum {FMT_DATA, FMT_DUMP, FMT_XYZ, FMT_H5MD, NFMT} VitFormat;

static const char *format_names[NFMT]  = {"lammps-data", "lammps-dump", "extxyz", "h5md"};
static const char *format_ext[NFMT][2] = {{".data", ".lmp"}, {".dump", ".lammpstrj"}, {".xyz", ".extxyz"}, {".h5", ".h5md"}};

/* The format from -format, else from the extension (of the name without .gz for a gzip-compressed
   text file: glass.lammpstrj.gz is a dump; H5MD files are not compressed that way). */
static PetscErrorCode GetFormat(MPI_Comm comm, const char path[], const char format[], VitFormat *fmt)
{
  char        name[PETSC_MAX_PATH_LEN];
  const char *ext;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(name, path, sizeof(name)));
  if (VitTextIsGzip(name)) name[strlen(name) - 3] = 0;
  ext = strrchr(name, '.');
  for (int f = 0; f < NFMT; f++) {
    if (format && format[0]) {
      if (!strcmp(format, format_names[f])) *fmt = (VitFormat)f;
    } else if (ext && (!strcmp(ext, format_ext[f][0]) || !strcmp(ext, format_ext[f][1]))) *fmt = (VitFormat)f;
  }
  if (*fmt != NFMT) PetscFunctionReturn(0);
  PetscCheck(!format || !format[0], comm, PETSC_ERR_USER_INPUT, "-format %s: unknown format (lammps-data, lammps-dump, extxyz, h5md)", format);
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s: cannot tell the format from the extension (.data .lmp .dump .lammpstrj .xyz .extxyz, each optionally .gz, .h5 .h5md); give -format", path);
}

/* A folder given as the sample: one line that says so (the text readers would call it an empty
   file, the H5MD reader a missing one). Rank 0 looks. */
static PetscErrorCode CheckNotFolder(MPI_Comm comm, const char path[])
{
  char        errmsg[VIT_ERRLEN] = "";
  struct stat st;
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (!rank && !stat(path, &st) && S_ISDIR(st.st_mode)) PetscCall(PetscSNPrintf(errmsg, sizeof(errmsg), "%s is a folder, not a sample file", path));
  PetscCall(VitBcastError(comm, errmsg));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleOutputFormat(MPI_Comm comm, const char opt[], const char path[], VitSampleOutFormat *fmt)
{
  const char *ext = strrchr(path, '.');

  PetscFunctionBeginUser;
  *fmt = VIT_SAMPLE_OUT_H5MD;
  if (ext && (!strcmp(ext, format_ext[FMT_H5MD][0]) || !strcmp(ext, format_ext[FMT_H5MD][1]))) PetscFunctionReturn(0);
  *fmt = VIT_SAMPLE_OUT_DATA;
  if (ext && (!strcmp(ext, format_ext[FMT_DATA][0]) || !strcmp(ext, format_ext[FMT_DATA][1]))) PetscFunctionReturn(0);
  SETERRQ(comm, PETSC_ERR_USER_INPUT, "%s %s: vitrum writes samples as H5MD (.h5 .h5md) or LAMMPS data (.data .lmp), chosen by the extension", opt, path);
}

/* Read with an optional forced dimension (0 = decide from the box, see DecideDimension). */
static PetscErrorCode SampleRead(MPI_Comm comm, const char path[], const char format[], PetscInt64 frame, PetscInt dim, VitSample *s)
{
  VitFormat   fmt  = NFMT;
  VitReadInfo info = {dim, NULL};
  char        errmsg[VIT_ERRLEN] = "";
  PetscMPIInt rank;

  PetscFunctionBeginUser;
  PetscCall(PetscLogStagePush(vit_log.stage_read));
  PetscCall(PetscLogEventBegin(vit_log.read, 0, 0, 0, 0));
  PetscCall(CheckNotFolder(comm, path));
  PetscCall(GetFormat(comm, path, format, &fmt));
  PetscCheck(fmt != FMT_H5MD || !VitTextIsGzip(path), comm, PETSC_ERR_USER_INPUT, "%s: an H5MD file cannot be read gzip-compressed: gunzip it (HDF5 compresses inside the file)", path);
  PetscCheck(frame >= -1, comm, PETSC_ERR_USER_INPUT, "-frame %" PetscInt64_FMT ": frames are numbered from 0 (-1 = last)", frame);
  PetscCheck(fmt != FMT_DATA || frame <= 0, comm, PETSC_ERR_USER_INPUT, "%s: -frame %" PetscInt64_FMT " is out of range: a LAMMPS data file has one frame (0, or -1 for the last)", path, frame);
  PetscCheck(dim == 0 || dim == 2 || dim == 3, comm, PETSC_ERR_USER_INPUT, "-sample_dimension %" PetscInt_FMT ": use 0 (detect), 2 or 3", dim);
  PetscCall(PetscMemzero(s, sizeof(*s)));
  PetscCall(PetscStrncpy(s->source, path, sizeof(s->source)));
  s->dim = 3;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (fmt == FMT_H5MD) PetscCall(VitReadH5MD(comm, path, frame, s, &info));
  else if (!rank && fmt == FMT_DATA) PetscCall(VitReadLammpsData(path, s, &info, errmsg));
  else if (!rank && fmt == FMT_DUMP) PetscCall(VitReadLammpsDump(path, frame, s, &info, errmsg));
  else if (!rank && fmt == FMT_XYZ) PetscCall(VitReadExtxyz(path, frame, s, &info, errmsg));
  PetscCall(VitSampleFinishRead(comm, s, &info, (PetscBool)(fmt != FMT_H5MD), errmsg));
  PetscCall(PetscFree(info.line));
  PetscCall(PetscLogEventEnd(vit_log.read, 0, 0, 0, 0));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleRead(MPI_Comm comm, const char path[], const char format[], PetscInt64 frame, VitSample *s)
{
  PetscFunctionBeginUser;
  PetscCall(SampleRead(comm, path, format, frame, 0, s));
  PetscFunctionReturn(0);
}

/* -frame as a 64-bit integer: PetscOptionsInt would wrap 20000000000 into a 32-bit value. */
static PetscErrorCode ParseFrame(MPI_Comm comm, const char text[], PetscInt64 *frame)
{
  PetscFunctionBeginUser;
  PetscCheck(VitIOParseInt64(text, frame), comm, PETSC_ERR_USER_INPUT, "-frame %s: expected an integer (0-based frame, -1 = last)", text);
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleReadPath(MPI_Comm comm, const char path[], VitSample *s)
{
  char       format[32] = "", frame_text[64] = "-1";
  PetscInt   dim = 0;
  PetscInt64 frame;

  PetscFunctionBeginUser;
  PetscCall(VitOptionsGetString(comm, "-format", format, sizeof(format), NULL));
  PetscCall(VitOptionsGetString(comm, "-frame", frame_text, sizeof(frame_text), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-sample_dimension", &dim, NULL));
  PetscCall(ParseFrame(comm, frame_text, &frame));
  PetscCall(SampleRead(comm, path, format, frame, dim, s));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleReadFromOptions(MPI_Comm comm, VitSample *s)
{
  char       path[PETSC_MAX_PATH_LEN] = "", format[32] = "", frame_text[64] = "-1";
  PetscInt   dim = 0;
  PetscInt64 frame;
  PetscBool  set = PETSC_FALSE;

  PetscFunctionBeginUser;
  PetscOptionsBegin(comm, NULL, "Sample input", NULL);
  PetscCall(VitOptionsString("-sample", "Sample file: LAMMPS data (.data .lmp), LAMMPS dump (.dump .lammpstrj), extended XYZ (.xyz .extxyz), each also gzip-compressed (.gz), H5MD (.h5 .h5md)", "VitSampleRead", path, path, sizeof(path), &set));
  PetscCall(VitOptionsString("-format", "Sample format when the extension does not tell: lammps-data, lammps-dump, extxyz, h5md", "VitSampleRead", format, format, sizeof(format), NULL));
  PetscCall(VitOptionsString("-frame", "Frame of a dump, extended XYZ or H5MD file (0-based, -1 = last)", "VitSampleRead", frame_text, frame_text, sizeof(frame_text), NULL));
  PetscCall(PetscOptionsInt("-sample_dimension", "2 or 3 to force the dimension (3: also an extended XYZ pbc=\"T T F\" or H5MD boundary z \"none\" sheet, periodic along c); 0 = 2D when all atoms are at one z in a z extent of at most 1 (LAMMPS's 2D box, e.g. -0.5 0.5)", "VitSampleRead", dim, &dim, NULL));
  PetscOptionsEnd();
  PetscCall(PetscMemzero(s, sizeof(*s)));
  if (VitHelpRequested()) PetscFunctionReturn(0);
  PetscCheck(set && path[0], comm, PETSC_ERR_USER_INPUT, "no sample: give -sample FILE");
  PetscCall(ParseFrame(comm, frame_text, &frame));
  PetscCall(SampleRead(comm, path, format, frame, dim, s));
  PetscFunctionReturn(0);
}
