/* Private to src/fit: the features command's options and the helpers its per-atom mode
   (atoms.c) shares with the ensemble mode (cmd_features.c). */
#ifndef VITRUM_FIT_FEATURES_H
#define VITRUM_FIT_FEATURES_H

#include <vitrum/fit.h>
#include <vitrum/h5io.h>
#include <vitrum/spectrum.h>
#include <vitrum/structure.h>

typedef struct {
  char      samples[PETSC_MAX_PATH_LEN], sample_list[PETSC_MAX_PATH_LEN], out[PETSC_MAX_PATH_LEN];
  char      cache[PETSC_MAX_PATH_LEN], kind[16], targets[1024];
  VitRadiation total;             /* none: the partials are the features; else their weighted total */
  char      scattering_lengths[1024]; /* SPECIES:VALUE overrides of the tabulated factors */
  PetscReal smooth, xmin, xmax;
  PetscInt  ranks_per_sample;
  PetscBool drop_constant, recompute;
  PetscBool per_atom;             /* rows = atoms */
  char      atom_target[256];     /* per-atom target: a dataset of N values in the spectrum output */
  PetscReal atom_sigma, atom_dr;  /* broadening and grid of the per-atom profiles */
} FeatOptions;

/* Cached output of a sample: DIR/basename(sample)SUFFIX, DIR = -features_cache or the sample's folder. */
PetscErrorCode VitFeaturesCachePath(const FeatOptions *o, const char sample[], const char suffix[], char path[]);
/* Whether the cached file is missing, older than the sample, damaged (unreadable or without the
   completion marker: a warning), (rdf outputs) on another grid, or made with other options that
   can change that product; decided on rank 0 of comm. */
PetscErrorCode VitFeaturesCacheStale(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[], PetscBool *stale);
/* Compute a sample's rdf (path ending in .rdf.h5) or spectrum output into cached, then add the
   completion marker (attribute /meta vitrum_complete), last. */
PetscErrorCode VitFeaturesCacheCompute(MPI_Comm comm, const char sample[], const char cached[]);
/* Per-atom mode (-features_per_atom): rows = atoms of every sample, written to o->out. */
PetscErrorCode VitFeaturesPerAtom(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[]);

#endif
