/* Private declarations of the pipeline command (src/pipeline/). */
#ifndef VITRUM_PIPELINE_PRIVATE_H
#define VITRUM_PIPELINE_PRIVATE_H

#include <vitrum/common.h>

/* Run an external, non-MPI program (argv[0] is a path) from rank 0 with fork/exec and wait for it.
   The child gets the environment without the variables of the enclosing MPI job (OMPI_*, PMIX_*,
   ...), so a program such as lmp starts as its own MPI singleton instead of joining this job.
   Other ranks wait without spinning. Returns the child's exit status (127 if it could not start)
   on every rank. */
PetscErrorCode VitPipelineRunProgram(MPI_Comm comm, char *const argv[], int *status);

/* Held-out evaluation: predictions y = W x + b of the model on the held-out rows of the dataset
   (the split of `fit` with -fit_test_fraction and -fit_seed), per-target R^2, RMSE and MAE (and
   R^2 on the training rows), written to out_path (/evaluation/..., see docs/pipeline.md). */
PetscErrorCode VitPipelineEvaluate(MPI_Comm comm, const char data_path[], const char model_path[], PetscReal test_fraction, PetscInt seed, const char out_path[]);

/* Print the held-out R^2 table of an evaluation file on rank 0: scalar targets one by one,
   vector targets (names "NAME(x=...)") as one line per NAME with the pooled R^2 and the median
   per-bin R^2. */
PetscErrorCode VitPipelinePrintTable(MPI_Comm comm, const char eval_path[]);

#endif
