/* Extended XYZ files, read on one rank. A frame is
     N
     Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3[:...] pbc="T T T" ...
     N lines of columns as Properties says (masses:R:1, as ASE writes it, is read; other extra
     columns are ignored)
   A general lattice is rotated into the LAMMPS upper-triangular form; fractional coordinates
   s = x A^-1 do not change under the rotation. pbc z = F or a zero third vector: a 2D sample
   (pbc z = F with -sample_dimension 3: a 3D sheet, periodic along c); pbc F in x or y is refused.
   Values as ASE reads them: quoted or bracketed, items split at spaces or commas, logical values
   T/F, True/False or 1/0 (pbc="1 1 1", pbc=[T, T, T]).
   Atom lines may have any number of columns (up to VIT_MAX_COLUMNS); only the used ones are kept. */
#include "io_private.h"
#include <strings.h>

enum {PICK_SPECIES, PICK_X, PICK_Y, PICK_Z, PICK_MASS, NPICK}; /* the columns read from an atom line (mass: optional) */

typedef struct {
  VitTextFile tf;
  char       *errmsg;
  PetscInt    natoms;
  PetscReal   A[3][3];     /* lattice rows as in the file */
  PetscBool   has_lattice, pbc[3];
  char        pbc_read[64]; /* the pbc value as read ("F F T"), for the error that refuses it */
  PetscBool   rotated;     /* the lattice is not in LAMMPS form: positions are turned with it */
  int         ncol, col[NPICK]; /* number of columns, column of each picked value (-1: absent) */
  PetscInt    mass_line[VIT_MAX_TYPES]; /* line of the first mass of each species (masses column) */
} XyzParser;

/* Next key=value pair of the comment line; false at the end. A value may be delimited as ASE's
   reader allows: "...", '...', [...], {...} or (...) (the delimiters are dropped). */
static PetscBool NextPair(char **cursor, char **key, char **value)
{
  static const char open[] = "\"'[{(", close[] = "\"']})";
  char             *p      = *cursor, *delim;

  while (*p == ' ' || *p == '\t') p++;
  if (!*p) return PETSC_FALSE;
  *key = p;
  while (*p && *p != '=' && *p != ' ' && *p != '\t') p++;
  *value = p; /* empty value for a bare key */
  if (*p == '=') {
    *p++ = 0;
    if (*p && (delim = strchr(open, *p))) {
      const char end = close[delim - open];
      *value         = ++p;
      while (*p && *p != end) p++;
    } else {
      *value = p;
      while (*p && *p != ' ' && *p != '\t') p++;
    }
  }
  if (*p) *p++ = 0;
  *cursor = p;
  return PETSC_TRUE;
}

/* The items of a list value, separated by white space or commas ("T T T", [T, T, T]). */
static int SplitList(char *value, char *tok[], int max)
{
  for (char *c = value; *c; c++)
    if (*c == ',') *c = ' ';
  return VitIOSplitTokens(value, tok, max, NULL);
}

static void ParseLattice(XyzParser *p, char *value)
{
  char *tok[9];

  if (SplitList(value, tok, 9) != 9) {
    VitTextError(&p->tf, p->errmsg, "Lattice needs 9 numbers");
    return;
  }
  for (int k = 0; k < 9; k++)
    if (!VitIOParseReal(tok[k], &p->A[k / 3][k % 3])) VitTextError(&p->tf, p->errmsg, "bad Lattice number (%s)", tok[k]);
  p->has_lattice = PETSC_TRUE;
}

/* A logical value as ASE reads one: T, True, F, False (any case), or the integers 1 and 0. */
static PetscBool ParseLogical(const char tok[], PetscBool *value)
{
  *value = (PetscBool)(!strcasecmp(tok, "T") || !strcasecmp(tok, "true") || !strcmp(tok, "1"));
  return (PetscBool)(*value || !strcasecmp(tok, "F") || !strcasecmp(tok, "false") || !strcmp(tok, "0"));
}

/* pbc="T T T", pbc="1 1 1", pbc=[T, T, T], ... */
static void ParsePbc(XyzParser *p, char *value)
{
  char *tok[3];

  if (SplitList(value, tok, 3) != 3) {
    VitTextError(&p->tf, p->errmsg, "pbc needs 3 logical values (T or F each, e.g. pbc=\"T T T\")");
    return;
  }
  for (int d = 0; d < 3; d++)
    if (!ParseLogical(tok[d], &p->pbc[d])) VitTextError(&p->tf, p->errmsg, "pbc value '%.20s' is not a logical value: give T or F (also True/False, 1/0), e.g. pbc=\"T T T\"", tok[d]);
  snprintf(p->pbc_read, sizeof(p->pbc_read), "%.20s %.20s %.20s", tok[0], tok[1], tok[2]);
}

/* Properties=name:type:count:...: find the columns of species (S:1), pos (R:3) and masses (R:1). */
static void ParseProperties(XyzParser *p, char *value)
{
  char      *save = NULL, *name, *type, *count;
  int        col  = 0;
  PetscInt64 n;

  p->col[PICK_SPECIES] = p->col[PICK_X] = p->col[PICK_MASS] = -1;
  for (name = strtok_r(value, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
    type  = strtok_r(NULL, ":", &save);
    count = strtok_r(NULL, ":", &save);
    if (!type || !count) {
      VitTextError(&p->tf, p->errmsg, "bad Properties (expected name:type:count triples)");
      return;
    }
    if (!VitIOParseInt64(count, &n) || n < 1 || n > VIT_MAX_COLUMNS - col) {
      VitTextError(&p->tf, p->errmsg, "bad Properties count %s:%s:%s (a positive integer; at most %d columns in all)", name, type, count, VIT_MAX_COLUMNS);
      return;
    }
    if (!strcmp(name, "species") && !strcmp(type, "S") && n == 1) p->col[PICK_SPECIES] = col;
    if (!strcmp(name, "pos") && !strcmp(type, "R") && n == 3) p->col[PICK_X] = col;
    if (!strcmp(name, "masses") && !strcmp(type, "R") && n == 1) p->col[PICK_MASS] = col;
    col += (int)n;
  }
  p->ncol = col;
  if (p->col[PICK_SPECIES] < 0 || p->col[PICK_X] < 0) VitTextError(&p->tf, p->errmsg, "Properties has no species:S:1 or no pos:R:3");
  p->col[PICK_Y] = p->col[PICK_X] + 1;
  p->col[PICK_Z] = p->col[PICK_X] + 2;
}

static PetscErrorCode ReadFrameHeader(void *ctx, PetscInt *natoms, PetscBool *eof)
{
  XyzParser *p = (XyzParser *)ctx;
  char      *line, *tok[2], *key, *value;
  char       defaults[] = "species:S:1:pos:R:3";
  PetscInt64 count;
  PetscInt   count_line;

  PetscFunctionBeginUser;
  *natoms = 0;
  *eof    = PETSC_FALSE;
  if (!(line = VitTextNextLine(&p->tf))) {
    *eof = PETSC_TRUE;
    PetscFunctionReturn(0);
  }
  count_line = p->tf.lineno;
  if (VitIOSplitTokens(line, tok, 2, NULL) != 1 || !VitIOParseInt64(tok[0], &count) || count <= 0) {
    VitTextError(&p->tf, p->errmsg, "expected the number of atoms (a positive integer)");
    PetscFunctionReturn(0);
  }
  if (!(line = VitTextNextLine(&p->tf))) {
    VitTextError(&p->tf, p->errmsg, "file ends before the comment line");
    PetscFunctionReturn(0);
  }
  p->has_lattice = PETSC_FALSE;
  p->pbc[0] = p->pbc[1] = p->pbc[2] = PETSC_TRUE;
  ParseProperties(p, defaults);
  while (!p->errmsg[0] && NextPair(&line, &key, &value)) {
    if (!strcasecmp(key, "Lattice")) ParseLattice(p, value);
    else if (!strcasecmp(key, "pbc")) ParsePbc(p, value);
    else if (!strcasecmp(key, "Properties")) ParseProperties(p, value);
  }
  if (!p->errmsg[0] && !p->has_lattice) VitTextError(&p->tf, p->errmsg, "no Lattice=\"...\" (a periodic box is needed)");
  if (!p->errmsg[0] && !(p->pbc[0] && p->pbc[1])) VitTextError(&p->tf, p->errmsg, "pbc=\"%s\": vitrum reads samples periodic in x and y: give pbc=\"T T T\", or \"T T F\" for a 2D sample or a sheet", p->pbc_read);
  VitTextCheckAtomCount(&p->tf, count_line, count, p->ncol, p->errmsg);
  if (p->errmsg[0]) PetscFunctionReturn(0);
  p->natoms = (PetscInt)count;
  *natoms   = p->natoms;
  PetscFunctionReturn(0);
}

/* Species index of a name, adding it when new. */
static PetscInt SpeciesIndex(XyzParser *p, VitSample *s, const char name[])
{
  if (!VitTextCheckName(&p->tf, p->errmsg, "species name", name)) return 0;
  for (PetscInt t = 0; t < s->ntypes; t++)
    if (!strcmp(name, s->type_name[t])) return t;
  if (s->ntypes == VIT_MAX_TYPES) {
    VitTextError(&p->tf, p->errmsg, "more than %d species (%s)", VIT_MAX_TYPES, name);
    return 0;
  }
  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(s->type_name[s->ntypes], name, VIT_NAME_LEN));
  return s->ntypes++;
}

/* The whole lattice vectors to take off a tilt t along a length len: none within LAMMPS's limit
   |t| <= len/2 (inclusive, as the data reader's check: a tilt of exactly len/2, which round() takes
   to 1, stays), else round(t/len). */
static PetscReal TiltShift(PetscReal t, PetscReal len)
{
  return PetscAbsReal(t / len) > 0.5 ? round(t / len) : 0;
}

/* The same periodic lattice with LAMMPS's tilt limits |xy|, |xz| <= lx/2, |yz| <= ly/2 (which
   the data and dump readers require and the domain code assumes): c -= round(yz/ly) b, then
   c -= round(xz/lx) a, b -= round(xy/lx) a, each only where the tilt is beyond its limit (a lattice
   within them, at them included, is kept bit for bit). A skewed but valid cell (ASE, another code)
   is a choice of basis, not an error; adding whole lattice vectors keeps a and the a-b plane, so
   the LAMMPS frame and the atoms' Cartesian positions do not change. */
static void ReduceTilt(XyzParser *p, VitSample *s, PetscReal Ainv[3][3])
{
  PetscReal k[3];

  k[0] = s->dim == 3 ? TiltShift(s->cell[2][1], s->cell[1][1]) : 0; /* c -= k0 b */
  k[1] = s->dim == 3 ? TiltShift(s->cell[2][0] - k[0] * s->cell[1][0], s->cell[0][0]) : 0; /* c -= k1 a */
  k[2] = TiltShift(s->cell[1][0], s->cell[0][0]); /* b -= k2 a */
  if (k[0] == 0 && k[1] == 0 && k[2] == 0) return;
  for (int j = 0; j < 3; j++) {
    p->A[2][j] -= k[0] * p->A[1][j] + k[1] * p->A[0][j];
    p->A[1][j] -= k[2] * p->A[0][j];
  }
  if (!VitSampleSetCellFromRows(s, p->A, Ainv, &p->rotated)) VitTextError(&p->tf, p->errmsg, "Lattice is degenerate after reducing its tilt");
}

/* 2D when pbc z = F or the third lattice vector is zero: a and b must lie in the xy plane
   and all atoms at one z. -sample_dimension 3 (request) makes pbc z = F a 3D sheet, as a LAMMPS
   data file with vacuum is: periodic along the lattice's c, whose vacuum keeps the images apart. */
static void SetBox(XyzParser *p, VitSample *s, PetscInt request, PetscReal Ainv[3][3])
{
  const PetscReal *c    = p->A[2];
  const PetscBool  no_c = (PetscBool)(c[0] == 0 && c[1] == 0 && c[2] == 0);

  if (request == 3 && no_c) VitTextError(&p->tf, p->errmsg, "-sample_dimension 3 needs a third lattice vector (Lattice's last three numbers are 0)");
  s->dim = ((!p->pbc[2] && request != 3) || no_c) ? 2 : 3;
  if (s->dim == 2 && (p->A[0][2] != 0 || p->A[1][2] != 0)) VitTextError(&p->tf, p->errmsg, "2D sample (pbc z = F) with lattice vectors out of the xy plane");
  else if (!VitSampleSetCellFromRows(s, p->A, Ainv, &p->rotated)) {
    char problem[256];
    VitCellRowsProblem(s->dim, p->A, problem, sizeof(problem));
    VitTextError(&p->tf, p->errmsg, "Lattice vectors are %s", problem);
  }
  for (int d = 0; d < s->dim; d++)
    if (!PetscIsNormalReal(s->cell[d][d])) VitTextError(&p->tf, p->errmsg, "Lattice: box length %c is not a normal finite number (%g)", "xyz"[d], (double)s->cell[d][d]);
  if (!p->errmsg[0]) ReduceTilt(p, s, Ainv);
}

static PetscErrorCode ReadAtoms(XyzParser *p, VitSample *s, VitReadInfo *info)
{
  PetscReal Ainv[3][3], x[3], z0 = 0;
  char     *line, *tok[NPICK];

  PetscFunctionBeginUser;
  SetBox(p, s, info->dim_request, Ainv);
  if (p->errmsg[0]) PetscFunctionReturn(0);
  s->natoms = p->natoms;
  PetscCall(VitSampleAllocate(s, p->natoms));
  PetscCall(PetscMalloc1(p->natoms, &info->line));
  for (PetscInt i = 0; i < p->natoms && !p->errmsg[0]; i++) {
    if (!(line = VitTextNextLine(&p->tf))) {
      VitTextError(&p->tf, p->errmsg, "file ends after %" PetscInt_FMT " of %" PetscInt_FMT " atoms", i, p->natoms);
      break;
    }
    if (VitIOPickColumns(line, NPICK, p->col, tok) < p->ncol) {
      VitTextError(&p->tf, p->errmsg, "expected %d columns (Properties)", p->ncol);
      break;
    }
    s->fid[i]  = i + 1;
    s->type[i] = SpeciesIndex(p, s, tok[PICK_SPECIES]);
    for (int d = 0; d < 3; d++)
      if (!VitIOParseReal(tok[PICK_X + d], &x[d])) VitTextError(&p->tf, p->errmsg, "bad %c coordinate (%s)", "xyz"[d], tok[PICK_X + d]);
    if (!i) z0 = x[2];
    if (s->dim == 2 && x[2] != z0) VitTextError(&p->tf, p->errmsg, "2D sample (pbc z = F) with atoms at different z (%g, %g): give -sample_dimension 3 for a 3D sheet, periodic along the lattice's c", (double)z0, (double)x[2]);
    VitSamplePositionFromFrame(s, p->rotated, Ainv, x, &s->x[3 * i], &s->s[3 * i]);
    VitTextCheckFrac(&p->tf, p->errmsg, &s->s[3 * i]);
    if (p->col[PICK_MASS] >= 0 && !p->errmsg[0]) VitTextReadTypeMass(&p->tf, p->errmsg, s, s->type[i], tok[PICK_MASS], p->mass_line);
    info->line[i] = p->tf.lineno;
  }
  s->has_masses = (PetscBool)(p->col[PICK_MASS] >= 0);
  PetscFunctionReturn(0);
}

PetscErrorCode VitReadExtxyz(const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info, char errmsg[])
{
  XyzParser p;
  PetscBool eof;
  PetscInt  n;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.errmsg = errmsg;
  PetscCall(VitTextOpen(path, &p.tf, errmsg));
  if (!errmsg[0]) PetscCall(VitTextSeekFrame(&p.tf, frame, ReadFrameHeader, &p, errmsg));
  if (!errmsg[0]) PetscCall(ReadFrameHeader(&p, &n, &eof));
  if (!errmsg[0]) PetscCall(ReadAtoms(&p, s, info));
  PetscCall(VitTextClose(&p.tf));
  PetscCall(VitSampleSortTypeNames(s));
  PetscFunctionReturn(0);
}
