/* HDF5 helpers: collective writes through parallel HDF5 (MPI-IO) to a temporary file renamed
   on success, a units attribute on every dataset, /meta on every file; simple reads. */
#include <vitrum/h5io.h>
#include <errno.h>
#include <time.h>

#define H5Call(expr) \
  do { \
    if ((expr) < 0) SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", #expr); \
  } while (0)

/* Every rank of h5->comm: close the file being written, the room kept for it freed first: HDF5
   writes its metadata at close, and a write that fails there on some ranks only leaves the others
   waiting (and a file it could not close crashes MPI_Finalize). H5Fclose's status, its errno in err. */
static herr_t CloseWritten(VitH5 *h5, int *err)
{
  herr_t status;

  VitOutputFreeReserve(h5->path);
  MPI_Barrier(h5->comm);
  errno    = 0;
  status   = H5Fclose(h5->file);
  *err     = errno;
  h5->file = 0;
  return status;
}

/* Every rank of h5->comm: raise the write error of any rank (WriteChecked's code on this rank) on
   all of them, the file closed first (HDF5 would close it in MPI_Finalize, and hang or crash there
   on the full disk). */
static PetscErrorCode AgreeOnWrite(VitH5 *h5, PetscErrorCode mine)
{
  PetscErrorCode ierr;

  PetscFunctionBeginUser;
  ierr = VitAgreeOnError(h5->comm, mine);
  if (ierr && h5->file > 0) {
    int err;
    (void)CloseWritten(h5, &err);
  }
  PetscCall(ierr);
  PetscFunctionReturn(0);
}

/* After a call that wrote into h5 (its status, and the errno it left): 0, or an error raised on this
   rank alone, a user error when the file system is the cause (VitWriteFailureCause). The callers
   agree over h5->comm (AgreeOnWrite): rank 0 alone writes an array given on rank 0, and a failed
   collective write may be reported on some ranks only. */
static PetscErrorCode WriteChecked(VitH5 *h5, const char call[], herr_t status, int err)
{
  const char *cause;

  PetscFunctionBeginUser;
  if (status >= 0) PetscFunctionReturn(0);
  cause = VitWriteFailureCause(h5->tmp, err);
  PetscCheck(!cause, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, VIT_NO_ROOM_FMT, h5->path, cause);
  SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 call failed: %s", call);
}

static hid_t PetscIntH5Type(void)
{
  return sizeof(PetscInt) == 8 ? H5T_NATIVE_INT64 : H5T_NATIVE_INT;
}

static PetscErrorCode FileAccessMPIO(MPI_Comm comm, hid_t *fapl)
{
  PetscFunctionBeginUser;
  *fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Call(H5Pset_fapl_mpio(*fapl, comm, MPI_INFO_NULL));
  PetscFunctionReturn(0);
}

/* Attribute of a fixed-length string on an object (collective: same value on all ranks). */
static PetscErrorCode WriteStringAttr(hid_t obj, const char name[], const char value[])
{
  hid_t  type, space, attr;
  size_t len = strlen(value) > 0 ? strlen(value) : 1;

  PetscFunctionBeginUser;
  type = H5Tcopy(H5T_C_S1);
  H5Call(H5Tset_size(type, len));
  H5Call(H5Tset_strpad(type, H5T_STR_NULLPAD));
  space = H5Screate(H5S_SCALAR);
  if (H5Aexists(obj, name) > 0) H5Call(H5Adelete(obj, name));
  attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Call(attr);
  H5Call(H5Awrite(attr, type, value[0] ? value : " "));
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteIntAttr(hid_t obj, const char name[], long value)
{
  hid_t space = H5Screate(H5S_SCALAR), attr;

  PetscFunctionBeginUser;
  if (H5Aexists(obj, name) > 0) H5Call(H5Adelete(obj, name));
  attr = H5Acreate2(obj, name, H5T_NATIVE_LONG, space, H5P_DEFAULT, H5P_DEFAULT);
  H5Call(attr);
  H5Call(H5Awrite(attr, H5T_NATIVE_LONG, &value));
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

static PetscErrorCode EnsureGroup(hid_t file, const char name[])
{
  htri_t exists;

  PetscFunctionBeginUser;
  H5E_BEGIN_TRY { exists = H5Lexists(file, name, H5P_DEFAULT); }
  H5E_END_TRY;
  if (exists <= 0) {
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE), g;
    H5Call(H5Pset_create_intermediate_group(lcpl, 1));
    g = H5Gcreate2(file, name, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Call(g);
    H5Gclose(g);
    H5Pclose(lcpl);
  }
  PetscFunctionReturn(0);
}

/* /meta: program version, git commit, command line, options, ranks, date. */
static PetscErrorCode WriteMeta(VitH5 *h5)
{
  char       *options, date[64] = "", cmdline[4096] = "";
  int         argc, size;
  char      **argv;
  hid_t       meta;

  PetscFunctionBeginUser;
  PetscCall(EnsureGroup(h5->file, "/meta"));
  meta = H5Gopen2(h5->file, "/meta", H5P_DEFAULT);
  if (!PetscGlobalRank) {
    time_t now = time(NULL);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
  }
  PetscCallMPI(MPI_Bcast(date, sizeof(date), MPI_CHAR, 0, h5->comm));
  PetscCall(PetscGetArgs(&argc, &argv));
  PetscCall(PetscStrlcat(cmdline, "vitrum", sizeof(cmdline)));
  if (VitCommandName()) {
    PetscCall(PetscStrlcat(cmdline, " ", sizeof(cmdline)));
    PetscCall(PetscStrlcat(cmdline, VitCommandName(), sizeof(cmdline)));
  }
  for (int i = 1; i < argc; i++) {
    PetscCall(PetscStrlcat(cmdline, " ", sizeof(cmdline)));
    PetscCall(PetscStrlcat(cmdline, argv[i], sizeof(cmdline)));
  }
  PetscCall(PetscOptionsGetAll(NULL, &options));
  PetscCallMPI(MPI_Comm_size(h5->comm, &size));
  PetscCall(WriteStringAttr(meta, "version", VIT_VERSION));
  PetscCall(WriteStringAttr(meta, "git_commit", VIT_GIT_COMMIT));
  PetscCall(WriteStringAttr(meta, "results_revision", VIT_RESULTS_REVISION));
  PetscCall(WriteStringAttr(meta, "command_line", cmdline));
  PetscCall(WriteStringAttr(meta, "options", options));
  PetscCall(WriteStringAttr(meta, "date", date));
  PetscCall(WriteIntAttr(meta, "ranks", size));
  PetscCall(PetscFree(options));
  H5Gclose(meta);
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5Create(MPI_Comm comm, const char path[], VitH5 *h5)
{
  hid_t fapl;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(h5, sizeof(*h5)));
  h5->comm    = comm;
  h5->writing = PETSC_TRUE;
  PetscCall(PetscStrncpy(h5->path, path, sizeof(h5->path)));
  PetscCall(VitOutputTmp(comm, path, h5->tmp));
  PetscCall(FileAccessMPIO(comm, &fapl));
  h5->file = H5Fcreate(h5->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  PetscCheck(h5->file >= 0, comm, PETSC_ERR_FILE_OPEN, "%s: cannot create output file (directory missing or not writable?)", path);
  PetscCall(WriteMeta(h5));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5OpenRead(MPI_Comm comm, const char path[], VitH5 *h5)
{
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(h5, sizeof(*h5)));
  h5->comm = comm;
  PetscCall(PetscStrncpy(h5->path, path, sizeof(h5->path)));
  PetscCall(PetscTestFile(path, 'r', &exists));
  PetscCheck(exists, comm, PETSC_ERR_FILE_OPEN, "%s: no such file", path);
  /* every rank reads on its own: reads need no collective calls */
  H5E_BEGIN_TRY { h5->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT); }
  H5E_END_TRY;
  PetscCheck(h5->file >= 0, comm, PETSC_ERR_FILE_READ, "%s: not a readable HDF5 file", path);
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5Close(VitH5 *h5)
{
  herr_t status;
  int    err;

  PetscFunctionBeginUser;
  if (h5->file <= 0) PetscFunctionReturn(0);
  if (!h5->writing) {
    H5Call(H5Fclose(h5->file));
    h5->file = 0;
    PetscFunctionReturn(0);
  }
  status = CloseWritten(h5, &err);
  PetscCall(AgreeOnWrite(h5, WriteChecked(h5, "H5Fclose", status, err)));
  PetscCall(VitOutputDone(h5->comm, h5->path));
  PetscFunctionReturn(0);
}

/* Create a dataset (collective), with the parent groups and the units attribute. */
static PetscErrorCode CreateDataset(VitH5 *h5, const char name[], hid_t type, int ndims, const hsize_t dims[], const char units[], hid_t *dset)
{
  hid_t space, lcpl;

  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, name, &exists));
  if (exists) H5Call(H5Ldelete(h5->file, name, H5P_DEFAULT));
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Call(H5Pset_create_intermediate_group(lcpl, 1));
  space = H5Screate_simple(ndims, dims, NULL);
  *dset = H5Dcreate2(h5->file, name, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(*dset >= 0, h5->comm, PETSC_ERR_LIB, "%s: cannot create dataset %s", h5->path, name);
  if (units) PetscCall(WriteStringAttr(*dset, "units", units));
  H5Sclose(space);
  H5Pclose(lcpl);
  PetscFunctionReturn(0);
}

/* Whole array from rank 0 of h5->comm. */
static PetscErrorCode WriteFromRoot(VitH5 *h5, const char name[], hid_t memtype, hid_t filetype, int ndims, const hsize_t dims[], const void *data, const char units[])
{
  hid_t  dset, filespace;
  int    rank, err;
  herr_t status = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(h5->comm, &rank));
  PetscCall(CreateDataset(h5, name, filetype, ndims, dims, units, &dset));
  filespace = H5Dget_space(dset);
  errno     = 0;
  if (rank) {
    H5Call(H5Sselect_none(filespace));
    status = H5Dwrite(dset, memtype, filespace, filespace, H5P_DEFAULT, data);
  } else {
    hsize_t total = 1;
    for (int k = 0; k < ndims; k++) total *= dims[k];
    if (total) status = H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  }
  err = errno;
  H5Sclose(filespace);
  H5Dclose(dset);
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscCall(AgreeOnWrite(h5, WriteChecked(h5, "H5Dwrite", status, err)));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteReal(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const PetscReal *data, const char units[])
{
  PetscFunctionBeginUser;
  PetscCall(WriteFromRoot(h5, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, ndims, dims, data, units));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteInt(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const PetscInt *data, const char units[])
{
  PetscFunctionBeginUser;
  PetscCall(WriteFromRoot(h5, name, PetscIntH5Type(), sizeof(PetscInt) == 8 ? H5T_STD_I64LE : H5T_STD_I32LE, ndims, dims, data, units));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteInt64(VitH5 *h5, const char name[], int ndims, const hsize_t dims[], const int64_t *data, const char units[])
{
  PetscFunctionBeginUser;
  PetscCall(WriteFromRoot(h5, name, H5T_NATIVE_INT64, H5T_STD_I64LE, ndims, dims, data, units));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteScalar(VitH5 *h5, const char name[], PetscReal value, const char units[])
{
  hsize_t one = 1;

  PetscFunctionBeginUser;
  PetscCall(VitH5WriteReal(h5, name, 1, &one, &value, units));
  PetscFunctionReturn(0);
}

/* Strings as fixed-length, null-padded (parallel HDF5 cannot write variable-length data), with units
   "1" like every other dataset (names: dimensionless). */
PetscErrorCode VitH5WriteStrings(VitH5 *h5, const char name[], PetscInt n, const char *const strings[])
{
  size_t  len = 1;
  char   *buf;
  hid_t   type;
  hsize_t dims = (hsize_t)n;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) len = PetscMax(len, strlen(strings[i]));
  PetscCall(PetscCalloc1(len * (n > 0 ? n : 1), &buf));
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscMemcpy(buf + i * len, strings[i], strlen(strings[i])));
  type = H5Tcopy(H5T_C_S1);
  H5Call(H5Tset_size(type, len));
  H5Call(H5Tset_strpad(type, H5T_STR_NULLPAD));
  PetscCall(WriteFromRoot(h5, name, type, type, 1, &dims, buf, "1"));
  H5Tclose(type);
  PetscCall(PetscFree(buf));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteBlock(VitH5 *h5, const char name[], hid_t memtype, hid_t filetype, int ndims, const hsize_t dims[], const hsize_t start[], const hsize_t count[], const void *data, const char units[])
{
  hid_t   dset, filespace, memspace, dxpl;
  hsize_t total = 1;
  int     err;
  herr_t  status;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(CreateDataset(h5, name, filetype, ndims, dims, units, &dset));
  for (int k = 0; k < ndims; k++) total *= count[k];
  filespace = H5Dget_space(dset);
  memspace  = H5Screate_simple(ndims, count, NULL);
  if (total) H5Call(H5Sselect_hyperslab(filespace, H5S_SELECT_SET, start, NULL, count, NULL));
  else {
    H5Call(H5Sselect_none(filespace));
    H5Call(H5Sselect_none(memspace));
  }
  dxpl = H5Pcreate(H5P_DATASET_XFER);
  H5Call(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE));
  errno  = 0;
  status = H5Dwrite(dset, memtype, memspace, filespace, dxpl, data);
  err    = errno;
  H5Pclose(dxpl);
  H5Sclose(memspace);
  H5Sclose(filespace);
  H5Dclose(dset);
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscCall(AgreeOnWrite(h5, WriteChecked(h5, "H5Dwrite", status, err)));
  PetscFunctionReturn(0);
}

/* Distributed rows: this rank writes rows [row_start, row_start + nrows) of a (nrows_global x ncols)
   array of doubles (ncols = 0: a 1-D array). */
static PetscErrorCode WriteRealRows(VitH5 *h5, const char name[], hsize_t nrows_global, hsize_t ncols, hsize_t row_start, hsize_t nrows, const PetscReal *data, const char units[])
{
  const hsize_t dims[2] = {nrows_global, ncols}, start[2] = {row_start, 0}, count[2] = {nrows, ncols};

  PetscFunctionBeginUser;
  PetscCall(VitH5WriteBlock(h5, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, ncols ? 2 : 1, dims, start, count, data, units));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteVec(VitH5 *h5, const char name[], Vec v, const char units[])
{
  PetscInt           bs, lo, hi, N;
  const PetscScalar *a;

  PetscFunctionBeginUser;
  PetscCall(VecGetBlockSize(v, &bs));
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetArrayRead(v, &a));
  PetscCall(WriteRealRows(h5, name, (hsize_t)(N / bs), bs > 1 ? (hsize_t)bs : 0, (hsize_t)(lo / bs), (hsize_t)((hi - lo) / bs), a, units));
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5WriteAttrString(VitH5 *h5, const char obj[], const char attr[], const char value[])
{
  hid_t o;

  PetscFunctionBeginUser;
  PetscCall(EnsureGroup(h5->file, obj));
  o = H5Oopen(h5->file, obj, H5P_DEFAULT);
  H5Call(o);
  PetscCall(WriteStringAttr(o, attr, value));
  H5Oclose(o);
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5Exists(VitH5 *h5, const char name[], PetscBool *exists)
{
  char   partial[PETSC_MAX_PATH_LEN];
  size_t n = strlen(name);

  PetscFunctionBeginUser;
  *exists = PETSC_TRUE;
  /* H5Lexists needs every parent to exist: check each prefix */
  for (size_t i = 1; i <= n && *exists; i++) {
    if (i < n && name[i] != '/') continue;
    PetscCall(PetscStrncpy(partial, name, PetscMin(i + 1, sizeof(partial))));
    *exists = (PetscBool)(H5Lexists(h5->file, partial, H5P_DEFAULT) > 0);
  }
  PetscFunctionReturn(0);
}

static PetscErrorCode OpenDataset(VitH5 *h5, const char name[], hid_t *dset)
{
  PetscBool exists;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, name, &exists));
  PetscCheck(exists, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: has no dataset %s", h5->path, name);
  *dset = H5Dopen2(h5->file, name, H5P_DEFAULT);
  PetscCheck(*dset >= 0, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a dataset", h5->path, name);
  PetscFunctionReturn(0);
}

/* Numbers are read from integer or floating-point datasets only: HDF5 cannot convert other types,
   and in a row-distributed read only the ranks that own rows would notice. Checked on h5->comm. */
static PetscErrorCode CheckNumeric(VitH5 *h5, const char name[], hid_t dset)
{
  hid_t       type  = H5Dget_type(dset);
  H5T_class_t klass = H5Tget_class(type);

  PetscFunctionBeginUser;
  H5Tclose(type);
  PetscCheck(klass == H5T_INTEGER || klass == H5T_FLOAT, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s holds %s, not numbers", h5->path, name, klass == H5T_STRING ? "strings" : "a non-numeric type");
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5GetDims(VitH5 *h5, const char name[], int *ndims, hsize_t dims[])
{
  hid_t dset, space;

  PetscFunctionBeginUser;
  PetscCall(OpenDataset(h5, name, &dset));
  space  = H5Dget_space(dset);
  *ndims = H5Sget_simple_extent_ndims(space);
  PetscCheck(*ndims <= 4, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %d dimensions (at most 4 supported)", h5->path, name, *ndims);
  H5Sget_simple_extent_dims(space, dims, NULL);
  H5Sclose(space);
  H5Dclose(dset);
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadAll(VitH5 *h5, const char name[], hid_t memtype, size_t elsize, PetscInt *n, void **data)
{
  hid_t   dset;
  int     ndims;
  hsize_t dims[4], total = 1;

  PetscFunctionBeginUser;
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  for (int k = 0; k < ndims; k++) total *= dims[k];
  PetscCall(OpenDataset(h5, name, &dset));
  PetscCall(CheckNumeric(h5, name, dset));
  PetscCall(PetscMalloc(elsize * (total ? total : 1), data));
  if (total) PetscCheck(H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) >= 0, h5->comm, PETSC_ERR_FILE_READ, "%s: cannot read %s as numbers", h5->path, name);
  H5Dclose(dset);
  *n = (PetscInt)total;
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5ReadReal(VitH5 *h5, const char name[], PetscInt *n, PetscReal **data)
{
  PetscFunctionBeginUser;
  PetscCall(ReadAll(h5, name, H5T_NATIVE_DOUBLE, sizeof(PetscReal), n, (void **)data));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5ReadInt(VitH5 *h5, const char name[], PetscInt *n, PetscInt **data)
{
  PetscFunctionBeginUser;
  PetscCall(ReadAll(h5, name, PetscIntH5Type(), sizeof(PetscInt), n, (void **)data));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5ReadRealRows(VitH5 *h5, const char name[], hsize_t row_start, hsize_t nrows, PetscReal *data)
{
  hid_t   dset, filespace, memspace;
  int     ndims;
  hsize_t dims[4], start[4] = {0}, count[4];

  PetscFunctionBeginUser;
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  PetscCheck(row_start + nrows <= dims[0], h5->comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: %s has %llu rows, asked for %llu..%llu", h5->path, name, (unsigned long long)dims[0], (unsigned long long)row_start, (unsigned long long)(row_start + nrows));
  PetscCall(OpenDataset(h5, name, &dset));
  PetscCall(CheckNumeric(h5, name, dset));
  if (!nrows) {
    H5Dclose(dset);
    PetscFunctionReturn(0);
  }
  for (int k = 0; k < ndims; k++) count[k] = dims[k];
  start[0] = row_start;
  count[0] = nrows;
  filespace = H5Dget_space(dset);
  H5Call(H5Sselect_hyperslab(filespace, H5S_SELECT_SET, start, NULL, count, NULL));
  memspace = H5Screate_simple(ndims, count, NULL);
  PetscCheck(H5Dread(dset, H5T_NATIVE_DOUBLE, memspace, filespace, H5P_DEFAULT, data) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot read %s", h5->path, name);
  H5Sclose(memspace);
  H5Sclose(filespace);
  H5Dclose(dset);
  PetscFunctionReturn(0);
}

/* Reads the n strings of a dataset (dset >= 0) or else of attribute attr, whose file type is ftype
   and dataspace space, into strings[0..n-1] (allocated here). Fixed- or variable-length (h5py
   writes variable-length UTF-8 ones); the character set is kept. */
static PetscErrorCode ReadStringArray(hid_t dset, hid_t attr, hid_t ftype, hid_t space, PetscInt n, char **strings)
{
  hid_t mtype = H5Tcopy(H5T_C_S1);

  PetscFunctionBeginUser;
  H5Call(mtype);
  H5Call(H5Tset_cset(mtype, H5Tget_cset(ftype)));
  if (H5Tis_variable_str(ftype) > 0) {
    char **vl;
    H5Call(H5Tset_size(mtype, H5T_VARIABLE));
    PetscCall(PetscCalloc1(n > 0 ? n : 1, &vl));
    H5Call(dset >= 0 ? H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, vl) : H5Aread(attr, mtype, vl));
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscStrallocpy(vl[i] ? vl[i] : "", &strings[i]));
    H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, vl);
    PetscCall(PetscFree(vl));
  } else {
    size_t len = H5Tget_size(ftype);
    char  *buf;
    H5Call(H5Tset_size(mtype, len + 1));
    H5Call(H5Tset_strpad(mtype, H5T_STR_NULLTERM));
    PetscCall(PetscCalloc1((len + 1) * (size_t)(n > 0 ? n : 1), &buf));
    H5Call(dset >= 0 ? H5Dread(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : H5Aread(attr, mtype, buf));
    for (PetscInt i = 0; i < n; i++) PetscCall(PetscStrallocpy(buf + i * (len + 1), &strings[i]));
    PetscCall(PetscFree(buf));
  }
  H5Tclose(mtype);
  PetscFunctionReturn(0);
}

/* A list of strings: a one-dimensional string dataset (a scalar string is a list of one). */
PetscErrorCode VitH5ReadStrings(VitH5 *h5, const char name[], PetscInt *n, char ***strings)
{
  hid_t   dset, ftype, space;
  hsize_t dims[4] = {1};
  int     ndims;

  PetscFunctionBeginUser;
  PetscCall(OpenDataset(h5, name, &dset));
  ftype = H5Dget_type(dset);
  PetscCheck(H5Tget_class(ftype) == H5T_STRING, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a string dataset", h5->path, name);
  space = H5Dget_space(dset);
  ndims = H5Sget_simple_extent_ndims(space);
  PetscCheck(ndims == 0 || ndims == 1, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %d dimensions; a list of strings has 1", h5->path, name, ndims);
  if (ndims == 1) H5Sget_simple_extent_dims(space, dims, NULL);
  PetscCheck(dims[0] <= (hsize_t)PETSC_MAX_INT / 2, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s has %llu strings, too many", h5->path, name, (unsigned long long)dims[0]);
  *n = (PetscInt)dims[0];
  PetscCall(PetscMalloc1(*n > 0 ? *n : 1, strings));
  PetscCall(ReadStringArray(dset, -1, ftype, space, *n, *strings));
  H5Tclose(ftype);
  H5Sclose(space);
  H5Dclose(dset);
  PetscFunctionReturn(0);
}

PetscErrorCode VitStringsFree(PetscInt n, char ***strings)
{
  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < n; i++) PetscCall(PetscFree((*strings)[i]));
  PetscCall(PetscFree(*strings));
  PetscFunctionReturn(0);
}

/* Opens attribute attr of obj, or returns a < 0 (and *o < 0 when obj is absent). */
static PetscErrorCode OpenAttr(VitH5 *h5, const char obj[], const char attr[], hid_t *o, hid_t *a)
{
  PetscBool exists;

  PetscFunctionBeginUser;
  *o = *a = -1;
  PetscCall(VitH5Exists(h5, obj, &exists));
  if (!exists) PetscFunctionReturn(0);
  *o = H5Oopen(h5->file, obj, H5P_DEFAULT);
  H5Call(*o);
  if (H5Aexists(*o, attr) > 0) *a = H5Aopen(*o, attr, H5P_DEFAULT);
  PetscFunctionReturn(0);
}

/* *n = -1 when obj or its attribute is absent, -2 when the attribute is not up to 64 strings. */
PetscErrorCode VitH5ReadAttrStrings(VitH5 *h5, const char obj[], const char attr[], PetscInt *n, char ***strings)
{
  hid_t    o, a, ftype, space;
  hssize_t count;

  PetscFunctionBeginUser;
  *n       = -1;
  *strings = NULL;
  PetscCall(OpenAttr(h5, obj, attr, &o, &a));
  if (a >= 0) {
    ftype = H5Aget_type(a);
    space = H5Aget_space(a);
    count = H5Sget_simple_extent_npoints(space);
    *n    = H5Tget_class(ftype) == H5T_STRING && count >= 0 && count <= 64 ? (PetscInt)count : -2;
    if (*n >= 0) {
      PetscCall(PetscMalloc1(*n > 0 ? *n : 1, strings));
      PetscCall(ReadStringArray(-1, a, ftype, space, *n, *strings));
    }
    H5Sclose(space);
    H5Tclose(ftype);
    H5Aclose(a);
  }
  if (o >= 0) H5Oclose(o);
  PetscFunctionReturn(0);
}

/* *value = NULL when obj or its attribute is absent; an attribute that is not one string is an error
   (one read into a one-string buffer would overrun it). */
PetscErrorCode VitH5ReadAttrString(VitH5 *h5, const char obj[], const char attr[], char **value)
{
  PetscInt n;
  char   **strings;

  PetscFunctionBeginUser;
  *value = NULL;
  PetscCall(VitH5ReadAttrStrings(h5, obj, attr, &n, &strings));
  if (n == -1) PetscFunctionReturn(0);
  if (n == 1) *value = strings[0];
  else if (n >= 0) PetscCall(VitStringsFree(n, &strings));
  PetscCheck(n == 1, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: attribute %s of %s is not one string", h5->path, attr, obj);
  PetscCall(PetscFree(strings));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5ReadAttrInt(VitH5 *h5, const char obj[], const char attr[], PetscBool *found, PetscInt64 *value)
{
  hid_t o, a, ftype, space;

  PetscFunctionBeginUser;
  *found = PETSC_FALSE;
  PetscCall(OpenAttr(h5, obj, attr, &o, &a));
  if (a >= 0) {
    int64_t v = 0;
    ftype     = H5Aget_type(a);
    space     = H5Aget_space(a);
    *found    = (PetscBool)(H5Tget_class(ftype) == H5T_INTEGER && H5Sget_simple_extent_npoints(space) == 1 && H5Aread(a, H5T_NATIVE_INT64, &v) >= 0);
    *value    = (PetscInt64)v;
    H5Sclose(space);
    H5Tclose(ftype);
    H5Aclose(a);
  }
  if (o >= 0) H5Oclose(o);
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5ReadScalar(VitH5 *h5, const char name[], PetscReal *value)
{
  PetscInt   n;
  PetscReal *v;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadReal(h5, name, &n, &v));
  PetscCheck(n == 1, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is not a scalar", h5->path, name);
  *value = v[0];
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* Names gathered by the HDF5 iterators below (link paths under a group, attribute names). */
typedef struct {
  PetscInt n, cap;
  char   **names;
} NameList;

static herr_t NameListAdd(NameList *l, const char name[])
{
  if (l->n == l->cap) {
    l->cap = l->cap ? 2 * l->cap : 16;
    if (PetscRealloc(l->cap * sizeof(char *), &l->names)) return -1;
  }
  return PetscStrallocpy(name, &l->names[l->n++]) ? -1 : 0;
}

static herr_t AddLinkName(hid_t group, const char *name, const H5L_info_t *info, void *ctx)
{
  (void)group;
  (void)info;
  return NameListAdd((NameList *)ctx, name);
}

static herr_t AddAttrName(hid_t obj, const char *name, const H5A_info_t *info, void *ctx)
{
  (void)obj;
  (void)info;
  return NameListAdd((NameList *)ctx, name);
}

/* Copy one dataset (numbers or strings, its shape and units) from in to out. */
static PetscErrorCode CopyDataset(VitH5 *in, VitH5 *out, const char name[])
{
  hid_t       dset, type;
  H5T_class_t klass;
  int         ndims;
  hsize_t     dims[4];
  PetscInt    n;
  char       *units;

  PetscFunctionBeginUser;
  PetscCall(OpenDataset(in, name, &dset));
  type  = H5Dget_type(dset);
  klass = H5Tget_class(type);
  H5Tclose(type);
  H5Dclose(dset);
  if (klass == H5T_STRING) {
    char **s;
    PetscCall(VitH5ReadStrings(in, name, &n, &s));
    PetscCall(VitH5WriteStrings(out, name, n, (const char *const *)s));
    PetscCall(VitStringsFree(n, &s));
    PetscFunctionReturn(0);
  }
  PetscCall(VitH5GetDims(in, name, &ndims, dims));
  PetscCall(VitH5ReadAttrString(in, name, "units", &units));
  if (klass == H5T_INTEGER) {
    PetscInt *v;
    PetscCall(VitH5ReadInt(in, name, &n, &v));
    PetscCall(VitH5WriteInt(out, name, ndims, dims, v, units ? units : "1"));
    PetscCall(PetscFree(v));
  } else {
    PetscReal *v;
    PetscCall(VitH5ReadReal(in, name, &n, &v)); /* refuses anything but numbers */
    PetscCall(VitH5WriteReal(out, name, ndims, dims, v, units ? units : "1"));
    PetscCall(PetscFree(v));
  }
  PetscCall(PetscFree(units));
  PetscFunctionReturn(0);
}

/* Copy the string attributes of object name (a dataset's units are written with it). */
static PetscErrorCode CopyAttributes(VitH5 *in, VitH5 *out, const char name[])
{
  NameList l = {0, 0, NULL};
  hid_t    o = H5Oopen(in->file, name, H5P_DEFAULT);
  hsize_t  idx = 0;

  PetscFunctionBeginUser;
  H5Call(o);
  H5Call(H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, &idx, AddAttrName, &l));
  H5Oclose(o);
  for (PetscInt k = 0; k < l.n; k++) {
    char *value;
    if (!strcmp(l.names[k], "units")) continue;
    PetscCall(VitH5ReadAttrString(in, name, l.names[k], &value)); /* vitrum writes only string attributes */
    if (value) PetscCall(VitH5WriteAttrString(out, name, l.names[k], value));
    PetscCall(PetscFree(value));
  }
  PetscCall(VitStringsFree(l.n, &l.names));
  PetscFunctionReturn(0);
}

PetscErrorCode VitH5CopyGroup(VitH5 *in, VitH5 *out, const char group[], PetscInt nskip, const char *const skip[])
{
  NameList l = {0, 0, NULL};

  PetscFunctionBeginUser;
  H5Call(NameListAdd(&l, ""));
  H5Call(H5Lvisit_by_name(in->file, group, H5_INDEX_NAME, H5_ITER_INC, AddLinkName, &l, H5P_DEFAULT));
  for (PetscInt k = 0; k < l.n; k++) {
    char      full[PETSC_MAX_PATH_LEN];
    PetscBool skipped = PETSC_FALSE;
    hid_t     o;
    H5I_type_t kind;
    for (PetscInt s = 0; s < nskip; s++) {
      size_t len = strlen(skip[s]);
      if (!strncmp(l.names[k], skip[s], len) && (l.names[k][len] == 0 || l.names[k][len] == '/')) skipped = PETSC_TRUE;
    }
    if (skipped) continue;
    PetscCall(PetscSNPrintf(full, sizeof(full), "%s%s%s", group, l.names[k][0] ? "/" : "", l.names[k]));
    o = H5Oopen(in->file, full, H5P_DEFAULT);
    H5Call(o);
    kind = H5Iget_type(o);
    H5Oclose(o);
    if (kind == H5I_DATASET) PetscCall(CopyDataset(in, out, full));
    PetscCall(CopyAttributes(in, out, full));
  }
  PetscCall(VitStringsFree(l.n, &l.names));
  PetscFunctionReturn(0);
}
