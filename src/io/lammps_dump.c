/* LAMMPS text dump files (dump atom/custom), read on one rank. A frame is
     [ITEM: UNITS / style] [ITEM: TIME / time] (dump_modify units yes, time yes)
     ITEM: TIMESTEP / t / ITEM: NUMBER OF ATOMS / N / ITEM: BOX BOUNDS [xy xz yz] .. / 3 lines /
     ITEM: ATOMS col col ... / N lines
   ITEM: UNITS declares the file's unit style. A general triclinic box (dump_modify triclinic/general
   yes, LAMMPS >= 7 Feb 2024) is "ITEM: BOX BOUNDS abc origin .." and 3 lines "ax ay az ox",
   "bx by bz oy", "cx cy cz oz"; its Cartesian coordinates are in that box's frame and are rotated
   with it into LAMMPS's restricted form, its scaled ones are fractional as in any box.
   Columns in any order: id, type (numbers, or type labels: dump_modify types labels), element, mass,
   and x y z (wrapped), xu yu zu (unwrapped), xs ys zs
   or xsu ysu zsu (scaled = fractional), several of these styles as LAMMPS may write them (one is
   chosen per axis as read_dump does, ParseColumns); other columns (any number up to
   VIT_MAX_COLUMNS) are ignored. No z column: a 2D sample. */
#include "io_private.h"

typedef enum {COL_ID, COL_TYPE, COL_ELEMENT, COL_MASS, COL_X, COL_Y, COL_Z, NCOLKIND} ColKind;

/* What a frame's type column holds, fixed by its first atom: type numbers 1, 2, ... (LAMMPS's
   default) or type labels (dump_modify types labels, LAMMPS 2023; a label never starts with a digit). */
typedef enum {TYPES_NONE, TYPES_NUMBERS, TYPES_LABELS} TypeStyle;

typedef struct {
  VitTextFile tf;
  VitSample  *s;
  char       *errmsg;
  PetscInt    natoms;
  PetscReal   lo[3], hi[3], tilt[3];
  PetscBool   general, rotated;               /* general triclinic box; not in restricted form */
  PetscReal   A[3][3], origin[3], Ainv[3][3]; /* its edge vectors (rows) and origin */
  PetscInt    box_line[3], units_line;        /* lines of the box bounds, of the first unit style */
  int         ncol, col[NCOLKIND]; /* column index of each kind, -1 if absent */
  PetscBool   scaled;              /* xs ys zs or xsu ysu zsu */
  PetscInt    mass_line[VIT_MAX_TYPES]; /* line of the first mass of each type (mass column) */
  TypeStyle   type_style;               /* of the type column (TYPES_NONE: none, or no atom read yet) */
  PetscInt    type_style_line;          /* line of the atom that fixed it */
  char        element[VIT_MAX_TYPES][VIT_NAME_LEN]; /* element column: each type's (one per type) */
} DumpParser;

/* Next line, which must start with "ITEM: what"; returns the rest of the line. */
static char *ExpectItem(DumpParser *p, const char what[])
{
  char  *line = VitTextNextLine(&p->tf);
  size_t len  = strlen(what);

  if (!line) {
    VitTextError(&p->tf, p->errmsg, "file ends before 'ITEM: %s'", what);
    return NULL;
  }
  if (strncmp(line, "ITEM: ", 6) || strncmp(line + 6, what, len)) {
    VitTextError(&p->tf, p->errmsg, "expected 'ITEM: %s'", what);
    return NULL;
  }
  return line + 6 + len;
}

/* Whether line is the item "ITEM: what" (the name whole: TIME is not TIMESTEP). */
static PetscBool IsItem(const char *line, const char what[])
{
  const size_t len = strlen(what);

  return (PetscBool)(!strncmp(line, "ITEM: ", 6) && !strncmp(line + 6, what, len) && strchr(" \t", line[6 + len]));
}

static char *ExpectLine(DumpParser *p)
{
  char *line = VitTextNextLine(&p->tf);

  if (!line) VitTextError(&p->tf, p->errmsg, "file ends inside a frame header");
  return line;
}

/* The value line of ITEM: UNITS (the unit style the file declares, one for the whole file) or of
   ITEM: TIME (the simulation time, a number, not used). */
static void ParseUnitsOrTime(DumpParser *p, PetscBool units, char *line)
{
  char     *tok[2];
  PetscReal time;

  if (VitIOSplitTokens(line, tok, 2, NULL) != 1) VitTextError(&p->tf, p->errmsg, "ITEM: %s: expected one %s", units ? "UNITS" : "TIME", units ? "unit style" : "number");
  else if (!units && !VitIOParseReal(tok[0], &time)) VitTextError(&p->tf, p->errmsg, "ITEM: TIME: bad time (%s): expected a number", tok[0]);
  else if (units && p->s->units[0] && strcmp(tok[0], p->s->units)) VitTextError(&p->tf, p->errmsg, "ITEM: UNITS %s, but %s on line %" PetscInt_FMT ": give one unit style for the file", tok[0], p->s->units, p->units_line);
  else if (units && !p->s->units[0]) {
    VitTextDeclareUnits(&p->tf, p->errmsg, "ITEM: UNITS", tok[0], p->s);
    p->units_line = p->tf.lineno;
  }
}

/* ITEM: TIMESTEP, after the items LAMMPS may write before it (ITEM: UNITS with dump_modify units
   yes, in the first frame; ITEM: TIME with time yes, in every frame), which its read_dump skips.
   eof: the file ends cleanly before the frame. */
static PetscBool ExpectTimestep(DumpParser *p, PetscBool *eof)
{
  const PetscBool first = (PetscBool)(p->tf.lineno == 0);
  PetscBool       items = PETSC_FALSE;
  char           *line;

  while ((line = VitTextNextLine(&p->tf)) && (IsItem(line, "UNITS") || IsItem(line, "TIME"))) {
    const PetscBool units = IsItem(line, "UNITS");
    if (!(line = ExpectLine(p))) return PETSC_FALSE;
    ParseUnitsOrTime(p, units, line);
    if (p->errmsg[0]) return PETSC_FALSE;
    items = PETSC_TRUE;
  }
  *eof = (PetscBool)(!line && !items);
  if (!line && items) VitTextError(&p->tf, p->errmsg, "file ends before 'ITEM: TIMESTEP'");
  else if (line && !IsItem(line, "TIMESTEP")) VitTextError(&p->tf, p->errmsg, "expected 'ITEM: TIMESTEP'%s", first ? " (the first line of a LAMMPS text dump, or ITEM: UNITS or ITEM: TIME before it)" : " (does the previous frame have as many atom lines as its NUMBER OF ATOMS?)");
  return (PetscBool)(line && !p->errmsg[0]);
}

/* Triclinic dump bounds include the tilt extents (LAMMPS Howto triclinic):
   xlo_bound = xlo + min(0,xy,xz,xy+xz), xhi_bound = xhi + max(0,xy,xz,xy+xz),
   ylo_bound = ylo + min(0,yz), yhi_bound = yhi + max(0,yz). A general triclinic box ("abc origin")
   gives edge vector d and origin component d on line d; SetBox turns it once the dimension is known. */
static void ParseBox(DumpParser *p, const char *bounds)
{
  const PetscBool triclinic = (PetscBool)(strstr(bounds, "xy") != NULL);
  PetscReal       b[3][4]   = {{0}};
  PetscInt       *box_line  = p->box_line;
  char           *line, *tok[4];

  p->general = (PetscBool)(strstr(bounds, "abc origin") != NULL);
  for (int d = 0; d < 3 && !p->errmsg[0]; d++) {
    int n, want = p->general ? 4 : triclinic ? 3 : 2;
    if (!(line = ExpectLine(p))) return;
    n = VitIOSplitTokens(line, tok, 4, NULL);
    if (n != want) VitTextError(&p->tf, p->errmsg, "expected %d box bound numbers%s, found %d", want, p->general ? " (abc origin: ax ay az ox)" : "", n);
    for (int k = 0; k < want && k < n; k++)
      if (!VitIOParseReal(tok[k], &b[d][k])) VitTextError(&p->tf, p->errmsg, "bad box bound (%s)", tok[k]);
    p->lo[d]    = b[d][0];
    p->hi[d]    = b[d][1];
    box_line[d] = p->tf.lineno;
    PetscCallAbort(PETSC_COMM_SELF, PetscArraycpy(p->A[d], b[d], 3));
    p->origin[d] = b[d][3];
  }
  if (p->general) return;
  p->tilt[0] = b[0][2], p->tilt[1] = b[1][2], p->tilt[2] = b[2][2];
  if (triclinic) {
    const PetscReal xy = p->tilt[0], xz = p->tilt[1], yz = p->tilt[2];
    p->lo[0] -= PetscMin(PetscMin(0, xy), PetscMin(xz, xy + xz));
    p->hi[0] -= PetscMax(PetscMax(0, xy), PetscMax(xz, xy + xz));
    p->lo[1] -= PetscMin(0, yz);
    p->hi[1] -= PetscMax(0, yz);
  }
  for (int d = 0; d < 3; d++) {
    const PetscReal len = p->hi[d] - p->lo[d];
    if (!(len > 0)) VitTextErrorAt(&p->tf, box_line[d], p->errmsg, "box length %c is not positive (%g)", "xyz"[d], (double)len);
    else if (!PetscIsNormalReal(len)) VitTextErrorAt(&p->tf, box_line[d], p->errmsg, "box length %c is not a normal finite number (%g)", "xyz"[d], (double)len);
  }
  if (triclinic) VitTextCheckTilt(&p->tf, box_line, p->lo, p->hi, p->tilt, p->errmsg); /* xy on the x line, xz on y, yz on z */
}

/* The coordinate column of each axis, chosen as LAMMPS's read_dump does (reader_native.cpp):
   the plain column (x) when there is one, else the leftmost of the scaled (xs), unwrapped (xu)
   and scaled unwrapped (xsu) columns. at[st][d] is the column of style st for axis d (-1: none).
   LAMMPS writes dumps with several styles (dump custom ... x y z xs ys zs xu yu zu); they describe
   the same atoms, and the image flags (ix iy iz) do not move an atom within the box. */
static int ChooseCoordinateStyle(const int at[4][3], int d)
{
  int best = at[0][d] >= 0 ? 0 : -1;

  for (int st = 1; st < 4 && at[0][d] < 0; st++)
    if (at[st][d] >= 0 && (best < 0 || at[st][d] < at[best][d])) best = st;
  return best;
}

/* Find the columns; the chosen coordinate styles must be all scaled or all Cartesian. */
static void ParseColumns(DumpParser *p, char *rest)
{
  static const char *styles[4][3] = {{"x", "y", "z"}, {"xu", "yu", "zu"}, {"xs", "ys", "zs"}, {"xsu", "ysu", "zsu"}};
  char              *name;
  int                at[4][3], style[3] = {-1, -1, -1}, c;

  for (int k = 0; k < NCOLKIND; k++) p->col[k] = -1;
  for (int st = 0; st < 4; st++)
    for (int d = 0; d < 3; d++) at[st][d] = -1;
  for (c = 0; (name = VitIONextToken(&rest, NULL)); c++) {
    if (c == VIT_MAX_COLUMNS) {
      VitTextError(&p->tf, p->errmsg, "more than %d columns", VIT_MAX_COLUMNS);
      return;
    }
    if (!strcmp(name, "id")) p->col[COL_ID] = c;
    else if (!strcmp(name, "type")) p->col[COL_TYPE] = c;
    else if (!strcmp(name, "element")) p->col[COL_ELEMENT] = c;
    else if (!strcmp(name, "mass")) p->col[COL_MASS] = c;
    for (int st = 0; st < 4; st++)
      for (int d = 0; d < 3; d++)
        if (!strcmp(name, styles[st][d])) {
          if (at[st][d] >= 0) VitTextError(&p->tf, p->errmsg, "two '%s' columns (%d and %d)", name, at[st][d] + 1, c + 1);
          at[st][d] = c;
        }
  }
  p->ncol = c;
  for (int d = 0; d < 3; d++) {
    style[d] = ChooseCoordinateStyle(at, d);
    if (style[d] >= 0) p->col[COL_X + d] = at[style[d]][d];
  }
  p->scaled = (PetscBool)(style[0] >= 2);
  for (int d = 1; d < 3; d++)
    if (style[0] >= 0 && style[d] >= 0 && (style[d] >= 2) != p->scaled) VitTextError(&p->tf, p->errmsg, "mixed scaled and unscaled coordinates (%s for x, %s for %c, chosen as LAMMPS's read_dump does)", styles[style[0]][0], styles[style[d]][d], "xyz"[d]);
  if (p->col[COL_X] < 0 || p->col[COL_Y] < 0) VitTextError(&p->tf, p->errmsg, "no x y [z] (or xs ys zs, xu yu zu, xsu ysu zsu) columns");
  if (p->col[COL_TYPE] < 0 && p->col[COL_ELEMENT] < 0) VitTextError(&p->tf, p->errmsg, "no type or element column");
}

/* The frame's box in s, in 2D without a z column. */
static void SetBox(DumpParser *p)
{
  VitSample *s = p->s;

  s->dim = p->col[COL_Z] >= 0 ? 3 : 2;
  if (p->general) VitTextSetGeneralBox(&p->tf, p->box_line, p->A, p->origin, s, p->Ainv, &p->rotated, p->errmsg);
  else VitSampleSetCellFromBounds(s, p->lo, p->hi, p->tilt);
  if (s->dim == 2) {
    s->lo[2] = 0;
    PetscCallAbort(PETSC_COMM_SELF, PetscMemzero(s->cell[2], sizeof(s->cell[2])));
  }
}

static PetscErrorCode ReadFrameHeader(void *ctx, PetscInt *natoms, PetscBool *eof)
{
  DumpParser *p = (DumpParser *)ctx;
  char       *line, *rest, *tok[2];
  PetscInt64  count, timestep;
  PetscInt    count_line;

  PetscFunctionBeginUser;
  *natoms = 0;
  if (!ExpectTimestep(p, eof) || !(line = ExpectLine(p))) PetscFunctionReturn(0);
  if (VitIOSplitTokens(line, tok, 2, NULL) != 1 || !VitIOParseInt64(tok[0], &timestep)) {
    VitTextError(&p->tf, p->errmsg, "bad timestep '%.40s%s' (an integer)", line, strlen(line) > 40 ? "..." : "");
    PetscFunctionReturn(0);
  }
  if (!ExpectItem(p, "NUMBER OF ATOMS") || !(line = ExpectLine(p))) PetscFunctionReturn(0);
  count_line = p->tf.lineno;
  if (VitIOSplitTokens(line, tok, 2, NULL) != 1 || !VitIOParseInt64(tok[0], &count) || count <= 0) {
    VitTextError(&p->tf, p->errmsg, "bad number of atoms (a positive integer)");
    PetscFunctionReturn(0);
  }
  if (!(rest = ExpectItem(p, "BOX BOUNDS"))) PetscFunctionReturn(0);
  ParseBox(p, rest);
  if (!p->errmsg[0] && (rest = ExpectItem(p, "ATOMS"))) ParseColumns(p, rest);
  if (!p->errmsg[0]) SetBox(p);
  VitTextCheckAtomCount(&p->tf, count_line, count, p->ncol, p->errmsg);
  if (p->errmsg[0]) PetscFunctionReturn(0);
  p->natoms = (PetscInt)count;
  *natoms   = p->natoms;
  PetscFunctionReturn(0);
}

/* The type column's token: numbers and labels do not mix in a frame (LAMMPS writes labels for every
   type or for none). */
static PetscBool CheckTypeStyle(DumpParser *p, const char tok[])
{
  const TypeStyle style = (tok[0] >= '0' && tok[0] <= '9') || strchr("+-.", tok[0]) ? TYPES_NUMBERS : TYPES_LABELS;

  if (p->type_style == TYPES_NONE) p->type_style = style, p->type_style_line = p->tf.lineno;
  if (style == p->type_style) return PETSC_TRUE;
  VitTextError(&p->tf, p->errmsg, "atom type %s is a %s, that of line %" PetscInt_FMT " a %s: a type column holds type numbers or type labels, not both", tok, style == TYPES_LABELS ? "label" : "number", p->type_style_line, style == TYPES_LABELS ? "number" : "label");
  return PETSC_FALSE;
}

/* Type (0-based) of a type number, -1 after an error. */
static PetscInt NumberedType(DumpParser *p, const char tok[])
{
  PetscInt t;

  if (!VitIOParseInt(tok, &t) || t < 1) VitTextError(&p->tf, p->errmsg, "bad atom type (%s): the type column holds atom types 1, 2, ... or type labels (dump_modify types labels)", tok);
  else if (t > VIT_MAX_TYPES) VitTextError(&p->tf, p->errmsg, "atom type %s: vitrum reads at most %d atom types", tok, VIT_MAX_TYPES);
  else return t - 1;
  return -1;
}

/* Type of a species name (a type label; an element without a type column), numbered in order of
   first appearance (by name after the frame, VitSampleSortTypeNames); -1 after an error. */
static PetscInt NamedType(DumpParser *p, VitSample *s, const char name[], const char what[])
{
  for (PetscInt t = 0; t < s->ntypes; t++)
    if (!strcmp(name, s->type_name[t])) return t;
  if (!VitTextCheckName(&p->tf, p->errmsg, what, name)) return -1;
  if (s->ntypes == VIT_MAX_TYPES) {
    VitTextError(&p->tf, p->errmsg, "more than %d species (%s %s)", VIT_MAX_TYPES, what, name);
    return -1;
  }
  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(s->type_name[s->ntypes], name, VIT_NAME_LEN));
  return s->ntypes++;
}

/* Type of an atom from the type column, numbers 1.. or labels (which name the types, as the element
   column does without a type column), else from the element name. The element column gives each
   type one element, which names a numbered type. */
static void ParseSpecies(DumpParser *p, VitSample *s, char *tok[], PetscInt *type)
{
  const char *element = tok[COL_ELEMENT], *given = tok[COL_TYPE];
  PetscInt    t;

  if (element && !VitTextCheckName(&p->tf, p->errmsg, "element name", element)) return;
  if (given && !CheckTypeStyle(p, given)) return;
  if (!given) t = NamedType(p, s, element, "element name");
  else if (p->type_style == TYPES_LABELS) t = NamedType(p, s, given, "type label");
  else t = NumberedType(p, given);
  if (t < 0) return;
  s->ntypes = PetscMax(s->ntypes, t + 1);
  if (element && p->element[t][0] && strcmp(element, p->element[t])) VitTextError(&p->tf, p->errmsg, "type %s is element %s here and %s before", given, element, p->element[t]);
  if (element && !p->element[t][0]) PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(p->element[t], element, VIT_NAME_LEN));
  if (element && p->type_style == TYPES_NUMBERS && !s->type_name[t][0]) PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(s->type_name[t], element, VIT_NAME_LEN));
  *type = t;
}

static PetscErrorCode ReadAtoms(DumpParser *p, VitSample *s, VitReadInfo *info)
{
  char *line, *tok[NCOLKIND];

  PetscFunctionBeginUser;
  PetscCall(VitSampleAllocate(s, p->natoms));
  PetscCall(PetscMalloc1(p->natoms, &info->line));
  for (PetscInt i = 0; i < p->natoms && !p->errmsg[0]; i++) {
    PetscReal v[3] = {0, 0, 0}, r[3];
    if (!(line = VitTextNextLine(&p->tf))) {
      VitTextError(&p->tf, p->errmsg, "file ends after %" PetscInt_FMT " of %" PetscInt_FMT " atoms", i, p->natoms);
      break;
    }
    if (VitIOPickColumns(line, NCOLKIND, p->col, tok) != p->ncol) {
      VitTextError(&p->tf, p->errmsg, "expected %d columns", p->ncol);
      break;
    }
    s->fid[i] = i + 1;
    if (tok[COL_ID] && !(VitIOParseInt(tok[COL_ID], &s->fid[i]) && s->fid[i] >= 1)) VitTextError(&p->tf, p->errmsg, "bad atom id (%s): LAMMPS atom ids are positive integers", tok[COL_ID]);
    ParseSpecies(p, s, tok, &s->type[i]);
    if (tok[COL_MASS] && !p->errmsg[0]) VitTextReadTypeMass(&p->tf, p->errmsg, s, s->type[i], tok[COL_MASS], p->mass_line);
    for (int d = 0; d < s->dim; d++)
      if (!VitIOParseReal(tok[COL_X + d], &v[d])) VitTextError(&p->tf, p->errmsg, "bad %c coordinate (%s)", "xyz"[d], tok[COL_X + d]);
    if (p->scaled) { /* x = lo + xs a + ys b + zs c, as LAMMPS's read_dump unscales */
      PetscCall(PetscArraycpy(&s->s[3 * i], v, 3));
      VitSampleFracToCart(s, v, r);
      for (int d = 0; d < s->dim; d++) s->x[3 * i + d] = s->lo[d] + r[d];
    } else if (p->general) VitSamplePositionFromFrame(s, p->rotated, p->Ainv, v, &s->x[3 * i], &s->s[3 * i]);
    else {
      PetscCall(PetscArraycpy(&s->x[3 * i], v, 3));
      VitSampleFracOfPosition(s, v, &s->s[3 * i]);
    }
    VitTextCheckFrac(&p->tf, p->errmsg, &s->s[3 * i]);
    info->line[i] = p->tf.lineno;
  }
  PetscFunctionReturn(0);
}

/* After the frame's NUMBER OF ATOMS atom lines: the end of the file (blank lines allowed) or the
   next frame (its TIMESTEP, or the UNITS or TIME before it). More atom lines mean a wrong count,
   which would silently drop atoms. */
static void CheckFrameEnd(DumpParser *p)
{
  char *line;

  while ((line = VitTextNextLine(&p->tf)) && !line[strspn(line, " \t")]) continue;
  if (line && !IsItem(line, "TIMESTEP") && !IsItem(line, "TIME") && !IsItem(line, "UNITS")) VitTextError(&p->tf, p->errmsg, "expected 'ITEM: TIMESTEP' or the end of the file after the %" PetscInt_FMT " atom lines of this frame (is its NUMBER OF ATOMS right?)", p->natoms);
}

PetscErrorCode VitReadLammpsDump(const char path[], PetscInt64 frame, VitSample *s, VitReadInfo *info, char errmsg[])
{
  DumpParser p;
  PetscBool  eof;
  PetscInt   n;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.s      = s;
  p.errmsg = errmsg;
  PetscCall(VitTextOpen(path, &p.tf, errmsg));
  if (!errmsg[0]) PetscCall(VitTextSeekFrame(&p.tf, frame, ReadFrameHeader, &p, errmsg));
  if (!errmsg[0]) PetscCall(ReadFrameHeader(&p, &n, &eof));
  if (!errmsg[0]) {
    s->natoms = p.natoms;
    PetscCall(ReadAtoms(&p, s, info));
    if (!errmsg[0]) CheckFrameEnd(&p);
  }
  PetscCall(VitTextClose(&p.tf));
  s->has_masses = (PetscBool)(p.col[COL_MASS] >= 0);
  s->types_open = (PetscBool)(p.type_style == TYPES_NUMBERS); /* the largest type of the frame: one it lacks can be named */
  if (!errmsg[0] && p.type_style != TYPES_NUMBERS) PetscCall(VitSampleSortTypeNames(s)); /* element names or type labels */
  VitSampleDefaultNames(s);
  PetscFunctionReturn(0);
}
