/* The option sources PETSc reads at start-up, walked as PETSc reads them (src/common/optionsfiles.c).

   VitOptionsWalk visits PETSC_OPTIONS, then the command line, and every options file they name
   with -options_file or -options_file_yaml (also within options files, VIT_OPTIONS_FILE_DEPTH
   deep), in PETSc's order (PetscOptionsInsert): a source's words first, then the files it names,
   one after the other; an options file's lines all before the files named in them. Words are
   split as PETSc splits them (PetscToken: at blanks, a "quoted" word is one word, of any length;
   in a file, # starts a comment and tabs and line ends are blanks). Two visitors share it: the
   start-up check of main.c (every word an option or its value, before PETSc reads them) and the
   -o check of common.c (an options file that is the output). Works before PetscInitialize. */
#ifndef VITRUM_OPTIONSFILES_H
#define VITRUM_OPTIONSFILES_H

#include <vitrum/common.h>

/* Where words come from: the command line (command set: the command, "" if none), PETSC_OPTIONS,
   or line `line` of the options file `file` (one option and its value, as PETSc reads a line). */
typedef struct {
  const char *command;
  const char *file;
  int         line;
  int         depth;   /* options files opened to get here */
  char        at[640]; /* how an error line starts: "", "PETSC_OPTIONS: ", "run.opts:3: " */
} VitOptionsSource;

/* What PETSc does with a file named by -options_file or -options_file_yaml. */
typedef enum {
  VIT_OPTIONS_FILE_READ,       /* reads it line by line: its lines are visited next */
  VIT_OPTIONS_FILE_YAML,       /* reads it as YAML (-options_file_yaml, a name ending in .yaml, .yml,
                                  .json or :yaml, or a start %YAML or ---): not visited */
  VIT_OPTIONS_FILE_UNEXPANDED, /* a name with $ (PETSc puts ${PETSC_DIR} and the like in): not visited */
  VIT_OPTIONS_FILE_NO_NAME,    /* the option without a file name (file NULL): PETSc stops */
  VIT_OPTIONS_FILE_TOO_DEEP,   /* more than VIT_OPTIONS_FILE_DEPTH files deep: not read */
  VIT_OPTIONS_FILE_UNREADABLE  /* cannot be read (err: errno): PETSc stops */
} VitOptionsFileKind;

/* Called with the n words w of each source, and for each file named (option: the word that named
   it, as given; file: the name PETSc opens, without a :yaml suffix). Either may be NULL. Setting
   *stop ends the walk. */
typedef struct {
  PetscErrorCode (*words)(const VitOptionsSource *src, int n, char **w, void *ctx, PetscBool *stop);
  PetscErrorCode (*file)(const VitOptionsSource *from, const char option[], const char file[], VitOptionsFileKind kind, int err, void *ctx, PetscBool *stop);
  void *ctx;
} VitOptionsVisitor;

/* argv[1..argc-1]: the command line PETSc reads (as PetscInitialize gets it, or PetscGetArgs). */
PetscErrorCode VitOptionsWalk(const char command[], int argc, char **argv, const VitOptionsVisitor *visitor);
/* Whether w[k], an option name, takes w[k + 1] as its value, as PETSc steps through words
   (PetscOptionsInsertArgs, PetscOptionsInsertString): the next word unless it is an option
   (-1e-3 is none); any next word after -options_file, -options_file_yaml, -options_string_yaml and
   -prefix_push; none after -prefix_pop or at the end. */
PetscErrorCode VitOptionTakesValue(int n, char **w, int k, PetscBool *value);

#endif
