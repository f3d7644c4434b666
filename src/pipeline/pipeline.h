/* Private declarations of the pipeline command (src/pipeline/). */
#ifndef VITRUM_PIPELINE_PRIVATE_H
#define VITRUM_PIPELINE_PRIVATE_H

#include <vitrum/common.h>
#include <vitrum/h5io.h>

#define VIT_PIPELINE_MAX_MODELS 16
#define VIT_PIPELINE_REDUCED    "Dred" /* model of the reduced VDOS D(omega)/omega^(d-1), derived from "D(omega=...)" */
#define VIT_PIPELINE_CUMULATIVE "Dcum" /* model of the cumulative VDOS, the fraction of modes below omega, from "D(omega=...)" */
#define VIT_PIPELINE_COUNTS     "Ncount" /* model of the exact mode counts below each -spectrum_count_omega (inertia), from the features cache */

/* Run an external, non-MPI program (argv[0] is a path) from rank 0 with fork/exec and wait for it.
   The child gets the environment without the variables of the enclosing MPI job (OMPI_*, PMIX_*,
   ...), so a program such as lmp starts as its own MPI singleton instead of joining this job.
   Other ranks wait without spinning. Returns the child's exit status (127 if it could not start)
   on every rank. */
PetscErrorCode VitPipelineRunProgram(MPI_Comm comm, char *const argv[], int *status);

/* A whole dataset file (/dataset/X, Y and names), read on every rank. */
typedef struct {
  PetscInt   n, p, t;
  PetscReal *X, *Y; /* n x p, n x t, row-major */
  char     **sample_names, **feature_names, **target_names;
} VitPipelineDataset;
PetscErrorCode VitPipelineDatasetRead(MPI_Comm comm, const char path[], VitPipelineDataset *ds);
PetscErrorCode VitPipelineDatasetDestroy(VitPipelineDataset *ds);

/* Group of a target name: the part before "(" ("D(omega=0.25)" -> "D"), or the whole name. */
void VitPipelineTargetGroup(const char name[], char group[], size_t len);

/* The dataset of one model: all features of data_path and the targets of group `model`
   (VIT_PIPELINE_REDUCED: the VDOS columns divided by omega^(d-1); VIT_PIPELINE_CUMULATIVE: their
   running integral); for these VDOS models every `rebin` consecutive bins are averaged into one.
   VIT_PIPELINE_COUNTS: /spectrum/counts/exact of every sample's spectrum output in the features
   cache folder `cache` (CACHE/basename(SAMPLE).spectrum.h5). */
PetscErrorCode VitPipelineWriteModelDataset(MPI_Comm comm, const char data_path[], const char model[], PetscInt rebin, const char cache[], const char out_path[]);

/* Held-out evaluation of the models (model m: its dataset data_paths[m] and fitted model_paths[m]):
   predictions y = W x + b on the rows `fit` held out (as the model files record them,
   /model/row_fold < 0: the same in every model), per-target R^2, RMSE and MAE and R^2 on the
   training rows, all models' targets side by side in out_path (/evaluation/..., see docs/pipeline.md). */
PetscErrorCode VitPipelineEvaluate(MPI_Comm comm, PetscInt nmodels, char *const model_names[], char *const data_paths[], char *const model_paths[], const char out_path[]);

/* Print the held-out R^2 table of an evaluation file on rank 0: scalar targets one by one,
   vector targets (names "NAME(x=...)") as one line per NAME with the pooled R^2 and the median
   per-bin R^2. */
PetscErrorCode VitPipelinePrintTable(MPI_Comm comm, const char eval_path[]);

#endif
