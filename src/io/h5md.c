/* H5MD samples (https://www.nongnu.org/h5md/h5md.html), group /particles/all:
     position/value (frames, N, d) or a time-independent position (N, d),
     species/value (frames, N) or species (N) (integers; absent: one species), or "type",
     id/value or id (file ids; absent: 0..N-1),
     mass/value or mass: one mass per atom, or one for all (a scalar), one per species (ReadMasses),
     box/edges: vector (d) for a rectangular box or matrix (d, d) whose rows are the edge
     vectors, optionally time-dependent (box/edges/value);
   time-dependent elements are matched to the position frame by step (ElementFrame).
   vitrum adds /parameters/vitrum/{type_names, type_mass, box_lo, units} to keep species names,
   masses (also written per atom as mass/value), the box origin and the LAMMPS unit style (when
   known), and pair_coeffs: a data file's Pair Coeffs or PairIJ Coeffs # lj/cut (VitPairCoeffs),
   which the potentials take from an H5MD file as from the data file. A 3D sheet (boundary z
   "none" read with -sample_dimension 3) is periodic along c, and written so (WriteHeader).
   Reading: every rank reads a contiguous block of atoms. */
#include "io_private.h"
#include <vitrum/h5io.h>
#include <stdint.h>

#define VIT_ATOM_MASS_H5MD "/particles/all/mass"
#define VIT_TYPE_MASS_H5MD "/parameters/vitrum/type_mass"
#define H5Check(expr, comm, ...) PetscCheck((expr) >= 0, comm, PETSC_ERR_FILE_READ, __VA_ARGS__)

/* An H5MD element: a time-dependent group with value, or a plain dataset. */
typedef struct {
  char        base[PETSC_MAX_PATH_LEN]; /* the element (group or dataset) */
  char        name[PETSC_MAX_PATH_LEN]; /* dataset to read */
  PetscBool   exists, timed;            /* found; has a leading frame dimension */
  int         ndims;
  hsize_t     dims[4];
  H5T_class_t tclass; /* integer, float, string, ... */
} Element;

/* The shape as "(2, 3)" for messages ("()" for a scalar). */
static void ShapeString(const Element *e, char buf[], size_t len)
{
  size_t used = (size_t)snprintf(buf, len, "(");
  for (int k = 0; k < e->ndims && used < len; k++) used += (size_t)snprintf(buf + used, len - used, k ? ", %llu" : "%llu", (unsigned long long)e->dims[k]);
  if (used < len) snprintf(buf + used, len - used, ")");
}

/* Shape and element type of a dataset: metadata every rank reads alike, so every check on
   them is collective. A time-dependent element must have at least one frame. */
static PetscErrorCode FindElement(VitH5 *h5, const char base[], Element *e)
{
  PetscBool group;
  hid_t     o, dset, type;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(e, sizeof(*e)));
  PetscCall(PetscStrncpy(e->base, base, sizeof(e->base)));
  PetscCall(VitH5Exists(h5, base, &e->exists));
  if (!e->exists) PetscFunctionReturn(0);
  o = H5Oopen(h5->file, base, H5P_DEFAULT);
  H5Check(o, h5->comm, "%s: cannot open %s", h5->path, base);
  group = (PetscBool)(H5Iget_type(o) == H5I_GROUP);
  H5Oclose(o);
  PetscCall(PetscSNPrintf(e->name, sizeof(e->name), group ? "%s/value" : "%s", base));
  e->timed = group;
  PetscCall(VitH5Exists(h5, e->name, &e->exists));
  PetscCheck(e->exists, h5->comm, PETSC_ERR_FILE_UNEXPECTED, "%s: %s is a group without a value dataset", h5->path, base);
  PetscCall(VitH5GetDims(h5, e->name, &e->ndims, e->dims));
  dset = H5Dopen2(h5->file, e->name, H5P_DEFAULT);
  type = dset >= 0 ? H5Dget_type(dset) : -1;
  H5Check(type, h5->comm, "%s: cannot read the element type of %s", h5->path, e->name);
  e->tclass = H5Tget_class(type);
  H5Tclose(type);
  H5Dclose(dset);
  PetscCheck(!e->timed || (e->ndims >= 1 && e->dims[0] >= 1), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has no frames", h5->path, e->name);
  PetscFunctionReturn(0);
}

/* The element holds integers (integers = true) or numbers (integers or floating point). */
static PetscErrorCode CheckNumbers(VitH5 *h5, const Element *e, PetscBool integers)
{
  const char *found = e->tclass == H5T_STRING ? "strings" : e->tclass == H5T_FLOAT ? "floating-point numbers" : "neither integers nor floating-point numbers";

  PetscFunctionBeginUser;
  PetscCheck(e->tclass == H5T_INTEGER || (!integers && e->tclass == H5T_FLOAT), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s must hold %s, it holds %s", h5->path, e->name, integers ? "integers" : "numbers", found);
  PetscFunctionReturn(0);
}

/* The frame asked for (-frame, -1 = the last) and, when the positions have a step dataset, the
   step of that position frame: the other time-dependent elements are matched to it by step. */
typedef struct {
  PetscInt64 frame, index, step; /* -frame, the position frame it is, its step */
  PetscBool  has_step;
} FrameRef;

/* Index of the frame asked for in a time-dependent element, by number (0 when time-independent). */
static PetscErrorCode FrameIndex(VitH5 *h5, const Element *e, PetscInt64 frame, hsize_t *f)
{
  PetscInt64 nframes = e->timed ? (PetscInt64)e->dims[0] : 1;
  char       count[96];

  PetscFunctionBeginUser;
  *f = 0;
  if (!e->timed) PetscFunctionReturn(0);
  VitFrameCountText(nframes, count, sizeof(count));
  PetscCheck(frame < nframes, h5->comm, PETSC_ERR_USER_INPUT, "%s: -frame %" PetscInt64_FMT " is out of range: %s has %s", h5->path, frame, e->name, count);
  *f = frame < 0 ? (hsize_t)(nframes - 1) : (hsize_t)frame;
  PetscFunctionReturn(0);
}

/* The steps of a time-dependent element's frames (H5MD 1.1: `step` holds one integer per frame,
   or one scalar interval with the attribute `offset`, step of frame k = offset + k interval);
   *steps = NULL when the element has no step dataset. */
static PetscErrorCode ReadSteps(VitH5 *h5, const Element *e, PetscInt64 **steps)
{
  char       name[PETSC_MAX_PATH_LEN];
  PetscBool  has, found;
  int        ndims, ok;
  hsize_t    dims[4], n = e->dims[0];
  PetscInt64 offset = 0;
  hid_t      dset;

  PetscFunctionBeginUser;
  *steps = NULL;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/step", e->base));
  PetscCall(VitH5Exists(h5, name, &has));
  if (!has) PetscFunctionReturn(0);
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  PetscCheck(ndims == 0 || (ndims == 1 && dims[0] == n), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s must hold one step per frame (%llu) or one interval", h5->path, name, (unsigned long long)n);
  PetscCall(PetscMalloc1(n, steps));
  dset = H5Dopen2(h5->file, name, H5P_DEFAULT);
  ok   = dset >= 0 && H5Dread(dset, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, *steps) >= 0;
  if (dset >= 0) H5Dclose(dset);
  PetscCheck(ok, h5->comm, PETSC_ERR_FILE_READ, "%s: cannot read %s as integers", h5->path, name);
  if (ndims == 0) {
    PetscCall(VitH5ReadAttrInt(h5, name, "offset", &found, &offset));
    for (hsize_t k = n; k-- > 0;) (*steps)[k] = offset + (PetscInt64)k * (*steps)[0];
  }
  PetscFunctionReturn(0);
}

/* The frame of a time-dependent element that goes with the positions' frame: the one of the same
   step when both have steps (H5MD gives a value only at an element's own steps, so a step it
   lacks is an error), else the same frame number. */
static PetscErrorCode ElementFrame(VitH5 *h5, const Element *e, const FrameRef *ref, hsize_t *f)
{
  PetscInt64 *steps = NULL;
  hsize_t     k;

  PetscFunctionBeginUser;
  if (e->timed && ref->has_step) PetscCall(ReadSteps(h5, e, &steps));
  if (!e->timed || !ref->has_step || !steps) {
    PetscCall(FrameIndex(h5, e, ref->frame, f));
    PetscFunctionReturn(0);
  }
  for (k = 0; k < e->dims[0] && steps[k] != ref->step; k++) {}
  PetscCall(PetscFree(steps));
  PetscCheck(k < e->dims[0], h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has no step %" PetscInt64_FMT " (the step of position frame %" PetscInt64_FMT "): H5MD gives its value only at its own steps; choose a frame whose step it has", h5->path, e->base, ref->step, ref->index);
  *f = k;
  PetscFunctionReturn(0);
}

/* The position frame asked for, and its step when the positions have one. */
static PetscErrorCode PositionFrame(VitH5 *h5, const Element *pos, PetscInt64 frame, FrameRef *ref, hsize_t *f)
{
  PetscInt64 *steps = NULL;

  PetscFunctionBeginUser;
  PetscCall(FrameIndex(h5, pos, frame, f));
  if (pos->timed) PetscCall(ReadSteps(h5, pos, &steps));
  ref->frame    = frame;
  ref->index    = (PetscInt64)*f;
  ref->has_step = (PetscBool)(steps != NULL);
  ref->step     = steps ? steps[*f] : 0;
  PetscCall(PetscFree(steps));
  PetscFunctionReturn(0);
}

/* Rows [start, start+n) of frame f of an element with rows of ncols numbers (ncols = 0: one
   number per row; a time-independent scalar dataset: its one number, start = 0, n = 1). Called on
   every rank: a failure on any rank stops all of them. */
static PetscErrorCode ReadRows(VitH5 *h5, const Element *e, hsize_t f, hsize_t start, hsize_t n, hsize_t ncols, hid_t memtype, void *buf)
{
  hsize_t off[3] = {f, start, 0}, count[3] = {1, n, ncols}, mcount = n * (ncols ? ncols : 1);
  int     skip   = e->timed ? 0 : 1, ok = 1;
  hid_t   dset, fspace, mspace;

  PetscFunctionBeginUser;
  if (n) {
    dset   = H5Dopen2(h5->file, e->name, H5P_DEFAULT);
    fspace = dset >= 0 ? H5Dget_space(dset) : -1;
    mspace = H5Screate_simple(1, &mcount, NULL);
    ok     = fspace >= 0 && (e->ndims == 0 || H5Sselect_hyperslab(fspace, H5S_SELECT_SET, off + skip, NULL, count + skip, NULL) >= 0) && H5Dread(dset, memtype, mspace, fspace, H5P_DEFAULT, buf) >= 0;
    H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    if (dset >= 0) H5Dclose(dset);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, h5->comm));
  PetscCheck(ok, h5->comm, PETSC_ERR_FILE_READ, "%s: cannot read %s", h5->path, e->name);
  PetscFunctionReturn(0);
}

/* Box: edges as a vector (rectangular) or a matrix of rows; origin from /parameters/vitrum/box_lo.
   The shape is checked before anything is read. */
static PetscErrorCode ReadBox(VitH5 *h5, const FrameRef *ref, PetscInt ncomp, VitSample *s, PetscReal Ainv[3][3], PetscBool *rotated)
{
  Element    e;
  hsize_t    f, d = (hsize_t)ncomp;
  PetscInt   nlo, frame_dims;
  PetscReal  edges[9], *lo, A[3][3] = {{0}};
  PetscBool  matrix, has_lo;
  char       shape[64];

  PetscFunctionBeginUser;
  PetscCall(FindElement(h5, "/particles/all/box/edges", &e));
  PetscCheck(e.exists, h5->comm, PETSC_ERR_USER_INPUT, "%s: no /particles/all/box/edges (a periodic box is needed)", h5->path);
  PetscCall(CheckNumbers(h5, &e, PETSC_FALSE));
  frame_dims = e.ndims - (e.timed ? 1 : 0); /* dimensions of one frame */
  matrix     = (PetscBool)(frame_dims == 2);
  ShapeString(&e, shape, sizeof(shape));
  PetscCheck((frame_dims == 1 && e.dims[e.ndims - 1] == d) || (matrix && e.dims[e.ndims - 2] == d && e.dims[e.ndims - 1] == d), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has shape %s: expected (%d) for a rectangular box or (%d, %d) for the edge vectors%s (positions have %d components)", h5->path, e.name, shape, (int)d, (int)d, (int)d, e.timed ? ", after the frame dimension" : "", (int)d);
  PetscCall(ElementFrame(h5, &e, ref, &f));
  PetscCall(ReadRows(h5, &e, f, 0, d, matrix ? d : 0, H5T_NATIVE_DOUBLE, edges));
  for (PetscInt i = 0; i < ncomp; i++)
    for (PetscInt j = 0; j < ncomp; j++) A[i][j] = matrix ? edges[i * ncomp + j] : (i == j ? edges[i] : 0);
  for (PetscInt i = 0; i < ncomp; i++)
    for (PetscInt j = 0; j < ncomp; j++) PetscCheck(PetscIsNormalReal(A[i][j]) || A[i][j] == 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: box edges are not finite (or subnormal): %.6g", h5->path, (double)A[i][j]);
  PetscCheck(s->dim == ncomp || (A[0][2] == 0 && A[1][2] == 0), h5->comm, PETSC_ERR_USER_INPUT, "%s: 2D sample (box boundary z \"none\") with edge vectors out of the xy plane: give -sample_dimension 3 for a 3D sheet, periodic along c", h5->path);
  for (PetscInt i = 0; i < ncomp && !matrix; i++) PetscCheck(A[i][i] > 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: box edge %c is not positive (%.6g)", h5->path, (char)('x' + i), (double)A[i][i]);
  if (!VitSampleSetCellFromRows(s, A, Ainv, rotated)) {
    char problem[256];
    VitCellRowsProblem(s->dim, A, problem, sizeof(problem));
    SETERRQ(h5->comm, PETSC_ERR_USER_INPUT, "%s: box edges are %s", h5->path, problem);
  }
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/box_lo", &has_lo));
  if (has_lo) {
    PetscCall(VitH5ReadReal(h5, "/parameters/vitrum/box_lo", &nlo, &lo));
    PetscCheck(nlo == 3 || nlo == s->dim, h5->comm, PETSC_ERR_USER_INPUT, "%s: /parameters/vitrum/box_lo has %" PetscInt_FMT " values: expected 3 (the box origin)", h5->path, nlo);
    for (PetscInt k = 0; k < s->dim; k++) {
      PetscCheck(!PetscIsInfOrNanReal(lo[k]), h5->comm, PETSC_ERR_USER_INPUT, "%s: /parameters/vitrum/box_lo is not finite", h5->path);
      s->lo[k] = lo[k];
    }
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
   distinct values, in increasing order, become types named by the value. Values are 64-bit and
   their spread is taken without overflow. */
static PetscErrorCode MapSpecies(VitH5 *h5, PetscInt rstart, const PetscInt64 value[], VitSample *s)
{
  PetscBool  has_names, *bad;
  PetscInt64 vmin = INT64_MAX, vmax = INT64_MIN;
  PetscInt   nrange, row, *present, *type_of;
  char     **names;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/type_names", &has_names));
  if (has_names) {
    PetscCall(VitH5ReadStrings(h5, "/parameters/vitrum/type_names", &s->ntypes, &names));
    PetscCheck(s->ntypes >= 1 && s->ntypes <= VIT_MAX_TYPES, h5->comm, PETSC_ERR_USER_INPUT, "%s: %" PetscInt_FMT " type names (1..%d allowed)", h5->path, s->ntypes, VIT_MAX_TYPES);
    for (PetscInt t = 0; t < s->ntypes; t++) PetscCall(PetscStrncpy(s->type_name[t], names[t], VIT_NAME_LEN));
    PetscCall(VitStringsFree(s->ntypes, &names));
    PetscCall(PetscMalloc1(s->nlocal, &bad));
    for (PetscInt i = 0; i < s->nlocal; i++) bad[i] = (PetscBool)(value[i] < 0 || value[i] >= s->ntypes);
    PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
    PetscCall(PetscFree(bad));
    PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: unknown atom type: species of atom row %" PetscInt_FMT " is not in 0..%" PetscInt_FMT " (/parameters/vitrum/type_names)", h5->path, row, s->ntypes - 1);
    for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = (PetscInt)value[i];
    PetscFunctionReturn(0);
  }
  for (PetscInt i = 0; i < s->nlocal; i++) {
    vmin = PetscMin(vmin, value[i]);
    vmax = PetscMax(vmax, value[i]);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &vmin, 1, MPIU_INT64, MPI_MIN, h5->comm));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &vmax, 1, MPIU_INT64, MPI_MAX, h5->comm));
  PetscCheck((uint64_t)vmax - (uint64_t)vmin < 4096, h5->comm, PETSC_ERR_USER_INPUT, "%s: species values %" PetscInt64_FMT "..%" PetscInt64_FMT " spread over more than 4096 values (use small integers, e.g. 0..ntypes-1)", h5->path, vmin, vmax);
  nrange = (PetscInt)(vmax - vmin) + 1;
  PetscCall(PetscCalloc2(nrange, &present, nrange, &type_of));
  for (PetscInt i = 0; i < s->nlocal; i++) present[value[i] - vmin] = 1;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, present, (PetscMPIInt)nrange, MPIU_INT, MPI_MAX, h5->comm));
  s->ntypes = 0;
  for (PetscInt v = 0; v < nrange; v++) {
    if (!present[v]) continue;
    PetscCheck(s->ntypes < VIT_MAX_TYPES, h5->comm, PETSC_ERR_USER_INPUT, "%s: more than %d species", h5->path, VIT_MAX_TYPES);
    type_of[v] = s->ntypes;
    PetscCall(PetscSNPrintf(s->type_name[s->ntypes++], VIT_NAME_LEN, "%" PetscInt64_FMT, vmin + v));
  }
  for (PetscInt i = 0; i < s->nlocal; i++) s->type[i] = type_of[value[i] - vmin];
  PetscCall(PetscFree2(present, type_of));
  PetscFunctionReturn(0);
}

/* The masses of /parameters/vitrum/type_mass (vitrum's, one per type) into type_mass[], or found = false. */
static PetscErrorCode ReadTypeMass(VitH5 *h5, const VitSample *s, PetscReal type_mass[], PetscBool *found)
{
  PetscInt   n;
  PetscReal *mass;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, VIT_TYPE_MASS_H5MD, found));
  if (!*found) PetscFunctionReturn(0);
  PetscCall(VitH5ReadReal(h5, VIT_TYPE_MASS_H5MD, &n, &mass));
  PetscCheck(n == s->ntypes, h5->comm, PETSC_ERR_USER_INPUT, "%s: " VIT_TYPE_MASS_H5MD " has %" PetscInt_FMT " values for %" PetscInt_FMT " types", h5->path, n, s->ntypes);
  for (PetscInt t = 0; t < n; t++) {
    PetscCheck(mass[t] > 0 && PetscIsNormalReal(mass[t]), h5->comm, PETSC_ERR_USER_INPUT, "%s: " VIT_TYPE_MASS_H5MD " of type %" PetscInt_FMT " is %.6g: " VIT_MASS_EXPECTED, h5->path, t + 1, (double)mass[t]);
    type_mass[t] = mass[t];
  }
  PetscCall(PetscFree(mass));
  PetscFunctionReturn(0);
}

/* Mass, file id and type of the atom of global row `row` (held by one rank), on every rank. */
typedef struct {
  PetscReal mass;
  PetscInt  id, type;
} AtomMass;

static PetscErrorCode AtomMassOfRow(MPI_Comm comm, PetscInt rstart, const VitSample *s, const PetscReal mass[], PetscInt row, AtomMass *a)
{
  PetscReal v[3] = {0, 0, 0}; /* ids and types are exact in a double */
  PetscInt  i    = row - rstart;

  PetscFunctionBeginUser;
  if (i >= 0 && i < s->nlocal) {
    v[0] = mass[i];
    v[1] = (PetscReal)s->fid[i];
    v[2] = (PetscReal)s->type[i];
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, v, 3, MPIU_REAL, MPI_SUM, comm)); /* one rank's values plus zeros: exact */
  a->mass = v[0];
  a->id   = (PetscInt)v[1];
  a->type = (PetscInt)v[2];
  PetscFunctionReturn(0);
}

/* Per-atom masses of this rank's block from the element /particles/all/mass (H5MD 1.1): one value
   per atom, (N) or (frames, N), or one for all atoms, a scalar or (frames); each positive, finite
   and normal. found = false when the file has none. */
static PetscErrorCode ReadAtomMasses(VitH5 *h5, const FrameRef *ref, PetscInt rstart, const VitSample *s, PetscReal mass[], PetscBool *found)
{
  Element   e;
  hsize_t   f;
  PetscInt  frame_dims, row;
  PetscBool scalar, *bad;
  AtomMass  a;
  char      shape[64];

  PetscFunctionBeginUser;
  PetscCall(FindElement(h5, VIT_ATOM_MASS_H5MD, &e));
  *found = e.exists;
  if (!e.exists) PetscFunctionReturn(0);
  PetscCall(CheckNumbers(h5, &e, PETSC_FALSE));
  frame_dims = e.ndims - (e.timed ? 1 : 0);
  scalar     = (PetscBool)(frame_dims == 0);
  ShapeString(&e, shape, sizeof(shape));
  PetscCheck(scalar || (frame_dims == 1 && e.dims[e.ndims - 1] == (hsize_t)s->natoms), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has shape %s: expected one mass per atom (%" PetscInt_FMT ") or one for all atoms (a scalar)%s", h5->path, e.name, shape, s->natoms, e.timed ? ", after the frame dimension" : "");
  PetscCall(ElementFrame(h5, &e, ref, &f));
  if (scalar) {
    PetscCall(ReadRows(h5, &e, f, 0, 1, 0, H5T_NATIVE_DOUBLE, &a.mass));
    PetscCheck(a.mass > 0 && PetscIsNormalReal(a.mass), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s (the mass of every atom) is %.6g: " VIT_MASS_EXPECTED, h5->path, e.name, (double)a.mass);
    for (PetscInt i = 0; i < s->nlocal; i++) mass[i] = a.mass;
    PetscFunctionReturn(0);
  }
  PetscCall(ReadRows(h5, &e, f, (hsize_t)rstart, (hsize_t)s->nlocal, 0, H5T_NATIVE_DOUBLE, mass));
  PetscCall(PetscMalloc1(s->nlocal, &bad));
  for (PetscInt i = 0; i < s->nlocal; i++) bad[i] = (PetscBool)!(mass[i] > 0 && PetscIsNormalReal(mass[i]));
  PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
  PetscCall(PetscFree(bad));
  if (row >= 0) PetscCall(AtomMassOfRow(h5->comm, rstart, s, mass, row, &a));
  PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s: the mass of atom id %" PetscInt_FMT " (row %" PetscInt_FMT ") is %.6g: " VIT_MASS_EXPECTED, h5->path, e.name, a.id, row, (double)a.mass);
  PetscFunctionReturn(0);
}

/* One mass per species from per-atom masses (vitrum, like LAMMPS, gives each species one mass): the
   first atom of a species (lowest row) gives it, and every other atom of that species must have it
   (to round-off); a species without atoms gets none (0). */
static PetscErrorCode TypeMassFromAtoms(VitH5 *h5, PetscInt rstart, const VitSample *s, const PetscReal mass[], PetscReal type_mass[])
{
  PetscInt  first[VIT_MAX_TYPES], row;
  PetscBool *bad;
  AtomMass  a, b;

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < s->ntypes; t++) first[t] = PETSC_MAX_INT;
  for (PetscInt i = s->nlocal; i-- > 0;) first[s->type[i]] = rstart + i;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, first, (PetscMPIInt)s->ntypes, MPIU_INT, MPI_MIN, h5->comm));
  for (PetscInt t = 0; t < s->ntypes; t++) type_mass[t] = first[t] >= rstart && first[t] < rstart + s->nlocal ? mass[first[t] - rstart] : 0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, type_mass, (PetscMPIInt)s->ntypes, MPIU_REAL, MPI_MAX, h5->comm)); /* masses are positive */
  PetscCall(PetscMalloc1(s->nlocal, &bad));
  for (PetscInt i = 0; i < s->nlocal; i++) bad[i] = (PetscBool)!VitMassesAgree(mass[i], type_mass[s->type[i]]);
  PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
  PetscCall(PetscFree(bad));
  if (row < 0) PetscFunctionReturn(0);
  PetscCall(AtomMassOfRow(h5->comm, rstart, s, mass, row, &a));
  PetscCall(AtomMassOfRow(h5->comm, rstart, s, mass, first[a.type], &b));
  SETERRQ(h5->comm, PETSC_ERR_USER_INPUT, "%s: " VIT_ATOM_MASS_H5MD ": atom id %" PetscInt_FMT " has mass %.15g, atom id %" PetscInt_FMT " of the same species %s has %.15g: vitrum gives each species one mass (as LAMMPS's per-type masses)", h5->path, a.id, (double)a.mass, b.id, s->type_name[a.type], (double)b.mass);
}

/* Masses from /particles/all/mass (H5MD, per atom or one for all: one per species, see
   TypeMassFromAtoms) and from /parameters/vitrum/type_mass (vitrum's, per type); where both give a
   species' mass they must agree to round-off. A species neither gives has none (0), a file without
   either none at all: never a default. Needs the types and file ids. */
static PetscErrorCode ReadMasses(VitH5 *h5, const FrameRef *ref, PetscInt rstart, VitSample *s)
{
  PetscReal *mass, from_atoms[VIT_MAX_TYPES], from_types[VIT_MAX_TYPES] = {0};
  PetscBool  has_atoms, has_types;

  PetscFunctionBeginUser;
  PetscCall(ReadTypeMass(h5, s, from_types, &has_types));
  PetscCall(PetscMalloc1(s->nlocal, &mass));
  PetscCall(ReadAtomMasses(h5, ref, rstart, s, mass, &has_atoms));
  if (has_atoms) PetscCall(TypeMassFromAtoms(h5, rstart, s, mass, from_atoms));
  PetscCall(PetscFree(mass));
  s->has_masses = (PetscBool)(has_atoms || has_types);
  for (PetscInt t = 0; t < s->ntypes; t++) {
    const PetscBool atoms = (PetscBool)(has_atoms && from_atoms[t] > 0);
    PetscCheck(!atoms || !has_types || VitMassesAgree(from_atoms[t], from_types[t]), h5->comm, PETSC_ERR_USER_INPUT, "%s: " VIT_ATOM_MASS_H5MD " gives species %s mass %.15g, " VIT_TYPE_MASS_H5MD " gives it %.15g: give one of them, or the same mass", h5->path, s->type_name[t], (double)from_atoms[t], (double)from_types[t]);
    s->type_mass[t] = atoms ? from_atoms[t] : from_types[t];
  }
  PetscFunctionReturn(0);
}

/* The unit style vitrum wrote (lj, metal, real), when known. */
static PetscErrorCode ReadUnits(VitH5 *h5, VitSample *s)
{
  PetscInt  n;
  char    **style;
  PetscBool has;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, "/parameters/vitrum/units", &has));
  if (!has) PetscFunctionReturn(0);
  PetscCall(VitH5ReadStrings(h5, "/parameters/vitrum/units", &n, &style));
  PetscCheck(n == 1 && (!strcmp(style[0], "lj") || !strcmp(style[0], "metal") || !strcmp(style[0], "real")), h5->comm, PETSC_ERR_USER_INPUT, "%s: /parameters/vitrum/units: expected one of lj, metal, real", h5->path);
  PetscCall(PetscStrncpy(s->units, style[0], sizeof(s->units)));
  PetscCall(VitStringsFree(n, &style));
  PetscFunctionReturn(0);
}

/* The coefficient section of the dataset name (VitPairCoeffsWriteH5): (ntypes, ntypes, nvalues)
   numbers, a pair's values all NaN where the section has no line for it, attributes `section`
   (Pair Coeffs or PairIJ Coeffs) and `style`; a style other than lj/cut is skipped, as the data
   reader skips it. */
PetscErrorCode VitPairCoeffsReadH5(VitH5 *h5, const char name[], VitSample *s)
{
  VitPairCoeffs *pc = &s->pair_coeffs;
  PetscBool      has, per_type, per_pair;
  int            ndims;
  hsize_t        dims[4];
  PetscInt       n, nt = s->ntypes, nv;
  PetscReal     *v;
  char          *section, *style;

  PetscFunctionBeginUser;
  PetscCall(VitH5Exists(h5, name, &has));
  if (!has) PetscFunctionReturn(0);
  PetscCall(VitH5GetDims(h5, name, &ndims, dims));
  PetscCheck(ndims == 3 && dims[0] == (hsize_t)nt && dims[1] == (hsize_t)nt && dims[2] >= 1 && dims[2] <= VIT_PAIR_COEFF_MAX, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s: expected the shape (%d, %d, 1..%d): the coefficients of each pair of the %d atom types", h5->path, name, (int)nt, (int)nt, VIT_PAIR_COEFF_MAX, (int)nt);
  PetscCall(VitH5ReadAttrString(h5, name, "section", &section));
  PetscCall(VitH5ReadAttrString(h5, name, "style", &style));
  per_type = (PetscBool)(section && !strcmp(section, "Pair Coeffs"));
  per_pair = (PetscBool)(section && !strcmp(section, "PairIJ Coeffs"));
  PetscCall(PetscFree(section));
  PetscCheck(style && (per_type || per_pair), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s: expected the attributes section (Pair Coeffs or PairIJ Coeffs) and style", h5->path, name);
  if (strcmp(style, "lj/cut")) {
    PetscCall(PetscFree(style));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscStrncpy(pc->style, style, sizeof(pc->style)));
  PetscCall(PetscFree(style));
  PetscCall(VitH5ReadReal(h5, name, &n, &v));
  nv          = (PetscInt)dims[2];
  pc->per     = per_type ? 1 : 2;
  pc->nvalues = nv;
  pc->line    = 0;
  for (PetscInt a = 0; a < nt; a++)
    for (PetscInt b = a; b < nt; b++) {
      PetscInt finite = 0;
      for (PetscInt k = 0; k < nv; k++) {
        pc->value[a][b][k] = v[(a * nt + b) * nv + k];
        finite += !PetscIsInfOrNanReal(pc->value[a][b][k]);
      }
      PetscCheck(finite == 0 || finite == nv, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s: pair %" PetscInt_FMT "-%" PetscInt_FMT " has %" PetscInt_FMT " finite values of %" PetscInt_FMT " (a pair has all its coefficients, or none: NaN)", h5->path, name, a + 1, b + 1, finite, nv);
      PetscCheck(!finite || per_pair || a == b, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s: Pair Coeffs give each type's coefficients only, not those of the pair %" PetscInt_FMT "-%" PetscInt_FMT, h5->path, name, a + 1, b + 1);
      pc->given[a][b] = (PetscBool)(finite == nv);
    }
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* Per-atom integers (species or ids) of frame `frame`, read as 64-bit integers (no silent
   clipping), or PETSC_FALSE in *found. */
static PetscErrorCode ReadAtomInts(VitH5 *h5, const char base[], const FrameRef *ref, PetscInt rstart, VitSample *s, PetscInt64 value[], PetscBool *found)
{
  Element e;
  hsize_t f;
  char    shape[64];

  PetscFunctionBeginUser;
  PetscCall(FindElement(h5, base, &e));
  *found = e.exists;
  if (!e.exists) PetscFunctionReturn(0);
  ShapeString(&e, shape, sizeof(shape));
  PetscCheck(e.ndims == (e.timed ? 2 : 1) && e.dims[e.timed ? 1 : 0] == (hsize_t)s->natoms, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s does not hold one value per atom (shape %s, %" PetscInt_FMT " atoms)", h5->path, e.name, shape, s->natoms);
  PetscCall(CheckNumbers(h5, &e, PETSC_TRUE));
  PetscCall(ElementFrame(h5, &e, ref, &f));
  PetscCall(ReadRows(h5, &e, f, (hsize_t)rstart, (hsize_t)s->nlocal, 0, H5T_NATIVE_INT64, value));
  PetscFunctionReturn(0);
}

/* File ids: 0..PETSC_MAX_INT (H5MD ids may start at 0; the default is the row 0..N-1). */
static PetscErrorCode ReadIds(VitH5 *h5, const FrameRef *ref, PetscInt rstart, PetscInt64 value[], VitSample *s)
{
  PetscBool found, *bad;
  PetscInt  row;

  PetscFunctionBeginUser;
  PetscCall(ReadAtomInts(h5, "/particles/all/id", ref, rstart, s, value, &found));
  if (!found) {
    for (PetscInt i = 0; i < s->nlocal; i++) s->fid[i] = rstart + i;
    PetscFunctionReturn(0);
  }
  PetscCall(PetscMalloc1(s->nlocal, &bad));
  for (PetscInt i = 0; i < s->nlocal; i++) bad[i] = (PetscBool)(value[i] < 0 || value[i] > PETSC_MAX_INT);
  PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
  PetscCall(PetscFree(bad));
  PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: id of atom row %" PetscInt_FMT " is negative or above %d (ids must be 0..%d)", h5->path, row, PETSC_MAX_INT, PETSC_MAX_INT);
  for (PetscInt i = 0; i < s->nlocal; i++) s->fid[i] = (PetscInt)value[i];
  PetscFunctionReturn(0);
}

/* Positions of this rank's block of atoms (in the LAMMPS frame: turned with the box when its edges
   are not in that form), wrapped later; each must be finite and within VIT_MAX_BOX_LENGTHS of the
   box. */
static PetscErrorCode ReadPositions(VitH5 *h5, const Element *e, hsize_t f, PetscInt ncomp, PetscInt rstart, const PetscReal Ainv[3][3], PetscBool rotated, VitSample *s)
{
  PetscReal *x, z[2] = {PETSC_MAX_REAL, PETSC_MAX_REAL}; /* min z, -max z */
  PetscBool *bad;
  PetscInt   d = ncomp, row;

  PetscFunctionBeginUser;
  PetscCall(PetscMalloc2(d * s->nlocal, &x, s->nlocal, &bad));
  PetscCall(ReadRows(h5, e, f, (hsize_t)rstart, (hsize_t)s->nlocal, (hsize_t)d, H5T_NATIVE_DOUBLE, x));
  for (PetscInt i = 0; i < s->nlocal; i++) {
    PetscReal xf[3] = {0, 0, 0};
    bad[i]          = PETSC_FALSE;
    for (PetscInt k = 0; k < d; k++) {
      bad[i] = (PetscBool)(bad[i] || PetscIsInfOrNanReal(x[d * i + k]));
      xf[k]  = x[d * i + k];
    }
    VitSamplePositionFromFrame(s, rotated, Ainv, xf, &s->x[3 * i], &s->s[3 * i]);
    bad[i] = (PetscBool)(bad[i] || !VitFracIsNear(&s->s[3 * i]));
    z[0]   = PetscMin(z[0], xf[2]);
    z[1]   = PetscMin(z[1], -xf[2]);
  }
  PetscCall(FirstBadRow(h5->comm, rstart, s->nlocal, bad, &row));
  PetscCheck(row < 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: position of atom row %" PetscInt_FMT " in %s is not finite or more than %.6g box lengths from the box", h5->path, row, e->name, VIT_MAX_BOX_LENGTHS);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, z, 2, MPIU_REAL, MPI_MIN, h5->comm));
  PetscCheck(s->dim == ncomp || z[0] == -z[1], h5->comm, PETSC_ERR_USER_INPUT, "%s: 2D sample (box boundary z \"none\") with atoms at different z (%.6g, %.6g): give -sample_dimension 3 for a 3D sheet, periodic along c", h5->path, (double)z[0], (double)-z[1]);
  PetscCall(PetscFree2(x, bad));
  PetscFunctionReturn(0);
}

/* A chunked dataset with every chunk allocated: HDF5 reports a filtered (compressed) dataset as
   only partly allocated even when every chunk is written, so chunks are counted instead. */
static PetscBool AllChunksAllocated(hid_t dset)
{
  hid_t   plist = H5Dget_create_plist(dset), space = H5Dget_space(dset);
  hsize_t dims[H5S_MAX_RANK], chunk[H5S_MAX_RANK], expected = 1, nchunks = 0;
  int     ndims = space >= 0 ? H5Sget_simple_extent_dims(space, dims, NULL) : -1;
  int     ok    = plist >= 0 && ndims >= 0 && H5Pget_layout(plist) == H5D_CHUNKED && H5Pget_chunk(plist, ndims, chunk) == ndims && H5Dget_num_chunks(dset, space, &nchunks) >= 0;

  for (int k = 0; ok && k < ndims; k++) expected *= chunk[k] ? (dims[k] + chunk[k] - 1) / chunk[k] : 0;
  if (plist >= 0) H5Pclose(plist);
  if (space >= 0) H5Sclose(space);
  return (PetscBool)(ok && nchunks == expected);
}

/* The position element: numbers of shape (frames, N, d) or (N, d), N within VIT_MAX_ATOMS, and
   data written for all of it (a declared but never written dataset would read as zeros). */
static PetscErrorCode CheckPositions(VitH5 *h5, const Element *pos, VitSample *s)
{
  char               shape[64];
  hid_t              dset;
  H5D_space_status_t status = H5D_SPACE_STATUS_ERROR;

  PetscFunctionBeginUser;
  PetscCheck(pos->exists, h5->comm, PETSC_ERR_USER_INPUT, "%s: no /particles/all/position", h5->path);
  ShapeString(pos, shape, sizeof(shape));
  PetscCheck(pos->ndims == (pos->timed ? 3 : 2), h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has shape %s: expected (frames, N, d) or (N, d)", h5->path, pos->name, shape);
  PetscCall(CheckNumbers(h5, pos, PETSC_FALSE));
  PetscCheck(pos->dims[pos->ndims - 1] == 2 || pos->dims[pos->ndims - 1] == 3, h5->comm, PETSC_ERR_USER_INPUT, "%s: positions have %llu components (2 or 3 expected)", h5->path, (unsigned long long)pos->dims[pos->ndims - 1]);
  PetscCheck(pos->dims[pos->ndims - 2] > 0, h5->comm, PETSC_ERR_USER_INPUT, "%s: no atoms", h5->path);
  PetscCheck(pos->dims[pos->ndims - 2] <= (hsize_t)VIT_MAX_ATOMS, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s has %llu atoms: vitrum holds at most %d atoms per sample (3 N coordinates must fit a 32-bit PetscInt)", h5->path, pos->name, (unsigned long long)pos->dims[pos->ndims - 2], (int)VIT_MAX_ATOMS);
  dset = H5Dopen2(h5->file, pos->name, H5P_DEFAULT);
  if (dset >= 0) H5Dget_space_status(dset, &status);
  if (status == H5D_SPACE_STATUS_PART_ALLOCATED && AllChunksAllocated(dset)) status = H5D_SPACE_STATUS_ALLOCATED;
  H5Dclose(dset);
  PetscCheck(status == H5D_SPACE_STATUS_ALLOCATED, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s of shape %s is %s", h5->path, pos->name, shape, status == H5D_SPACE_STATUS_PART_ALLOCATED ? "only partly written (unwritten positions would read as zeros)" : "declared but never written (no positions stored)");
  s->dim    = (PetscInt)pos->dims[pos->ndims - 1];
  s->natoms = (PetscInt)pos->dims[pos->ndims - 2];
  PetscFunctionReturn(0);
}

/* The box attributes: `dimension` must be the positions' number of components; `boundary` is
   "periodic" or "none" per dimension, periodic in x and y. z "none" (a sheet, as extended XYZ
   pbc="T T F") makes a 2D sample, or with -sample_dimension 3 a 3D sheet periodic along c. */
static PetscErrorCode ReadBoxAttributes(VitH5 *h5, PetscInt ncomp, PetscInt request, VitSample *s)
{
  const char *box = "/particles/all/box";
  PetscInt64  dimension;
  PetscInt    n;
  PetscBool   found, periodic[3] = {PETSC_TRUE, PETSC_TRUE, PETSC_TRUE}, known = PETSC_TRUE;
  char      **boundary;

  PetscFunctionBeginUser;
  PetscCall(VitH5ReadAttrInt(h5, box, "dimension", &found, &dimension));
  PetscCheck(!found || dimension == ncomp, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s attribute dimension = %" PetscInt64_FMT " but positions have %" PetscInt_FMT " components (H5MD: one per dimension)", h5->path, box, dimension, ncomp);
  PetscCall(VitH5ReadAttrStrings(h5, box, "boundary", &n, &boundary));
  if (n == -1) PetscFunctionReturn(0);
  PetscCheck(n == ncomp, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s attribute boundary: expected %" PetscInt_FMT " strings (\"periodic\" or \"none\", one per dimension)", h5->path, box, ncomp);
  for (PetscInt k = 0; k < n; k++) {
    periodic[k] = (PetscBool)!strcmp(boundary[k], "periodic");
    known       = (PetscBool)(known && (periodic[k] || !strcmp(boundary[k], "none")));
  }
  PetscCall(VitStringsFree(n, &boundary));
  PetscCheck(known, h5->comm, PETSC_ERR_USER_INPUT, "%s: %s attribute boundary: expected \"periodic\" or \"none\" per dimension", h5->path, box);
  PetscCheck(periodic[0] && periodic[1], h5->comm, PETSC_ERR_USER_INPUT, "%s: %s boundary is \"none\" in x or y: vitrum reads periodic boxes, non-periodic only in z (a sheet)", h5->path, box);
  if (!periodic[2] && request != 3) s->dim = 2;
  PetscFunctionReturn(0);
}

PetscErrorCode VitReadH5MD(MPI_Comm comm, const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info)
{
  VitH5       h5;
  Element     pos;
  hsize_t     f;
  PetscInt    n = PETSC_DECIDE, rstart = 0, ncomp;
  PetscInt64 *value;
  PetscReal   Ainv[3][3];
  PetscBool   found, rotated;
  FrameRef    ref;

  PetscFunctionBeginUser;
  PetscCall(VitH5OpenRead(comm, path, &h5));
  PetscCall(FindElement(&h5, "/particles/all/position", &pos));
  PetscCall(CheckPositions(&h5, &pos, s));
  ncomp = s->dim;
  PetscCall(ReadBoxAttributes(&h5, ncomp, info->dim_request, s));
  PetscCall(PositionFrame(&h5, &pos, frame, &ref, &f));
  PetscCall(ReadBox(&h5, &ref, ncomp, s, Ainv, &rotated));

  PetscCall(PetscSplitOwnership(comm, &n, &s->natoms));
  PetscCallMPI(MPI_Scan(&n, &rstart, 1, MPIU_INT, MPI_SUM, comm));
  rstart -= n;
  PetscCall(VitSampleAllocate(s, n));
  PetscCall(ReadPositions(&h5, &pos, f, ncomp, rstart, Ainv, rotated, s));

  PetscCall(PetscMalloc1(n, &value));
  PetscCall(ReadAtomInts(&h5, "/particles/all/species", &ref, rstart, s, value, &found));
  if (!found) PetscCall(ReadAtomInts(&h5, "/particles/all/type", &ref, rstart, s, value, &found));
  if (!found)
    for (PetscInt i = 0; i < n; i++) value[i] = 1; /* one species, named "1" */
  PetscCall(MapSpecies(&h5, rstart, value, s));
  PetscCall(ReadIds(&h5, &ref, rstart, value, s));
  PetscCall(ReadMasses(&h5, &ref, rstart, s));
  PetscCall(ReadUnits(&h5, s));
  PetscCall(VitPairCoeffsReadH5(&h5, VIT_PAIR_COEFFS_H5MD, s));
  PetscCall(PetscFree(value));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

/* A time-dependent element with one frame: value (1, N[, ncols]) written by rows in id order,
   step = 0, time = 0. */
static PetscErrorCode WriteElement(VitH5 *h5, const char base[], hid_t memtype, hid_t filetype, PetscInt N, PetscInt ncols, PetscInt start, PetscInt n, const void *buf, const char units[])
{
  char          name[PETSC_MAX_PATH_LEN];
  const hsize_t dims[3] = {1, (hsize_t)N, (hsize_t)ncols}, off[3] = {0, (hsize_t)start, 0}, count[3] = {1, (hsize_t)n, (hsize_t)ncols}, one = 1;
  PetscInt      zero  = 0;
  PetscReal     tzero = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscSNPrintf(name, sizeof(name), "%s/value", base));
  PetscCall(VitH5WriteBlock(h5, name, memtype, filetype, ncols ? 3 : 2, dims, off, count, buf, units));
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

/* The coefficient section the sample was read with (a data file's Pair Coeffs or PairIJ Coeffs,
   or this dataset of an H5MD file), so that they travel with it: [a][b][k] = [b][a][k], NaN for a
   pair the section gives no line (Pair Coeffs: every pair of two types). */
PetscErrorCode VitPairCoeffsWriteH5(VitH5 *h5, const char name[], const VitSample *s)
{
  const VitPairCoeffs *pc = &s->pair_coeffs;
  const PetscInt       nt = s->ntypes, nv = pc->nvalues;
  hsize_t              dims[3] = {(hsize_t)nt, (hsize_t)nt, (hsize_t)nv};
  PetscReal           *v;

  PetscFunctionBeginUser;
  if (!pc->per) PetscFunctionReturn(0);
  PetscCall(PetscMalloc1(nt * nt * nv, &v));
  for (PetscInt a = 0; a < nt; a++)
    for (PetscInt b = 0; b < nt; b++)
      for (PetscInt k = 0; k < nv; k++) {
        const PetscInt i = PetscMin(a, b), j = PetscMax(a, b);
        v[(a * nt + b) * nv + k] = pc->given[i][j] ? pc->value[i][j][k] : (PetscReal)NAN;
      }
  PetscCall(VitH5WriteReal(h5, name, 3, dims, v, "lj/cut: epsilon energy, sigma length, cutoff length"));
  PetscCall(VitH5WriteAttrString(h5, name, "section", pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs"));
  PetscCall(VitH5WriteAttrString(h5, name, "style", pc->style));
  PetscCall(PetscFree(v));
  PetscFunctionReturn(0);
}

/* H5MD header (/h5md version, author, creator) and the box: edges as a vector when the box is
   rectangular, else the matrix of cell rows; dimension and boundary attributes. The boundary is
   "periodic" in every dimension: a 2D sample has d = 2, and a 3D sheet is periodic along c with
   vacuum (as vitrum computes it, and as a LAMMPS data file with vacuum is), so the file reads back
   as the same sample without -sample_dimension. */
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
  if (s->has_masses) PetscCall(VitH5WriteReal(h5, VIT_TYPE_MASS_H5MD, 1, &nt, s->type_mass, "mass")); /* none known: none written */
  PetscCall(VitH5WriteReal(h5, "/parameters/vitrum/box_lo", 1, &three, s->lo, "length"));
  if (s->units[0]) {
    const char *style = s->units;
    PetscCall(VitH5WriteStrings(h5, "/parameters/vitrum/units", 1, &style));
  }
  PetscCall(VitPairCoeffsWriteH5(h5, VIT_PAIR_COEFFS_H5MD, s));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleWriteH5MD(MPI_Comm comm, const VitSample *s, const char path[])
{
  VitH5 h5;

  PetscFunctionBeginUser;
  PetscCall(VitSampleWriteH5MDOpen(comm, s, path, &h5));
  PetscCall(VitH5Close(&h5));
  PetscFunctionReturn(0);
}

PetscErrorCode VitSampleWriteH5MDOpen(MPI_Comm comm, const VitSample *s, const char path[], VitH5 *h5)
{
  PetscInt   start, n, *fid, *type;
  PetscReal *pos, *x, *mass;
  hid_t      itype = sizeof(PetscInt) == 8 ? H5T_STD_I64LE : H5T_STD_I32LE;

  PetscFunctionBeginUser;
  PetscCall(VitSampleToIdOrder(comm, s, PETSC_DECIDE, &start, &n, &fid, &type, &pos));
  PetscCall(PetscMalloc1(s->dim * n, &x));
  for (PetscInt i = 0; i < n; i++)
    for (PetscInt d = 0; d < s->dim; d++) x[s->dim * i + d] = pos[3 * i + d];
  PetscCall(VitH5Create(comm, path, h5));
  PetscCall(WriteHeader(h5, s));
  PetscCall(WriteElement(h5, "/particles/all/position", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->natoms, s->dim, start, n, x, "length"));
  PetscCall(WriteElement(h5, "/particles/all/species", IntType(), itype, s->natoms, 0, start, n, type, "1"));
  PetscCall(WriteElement(h5, "/particles/all/id", IntType(), itype, s->natoms, 0, start, n, fid, "1"));
  if (VitSampleMassesComplete(s)) { /* H5MD's own per-atom masses, for other readers; the same as type_mass */
    PetscCall(PetscMalloc1(n, &mass));
    for (PetscInt i = 0; i < n; i++) mass[i] = s->type_mass[type[i]];
    PetscCall(WriteElement(h5, VIT_ATOM_MASS_H5MD, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, s->natoms, 0, start, n, mass, "mass"));
    PetscCall(PetscFree(mass));
  }
  PetscCall(PetscFree(x));
  PetscCall(PetscFree(fid));
  PetscCall(PetscFree(type));
  PetscCall(PetscFree(pos));
  PetscFunctionReturn(0);
}
