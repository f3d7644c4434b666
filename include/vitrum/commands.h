/* The commands of the vitrum executable: each reads its options from the PETSc options
   database (so -help lists them), does its work on PETSC_COMM_WORLD and returns. */
#ifndef VITRUM_COMMANDS_H
#define VITRUM_COMMANDS_H

#include <vitrum/common.h>

PetscErrorCode VitCmdInfo(void);     /* src/io/cmd_info.c */
PetscErrorCode VitCmdConvert(void);  /* src/io/cmd_convert.c */
PetscErrorCode VitCmdRdf(void);      /* src/structure/cmd_rdf.c */
PetscErrorCode VitCmdEnergy(void);   /* src/potential/cmd_energy.c */
PetscErrorCode VitCmdMinimize(void); /* src/potential/cmd_minimize.c */
PetscErrorCode VitCmdHessian(void);  /* src/hessian/cmd_hessian.c */
PetscErrorCode VitCmdSpectrum(void); /* src/spectrum/cmd_spectrum.c */
PetscErrorCode VitCmdResponse(void); /* src/spectrum/cmd_response.c */
PetscErrorCode VitCmdFeatures(void); /* src/fit/cmd_features.c */
PetscErrorCode VitCmdFit(void);      /* src/fit/cmd_fit.c */
PetscErrorCode VitCmdPredict(void);  /* src/fit/cmd_predict.c */
PetscErrorCode VitCmdPipeline(void); /* src/pipeline/cmd_pipeline.c */

/* A command of the executable (src/main.c's table). */
typedef struct {
  const char *name;
  PetscErrorCode (*run)(void);
  const char *summary;
} VitCommand;

/* Before cmd runs (src/common/optnames.c): the option names of every command, collected from its
   option readers run in help mode; a given option in one of vitrum's families (-kpm_*, ...) that
   no command reads is a user error naming the nearest name. Then VitOptionKindOf knows the names.
   Collective on PETSC_COMM_WORLD; nothing is checked under -help. */
PetscErrorCode VitOptionNamesCheck(const VitCommand commands[], size_t ncommands, const VitCommand *cmd);

#endif
