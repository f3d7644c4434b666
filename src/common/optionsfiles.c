/* One walker over the option sources PETSc reads at start-up (include/vitrum/optionsfiles.h):
   PETSC_OPTIONS, the command line and the options files they name, nested, split into words as
   PETSc splits them. The start-up check (src/main.c) and the -o check (src/common/common.c) are
   its visitors, so both see the same words, files and order as PETSc. */
#include <vitrum/optionsfiles.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Whether option takes the next word as its value whatever it looks like (PetscOptionsInsertArgs;
   -prefix_pop, on the contrary, takes no value). */
static PetscBool TakesAnyWord(const char option[])
{
  return (PetscBool)(!strcasecmp(option, "-options_file") || !strcasecmp(option, "-options_file_yaml") || !strcasecmp(option, "-options_string_yaml") || !strcasecmp(option, "-prefix_push"));
}

PetscErrorCode VitOptionTakesValue(int n, char **w, int k, PetscBool *value)
{
  PetscBool next_key = PETSC_FALSE;

  PetscFunctionBeginUser;
  *value = PETSC_FALSE;
  if (!strcasecmp(w[k], "-prefix_pop") || k + 1 == n) PetscFunctionReturn(0);
  if (!TakesAnyWord(w[k])) PetscCall(PetscOptionsValidKey(w[k + 1], &next_key));
  *value = (PetscBool)!next_key;
  PetscFunctionReturn(0);
}

/* The words of a string as PETSc splits it (PetscToken: at blanks, a "quoted" word one word;
   the empty word before a leading blank dropped). They point into token's copy. */
typedef struct {
  PetscToken token;
  char     **w;
  int        n;
} Words;

static PetscErrorCode WordsSplit(const char string[], Words *words)
{
  char *word;
  int   max = 16;

  PetscFunctionBeginUser;
  words->n = 0;
  PetscCall(PetscMalloc1(max, &words->w));
  PetscCall(PetscTokenCreate(string, ' ', &words->token));
  do {
    PetscCall(PetscTokenFind(words->token, &word));
    if (!word || !word[0]) continue; /* the end, or before a leading blank */
    if (words->n == max) PetscCall(PetscRealloc((max *= 2) * sizeof(*words->w), &words->w));
    words->w[words->n++] = word;
  } while (word);
  PetscFunctionReturn(0);
}

static PetscErrorCode WordsDestroy(Words *words)
{
  PetscFunctionBeginUser;
  PetscCall(PetscTokenDestroy(&words->token));
  PetscCall(PetscFree(words->w));
  PetscFunctionReturn(0);
}

static PetscErrorCode WalkFile(const VitOptionsVisitor *v, const VitOptionsSource *from, const char option[], const char name[], PetscBool yaml, PetscBool *stop);

/* The files named in the n words w of src, in order, stepping through the words as PETSc does
   (PetscOptionsInsertArgs, PetscOptionsInsertString: option names compared without case; on the
   command line a word starting with - is no file name). */
static PetscErrorCode WalkNamedFiles(const VitOptionsVisitor *v, const VitOptionsSource *src, int n, char **w, PetscBool *stop)
{
  PetscFunctionBeginUser;
  for (int k = 0; k < n && !*stop; k++) {
    PetscBool key, value, yaml = (PetscBool)!strcasecmp(w[k], "-options_file_yaml");

    PetscCall(PetscOptionsValidKey(w[k], &key));
    if (!key) continue;
    PetscCall(VitOptionTakesValue(n, w, k, &value));
    if (yaml || !strcasecmp(w[k], "-options_file")) {
      if (src->command && value && w[k + 1][0] == '-') value = PETSC_FALSE;
      PetscCall(WalkFile(v, src, w[k], value ? w[k + 1] : NULL, yaml, stop));
    }
    if (value) k++;
  }
  PetscFunctionReturn(0);
}

/* A string of words (PETSC_OPTIONS, a line of an options file): visited (visit), and the files it
   names followed (files; on an alias line of a file, none). */
static PetscErrorCode WalkString(const VitOptionsVisitor *v, const VitOptionsSource *src, const char string[], PetscBool visit, PetscBool files, PetscBool *stop)
{
  Words words;

  PetscFunctionBeginUser;
  PetscCall(WordsSplit(string, &words));
  if (visit && v->words) PetscCall(v->words(src, words.n, words.w, v->ctx, stop));
  if (src->file && words.n && !strcasecmp(words.w[0], "alias")) files = PETSC_FALSE;
  if (files && !*stop) PetscCall(WalkNamedFiles(v, src, words.n, words.w, stop));
  PetscCall(WordsDestroy(&words));
  PetscFunctionReturn(0);
}

/* One pass over the lines of an open options file as PetscOptionsInsertFilePetsc reads them (#
   starts a comment; tabs and line ends are blanks): visiting them (files false), or following
   the files they name (files true; alias lines name none). */
static PetscErrorCode WalkLines(const VitOptionsVisitor *v, VitOptionsSource *src, FILE *fd, PetscBool files, PetscBool *stop)
{
  char  *line = NULL;
  size_t cap  = 0;

  PetscFunctionBeginUser;
  rewind(fd);
  for (src->line = 1; !*stop && getline(&line, &cap, fd) >= 0; src->line++) {
    line[strcspn(line, "#")] = 0;
    for (char *c = line; *c; c++)
      if (*c == '\t' || *c == '\r' || *c == '\n') *c = ' ';
    snprintf(src->at, sizeof(src->at), "%.500s:%d: ", src->file, src->line);
    PetscCall(WalkString(v, src, line, (PetscBool)!files, files, stop));
  }
  free(line);
  PetscFunctionReturn(0);
}

/* Whether PETSc reads name as YAML (PetscOptionsFilename): by its name or its first bytes; path:
   the file it opens (name without a :yaml suffix). */
static PetscErrorCode YamlName(const char name[], char path[], size_t len, PetscBool *yaml)
{
  static const char *const ends[] = {".yaml", ".yml", ".json"};
  char                     start[7] = "";
  FILE                    *fd;

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(path, name, len));
  PetscCall(PetscStrendswith(path, ":yaml", yaml));
  if (*yaml) path[strlen(path) - strlen(":yaml")] = 0;
  for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]) && !*yaml; i++) PetscCall(PetscStrendswith(path, ends[i], yaml));
  if (*yaml || !(fd = fopen(path, "r"))) PetscFunctionReturn(0);
  if (fread(start, 1, 6, fd) > 0) *yaml = (PetscBool)(!strncmp(start, "%YAML ", 6) || !strncmp(start, "---", 3));
  fclose(fd);
  PetscFunctionReturn(0);
}

/* The file name (NULL: none) given to option in from: what PETSc does with it told to the visitor,
   then, if PETSc reads it line by line, its lines visited and the files they name followed. */
static PetscErrorCode WalkFile(const VitOptionsVisitor *v, const VitOptionsSource *from, const char option[], const char name[], PetscBool yaml, PetscBool *stop)
{
  VitOptionsSource   src  = {NULL, NULL, 0, from->depth + 1, ""};
  VitOptionsFileKind kind = VIT_OPTIONS_FILE_READ;
  char               path[PETSC_MAX_PATH_LEN] = "";
  struct stat        st;
  FILE              *fd  = NULL;
  int                err = 0;

  PetscFunctionBeginUser;
  if (!name) kind = VIT_OPTIONS_FILE_NO_NAME;
  else if (strchr(name, '$')) kind = VIT_OPTIONS_FILE_UNEXPANDED;
  else {
    if (yaml) PetscCall(PetscStrncpy(path, name, sizeof(path)));
    else PetscCall(YamlName(name, path, sizeof(path), &yaml));
    if (yaml) kind = VIT_OPTIONS_FILE_YAML;
    else if (src.depth > VIT_OPTIONS_FILE_DEPTH) kind = VIT_OPTIONS_FILE_TOO_DEEP;
    else if (!stat(path, &st) && S_ISDIR(st.st_mode)) err = EISDIR;
    else if (!(fd = fopen(path, "r"))) err = errno;
    if (err) kind = VIT_OPTIONS_FILE_UNREADABLE;
  }
  if (v->file) PetscCall(v->file(from, option, name && path[0] ? path : name, kind, err, v->ctx, stop));
  if (fd && !*stop) {
    src.file = path;
    PetscCall(WalkLines(v, &src, fd, PETSC_FALSE, stop)); /* PETSc reads every line first, */
    PetscCall(WalkLines(v, &src, fd, PETSC_TRUE, stop));  /* then the files they name */
  }
  if (fd) fclose(fd);
  PetscFunctionReturn(0);
}

PetscErrorCode VitOptionsWalk(const char command[], int argc, char **argv, const VitOptionsVisitor *visitor)
{
  VitOptionsSource cmdline = {command ? command : "", NULL, 0, 0, ""}, env = {NULL, NULL, 0, 0, "PETSC_OPTIONS: "};
  const char      *options = getenv("PETSC_OPTIONS");
  PetscBool        stop    = PETSC_FALSE;

  PetscFunctionBeginUser;
  if (options) PetscCall(WalkString(visitor, &env, options, PETSC_TRUE, PETSC_TRUE, &stop));
  if (!stop && visitor->words) PetscCall(visitor->words(&cmdline, argc - 1, argv + 1, visitor->ctx, &stop));
  if (!stop) PetscCall(WalkNamedFiles(visitor, &cmdline, argc - 1, argv + 1, &stop));
  PetscFunctionReturn(0);
}
