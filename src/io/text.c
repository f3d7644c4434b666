/* Line-oriented text input shared by the LAMMPS and extended XYZ readers. */
#define _GNU_SOURCE /* fopencookie: gzip files as stdio streams */
#include "io_private.h"
#include <errno.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/stat.h>
#include <limits.h>
#include <zlib.h>

/* A gzip file as a stdio stream (glibc fopencookie over zlib), so that the readers' getline,
   ftello and fseeko work unchanged; a seek back (-frame) decompresses again from the start. */
static ssize_t GzRead(void *gz, char *buf, size_t size)
{
  int n = gzread((gzFile)gz, buf, (unsigned)PetscMin(size, (size_t)INT_MAX));
  return n < 0 ? -1 : n;
}

static int GzSeek(void *gz, off64_t *offset, int whence)
{
  z_off_t at;

  if (whence == SEEK_END) return -1; /* not used by the readers; zlib cannot */
  at = gzseek((gzFile)gz, (z_off_t)*offset, whence);
  if (at < 0) return -1;
  *offset = at;
  return 0;
}

static int GzClose(void *gz)
{
  return gzclose((gzFile)gz) == Z_OK ? 0 : -1;
}

PetscBool VitTextIsGzip(const char path[])
{
  size_t len = strlen(path);
  return (PetscBool)(len > 3 && !strcmp(path + len - 3, ".gz"));
}

PetscErrorCode VitTextOpen(const char path[], VitTextFile *tf, char errmsg[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(tf, sizeof(*tf)));
  tf->path = path;
  if (VitTextIsGzip(path)) {
    cookie_io_functions_t io = {GzRead, NULL, GzSeek, GzClose};
    gzFile                gz;
    errno = 0;
    if ((gz = gzopen(path, "rb"))) {
      gzbuffer(gz, 1 << 18);
      if (!(tf->fp = fopencookie(gz, "r", io))) gzclose(gz);
    }
  } else tf->fp = fopen(path, "r");
  if (!tf->fp) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: cannot open (%s)", path, errno ? strerror(errno) : "not a gzip file, or out of memory"));
  PetscFunctionReturn(0);
}

PetscErrorCode VitTextClose(VitTextFile *tf)
{
  PetscFunctionBeginUser;
  if (tf->fp) fclose(tf->fp);
  free(tf->buf); /* allocated by getline */
  PetscCall(PetscMemzero(tf, sizeof(*tf)));
  PetscFunctionReturn(0);
}

char *VitTextNextLine(VitTextFile *tf)
{
  ssize_t len = getline(&tf->buf, &tf->cap, tf->fp);

  if (len < 0) return NULL;
  while (len > 0 && (tf->buf[len - 1] == '\n' || tf->buf[len - 1] == '\r')) tf->buf[--len] = 0;
  tf->lineno++;
  return tf->buf;
}

char *VitIONextToken(char **cursor, char **comment)
{
  char *p = *cursor, *tok;

  while (*p && isspace((unsigned char)*p)) p++;
  if (*p == '#' && comment) *comment = p + 1;
  if (!*p || *p == '#') {
    *cursor = p;
    return NULL;
  }
  tok = p;
  while (*p && !isspace((unsigned char)*p) && *p != '#') p++;
  if (*p == '#') { /* a comment glued to a token */
    *p = 0;
    if (comment) *comment = p + 1;
    *cursor = p; /* now at the end */
  } else *cursor = *p ? p + 1 : p;
  if (*p) *p = 0;
  return tok;
}

int VitIOSplitTokens(char *line, char *tok[], int max, char **comment)
{
  int   n = 0;
  char *t;

  if (comment) *comment = NULL;
  while ((t = VitIONextToken(&line, comment))) {
    if (n < max) tok[n] = t;
    n++;
  }
  return n;
}

int VitIOPickColumns(char *line, int npick, const int col[], char *tok[])
{
  int   n = 0;
  char *t;

  for (int k = 0; k < npick; k++) tok[k] = NULL;
  while ((t = VitIONextToken(&line, NULL))) {
    for (int k = 0; k < npick; k++)
      if (col[k] == n) tok[k] = t;
    n++;
  }
  return n;
}

PetscBool VitIOParseReal(const char tok[], PetscReal *value)
{
  char  *end;
  double v;

  errno = 0;
  v     = strtod(tok, &end);
  if (end == tok || *end || !isfinite(v)) return PETSC_FALSE;
  *value = (PetscReal)v;
  return PETSC_TRUE;
}

PetscBool VitIOParseMass(const char tok[], PetscReal *value)
{
  return (PetscBool)(VitIOParseReal(tok, value) && *value > 0 && PetscIsNormalReal(*value));
}

PetscBool VitIOParseInt64(const char tok[], PetscInt64 *value)
{
  char     *end;
  long long v;

  errno = 0;
  v     = strtoll(tok, &end, 10);
  if (end == tok || *end || errno == ERANGE) return PETSC_FALSE;
  *value = (PetscInt64)v;
  return PETSC_TRUE;
}

PetscBool VitIOParseInt(const char tok[], PetscInt *value)
{
  PetscInt64 v;

  if (!VitIOParseInt64(tok, &v) || v > PETSC_MAX_INT || v < PETSC_MIN_INT) return PETSC_FALSE;
  *value = (PetscInt)v;
  return PETSC_TRUE;
}

static void TextErrorV(const VitTextFile *tf, PetscInt line, char errmsg[], const char fmt[], va_list ap)
{
  int len;

  if (errmsg[0]) return; /* keep the first error */
  len = line > 0 ? snprintf(errmsg, VIT_ERRLEN, "%s:%" PetscInt_FMT ": ", tf->path, line) : snprintf(errmsg, VIT_ERRLEN, "%s: ", tf->path);
  vsnprintf(errmsg + len, VIT_ERRLEN - len, fmt, ap);
}

void VitTextError(const VitTextFile *tf, char errmsg[], const char fmt[], ...)
{
  va_list ap;

  va_start(ap, fmt);
  TextErrorV(tf, tf->lineno, errmsg, fmt, ap);
  va_end(ap);
}

void VitTextErrorAt(const VitTextFile *tf, PetscInt line, char errmsg[], const char fmt[], ...)
{
  va_list ap;

  va_start(ap, fmt);
  TextErrorV(tf, line, errmsg, fmt, ap);
  va_end(ap);
}

/* An atom line of ncol columns takes at least 2 ncol - 1 bytes (ncol one-character tokens,
   separators; the last line may lack its newline). */
void VitTextCheckAtomCount(const VitTextFile *tf, PetscInt line, PetscInt64 count, int ncol, char errmsg[])
{
  struct stat st;
  off_t       here     = ftello(tf->fp);
  PetscInt64  per_line = 2 * (PetscInt64)ncol - 1, rest = -1;

  if (!fstat(fileno(tf->fp), &st) && S_ISREG(st.st_mode) && here >= 0) rest = (PetscInt64)st.st_size - (PetscInt64)here; /* else the reading finds truncation */
  if (rest >= 0 && count > rest / per_line) VitTextErrorAt(tf, line, errmsg, "%" PetscInt64_FMT " atoms cannot be in this file: only %" PetscInt64_FMT " bytes follow, and %" PetscInt64_FMT " atom lines of %d columns take at least %" PetscInt64_FMT " (wrong number of atoms?)", count, rest, count, ncol, count > INT64_MAX / per_line ? INT64_MAX : count * per_line);
  else if (count > VIT_MAX_ATOMS) VitTextErrorAt(tf, line, errmsg, "%" PetscInt64_FMT " atoms: vitrum holds at most %d atoms per sample (3 N coordinates must fit a 32-bit PetscInt)", count, (int)VIT_MAX_ATOMS);
}

/* LAMMPS (read_data, Domain::set_initial_box) refuses |xy| > lx/2, |xz| > lx/2, |yz| > ly/2
   ("Triclinic box skew is too large") unless 'box tilt large' was given. */
void VitTextCheckTilt(const VitTextFile *tf, const PetscInt line[3], const PetscReal lo[3], const PetscReal hi[3], const PetscReal tilt[3], char errmsg[])
{
  static const char *name[3] = {"xy", "xz", "yz"}, *len_name[3] = {"lx", "lx", "ly"};
  static const int   len_dim[3] = {0, 0, 1};

  for (int k = 0; k < 3; k++) {
    const PetscReal len = hi[len_dim[k]] - lo[len_dim[k]];
    if (PetscAbsReal(tilt[k] / len) > 0.5) VitTextErrorAt(tf, line[k], errmsg, "tilt factor %s = %g is beyond LAMMPS's limit |%s| <= 0.5 %s = %g (LAMMPS: 'Triclinic box skew is too large'); give a tilt in [%g, %g]", name[k], (double)tilt[k], name[k], len_name[k], (double)(0.5 * len), (double)(-0.5 * len), (double)(0.5 * len));
  }
}

static PetscReal RowNorm(const PetscReal v[3])
{
  return PetscSqrtReal(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

/* Degenerate: a volume below 1e-12 of the product of the edge lengths (rounding makes a flat
   set's (A x B) . C a tiny number of either sign). */
void VitTextSetGeneralBox(const VitTextFile *tf, const PetscInt line[3], const PetscReal A[3][3], const PetscReal origin[3], VitSample *s, PetscReal Ainv[3][3], PetscBool *rotated, char errmsg[])
{
  const PetscReal det   = s->dim == 3 ? VitCellDeterminant(A) : A[0][0] * A[1][1] - A[0][1] * A[1][0];
  const PetscReal scale = RowNorm(A[0]) * RowNorm(A[1]) * (s->dim == 3 ? RowNorm(A[2]) : 1.0); /* |det| for orthogonal rows */
  PetscReal       hi[3], tilt[3];

  if (s->dim == 2 && (A[0][2] != 0 || A[1][2] != 0)) {
    VitTextErrorAt(tf, line[0], errmsg, "general triclinic box of a 2D sample (no z column): A and B must lie in the xy plane (az = %g, bz = %g)", (double)A[0][2], (double)A[1][2]);
    return;
  }
  if (!(PetscAbsReal(det) > 1e-12 * scale) || !VitSampleSetCellFromRows(s, A, Ainv, rotated)) {
    VitTextErrorAt(tf, line[0], errmsg, "general triclinic box: the edge vectors A, B%s are %s ((A x B) . %s = %g): LAMMPS needs a right-handed set, (A x B) . %s > 0", s->dim == 3 ? ", C" : "", PetscAbsReal(det) > 1e-12 * scale ? "left-handed" : "degenerate", s->dim == 3 ? "C" : "z", (double)det, s->dim == 3 ? "C" : "z");
    return;
  }
  for (int d = 0; d < 3; d++) {
    s->lo[d] = d < s->dim ? origin[d] : 0.0;
    hi[d]    = s->lo[d] + s->cell[d][d];
    if (d < s->dim && !PetscIsNormalReal(s->cell[d][d])) VitTextErrorAt(tf, line[d], errmsg, "general triclinic box: box length %c is not a normal finite number (%g)", "xyz"[d], (double)s->cell[d][d]);
  }
  tilt[0] = s->cell[1][0], tilt[1] = s->cell[2][0], tilt[2] = s->cell[2][1];
  VitTextCheckTilt(tf, (const PetscInt[3]){line[1], line[2], line[2]}, s->lo, hi, tilt, errmsg); /* xy from B, xz and yz from C */
}

void VitTextDeclareUnits(const VitTextFile *tf, char errmsg[], const char what[], const char style[], VitSample *s)
{
  if (strcmp(style, "lj") && strcmp(style, "metal") && strcmp(style, "real")) VitTextError(tf, errmsg, "%s %s: vitrum knows the LAMMPS unit styles lj, metal and real", what, style);
  else PetscCallAbort(PETSC_COMM_SELF, PetscStrncpy(s->units, style, sizeof(s->units)));
}

PetscBool VitTextCheckName(const VitTextFile *tf, char errmsg[], const char what[], const char name[])
{
  size_t len = strlen(name);

  if (len < VIT_NAME_LEN) return PETSC_TRUE;
  VitTextError(tf, errmsg, "%s '%.*s...' is too long (%zu characters; at most %d)", what, VIT_NAME_LEN - 1, name, len, VIT_NAME_LEN - 1);
  return PETSC_FALSE;
}

PetscBool VitFracIsNear(const PetscReal frac[3])
{
  for (int d = 0; d < 3; d++)
    if (!(PetscAbsReal(frac[d]) <= VIT_MAX_BOX_LENGTHS)) return PETSC_FALSE; /* also NaN */
  return PETSC_TRUE;
}

void VitTextReadTypeMass(const VitTextFile *tf, char errmsg[], VitSample *s, PetscInt t, const char tok[], PetscInt mass_line[])
{
  PetscReal m;

  if (!VitIOParseMass(tok, &m)) {
    VitTextError(tf, errmsg, "bad mass (%s): " VIT_MASS_EXPECTED, tok);
    return;
  }
  if (!mass_line[t]) {
    s->type_mass[t] = m, mass_line[t] = tf->lineno;
    return;
  }
  if (m != s->type_mass[t]) {
    char species[VIT_NAME_LEN + 16];
    if (s->type_name[t][0]) snprintf(species, sizeof(species), "species %s", s->type_name[t]);
    else snprintf(species, sizeof(species), "type %" PetscInt_FMT, t + 1);
    VitTextError(tf, errmsg, "mass %s of %s differs from its mass %.15g on line %" PetscInt_FMT ": vitrum gives each species one mass", tok, species, (double)s->type_mass[t], mass_line[t]);
  }
}

void VitTextCheckFrac(const VitTextFile *tf, char errmsg[], const PetscReal frac[3])
{
  for (int d = 0; d < 3; d++)
    if (!(PetscAbsReal(frac[d]) <= VIT_MAX_BOX_LENGTHS)) {
      VitTextError(tf, errmsg, "atom position is %g box lengths from the box along cell vector %c: at most %g allowed (a typo? wrapping it would lose its precision)", (double)frac[d], "abc"[d], VIT_MAX_BOX_LENGTHS);
      return;
    }
}

/* Skip n lines; false at a premature end of file. */
static PetscBool SkipLines(VitTextFile *tf, PetscInt n)
{
  for (PetscInt k = 0; k < n; k++)
    if (!VitTextNextLine(tf)) return PETSC_FALSE;
  return PETSC_TRUE;
}

void VitFrameCountText(PetscInt64 nframes, char buf[], size_t len)
{
  if (nframes == 1) snprintf(buf, len, "1 frame (0, or -1 for the last)");
  else snprintf(buf, len, "%" PetscInt64_FMT " frames (0..%" PetscInt64_FMT ", or -1 for the last)", nframes, nframes - 1);
}

PetscErrorCode VitTextSeekFrame(VitTextFile *tf, PetscInt64 frame, VitFrameHeaderFn header, void *ctx, char errmsg[])
{
  PetscInt64 nframes = 0;
  PetscInt   natoms, last_line = 0;
  off_t     last_pos = 0, pos;
  PetscBool eof, found = PETSC_FALSE;

  PetscFunctionBeginUser;
  while (!errmsg[0]) {
    PetscInt line = tf->lineno;

    pos = ftello(tf->fp);
    PetscCall(header(ctx, &natoms, &eof));
    if (eof || errmsg[0]) break;
    if (nframes == frame || frame < 0) {
      last_pos  = pos;
      last_line = line;
      found     = (PetscBool)(nframes == frame);
      if (found) break;
    }
    if (!SkipLines(tf, natoms)) VitTextError(tf, errmsg, "frame %" PetscInt64_FMT " is truncated (fewer than its %" PetscInt_FMT " atom lines)", nframes, natoms);
    nframes++;
  }
  if (errmsg[0]) PetscFunctionReturn(0);
  if (!nframes && !found) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: empty file (no frame)", tf->path));
  else if (frame >= 0 && !found) {
    char count[96];
    VitFrameCountText(nframes, count, sizeof(count));
    PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: -frame %" PetscInt64_FMT " is out of range: the file has %s", tf->path, frame, count));
  } else {
    PetscCheck(!fseeko(tf->fp, last_pos, SEEK_SET), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot seek", tf->path);
    tf->lineno = last_line;
  }
  PetscFunctionReturn(0);
}
