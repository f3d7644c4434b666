/* Common definitions for vitrum: version, logging events, errors, option helpers. */
#ifndef VITRUM_COMMON_H
#define VITRUM_COMMON_H

#include <petscsys.h>

#define VIT_VERSION "0.1.0"
#ifndef VIT_GIT_COMMIT
  #define VIT_GIT_COMMIT "unknown"
#endif

#define VIT_MAX_TYPES 16 /* species per sample */
#define VIT_NAME_LEN  32 /* length of a species name */

/* Log stages and events (registered once in VitInitialize). */
typedef struct {
  PetscClassId  classid;
  PetscLogStage stage_read, stage_structure, stage_hessian, stage_spectrum, stage_fit;
  PetscLogEvent read, distribute, ghosts, neighbors, rdf, write;
} VitLog;
extern VitLog vit_log;

PetscErrorCode VitInitialize(void);

/* Error handling: user-input errors raised collectively with VIT_ERR_USER print one line
   "vitrum: error: ..." on rank 0 and make the program exit with status 1.
   Everything else keeps PETSc's traceback. */
PetscErrorCode VitPushErrorHandler(void);
PetscBool      VitUserErrorRaised(void);

/* Broadcast an error message found on rank 0 (errmsg non-empty) and raise it on every rank.
   Pattern for rank-0 parsers: fill errmsg instead of calling SETERRQ, then call this. */
PetscErrorCode VitBcastError(MPI_Comm comm, const char errmsg[]);

/* Print on rank 0 a warning for options the user gave and nothing used (misspellings). */
PetscErrorCode VitWarnUnusedOptions(void);

/* True when -help was given: commands read (and so print) their options, then return. */
PetscBool VitHelpRequested(void);

/* Progress line on rank 0 with done/total and an ETA, at most every ~2 s (always at the end). */
typedef struct {
  const char    *what;
  PetscInt       total;
  PetscLogDouble t0, last;
} VitProgress;
PetscErrorCode VitProgressStart(VitProgress *p, const char *what, PetscInt total);
PetscErrorCode VitProgressUpdate(MPI_Comm comm, VitProgress *p, PetscInt done);

/* A key of the options that can change a per-sample result: the options of `all` (a string as
   PetscOptionsGetAll writes it) without those that only steer a command's bookkeeping (-o, -features_*,
   -fit_*, -pipeline_*, -log*, ...), sorted. Equal keys: a cached result may be reused. Free with PetscFree. */
PetscErrorCode VitOptionsKey(const char all[], char **key);

/* Output file path: -o if given, else the input path with its extension replaced by suffix. */
PetscErrorCode VitOutputPath(const char input[], const char suffix[], char out[], size_t len);

#endif
