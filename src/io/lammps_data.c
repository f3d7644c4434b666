/* LAMMPS data files (atom_style atomic), read on one rank.
   Title (first line): the unit style, when LAMMPS wrote it (write_data since 2022: "LAMMPS data
   file via write_data, version ..., timestep = ..., units = metal").
   Header: "N atoms", "M atom types", and the box: "xlo xhi", "ylo yhi", "zlo zhi", "xy xz yz", or a
   general triclinic box (LAMMPS >= 7 Feb 2024, write_data ... triclinic/general): "ax ay az avec",
   "bx by bz bvec", "cx cy cz cvec", "ox oy oz abc origin", whose Atoms are in that box's frame and
   are rotated with it into LAMMPS's restricted form as read_data does (other header lines are
   ignored). Sections: Masses ("t m # name", t a type number or label), Atom Type Labels ("t name"),
   Atoms ("id type x y z [ix iy iz]" for atom_style atomic; the columns of charge, bond, angle,
   molecular and full are recognised from the section comment, or without one from the columns
   where they fit one style alone, and only id, type and position are read), Pair Coeffs ("t c1 c2 ...") and PairIJ Coeffs
   ("i j c1 c2 ...", types by number or label) with their style comment, kept for the potential; the other sections LAMMPS
   knows are skipped, and unknown ones refused as LAMMPS does. */
#include "io_private.h"

#define MAXTOK 16

typedef enum {SEC_ATOMS, SEC_MASSES, SEC_LABELS, SEC_PAIR, SEC_PAIRIJ, SEC_OTHER, SEC_UNKNOWN} SectionKind;

/* Atom styles whose Atoms lines vitrum reads: the columns of the type and of x (id is column 0). */
static const struct {
  const char *name, *columns;
  int         type, x;
} atom_styles[] = {
  {"atomic",    "id type x y z",        1, 2},
  {"charge",    "id type q x y z",      1, 3},
  {"bond",      "id mol type x y z",    2, 3},
  {"angle",     "id mol type x y z",    2, 3},
  {"molecular", "id mol type x y z",    2, 3},
  {"full",      "id mol type q x y z",  2, 4},
};

typedef struct {
  VitTextFile tf;
  VitSample  *s;
  VitReadInfo *info;
  char       *errmsg;
  PetscInt    natoms, natoms_read;
  PetscBool   have_natoms, have_ntypes, have_atoms;
  PetscReal   lo[3], hi[3], tilt[3];
  PetscInt    box_line[3], tilt_line, section_line;
  PetscReal   A[3][3], origin[3], Ainv[3][3]; /* general triclinic box: edge vectors (rows), origin */
  PetscInt    general_line[4];                /* lines of avec, bvec, cvec, abc origin (0: none) */
  PetscBool   rotated;                        /* general box not in restricted form: atoms are rotated */
  PetscInt    masses_line, mass_line[VIT_MAX_TYPES]; /* line of the Masses header, of each type's mass (0: none) */
  PetscInt    label_line[VIT_MAX_TYPES]; /* line of each type's Atom Type Label (0: none) */
  int         style; /* index in atom_styles (the Atoms comment; without one, from the columns: GuessAtomStyle) */
  PetscBool   style_given; /* the Atoms header names the style */
  char       *line; /* current line (the next section header after a section body) */
} DataParser;

static PetscBool IsBlank(const char *line)
{
  for (; *line && *line != '#'; line++)
    if (*line != ' ' && *line != '\t') return PETSC_FALSE;
  return PETSC_TRUE;
}

/* Header lines start with a number. */
static PetscBool StartsWithNumber(const char *line)
{
  while (*line == ' ' || *line == '\t') line++;
  return (PetscBool)((*line >= '0' && *line <= '9') || *line == '-' || *line == '+' || *line == '.');
}

/* Whether one of the line's tokens (before a comment) is a number; the line is not changed. */
static PetscBool HasNumberToken(const char *line)
{
  char      tok[64];
  PetscReal value;

  for (const char *c = line; *c && *c != '#';) {
    size_t len;
    c += strspn(c, " \t");
    len = strcspn(c, " \t#");
    if (len && len < sizeof(tok)) {
      memcpy(tok, c, len);
      tok[len] = 0;
      if (VitIOParseReal(tok, &value)) return PETSC_TRUE;
    }
    c += len;
  }
  return PETSC_FALSE;
}

/* Section bodies are the lines that hold a number: they start with one (a type or an atom id) or,
   since LAMMPS 2022, with type labels (`Cu 63.546` in Masses, `Cu Zr 0.5 0.9` in PairIJ Coeffs,
   as the mass and pair_coeff commands take labels). No section header holds a number. */
static PetscBool IsDataLine(const char *line)
{
  return (PetscBool)(StartsWithNumber(line) || HasNumberToken(line));
}

/* Type from an integer 1..ntypes or a type label. */
static PetscBool ParseType(const VitSample *s, const char tok[], PetscInt *type)
{
  PetscInt t;

  if (VitIOParseInt(tok, &t)) {
    *type = t - 1;
    return (PetscBool)(t >= 1 && t <= s->ntypes);
  }
  for (t = 0; t < s->ntypes; t++)
    if (!strcmp(tok, s->type_name[t])) {
      *type = t;
      return PETSC_TRUE;
    }
  return PETSC_FALSE;
}

/* An atom type that is neither a type number of the header nor a type label of the file: one
   line naming it and the labels the file gives (Atom Type Labels, Masses comments). */
static void TypeError(DataParser *p, const char section[], const char tok[])
{
  const VitSample *s = p->s;
  char             known[VIT_MAX_TYPES * (VIT_NAME_LEN + 2)] = "";
  PetscInt         t;

  if (VitIOParseInt(tok, &t)) {
    VitTextError(&p->tf, p->errmsg, "%s: unknown atom type (%s; the header has %" PetscInt_FMT " types)", section, tok, s->ntypes);
    return;
  }
  for (t = 0; t < s->ntypes; t++) {
    if (!s->type_name[t][0]) continue;
    if (known[0]) PetscCallAbort(PETSC_COMM_SELF, PetscStrlcat(known, ", ", sizeof(known)));
    PetscCallAbort(PETSC_COMM_SELF, PetscStrlcat(known, s->type_name[t], sizeof(known)));
  }
  if (known[0]) VitTextError(&p->tf, p->errmsg, "%s: unknown atom type (%s; the file's type labels are %s): give a label of its Atom Type Labels or a type number 1..%" PetscInt_FMT, section, tok, known, s->ntypes);
  else VitTextError(&p->tf, p->errmsg, "%s: unknown atom type (%s; the file has no type labels before this line): give a type number 1..%" PetscInt_FMT ", or an Atom Type Labels section before this one", section, tok, s->ntypes);
}

/* hi - lo must be a positive, normal (not subnormal) finite number. */
static void CheckBoxLength(DataParser *p, int d, const char *const bound[2])
{
  const PetscReal len = p->hi[d] - p->lo[d];

  if (!(len > 0)) VitTextError(&p->tf, p->errmsg, "box length %s - %s is not positive (%g)", bound[1], bound[0], (double)len);
  else if (!PetscIsNormalReal(len)) VitTextError(&p->tf, p->errmsg, "box length %s - %s is not a normal finite number (%g)", bound[1], bound[0], (double)len);
}

/* The keywords of the box lines: LAMMPS's restricted box, and a general triclinic one. */
static const char *const restricted_key[4] = {"xlo xhi", "ylo yhi", "zlo zhi", "xy xz yz"};
static const char *const general_key[4]    = {"avec", "bvec", "cvec", "abc origin"};

/* A general triclinic box line "ax ay az avec", "bx by bz bvec", "cx cy cz cvec" or
   "ox oy oz abc origin"; false for another line. */
static PetscBool ParseGeneralBoxLine(DataParser *p, char *tok[], int n)
{
  PetscReal *v;
  int        k;

  if (n == 5 && !strcmp(tok[3], "abc") && !strcmp(tok[4], "origin")) k = 3;
  else {
    for (k = 0; k < 3; k++)
      if (n == 4 && !strcmp(tok[3], general_key[k])) break;
    if (k == 3) return PETSC_FALSE;
  }
  v = k < 3 ? p->A[k] : p->origin;
  for (int j = 0; j < 3; j++)
    if (!VitIOParseReal(tok[j], &v[j])) VitTextError(&p->tf, p->errmsg, "bad %s component %c (%s)", general_key[k], "xyz"[j], tok[j]);
  p->general_line[k] = p->tf.lineno;
  return PETSC_TRUE;
}

static void ParseHeaderLine(DataParser *p, char *tok[], int n)
{
  static const char *bounds[3][2] = {{"xlo", "xhi"}, {"ylo", "yhi"}, {"zlo", "zhi"}};
  PetscInt64         count;

  if (n == 2 && !strcmp(tok[1], "atoms")) {
    if (!VitIOParseInt64(tok[0], &count) || count <= 0) VitTextError(&p->tf, p->errmsg, "bad number of atoms (%s): expected a positive integer", tok[0]);
    else VitTextCheckAtomCount(&p->tf, p->tf.lineno, count, 5, p->errmsg);
    if (p->errmsg[0]) return;
    p->natoms      = (PetscInt)count;
    p->have_natoms = PETSC_TRUE;
  } else if (n == 3 && !strcmp(tok[1], "atom") && !strcmp(tok[2], "types")) {
    if (!VitIOParseInt64(tok[0], &count) || count <= 0 || count > VIT_MAX_TYPES) {
      VitTextError(&p->tf, p->errmsg, "bad number of atom types (%s; 1..%d)", tok[0], VIT_MAX_TYPES);
      return;
    }
    p->s->ntypes   = (PetscInt)count;
    p->have_ntypes = PETSC_TRUE;
  } else if (n == 6 && !strcmp(tok[3], "xy") && !strcmp(tok[4], "xz") && !strcmp(tok[5], "yz")) {
    for (int k = 0; k < 3; k++)
      if (!VitIOParseReal(tok[k], &p->tilt[k])) VitTextError(&p->tf, p->errmsg, "bad tilt factor %s (%s)", tok[3 + k], tok[k]);
    p->tilt_line = p->tf.lineno;
  } else if (!ParseGeneralBoxLine(p, tok, n)) {
    for (int d = 0; d < 3; d++) {
      if (n != 4 || strcmp(tok[2], bounds[d][0]) || strcmp(tok[3], bounds[d][1])) continue;
      if (!VitIOParseReal(tok[0], &p->lo[d]) || !VitIOParseReal(tok[1], &p->hi[d])) VitTextError(&p->tf, p->errmsg, "bad box bounds %s %s (%s %s)", bounds[d][0], bounds[d][1], tok[0], tok[1]);
      else CheckBoxLength(p, d, bounds[d]);
      p->box_line[d] = p->tf.lineno;
    }
  }
}

/* "N bonds": the sample remembers the count (a potential evaluated on it notes that bonded pairs
   are not excluded, VitPotentialSetUpDomain); the Bonds section itself is skipped. */
static void ParseBondCount(DataParser *p, char *tok[], int n)
{
  PetscInt64 count;

  if (n == 2 && !strcmp(tok[1], "bonds") && VitIOParseInt64(tok[0], &count) && count > 0) p->s->nbonds = count;
}

/* LAMMPS takes -0.5 0.5 for a missing box line: say so once, it decides the density. */
static PetscErrorCode WarnDefaultBox(DataParser *p)
{
  char   missing[48] = "";
  size_t len         = 0;

  PetscFunctionBeginUser;
  for (int d = 0; d < 3; d++)
    if (!p->box_line[d]) len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s'%s'", len ? ", " : "", restricted_key[d]);
  if (len) PetscCall(PetscPrintf(PETSC_COMM_SELF, "vitrum: warning: %s: no %s line in the header: using LAMMPS's default -0.5 0.5 (the box, and so the density, may be wrong)\n", p->tf.path, missing));
  PetscFunctionReturn(0);
}

static void ParseMass(DataParser *p, char *tok[], int n, const char *comment)
{
  VitSample *s = p->s;
  PetscInt   t;
  PetscReal  m;
  char      *name[1];

  if (n != 2) {
    VitTextError(&p->tf, p->errmsg, "Masses: expected 'type mass' with a type in 1..%" PetscInt_FMT " or a type label", s->ntypes);
    return;
  }
  if (!ParseType(s, tok[0], &t)) {
    TypeError(p, "Masses", tok[0]);
    return;
  }
  if (!VitIOParseMass(tok[1], &m)) VitTextError(&p->tf, p->errmsg, "Masses: bad mass (%s) of type %" PetscInt_FMT ": " VIT_MASS_EXPECTED, tok[1], t + 1);
  if (p->mass_line[t]) VitTextError(&p->tf, p->errmsg, "Masses: a second mass (%s) for type %" PetscInt_FMT ", given %.15g on line %" PetscInt_FMT ": give each type once (LAMMPS refuses such a file)", tok[1], t + 1, (double)s->type_mass[t], p->mass_line[t]);
  s->type_mass[t] = m;
  s->has_masses   = PETSC_TRUE;
  p->mass_line[t] = p->tf.lineno;
  if (comment && VitIOSplitTokens((char *)comment, name, 1, NULL) >= 1 && !s->type_name[t][0] && VitTextCheckName(&p->tf, p->errmsg, "Masses: species name", name[0])) PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(s->type_name[t], name[0], VIT_NAME_LEN));
}

static void ParseTypeLabel(DataParser *p, char *tok[], int n)
{
  PetscInt t;

  if (n != 2 || !VitIOParseInt(tok[0], &t) || t < 1 || t > p->s->ntypes) {
    VitTextError(&p->tf, p->errmsg, "Atom Type Labels: expected 'type label' with a type in 1..%" PetscInt_FMT, p->s->ntypes);
    return;
  }
  for (PetscInt u = 0; u < p->s->ntypes; u++)
    if (u != t - 1 && p->label_line[u] && !strcmp(p->s->type_name[u], tok[1])) VitTextError(&p->tf, p->errmsg, "Atom Type Labels: label %s of type %" PetscInt_FMT " is type %" PetscInt_FMT "'s on line %" PetscInt_FMT ": type labels are unique (LAMMPS refuses a label given to two types)", tok[1], t, u + 1, p->label_line[u]);
  if (VitTextCheckName(&p->tf, p->errmsg, "Atom Type Labels: label", tok[1])) PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(p->s->type_name[t - 1], tok[1], VIT_NAME_LEN));
  p->label_line[t - 1] = p->tf.lineno;
}

/* Index of the first of n box lines given (line[k] > 0) in the file, -1 when none is. */
static int FirstGiven(const PetscInt line[], int n)
{
  int first = -1;

  for (int k = 0; k < n; k++)
    if (line[k] && (first < 0 || line[k] < line[first])) first = k;
  return first;
}

static PetscBool IsGeneral(const DataParser *p)
{
  return (PetscBool)(FirstGiven(p->general_line, 4) >= 0);
}

/* The box is given by the restricted lines or by all four general triclinic ones, never both
   (LAMMPS's read_data refuses a mix). */
static void CheckBoxLines(DataParser *p)
{
  const PetscInt restricted[4] = {p->box_line[0], p->box_line[1], p->box_line[2], p->tilt_line};
  const int      r = FirstGiven(restricted, 4), g = FirstGiven(p->general_line, 4);

  if (g < 0) return;
  if (r >= 0) {
    VitTextErrorAt(&p->tf, PetscMax(restricted[r], p->general_line[g]), p->errmsg, "the box is given both by '%s' (line %" PetscInt_FMT ") and by the general triclinic '%s' (line %" PetscInt_FMT "): give either xlo xhi, ylo yhi, zlo zhi [xy xz yz] or avec, bvec, cvec and abc origin (LAMMPS refuses both)", restricted_key[r], restricted[r], general_key[g], p->general_line[g]);
    return;
  }
  for (int k = 0; k < 4; k++)
    if (!p->general_line[k]) {
      VitTextErrorAt(&p->tf, p->general_line[g], p->errmsg, "general triclinic box without its '%s' line: give avec, bvec, cvec and abc origin, as write_data ... triclinic/general writes them", general_key[k]);
      return;
    }
}

/* The Atoms line's coordinates (in s->x) as a position in the box: a general triclinic box's atoms
   are in its own frame and turn with it. */
static void SetAtomPosition(DataParser *p, PetscInt i)
{
  VitSample *s = p->s;
  PetscReal  xf[3];

  if (!IsGeneral(p)) {
    VitSampleFracOfPosition(s, &s->x[3 * i], &s->s[3 * i]);
    return;
  }
  PetscCallAbort(PETSC_COMM_SELF, PetscArraycpy(xf, &s->x[3 * i], 3));
  VitSamplePositionFromFrame(s, p->rotated, p->Ainv, xf, &s->x[3 * i], &s->s[3 * i]);
}

/* An Atoms header without a style comment (ASE writes a bare "Atoms" for every style): the first
   line's n columns decide where they fit one style alone: 5 or 8 (with image flags) atomic, and 7 or
   10 full, with a note; 6 or 9 fit charge and molecular (bond, angle) alike, an error asking for the
   style, as is a count that fits none. */
static PetscErrorCode GuessAtomStyle(DataParser *p, int n)
{
  const int nstyles = (int)(sizeof(atom_styles) / sizeof(atom_styles[0]));
  int       fits = 0;

  PetscFunctionBeginUser;
  p->style_given = PETSC_TRUE;
  for (int k = nstyles - 1; k >= 0; k--)
    if (n == atom_styles[k].x + 3 || n == atom_styles[k].x + 6) p->style = k, fits++;
  if (fits != 1) {
    VitTextError(&p->tf, p->errmsg, "Atoms: %d columns and no atom style after the section header: name it there, e.g. 'Atoms # charge' (id type q x y z) or 'Atoms # molecular' (id mol type x y z); vitrum reads the styles atomic, charge, bond, angle, molecular and full, each optionally with ix iy iz", n);
    PetscFunctionReturn(0);
  }
  if (p->style) PetscCall(PetscPrintf(PETSC_COMM_SELF, "vitrum: note: %s:%" PetscInt_FMT ": Atoms has no style comment and %d columns: read as atom_style %s (%s [ix iy iz]), the only style vitrum reads with %d; write 'Atoms # %s' to say so\n", p->tf.path, p->tf.lineno, n, atom_styles[p->style].name, atom_styles[p->style].columns, n, atom_styles[p->style].name));
  PetscFunctionReturn(0);
}

/* One Atoms line of the atom style (id type x y z [ix iy iz] for atomic): image flags do not
   matter, positions are wrapped; charges and molecule ids are not used. */
static void ParseAtom(DataParser *p, char *tok[], int n)
{
  VitSample *s    = p->s;
  int        ct   = atom_styles[p->style].type, cx = atom_styles[p->style].x;
  PetscInt   i    = p->natoms_read, image;

  if (i >= p->natoms) {
    VitTextError(&p->tf, p->errmsg, "Atoms: more atom lines than the %" PetscInt_FMT " atoms of the header", p->natoms);
    return;
  }
  if (!p->style_given) {
    PetscCallAbort(PETSC_COMM_SELF, GuessAtomStyle(p, n));
    if (p->errmsg[0]) return;
    ct = atom_styles[p->style].type, cx = atom_styles[p->style].x;
  }
  if (n != cx + 3 && n != cx + 6) {
    VitTextError(&p->tf, p->errmsg, "Atoms: expected '%s [ix iy iz]' (atom_style %s), found %d columns", atom_styles[p->style].columns, atom_styles[p->style].name, n);
    return;
  }
  if (!VitIOParseInt(tok[0], &s->fid[i]) || s->fid[i] < 1) VitTextError(&p->tf, p->errmsg, "Atoms: bad atom id (%s): LAMMPS atom ids are positive integers", tok[0]);
  if (!ParseType(s, tok[ct], &s->type[i])) TypeError(p, "Atoms", tok[ct]);
  for (int d = 0; d < 3; d++)
    if (!VitIOParseReal(tok[cx + d], &s->x[3 * i + d])) VitTextError(&p->tf, p->errmsg, "Atoms: bad %c coordinate (%s)", "xyz"[d], tok[cx + d]);
  for (int d = 0; d < 3 && n == cx + 6; d++)
    if (!VitIOParseInt(tok[cx + 3 + d], &image)) VitTextError(&p->tf, p->errmsg, "Atoms: bad image flag (%s)", tok[cx + 3 + d]);
  SetAtomPosition(p, i);
  VitTextCheckFrac(&p->tf, p->errmsg, &s->s[3 * i]);
  p->info->line[i] = p->tf.lineno;
  p->natoms_read++;
}

/* The atom style of the Atoms section's comment ("Atoms # full"); without one, the first atom line
   decides (GuessAtomStyle). */
static void SetAtomStyle(DataParser *p, const char *comment)
{
  char *style[1];

  p->style       = 0;
  p->style_given = PETSC_FALSE;
  if (!comment || VitIOSplitTokens((char *)comment, style, 1, NULL) < 1) return;
  for (size_t k = 0; k < sizeof(atom_styles) / sizeof(atom_styles[0]); k++)
    if (!strcmp(style[0], atom_styles[k].name)) {
      p->style       = (int)k;
      p->style_given = PETSC_TRUE;
      return;
    }
  VitTextError(&p->tf, p->errmsg, "atom style '%s' is not supported (atomic, charge, bond, angle, molecular, full)", style[0]);
}

/* "units = STYLE" in the title line, as LAMMPS's write_data puts it there. */
static void ParseTitleUnits(DataParser *p, const char *title)
{
  const char *at = strstr(title, "units = ");
  char        style[16];
  size_t      len;

  if (!at) return;
  at += strlen("units = ");
  len = strcspn(at, " \t,");
  if (len == 0 || len >= sizeof(style)) {
    VitTextError(&p->tf, p->errmsg, "title line: no unit style after 'units ='");
    return;
  }
  memcpy(style, at, len);
  style[len] = 0;
  VitTextDeclareUnits(&p->tf, p->errmsg, "title line: units =", style, p->s);
}

/* A Pair Coeffs / PairIJ Coeffs section of the style lj/cut (its comment "# lj/cut", accelerator
   suffix removed) is kept; those of other styles (which vitrum does not read from the file) and
   without a style comment are skipped. */
static void StartPairCoeffs(DataParser *p, SectionKind kind, const char *comment)
{
  static const char *const suffix[] = {"/omp", "/opt", "/gpu", "/intel", "/kk"};
  VitPairCoeffs           *pc       = &p->s->pair_coeffs;
  char                     copy[64], style[32], *tok[1];

  if (!comment) return;
  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(copy, comment, sizeof(copy)));
  if (VitIOSplitTokens(copy, tok, 1, NULL) < 1) return;
  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(style, tok[0], sizeof(style)));
  for (size_t k = 0; k < sizeof(suffix) / sizeof(suffix[0]); k++) {
    const size_t n = strlen(style), m = strlen(suffix[k]);
    if (n > m && !strcmp(style + n - m, suffix[k])) style[n - m] = 0;
  }
  if (strcmp(style, "lj/cut")) return;
  if (pc->per) {
    VitTextError(&p->tf, p->errmsg, "a second Pair Coeffs or PairIJ Coeffs section (the first is on line %" PetscInt_FMT ")", pc->line);
    return;
  }
  PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(pc->style, style, sizeof(pc->style)));
  pc->per  = kind == SEC_PAIR ? 1 : 2;
  pc->line = p->tf.lineno;
}

/* "i c1 c2 ..." (Pair Coeffs) or "i j c1 c2 ..." (PairIJ Coeffs, i <= j). */
static void ParsePairCoeff(DataParser *p, char *tok[], int n)
{
  VitPairCoeffs *pc    = &p->s->pair_coeffs;
  const int      ntype = pc->per == 1 ? 1 : 2, nv = n - ntype;
  const char    *what  = pc->per == 1 ? "Pair Coeffs: expected 'type c1 c2 ...'" : "PairIJ Coeffs: expected 'i j c1 c2 ...' with i <= j";
  PetscInt       t[2];

  for (int k = 0; k < ntype; k++) {
    if (k >= n) {
      VitTextError(&p->tf, p->errmsg, "%s, types in 1..%" PetscInt_FMT " or type labels", what, p->s->ntypes);
      return;
    }
    if (!ParseType(p->s, tok[k], &t[k])) {
      TypeError(p, pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs", tok[k]);
      return;
    }
  }
  if (ntype == 1) t[1] = t[0];
  if (t[0] > t[1] || nv < 1 || nv > VIT_PAIR_COEFF_MAX || (pc->nvalues && nv != pc->nvalues)) {
    VitTextError(&p->tf, p->errmsg, "%s and %s%d coefficients", what, pc->nvalues ? "the same number of " : "1 to ", pc->nvalues ? (int)pc->nvalues : VIT_PAIR_COEFF_MAX);
    return;
  }
  if (pc->given[t[0]][t[1]]) VitTextError(&p->tf, p->errmsg, "%s: pair %" PetscInt_FMT "-%" PetscInt_FMT " given twice", pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs", t[0] + 1, t[1] + 1);
  pc->nvalues = nv;
  for (int k = 0; k < nv; k++)
    if (!VitIOParseReal(tok[ntype + k], &pc->value[t[0]][t[1]][k])) VitTextError(&p->tf, p->errmsg, "%s: bad coefficient (%s)", pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs", tok[ntype + k]);
  pc->given[t[0]][t[1]] = PETSC_TRUE;
}

/* The box and the atom arrays are set up when the Atoms (or Masses) section starts. */
static PetscErrorCode EndHeader(DataParser *p)
{
  PetscFunctionBeginUser;
  if (p->s->nlocal || p->errmsg[0]) PetscFunctionReturn(0);
  if (!p->have_natoms) VitTextError(&p->tf, p->errmsg, "no 'N atoms' line in the header");
  if (!p->have_ntypes) VitTextError(&p->tf, p->errmsg, "no 'M atom types' line in the header");
  CheckBoxLines(p);
  if (!IsGeneral(p)) VitTextCheckTilt(&p->tf, (const PetscInt[3]){p->tilt_line, p->tilt_line, p->tilt_line}, p->lo, p->hi, p->tilt, p->errmsg);
  if (p->errmsg[0]) PetscFunctionReturn(0);
  if (IsGeneral(p)) VitTextSetGeneralBox(&p->tf, p->general_line, p->A, p->origin, p->s, p->Ainv, &p->rotated, p->errmsg);
  else {
    PetscCall(WarnDefaultBox(p));
    VitSampleSetCellFromBounds(p->s, p->lo, p->hi, p->tilt);
  }
  if (p->errmsg[0]) PetscFunctionReturn(0);
  p->s->natoms = p->natoms;
  PetscCall(VitSampleAllocate(p->s, p->natoms));
  PetscCall(PetscMalloc1(p->natoms, &p->info->line));
  PetscFunctionReturn(0);
}

/* A Masses section gives every type its mass (LAMMPS reads one line per type: "Invalid mass line
   in data file"); a type left out is an error, never a default mass. */
static PetscErrorCode CheckEveryTypeHasMass(DataParser *p)
{
  char   missing[128] = "";
  size_t len          = 0;
  int    count        = 0;

  PetscFunctionBeginUser;
  for (PetscInt t = 0; t < p->s->ntypes; t++) {
    if (p->mass_line[t]) continue;
    if (len < sizeof(missing)) len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%" PetscInt_FMT, count ? ", " : "", t + 1);
    count++;
  }
  if (count) VitTextErrorAt(&p->tf, p->masses_line, p->errmsg, "Masses: no mass for atom type%s %s (the header says %" PetscInt_FMT " atom types): give one line 'type mass' for each type (LAMMPS refuses such a file)", count > 1 ? "s" : "", missing, p->s->ntypes);
  PetscFunctionReturn(0);
}

/* The sections of a LAMMPS data file (read_data) that vitrum skips. */
static const char *const other_sections[] = {"Velocities", "Ellipsoids", "Lines", "Triangles", "Bodies", "Bonds", "Angles", "Dihedrals", "Impropers", "Bond Coeffs", "Angle Coeffs", "Dihedral Coeffs", "Improper Coeffs", "BondBond Coeffs", "BondAngle Coeffs", "MiddleBondTorsion Coeffs", "EndBondTorsion Coeffs", "AngleTorsion Coeffs", "AngleAngleTorsion Coeffs", "BondBond13 Coeffs", "AngleAngle Coeffs", "Bond Type Labels", "Angle Type Labels", "Dihedral Type Labels", "Improper Type Labels"};

/* The section named by the tokens of its header line (joined by single spaces). */
static SectionKind GetSectionKind(char *tok[], int n)
{
  char name[64] = "";
  int  len      = 0;

  for (int k = 0; k < PetscMin(n, MAXTOK); k++) {
    int add = snprintf(name + len, sizeof(name) - (size_t)len, k ? " %s" : "%s", tok[k]);
    if (add < 0 || (size_t)(len + add) >= sizeof(name)) return SEC_UNKNOWN; /* longer than any known name */
    len += add;
  }
  if (!strcmp(name, "Atoms")) return SEC_ATOMS;
  if (!strcmp(name, "Masses")) return SEC_MASSES;
  if (!strcmp(name, "Atom Type Labels")) return SEC_LABELS;
  if (!strcmp(name, "Pair Coeffs")) return SEC_PAIR;
  if (!strcmp(name, "PairIJ Coeffs")) return SEC_PAIRIJ;
  for (size_t k = 0; k < sizeof(other_sections) / sizeof(other_sections[0]); k++)
    if (!strcmp(name, other_sections[k])) return SEC_OTHER;
  return SEC_UNKNOWN;
}

/* Read the body of the section whose header is p->line; leaves p->line at the next header. */
static PetscErrorCode ReadSection(DataParser *p)
{
  const char  *start = p->line + strspn(p->line, " \t");
  const int    show  = 64; /* characters of an unknown section name shown */
  char        *tok[MAXTOK], *comment, shown[72];
  int          n;
  SectionKind  kind;

  PetscFunctionBeginUser;
  snprintf(shown, sizeof(shown), "%.*s%s", show, start, strlen(start) > (size_t)show ? "..." : "");
  n    = VitIOSplitTokens(p->line, tok, MAXTOK, &comment);
  kind = GetSectionKind(tok, n);
  if (kind == SEC_UNKNOWN && HasNumberToken(shown)) {
    VitTextError(&p->tf, p->errmsg, "'%s' is a data line before the first section: a section header (Masses, Atoms, ...) must come before it", shown);
    PetscFunctionReturn(0);
  }
  if (kind == SEC_UNKNOWN) {
    VitTextError(&p->tf, p->errmsg, "unknown section '%s' (LAMMPS data sections: Atoms, Masses, Velocities, Atom Type Labels, Pair Coeffs, ...; sections of fixes are not read)", shown);
    PetscFunctionReturn(0);
  }
  if (kind == SEC_ATOMS) SetAtomStyle(p, comment);
  p->section_line = p->tf.lineno;
  if (kind == SEC_MASSES) p->masses_line = p->tf.lineno;
  if (kind == SEC_ATOMS || kind == SEC_MASSES) PetscCall(EndHeader(p));
  if (kind == SEC_PAIR || kind == SEC_PAIRIJ) StartPairCoeffs(p, kind, comment);
  p->have_atoms = (PetscBool)(p->have_atoms || kind == SEC_ATOMS);
  while ((p->line = VitTextNextLine(&p->tf)) && !p->errmsg[0]) {
    if (IsBlank(p->line)) continue;
    if (!IsDataLine(p->line)) break;
    n = VitIOSplitTokens(p->line, tok, MAXTOK, &comment);
    if (kind == SEC_ATOMS) ParseAtom(p, tok, n);
    else if (kind == SEC_MASSES) ParseMass(p, tok, n, comment);
    else if (kind == SEC_LABELS) ParseTypeLabel(p, tok, n);
    else if ((kind == SEC_PAIR || kind == SEC_PAIRIJ) && p->s->pair_coeffs.line == p->section_line) ParsePairCoeff(p, tok, PetscMin(n, MAXTOK));
  }
  if (kind == SEC_ATOMS && p->natoms_read < p->natoms) VitTextError(&p->tf, p->errmsg, "Atoms: found %" PetscInt_FMT " atoms, the header says %" PetscInt_FMT "%s", p->natoms_read, p->natoms, p->line ? "" : " (file truncated?)");
  PetscFunctionReturn(0);
}

PetscErrorCode VitReadLammpsData(const char path[], VitSample *s, VitReadInfo *info, char errmsg[])
{
  DataParser p;
  char      *tok[MAXTOK];
  int        n;

  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(&p, sizeof(p)));
  p.s = s, p.info = info, p.errmsg = errmsg;
  s->dim = 3;
  for (int d = 0; d < 3; d++) p.lo[d] = -0.5, p.hi[d] = 0.5; /* LAMMPS defaults */
  PetscCall(VitTextOpen(path, &p.tf, errmsg));
  if (errmsg[0]) PetscFunctionReturn(0);
  p.line = VitTextNextLine(&p.tf); /* the first line is a title */
  if (!p.line) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: empty file", path));
  else ParseTitleUnits(&p, p.line);
  p.line = errmsg[0] ? NULL : VitTextNextLine(&p.tf);
  while (p.line && !errmsg[0]) {
    if (IsBlank(p.line)) p.line = VitTextNextLine(&p.tf);
    else if (StartsWithNumber(p.line)) {
      if (s->nlocal) VitTextError(&p.tf, errmsg, "header line after the first section");
      n = VitIOSplitTokens(p.line, tok, MAXTOK, NULL);
      ParseHeaderLine(&p, tok, PetscMin(n, MAXTOK));
      ParseBondCount(&p, tok, n);
      p.line = VitTextNextLine(&p.tf);
    } else PetscCall(ReadSection(&p));
  }
  if (!p.have_atoms && !errmsg[0]) VitTextError(&p.tf, errmsg, "no Atoms section");
  if (s->has_masses && !errmsg[0]) PetscCall(CheckEveryTypeHasMass(&p));
  PetscCall(VitTextClose(&p.tf));
  VitSampleDefaultNames(s);
  PetscFunctionReturn(0);
}

/* The Pair Coeffs / PairIJ Coeffs section the sample was read with, so that they travel with it. */
static PetscErrorCode WritePairCoeffs(FILE *fp, const VitPairCoeffs *pc)
{
  PetscFunctionBeginUser;
  if (!pc->per) PetscFunctionReturn(0);
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "\n%s # %s\n\n", pc->per == 1 ? "Pair Coeffs" : "PairIJ Coeffs", pc->style));
  for (PetscInt a = 0; a < VIT_MAX_TYPES; a++)
    for (PetscInt b = a; b < VIT_MAX_TYPES; b++) {
      if (!pc->given[a][b]) continue;
      if (pc->per == 1) PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%" PetscInt_FMT, a + 1));
      else PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%" PetscInt_FMT " %" PetscInt_FMT, a + 1, b + 1));
      for (PetscInt k = 0; k < pc->nvalues; k++) PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, " %.17g", (double)pc->value[a][b][k]));
      PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "\n"));
    }
  PetscFunctionReturn(0);
}

/* The upper bound written for a box side from lo of length len: lo + len, or the neighbouring
   double when that one reads back as len (hi - lo) and lo + len does not (rare, lo != 0), so that
   the box a data file gives is the sample's, bit for bit. */
static PetscReal UpperBound(PetscReal lo, PetscReal len)
{
  const PetscReal hi = lo + len, up = nextafter(hi, PETSC_MAX_REAL), down = nextafter(hi, -PETSC_MAX_REAL);

  if (hi - lo != len && up - lo == len) return up;
  if (hi - lo != len && down - lo == len) return down;
  return hi;
}

/* LAMMPS atom ids are 1..2147483647 (its tagint). A sample with an atom id 0 (H5MD numbers atoms from
   0, and without /particles/all/id by row, 0..N-1) is written with ids id + 1, with one note; one
   whose ids also reach 2147483647 cannot be written (an error before anything is). */
static PetscErrorCode DataIdShift(MPI_Comm comm, const VitSample *s, const char path[], PetscInt *shift)
{
  PetscInt range[2] = {PETSC_MAX_INT, 0}; /* min id, -max id */

  PetscFunctionBeginUser;
  for (PetscInt i = 0; i < s->nlocal; i++) range[0] = PetscMin(range[0], s->fid[i]), range[1] = PetscMin(range[1], -s->fid[i]);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPIU_INT, MPI_MIN, comm));
  *shift = range[0] == 0 ? 1 : 0;
  if (!*shift) PetscFunctionReturn(0);
  PetscCheck(-range[1] < INT_MAX, comm, PETSC_ERR_USER_INPUT, "%s: atom ids 0..%" PetscInt_FMT " cannot be written to %s: LAMMPS atom ids are 1..%d, and ids + 1 would pass that; give the sample ids within 0..%d (or 1..%d), or write H5MD (-o NAME.h5)", s->source, -range[1], path, INT_MAX, INT_MAX - 1, INT_MAX);
  PetscCall(PetscPrintf(comm, "vitrum: note: %s numbers its atoms from 0 (its ids, or its rows when it has none): %s gives them ids + 1, as LAMMPS atom ids are positive integers\n", s->source, path));
  PetscFunctionReturn(0);
}

static PetscErrorCode WriteDataFile(FILE *fp, const VitSample *s, PetscInt shift, const PetscInt fid[], const PetscInt type[], const PetscReal x[])
{
  const PetscReal(*h)[3] = s->cell;
  const PetscReal zlo    = s->dim == 3 ? s->lo[2] : -0.5, lz = s->dim == 3 ? h[2][2] : 1.0;

  PetscFunctionBeginUser;
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "LAMMPS data file (atom_style atomic) written by vitrum %s from %s%s%s\n\n", VIT_VERSION, s->source, s->units[0] ? ", units = " : "", s->units));
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%" PetscInt_FMT " atoms\n%" PetscInt_FMT " atom types\n\n", s->natoms, s->ntypes));
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%.17g %.17g xlo xhi\n%.17g %.17g ylo yhi\n%.17g %.17g zlo zhi\n", (double)s->lo[0], (double)UpperBound(s->lo[0], h[0][0]), (double)s->lo[1], (double)UpperBound(s->lo[1], h[1][1]), (double)zlo, (double)UpperBound(zlo, lz)));
  if (h[1][0] != 0 || h[2][0] != 0 || h[2][1] != 0) PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%.17g %.17g %.17g xy xz yz\n", (double)h[1][0], (double)h[2][0], (double)h[2][1]));
  if (s->has_masses) { /* none known: no Masses section (never placeholder masses of 1) */
    PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "\nMasses\n\n"));
    for (PetscInt t = 0; t < s->ntypes; t++) PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "%" PetscInt_FMT " %.17g # %s\n", t + 1, (double)s->type_mass[t], s->type_name[t]));
  }
  PetscCall(WritePairCoeffs(fp, &s->pair_coeffs));
  PetscCall(PetscFPrintf(PETSC_COMM_SELF, fp, "\nAtoms # atomic\n\n"));
  /* plain fprintf: this loop runs N times; %.17g gives back each double exactly */
  for (PetscInt i = 0; i < s->natoms; i++) fprintf(fp, "%" PetscInt_FMT " %" PetscInt_FMT " %.17g %.17g %.17g\n", fid[i] + shift, type[i] + 1, (double)x[3 * i], (double)x[3 * i + 1], s->dim == 3 ? (double)x[3 * i + 2] : 0.0);
  PetscFunctionReturn(0);
}

/* Atoms gathered to rank 0 in global id order, written with ids = file ids (+ 1 when one is 0) to
   a temporary name that is renamed when complete. */
PetscErrorCode VitSampleWriteLammpsData(MPI_Comm comm, const VitSample *s, const char path[])
{
  PetscMPIInt rank;
  PetscInt    start, n, shift = 0, *fid, *type;
  PetscReal  *x;
  char        tmp[PETSC_MAX_PATH_LEN];
  FILE       *fp  = NULL;
  int         err = 0;

  PetscFunctionBeginUser;
  PetscCall(PetscLogEventBegin(vit_log.write, 0, 0, 0, 0));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(DataIdShift(comm, s, path, &shift));
  PetscCall(VitSampleToIdOrder(comm, s, rank ? 0 : s->natoms, &start, &n, &fid, &type, &x));
  if (!rank) {
    PetscCall(PetscSNPrintf(tmp, sizeof(tmp), "%s.tmp", path));
    fp = fopen(tmp, "w");
    if (fp) {
      PetscCall(WriteDataFile(fp, s, shift, fid, type, x));
      err = fclose(fp) || rename(tmp, path);
      if (err) remove(tmp);
    } else err = 1;
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "%s: cannot write (directory missing or not writable?)", path);
  PetscCall(PetscFree(fid));
  PetscCall(PetscFree(type));
  PetscCall(PetscFree(x));
  PetscCall(PetscLogEventEnd(vit_log.write, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
