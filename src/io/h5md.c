/* H5MD samples (https://www.nongnu.org/h5md/h5md.html), group /particles/all:
     position/value (frames, N, d) or a time-independent position (N, d),
     species/value (frames, N) or species (N) (integers; absent: one species), or "type",
     id/value or id (file ids; absent: 0..N-1),
     box/edges: vector (d) for a rectangular box or matrix (d, d) whose rows are the edge
     vectors, optionally time-dependent (box/edges/value).
   vitrum adds /parameters/vitrum/{type_names, type_mass, box_lo} to keep species names,
   masses and the box origin. Reading: every rank reads a contiguous block of atoms. */
#include "io_private.h"
#include <vitrum/h5io.h>

#define H5Check(expr, comm, ...) PetscCheck((expr) >= 0, comm, PETSC_ERR_FILE_READ, __VA_ARGS__)

/* An H5MD element: a time-dependent group with value, or a plain dataset. */
typedef struct {
  char      name[PETSC_MAX_PATH_LEN]; /* dataset to read */
  PetscBool exists, timed;            /* found; has a leading frame dimension */
  int       ndims;
  hsize_t   dims[4];
} Element;

static PetscErrorCode FindElement(VitH5 *h5, const char base[], Element *e)
{
  PetscBool group;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(e, sizeof(*e)));
  PetscCall(VitH5Exists(h5, base, &e->exists));
  if (!e->exists) PetscFunctionReturn(0);
  {
    hid_t o = H5Oopen(h5->file, base, H5P_DEFAULT);
    H5Check(o, h5->comm, "%s: cannot open %s", h5->path, base);
    group = (PetscBool)(H5Iget_type(o) == H5I_GROUP);
    H5Oclose(o);
  }
  PetscCall(PetscSNPrintf(e->name, sizeof(e->name), group ? "%s/value" : "%s", base));
  e->timed = group;
  PetscCall(VitH5Exists(h5, e->name, &e->exists));
  PetscCheck(e->exists, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is a group without a value dataset", h5->path, base);
  PetscCall(VitH5GetDims(h5, e->name, &e->ndims, e->dims));
  PetscFunctionReturn(0);
}

/* Index of the frame asked for in a time-dependent element (0 when time-independent). */
static PetscErrorCode ElementFrame(VitH5 *h5, const Element *e, PetscInt frame, hsize_t *f)
{
  PetscInt nframes = e->timed ? (PetscInt)e->dims[0] : 1;

  PetscFunctionBeginUser;
  *f = 0;
  if (!e->timed) PetscFunctionReturn(0);
  PetscCheck(frame < nframes, h5->comm, PETSC_ERR_USER_INPUT, "%s: -frame %" PetscInt_FMT " is out of range: %s has %" PetscInt_FMT " frames (0..%" PetscInt_FMT ", or -1 for the last)", h5->path, frame, e->name, nframes, nframes - 1);
  *f = frame < 0 ? (hsize_t)(nframes - 1) : (hsize_t)frame;
  PetscFunctionReturn(0);
}

/* Rows [start, start+n) of frame f of an element with per-atom rows of ncols numbers. */
static PetscErrorCode ReadRows(VitH5 *h5, const Element *e, hsize_t f, hsize_t start, hsize_t n, hsize_t ncols, hid_t memtype, void *buf)
{
  hsize_t off[3] = {f, start, 0}, count[3] = {1, n, ncols}, mcount = n * (ncols ? ncols : 1);
  int     skip   = e->timed ? 0 : 1;
  hid_t   dset, fspace, mspace;

  PetscFunctionBeginUser;
  if (!n) PetscFunctionReturn(0);
  dset   = H5Dopen2(h5->file, e->name, H5P_DEFAULT);
  fspace = H5Dget_space(dset);
  H5Check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off + skip, NULL, count + skip, NULL), PETSC_COMM_SELF, "%s: cannot select rows of %s", h5->path, e->name);
  mspace = H5Screate_simple(1, &mcount, NULL);
  H5Check(H5Dread(dset, memtype, mspace, fspace, H5P_DEFAULT, buf), PETSC_COMM_SELF, "%s: cannot read %s", h5->path, e->name);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(dset);
  PetscFunctionReturn(0);
}

/* Box: edges as a vector (rectangular) or a matrix of rows; origin from /parameters/vitrum/box_lo. */
static PetscErrorCode ReadBox(VitH5 *h5, PetscInt frame, VitSample *s, PetscReal Ainv[3][3])
{
  Element    e;
  hsize_t    f;
  PetscInt   n, nlo, per = s->dim * s->dim;
  PetscReal *edges, *lo, A[3][3] = {{0}};
  PetscBool  matrix, has_lo;

  PetscFunctionBeginUser;
  PetscCall(FindElement(h5, "/particles/all/box/edges", &e));
  PetscCheck(e.exists, h5->comm, PETSC_ERR_USER_INPUT, "%s: no /particles/all/box/edges (a periodic box is needed)", h5->path);
  matrix = (PetscBool)(e.ndims - (e.timed ? 1 : 0) == 2);
  PetscCheck(e.dims[e.ndims - 1] == (hsize_t)s->dim, h5->comm, PETSC_ERR_USER_INPUT, "%s: box edges have %d components, positions %" PetscInt_FMT, h5->path, (int)e.dims[e.ndims - 1], s->dim);
  PetscCall(ElementFrame(h5, &e, frame, &f));
  PetscCall(VitH5ReadReal(h5, e.name, &n, &edges));
  per = matrix ? per : s->dim;
  for (PetscInt i = 0; i < s->dim; i++)
    for (PetscInt j = 0; j < s->dim; j++) A[i][j] = matrix ? edges[f * per + i * s->dim + j] : (i == j ? edges[f * per + i] : 0);
  PetscCall(PetscFree(edges));
  for (PetscInt i = 0; i < s->dim; i++)
    for (PetscInt j = 0; j < s->dim; j++) PetscCheck(PetscIsNormalReal(A[i][j]) || A[i][j] == 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: box edges are not finite", h5->path);
  for (PetscInt i = 0; i < s->dim && !matrix; i++) PetscCheck(A[i][i] > 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: box edge %c is not positive (%g)", h5->path, (char)('x' + i), (double)A[i][i]);
  PetscCheck(VitSampleSetCellFromRows(s, A, Ainv), h5->comm, PETSC_ERR_USER_INPUT, "%s: box edges are zero, negative, degenerate or left-handed", h5->path);
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/box_lo", &has_lo));
  if (has_lo) {
    PetscCall(VitH5ReadReal(h5, "/parameters/vitrum/box_lo", &nlo, &lo));
    for (PetscInt d = 0; d < PetscMin(nlo, s->dim); d++) s->lo[d] = lo[d];
    PetscCall(PetscFree(lo));
  }
  PetscFunctionReturn(0);
}

static hid_t IntType(void)
{
  return sizeof(PetscInt) == 8 ? H5T_NATIVE_INT64 : H5T_NATIVE_INT;
}

/* Collective check of a per-atom condition: the first bad global row, or -1. */
static PetscErrorCode FirstBadRow(MPI_Comm comm, PetscInt rstart, PetscInt nlocal, const PetscBool bad[], PetscInt *row)
{
  PetscInt first = PETSC_MAX_INT;

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < nlocal && first == PETSC_MAX_INT; i++)
    if (bad[i]) first = rstart + i;
  PetscCallMPI(MPI_Allreduce(&first, row, 1, MPIU_INT, MPI_MIN, comm));
  if (*row == PETSC_MAX_INT) *row = -1;
  PetscFunctionReturn(0);
}

/* Species from values: with /parameters/vitrum/type_names, value = type index; otherwise the
   distinct values, in increasing order, become types named by the value. */
static PetscErrorCode MapSpecies(VitH5 *h5, PetscInt rstart, const PetscInt value[], VitSample *s)
{
  PetscBool has_names, *bad;
  PetscInt  range[2] = {PETSC_MAX_INT, PETSC_MAX_INT}, nrange, row, *present, *type_of;
  char    **names;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc1(s->nlocal, &bad));
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/type_names", &has_names));
  if (has_names) {
    PetscCall(VitH5ReadStrings(h5, "/parameters/vitrum/type_names", &s->ntypes, &names));
    PetscCheck(s->ntypes >= 1 && s->ntypes <= VIT_MAX_TYPES, h5->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " type names (1..%d allowed)", h5->path, s->ntypes, VIT_MAX_TYPES);
    for (PetscInt t = 0; t < s->ntypes; t++) PetscCall(PetscStrncpy(s->type_name[t], names[t], VIT_NAME_LEN));
    PetscCall(VitStringsFree(s->ntypes, &names));
    for (PetscInt i = 0; i < s->nlocal; i++) bad[i] = (PetscBool)(value[i] < 0 || value[i] >= s->ntypes);
    PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
    PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: unknown atom type: species of atom row %" PetscInt_FMT " is not in 0..%" PetscInt_FMT " (/parameters/vitrum/type_names)", h5->path, row, s->ntypes - 1);
    for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = value[i];
    PetscCall(PetscFree(bad));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscFree(bad));
  for (PetscInt i = 0; i < s->nlocal; i++) {
    range[0] = PetscMin(range[0], value[i]);
    range[1] = PetscMin(range[1], -value[i]);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPIU_INT, MPI_MIN, h5->comm));
  nrange = -range[1] - range[0] + 1;
  PetscCheck(nrange >= 1 && nrange <= 4096, h5->comm, PETSC_ERR_USER_INPUT, "%s: species values spread over more than 4096 values", h5->path);
  PetscCall(PetscCalloc2(nrange, &present, nrange, &type_of));
  for (PetscInt i = 0; i < s->nlocal; i++) present[value[i] - range[0]] = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, present, (PetscMPIInt)nrange, MPIU_INT, MPI_MAX, h5->comm));
  s->ntypes = 0;
  for (PetscInt v = 0; v < nrange; v++) {
    if (!present[v]) continue;
    PetscCheck(s->ntypes < VIT_MAX_TYPES, h5->comm, PETSC_ERR_USER_INPUT, "%s: more than %d species", h5->path, VIT_MAX_TYPES);
    type_of[v] = s->ntypes;
    PetscCall(PetscSNPrintf(s->type_name[s->ntypes++], VIT_NAME_LEN, "%" PetscInt_FMT, v + range[0]));
  }
  for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = type_of[value[i] - range[0]];
  PetscCall(PetscFree2(present, type_of));
  PetscFunctionReturn(0);
}

static PetscErrorCode ReadMasses(VitH5 *h5, VitSample *s)
{
  PetscInt   n;
  PetscReal *mass;

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < s->ntypes; t++) s->type_mass[t] = 1.0;
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/type_mass", &s->has_masses));
  if (!s->has_masses) PetscFunctionReturn(0);
  PetscCall(VitH5ReadReal(h5, "/parameters/vitrum/type_mass", &n, &mass));
  PetscCheck(n == s->ntypes, h5->comm, PETSC_ERR_USER_INPUT, "%s: /parameters/vitrum/type_mass has %" PetscInt_FMT " values for %" PetscInt_FMT " types", h5->path, n, s->ntypes);
  for (PetscInt t = 0; t < n; t++) {
    PetscCheck(mass[t] > 0 && PetscIsNormalReal(mass[t]), h5->comm, PETSC_ERR_USER_INPUT, "%s: mass of type %" PetscInt_FMT " is not positive (%g)", h5->path, t + 1, (double)mass[t]);
    s->type_mass[t] = mass[t];
  }
  PetscCall(PetscFree(mass));
  PetscFunctionReturn(0);
}

/* Per-atom integers (species or ids) of frame `frame`, or PETSC_FALSE in *found. */
static PetscErrorCode ReadAtomInts(VitH5 *h5, const char base[], PetscInt frame, PetscInt rstart, VitSample *s, PetscInt value[], PetscBool *found)
{
  Element e;
  hsize_t f;

  PetscFunctionBeginUser;
  PetscCall(FindElement(h5, base, &e));
  *found = e.exists;
  if (!e.exists) PetscFunctionReturn(0);
  PetscCheck(e.ndims == (e.timed ? 2 : 1) && e.dims[e.timed ? 1 : 0] == (hsize_t)s->natoms, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s does not hold one value per atom (%" PetscInt_FMT " atoms)", h5->path, e.name, s->natoms);
  PetscCall(ElementFrame(h5, &e, frame, &f));
  PetscCall(ReadRows(h5, &e, f, (hsize_t)rstart, (hsize_t)s->nlocal, 0, IntType(), value));
  PetscFunctionReturn(0);
}

/* Positions of this rank's block of atoms, as wrapped-later fractional coordinates. */
static PetscErrorCode ReadPositions(VitH5 *h5, const Element *e, hsize_t f, PetscInt rstart, const PetscReal Ainv[3][3], VitSample *s)
{
  PetscReal *x;
  PetscBool *bad;
  PetscInt   d = s->dim, row;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(d * s->nlocal, &x, s->nlocal, &bad));
  PetscCall(ReadRows(h5, e, f, (hsize_t)rstart, (hsize_t)s->nlocal, (hsize_t)d, H5T_NATIVE_DOUBLE, x));
  for (PetscInt i = 0; i < s->nlocal; i++) {
    PetscReal r[3] = {0, 0, 0};
    bad[i]         = PETSC_FALSE;
    for (PetscInt k = 0; k < d; k++) {
      bad[i] = (PetscBool)(bad[i] || PetscIsInfOrNanReal(x[d * i + k]));
      r[k]   = x[d * i + k] - s->lo[k];
    }
    VitRowTimesMatrix(r, Ainv, &s->s[3 * i]);
  }
  PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
  PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: position of atom row %" PetscInt_FMT " in %s is not finite", h5->path, row, e->name);
  PetscCall(PetscFree2(x, bad));
  PetscFunctionReturn(0);
}

PetscErrorCode VitReadH5MD(MPI_Comm comm, const char path[], PetscInt frame, VitSample *s, VitReadInfo *info)
{
  VitH5     h5;
  Element   pos;
  hsize_t   f;
  PetscInt  n = PETSC_DECIDE, rstart = 0, *value;
  PetscReal Ainv[3][3];
  PetscBool found;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(FindElement(&h5, "/particles/all/position", &pos));
  PetscCheck(pos.exists, comm, PETSC_ERR_USER_INPUT, "%s: no /particles/all/position", path);
  PetscCheck(pos.ndims == (pos.timed ? 3 : 2), comm, PETSC_ERR_USER_INPUT, "%s: %s should have shape (frames, N, d) or (N, d)", path, pos.name);
  s->dim    = (PetscInt)pos.dims[pos.ndims - 1];
  s->natoms = (PetscInt)pos.dims[pos.ndims - 2];
  PetscCheck(s->dim == 2 || s->dim == 3, comm, PETSC_ERR_USER_INPUT, "%s: positions have %" PetscInt_FMT " components (2 or 3 expected)", path, s->dim);
  PetscCheck(s->natoms > 0, comm, PETSC_ERR_USER_INPUT, "%s: no atoms", path);
  PetscCall(ElementFrame(&h5, &pos, frame, &f));
  PetscCall(ReadBox(&h5, frame, s, Ainv));

  PetscCall(PetscSplitOwnership(comm, &n, &s->natoms));
  PetscCallMPI(MPI_Scan(&n, &rstart, 1, MPIU_INT, MPI_SUM, comm));
  rstart -= n;
  PetscCall(VitSampleAllocate(s, n));
  PetscCall(ReadPositions(&h5, &pos, f, rstart, Ainv, s));

  PetscCall(PetscMalloc1(n, &value));
  PetscCall(ReadAtomInts(&h5, "/particles/all/species", frame, rstart, s, value, &found));
  if (!found) PetscCall(ReadAtomInts(&h5, "/particles/all/type", frame, rstart, s, value, &found));
  if (!found)
    for (PetscInt i = 0; i < n; i++) value[i] = 1; /* one species, named "1" */
  PetscCall(MapSpecies(&h5, rstart, value, s));
  PetscCall(PetscFree(value));
  PetscCall(ReadMasses(&h5, s));
  PetscCall(ReadAtomInts(&h5, "/particles/all/id", frame, rstart, s, s->fid, &found));
  if (!found)
    for (PetscInt i = 0; i < n; i++) s->fid[i] = rstart + i;
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* A time-dependent element with one frame: value (1, N[, ncols]) written by rows in id order,
   step = 0, time = 0. */
static PetscErrorCode WriteElement(VitH5 *h5, const char base[], hid_t memtype, hid_t filetype, PetscInt N, PetscInt ncols, PetscInt start, PetscInt n, const void *buf, const char units[])
{
  char      name[PETSC_MAX_PATH_LEN];
  hsize_t   dims[3] = {1, (hsize_t)N, (hsize_t)ncols}, off[3] = {0, (hsize_t)start, 0}, count[3] = {1, (hsize_t)n, (hsize_t)ncols}, mcount = (hsize_t)(n * PetscMax(ncols, 1)), one = 1;
  int       ndims = ncols ? 3 : 2;
  hid_t     space, mspace, dset, lcpl, dxpl;
  PetscInt  zero = 0;
  PetscReal tzero = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/value", base));
  lcpl  = H5Pcreate(H5P_LINK_CREATE);
  PetscCheck(H5Pset_create_intermediate_group(lcpl, 1) >= 0, h5->comm, PETSC_ERR_LIB, "HDF5 error");
  space = H5Screate_simple(ndims, dims, NULL);
  dset  = H5Dcreate2(h5->file, name, filetype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(dset >= 0, h5->comm, PETSC_ERR_LIB, "%s: cannot create %s", h5->path, name);
  mspace = H5Screate_simple(1, &mcount, NULL);
  if (n) PetscCheck(H5Sselect_hyperslab(space, H5S_SELECT_SET, off, NULL, count, NULL) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 error");
  else {
    H5Sselect_none(space);
    H5Sselect_none(mspace);
  }
  dxpl = H5Pcreate(H5P_DATASET_XFER);
  PetscCheck(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) >= 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "HDF5 error");
  PetscCheck(H5Dwrite(dset, memtype, mspace, space, dxpl, buf) >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "%s: cannot write %s", h5->path, name);
  H5Pclose(dxpl);
  H5Sclose(mspace);
  H5Sclose(space);
  H5Dclose(dset);
  H5Pclose(lcpl);
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscCall(VitH5WriteAttrString(h5, name, "units", units));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/step", base));
  PetscCall(VitH5WriteInt(h5, name, 1, &one, &zero, "1"));
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/time", base));
  PetscCall(VitH5WriteReal(h5, name, 1, &one, &tzero, "time"));
  PetscFunctionReturn(0);
}

/* Collective attribute on an existing object. */
static PetscErrorCode WriteAttr(VitH5 *h5, const char obj[], const char name[], hid_t type, hsize_t n, const void *value)
{
  hid_t o = H5Oopen(h5->file, obj, H5P_DEFAULT), space = H5Screate_simple(1, &n, NULL), attr;

  PetscFunctionBeginUser;
  attr = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0 && H5Awrite(attr, type, value) >= 0, h5->comm, PETSC_ERR_LIB, "%s: cannot write attribute %s of %s", h5->path, name, obj);
  H5Aclose(attr);
  H5Sclose(space);
  H5Oclose(o);
  PetscFunctionReturn(0);
}

/* The groups of the file, created before the h5io helpers add datasets and attributes. */
static PetscErrorCode CreateGroups(VitH5 *h5)
{
  const char *groups[] = {"/h5md/author", "/h5md/creator", "/particles/all/box", "/parameters/vitrum"};
  hid_t       lcpl     = H5Pcreate(H5P_LINK_CREATE), g;

  PetscFunctionBeginUser;
  PetscCheck(H5Pset_create_intermediate_group(lcpl, 1) >= 0, h5->comm, PETSC_ERR_LIB, "HDF5 error");
  for (size_t k = 0; k < sizeof(groups) / sizeof(groups[0]); k++) {
    g = H5Gcreate2(h5->file, groups[k], lcpl, H5P_DEFAULT, H5P_DEFAULT);
    PetscCheck(g >= 0, h5->comm, PETSC_ERR_LIB, "%s: cannot create group %s", h5->path, groups[k]);
    H5Gclose(g);
  }
  H5Pclose(lcpl);
  PetscFunctionReturn(0);
}

/* H5MD header (/h5md version, author, creator) and the box: edges as a vector when the box is
   rectangular, else the matrix of cell rows; dimension and boundary attributes. */
static PetscErrorCode WriteHeader(VitH5 *h5, const VitSample *s)
{
  const int  version[2] = {1, 1}, dim = (int)s->dim;
  char       boundary[3][9] = {"periodic", "periodic", "periodic"};
  hid_t      strtype = H5Tcopy(H5T_C_S1);
  PetscReal  edges[9];
  hsize_t    dims[2] = {(hsize_t)s->dim, (hsize_t)s->dim}, nt = (hsize_t)s->ntypes, three = 3;
  PetscBool  tilted = (PetscBool)(s->cell[1][0] != 0 || s->cell[2][0] != 0 || s->cell[2][1] != 0);
  const char *names[VIT_MAX_TYPES];

  PetscFunctionBeginUser;
  PetscCall(CreateGroups(h5));
  PetscCall(VitH5WriteAttrString(h5, "/h5md/author", "name", "vitrum"));
  PetscCall(VitH5WriteAttrString(h5, "/h5md/creator", "name", "vitrum"));
  PetscCall(VitH5WriteAttrString(h5, "/h5md/creator", "version", VIT_VERSION));
  PetscCall(WriteAttr(h5, "/h5md", "version", H5T_NATIVE_INT, 2, version));
  for (PetscInt i = 0; i < s->dim; i++) {
    if (!tilted) edges[i] = s->cell[i][i];
    for (PetscInt j = 0; j < s->dim && tilted; j++) edges[i * s->dim + j] = s->cell[i][j];
  }
  PetscCall(VitH5WriteReal(h5, "/particles/all/box/edges", tilted ? 2 : 1, dims, edges, "length"));
  PetscCall(WriteAttr(h5, "/particles/all/box", "dimension", H5T_NATIVE_INT, 1, &dim));
  PetscCheck(H5Tset_size(strtype, 9) >= 0, h5->comm, PETSC_ERR_LIB, "HDF5 error");
  PetscCall(WriteAttr(h5, "/particles/all/box", "boundary", strtype, dims[0], boundary));
  H5Tclose(strtype);
  for (PetscInt t = 0; t < s->ntypes; t++) names[t] = s->type_name[t];
  PetscCall(VitH5WriteStrings(h5, "/parameters/vitrum/type_names", s->ntypes, names));
  PetscCall(VitH5WriteReal(h5, "/parameters/vitrum/type_mass", 1, &nt, s->type_mass, "mass"));
  PetscCall(VitH5WriteReal(h5, "/parameters/vitrum/box_lo", 1, &three, s->lo, "length"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleWriteH5MD(MPI_Comm comm, const VitSample *s, const char path[])
{
  VitH5      h5;
  PetscInt   start, n, *fid, *type;
  PetscReal *frac, *x;
  hid_t      itype = sizeof(PetscInt) == 8 ? H5T_STD_I64LE : H5T_STD_I32LE;

  PetscFunctionBeginUser;
  PetscCall(VitSampleToIdOrder(comm, s, PETSC_DECIDE, &start, &n, &fid, &type, &frac));
  PetscCall(PetscMalloc1(s->dim * n, &x));
  for (PetscInt i = 0; i < n; i++) {
    PetscReal r[3];
    VitSampleFracToCart(s, &frac[3 * i], r);
    for (PetscInt d = 0; d < s->dim; d++) x[s->dim * i + d] = s->lo[d] + r[d];
  }
  PetscCall(VitH5Create(comm, path, &h5));
  PetscCall(WriteHeader(&h5, s));
  PetscCall(WriteElement(&h5, "/particles/all/position", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->natoms, s->dim, start, n, x, "length"));
  PetscCall(WriteElement(&h5, "/particles/all/species", IntType(), itype, s->natoms, 0, start, n, type, "1"));
  PetscCall(WriteElement(&h5, "/particles/all/id", IntType(), itype, s->natoms, 0, start, n, fid, "1"));
  PetscCall(VitH5Close(&h5));
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(fid));
  PetscCall(PetscFree(type));
  PetscCall(PetscFree(frac));
  PetscFunctionReturn(0);
}
