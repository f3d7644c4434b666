/* Internal helpers shared by the sample readers and writers of src/io/ (not a public header). */
#ifndef VITRUM_IO_PRIVATE_H
#define VITRUM_IO_PRIVATE_H

#include <vitrum/sample.h>
#include <stdio.h>

#define VIT_ERRLEN 1024 /* length of a user-error message */
/* At most this many atoms per sample: 3 N coordinates must fit a 32-bit PetscInt. */
#define VIT_MAX_ATOMS (PETSC_MAX_INT / 3)
/* At most this many columns in a text frame (extended XYZ Properties, dump ATOMS). */
#define VIT_MAX_COLUMNS 1000000
/* Positions farther than this many box lengths from the box are refused: wrapping them into
   the box would keep fewer than ~10 significant digits (a double has ~16). */
#define VIT_MAX_BOX_LENGTHS 1e6

/* What a reader produced before the common finishing steps (VitSampleFinishRead). */
typedef struct {
  PetscInt  dim_request; /* 0 = detect, 2 or 3 = forced (-sample_dimension) */
  PetscInt *line;        /* rank 0, text readers: file line of each local atom (NULL otherwise) */
} VitReadInfo;

/* A text file read line by line on one rank, counting lines for error messages. */
typedef struct {
  FILE       *fp;
  const char *path;
  PetscInt    lineno; /* number of the line last returned (1-based) */
  char       *buf;
  size_t      cap;
} VitTextFile;

/* Whether a path names a gzip-compressed file (ends in .gz). */
PetscBool VitTextIsGzip(const char path[]);
/* Open a text file (decompressed on the fly when it ends in .gz); on failure errmsg gets
   "PATH: cannot open (reason)". */
PetscErrorCode VitTextOpen(const char path[], VitTextFile *tf, char errmsg[]);
PetscErrorCode VitTextClose(VitTextFile *tf);
/* Next line without its end-of-line characters, or NULL at end of file. */
char *VitTextNextLine(VitTextFile *tf);
/* Next white-space separated token of *cursor, ended in place; NULL at the end of the line or
   at '#' (then *comment, when comment is not NULL, gets the text after it). */
char *VitIONextToken(char **cursor, char **comment);
/* Split line in place at white space, stopping at '#' (the comment is returned in *comment when
   comment is not NULL); returns the number of tokens (only the first max are stored). */
int VitIOSplitTokens(char *line, char *tok[], int max, char **comment);
/* Split line in place like VitIOSplitTokens but keep only the columns asked for: tok[k] = the
   token of column col[k] (0-based), NULL when col[k] < 0 or the line has fewer columns.
   Returns the number of columns of the line, so lines may have any number of columns. */
int VitIOPickColumns(char *line, int npick, const int col[], char *tok[]);
/* errmsg = "PATH:LINE: " + the formatted text (unless errmsg already holds an error). */
void VitTextError(const VitTextFile *tf, char errmsg[], const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(3, 4);
/* The same for a given line (0: no line number). */
void VitTextErrorAt(const VitTextFile *tf, PetscInt line, char errmsg[], const char fmt[], ...) PETSC_ATTRIBUTE_FORMAT(4, 5);
/* Check an atom count read on line `line` (count > 0 already): the rest of the file from the
   current position must hold count lines of at least ncol columns, and vitrum must be able to
   hold count atoms (VIT_MAX_ATOMS). Checked before anything is allocated. */
void VitTextCheckAtomCount(const VitTextFile *tf, PetscInt line, PetscInt64 count, int ncol, char errmsg[]);
/* Tilt factors xy, xz, yz (read on line[k]) within LAMMPS's limits |xy|, |xz| <= lx/2,
   |yz| <= ly/2 for the box lo..hi, else errmsg. */
void VitTextCheckTilt(const VitTextFile *tf, const PetscInt line[3], const PetscReal lo[3], const PetscReal hi[3], const PetscReal tilt[3], char errmsg[]);
/* A general triclinic box (LAMMPS >= 7 Feb 2024: read_data's "avec", "bvec", "cvec" and "abc origin"
   lines, a dump's "BOX BOUNDS abc origin"): edge vectors A (rows, read on line[0..2]) and origin,
   turned into LAMMPS's restricted form as read_data does (VitSampleSetCellFromRows): s->lo = origin,
   s->cell; Ainv and rotated for VitSamplePositionFromFrame (positions in the file's frame). s->dim
   must be set (2: A and B in the xy plane, C unused). errmsg for a left-handed or degenerate set
   and for tilts of the restricted box beyond LAMMPS's limits (VitTextCheckTilt). */
void VitTextSetGeneralBox(const VitTextFile *tf, const PetscInt line[3], const PetscReal A[3][3], const PetscReal origin[3], VitSample *s, PetscReal Ainv[3][3], PetscBool *rotated, char errmsg[]);
/* The unit style a file declares (a data file's title "units = STYLE", a dump's ITEM: UNITS, what
   names it): one of LAMMPS's lj, metal and real (those vitrum knows) goes to s->units, another is
   errmsg at the current line. */
void VitTextDeclareUnits(const VitTextFile *tf, char errmsg[], const char what[], const char style[], VitSample *s);
/* A species name of at most VIT_NAME_LEN - 1 characters, else errmsg (a longer name would be
   cut, and two names could become one). */
PetscBool VitTextCheckName(const VitTextFile *tf, char errmsg[], const char what[], const char name[]);
/* A per-atom mass column (extended XYZ masses:R:1, dump `mass`) of an atom of type t: the first
   atom of a type sets its mass (mass_line[t] = its line, 0 before); another mass for that type is
   an error (vitrum, like LAMMPS's per-type masses, gives each species one mass). */
void VitTextReadTypeMass(const VitTextFile *tf, char errmsg[], VitSample *s, PetscInt t, const char tok[], PetscInt mass_line[]);
/* Fractional coordinates within VIT_MAX_BOX_LENGTHS of the box, else errmsg. */
void VitTextCheckFrac(const VitTextFile *tf, char errmsg[], const PetscReal frac[3]);
PetscBool VitFracIsNear(const PetscReal frac[3]);
/* Frames (LAMMPS dump, extended XYZ): a format's header function reads one frame header at
   the current line, giving the number of atom lines after it, or eof = true at a clean end of
   file before a header; it reports errors through the errmsg it knows from ctx. */
typedef PetscErrorCode (*VitFrameHeaderFn)(void *ctx, PetscInt *natoms, PetscBool *eof);
/* Position tf at the header of frame (0-based, negative = last), scanning headers and skipping
   atom lines; errmsg for frames out of range, truncated frames or a file without frames. */
PetscErrorCode VitTextSeekFrame(VitTextFile *tf, PetscInt64 frame, VitFrameHeaderFn header, void *ctx, char errmsg[]);
/* "1 frame (0, or -1 for the last)" or "N frames (0..N-1, or -1 for the last)": the frames a file
   has, for the -frame out-of-range messages. */
void VitFrameCountText(PetscInt64 nframes, char buf[], size_t len);
/* Strict number parsing: the whole token must be a finite number (an integer in range). */
PetscBool VitIOParseReal(const char tok[], PetscReal *value);
PetscBool VitIOParseInt(const char tok[], PetscInt *value);
/* A mass: a finite positive number that is not subnormal (a subnormal mass overflows the
   inverse square roots of the dynamical matrix). */
PetscBool VitIOParseMass(const char tok[], PetscReal *value);
#define VIT_MASS_EXPECTED "a mass is a positive number, finite and not subnormal"
PetscBool VitIOParseInt64(const char tok[], PetscInt64 *value);

/* Readers, called on every rank of comm; text readers do the work on rank 0 and report user
   errors in errmsg (rank 0 only); VitSampleFinishRead raises them collectively. */
PetscErrorCode VitReadLammpsData(const char path[], VitSample *s, VitReadInfo *info, char errmsg[]);
PetscErrorCode VitReadLammpsDump(const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info, char errmsg[]);
PetscErrorCode VitReadExtxyz(const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info, char errmsg[]);
PetscErrorCode VitReadH5MD(MPI_Comm comm, const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info);

/* Set the box from three cell rows A (any orientation, right-handed) as the LAMMPS
   upper-triangular form (the same lattice rotated); Ainv gets the inverse of A so that
   fractional coordinates are s = x Ainv (x a row vector relative to the origin). In 2D only
   the upper-left 2x2 block of A is used. rotated = false when A is already in that form (the cell
   is A, bit for bit, and positions need no rotation). Returns PETSC_FALSE for a degenerate or
   left-handed cell. */
PetscBool VitSampleSetCellFromRows(VitSample *s, const PetscReal A[3][3], PetscReal Ainv[3][3], PetscBool *rotated);
/* (A x B) . C of the cell rows A, B, C: the volume, negative for a left-handed set. */
PetscReal VitCellDeterminant(const PetscReal A[3][3]);
/* Why VitSampleSetCellFromRows refused the rows A (dim 2 or 3), for a message after "are":
   "left-handed (a . (b x c) = -4.9e+03 < 0): give ..." or "degenerate (...)". */
void VitCellRowsProblem(PetscInt dim, const PetscReal A[3][3], char buf[], size_t len);
/* Cell rows from LAMMPS box bounds lo/hi and tilts (xy, xz, yz). */
void VitSampleSetCellFromBounds(VitSample *s, const PetscReal lo[3], const PetscReal hi[3], const PetscReal tilt[3]);
/* Row vector x times the 3x3 matrix M. */
void VitRowTimesMatrix(const PetscReal x[3], const PetscReal M[3][3], PetscReal y[3]);

/* Fractional coordinates (unwrapped) of the Cartesian position x (lo included). */
void VitSampleFracOfPosition(const VitSample *s, const PetscReal x[3], PetscReal frac[3]);
/* The position of a file's atom in the LAMMPS frame: xf itself when the file's cell rows were
   already in LAMMPS form (rotated false), else lo + frac cell with frac = (xf - lo) Ainv (the
   rotation VitSampleSetCellFromRows found). frac gets the unwrapped fractional coordinates. */
void VitSamplePositionFromFrame(const VitSample *s, PetscBool rotated, const PetscReal Ainv[3][3], const PetscReal xf[3], PetscReal x[3], PetscReal frac[3]);

/* Common end of every read (the reader has set x, Cartesian in the LAMMPS frame): raise rank 0's
   errmsg on all ranks, broadcast the header (box, species) from rank 0 when bcast_header, set s
   from x and wrap both into the box (VitSampleWrapPosition), decide the dimension, assign
   gid = rank of fid in increasing order, and reject duplicate ids. */
PetscErrorCode VitSampleFinishRead(MPI_Comm comm, VitSample *s, VitReadInfo *info, PetscBool bcast_header, const char errmsg[]);

/* Renumber species in alphabetical order of their (distinct) names. */
PetscErrorCode VitSampleSortTypeNames(VitSample *s);
/* Default species names "1", "2", ... for types that have none. */
void VitSampleDefaultNames(VitSample *s);

/* Gather (atoms sit anywhere, with gid set) the file ids, types and positions x (3 per atom) into
   global id order: on return every rank holds the rows of a contiguous block of ids,
   [*start, *start + *n), where the block sizes are given by nblock (PETSC_DECIDE = even split;
   rank 0 only: pass natoms on rank 0 and 0 elsewhere). fid, type, x may be NULL. Caller frees the
   outputs. */
PetscErrorCode VitSampleToIdOrder(MPI_Comm comm, const VitSample *s, PetscInt nblock, PetscInt *start, PetscInt *n, PetscInt **fid, PetscInt **type, PetscReal **x);

#endif
