/* Line-oriented text input shared by the LAMMPS and extended XYZ readers. */
#include "io_private.h"
#include <errno.h>
#include <ctype.h>
#include <stdarg.h>

PetscErrorCode VitTextOpen(const char path[], VitTextFile *tf, char errmsg[])
{
  PetscFunctionBeginUser;
  PetscCall(PetscMemzero(tf, sizeof(*tf)));
  tf->path = path;
  tf->fp   = fopen(path, "r");
  if (!tf->fp) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: cannot open (%s)", path, strerror(errno)));
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

int VitIOSplitTokens(char *line, char *tok[], int max, char **comment)
{
  int   n = 0;
  char *p = line;

  if (comment) *comment = NULL;
  while (*p) {
    while (*p && isspace((unsigned char)*p)) p++;
    if (!*p) break;
    if (*p == '#') {
      if (comment) *comment = p + 1;
      break;
    }
    if (n < max) tok[n] = p;
    n++;
    while (*p && !isspace((unsigned char)*p) && *p != '#') p++;
    if (*p == '#') { /* a comment glued to a token */
      *p = 0;
      if (comment) *comment = p + 1;
      break;
    }
    if (*p) *p++ = 0;
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

PetscBool VitIOParseInt(const char tok[], PetscInt *value)
{
  char     *end;
  long long v;

  errno = 0;
  v     = strtoll(tok, &end, 10);
  if (end == tok || *end || errno == ERANGE || v > PETSC_MAX_INT || v < PETSC_MIN_INT) return PETSC_FALSE;
  *value = (PetscInt)v;
  return PETSC_TRUE;
}

void VitTextError(const VitTextFile *tf, char errmsg[], const char fmt[], ...)
{
  va_list ap;
  int     len;

  if (errmsg[0]) return; /* keep the first error */
  len = snprintf(errmsg, VIT_ERRLEN, "%s:%d: ", tf->path, (int)tf->lineno);
  va_start(ap, fmt);
  vsnprintf(errmsg + len, VIT_ERRLEN - len, fmt, ap);
  va_end(ap);
}

/* Skip n lines; false at a premature end of file. */
static PetscBool SkipLines(VitTextFile *tf, PetscInt n)
{
  for (PetscInt k = 0; k < n; k++)
    if (!VitTextNextLine(tf)) return PETSC_FALSE;
  return PETSC_TRUE;
}

PetscErrorCode VitTextSeekFrame(VitTextFile *tf, PetscInt frame, VitFrameHeaderFn header, void *ctx, char errmsg[])
{
  PetscInt  nframes = 0, natoms, last_line = 0;
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
    if (!SkipLines(tf, natoms)) VitTextError(tf, errmsg, "frame %" PetscInt_FMT " is truncated (fewer than its %" PetscInt_FMT " atom lines)", nframes, natoms);
    nframes++;
  }
  if (errmsg[0]) PetscFunctionReturn(0);
  if (!nframes && !found) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: empty file (no frame)", tf->path));
  else if (frame >= 0 && !found) PetscCall(PetscSNPrintf(errmsg, VIT_ERRLEN, "%s: -frame %" PetscInt_FMT " is out of range: the file has %" PetscInt_FMT " frames (0..%" PetscInt_FMT ", or -1 for the last)", tf->path, frame, nframes, nframes - 1));
  else {
    PetscCheck(!fseeko(tf->fp, last_pos, SEEK_SET), PETSC_COMM_SELF, PETSC_ERR_FILE_READ, "%s: cannot seek", tf->path);
    tf->lineno = last_line;
  }
  PetscFunctionReturn(0);
}
