/* HDF5 output and input helpers (src/common/h5io.c). Files are written collectively through
   parallel HDF5, to a temporary name that VitH5Close renames (see VitOutputTmp in common.h);
   if the program fails first, the temporary file is removed (VitOutputsRemove). Every dataset gets
   a "units" attribute and every file written gets /meta attributes (version, commit, command
   line, options, ranks, date). Intermediate groups are created as needed. */
#ifndef VITRUM_H5IO_H
#define VITRUM_H5IO_H

#include <vitrum/common.h>
#include <petscvec.h>
#include <hdf5.h>

typedef struct {
  MPI_Comm comm;
  hid_t    file;
  char     path[PETSC_MAX_PATH_LEN];  /* final name */
  char     tmp[PETSC_MAX_PATH_LEN];   /* name while writing */
  PetscBool writing;
} VitH5;

PetscErrorCode VitH5Create(MPI_Comm comm, const char path[], VitH5 *h5);  /* new file, writes /meta */
PetscErrorCode VitH5OpenRead(MPI_Comm comm, const char path[], VitH5 *h5);
PetscErrorCode VitH5Close(VitH5 *h5);

/* Write a whole array given on rank 0 (other ranks pass anything; only rank 0's data is used). */
PetscErrorCode VitH5WriteReal(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const PetscReal *data, const char units[]);
PetscErrorCode VitH5WriteInt(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const PetscInt *data, const char units[]);
PetscErrorCode VitH5WriteInt64(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const int64_t *data, const char units[]);
PetscErrorCode VitH5WriteStrings(VitH5 *h5, const char name[], PetscInt n, const char *const strings[]);
PetscErrorCode VitH5WriteScalar(VitH5 *h5, const char name[], PetscReal value, const char units[]);
/* Distributed block (collective): this rank writes the block [start, start + count) of the
   ndims-dimensional dataset of shape dims (data of memtype, stored as filetype; a rank with no
   rows gives a count with a 0). A write that fails on any rank is raised on every rank, the full
   file system in one line (VIT_NO_ROOM_FMT). */
PetscErrorCode VitH5WriteBlock(VitH5 *h5, const char name[], hid_t memtype, hid_t filetype, int ndims, const hsize_t dims[], const hsize_t start[], const hsize_t count[], const void *data, const char units[]);
/* A Vec in global order with block size bs -> (N, bs) dataset (1-D when bs = 1). */
PetscErrorCode VitH5WriteVec(VitH5 *h5, const char name[], Vec v, const char units[]);
PetscErrorCode VitH5WriteAttrString(VitH5 *h5, const char obj[], const char attr[], const char value[]);

/* Reading. Exists: whether a dataset or group exists. GetDims: shape. Read* read the whole
   dataset on every rank (allocated with PetscMalloc1, caller frees). ReadRealRows: a row block. */
PetscErrorCode VitH5Exists(VitH5 *h5, const char name[], PetscBool *exists);
PetscErrorCode VitH5GetDims(VitH5 *h5, const char name[], int *ndims, hsize_t dims[]);
PetscErrorCode VitH5ReadReal(VitH5 *h5, const char name[], PetscInt *n, PetscReal **data);
/* A dataset holding one value (an error naming the file and the dataset otherwise). */
PetscErrorCode VitH5ReadScalar(VitH5 *h5, const char name[], PetscReal *value);
PetscErrorCode VitH5ReadInt(VitH5 *h5, const char name[], PetscInt *n, PetscInt **data);
PetscErrorCode VitH5ReadStrings(VitH5 *h5, const char name[], PetscInt *n, char ***strings); /* free with VitStringsFree */
PetscErrorCode VitH5ReadRealRows(VitH5 *h5, const char name[], hsize_t row_start, hsize_t nrows, PetscReal *data);
PetscErrorCode VitStringsFree(PetscInt n, char ***strings);
/* A string attribute (fixed or variable length); *value = NULL when absent. Free with PetscFree. */
PetscErrorCode VitH5ReadAttrString(VitH5 *h5, const char obj[], const char attr[], char **value);
/* Copy the group `group` of in to out (collective on out->comm): every dataset below it (numbers
   with their shape and units, or strings) and the string attributes of it and of every object below
   it, except the paths relative to group listed in skip (and what lies below them). */
PetscErrorCode VitH5CopyGroup(VitH5 *in, VitH5 *out, const char group[], PetscInt nskip, const char *const skip[]);
/* A list of strings as an attribute (H5MD box boundary); *n = -1 when absent, -2 when not strings.
   Free with VitStringsFree (n >= 0). */
PetscErrorCode VitH5ReadAttrStrings(VitH5 *h5, const char obj[], const char attr[], PetscInt *n, char ***strings);
/* An integer attribute holding one value; *found = PETSC_FALSE when absent or not one integer. */
PetscErrorCode VitH5ReadAttrInt(VitH5 *h5, const char obj[], const char attr[], PetscBool *found, PetscInt64 *value);

#endif
