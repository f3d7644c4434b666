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
  PetscReal vdos_sigma, vdos_omega_max; /* broadened VDOS targets: width and grid top (0: not given, automatic) */
  PetscInt  vdos_bins;            /* bins of their grid (0: automatic) */
  PetscBool vdos_sigma_set, vdos_bins_set; /* given (else automatic) */
  PetscInt  atom_vdos_bins;       /* local VDOS targets: bins of [0, atom_vdos_omega_max] */
  PetscReal atom_vdos_omega_max;  /* in the written frequency unit of the spectrum output */
  PetscBool atom_vdos_exact;      /* local spectra from the eigenvectors of all modes, not local KPM moments */
  PetscInt  name_depth;           /* trailing path components naming a cache entry (0 or 1: the file name) */
  char      units_style[16];      /* of every sample (VitSampleUnitsStyle; "" unknown), recorded in the dataset */
  char      units_from[PETSC_MAX_PATH_LEN + 64]; /* where the first sample's style came from */
} FeatOptions;

/* Composition of the ensemble, averaged over the samples: /dataset/structure (the exact <omega^2>
   kernel in fit; the density range predict checks a sample against). */
typedef struct {
  PetscBool known;
  PetscInt  dim, ntypes, nsamples;
  PetscReal fraction[VIT_MAX_TYPES], density, natoms; /* sums over samples until written */
  PetscReal density_min, density_max;                  /* of the samples */
  PetscReal fraction_min[VIT_MAX_TYPES], fraction_max[VIT_MAX_TYPES]; /* each species' fraction over the samples */
  PetscReal *sample_counts, *sample_density; /* per sample, in order: species counts (nsamples x ntypes), number density */
  char      names[VIT_MAX_TYPES][VIT_NAME_LEN];
  char      units_style[16]; /* of the samples ("": unknown): the units_style attribute of the density */
} VitComposition;
/* Add one sample (path for messages): its dimension, species names and counts, volume; every sample
   must have the first one's species. */
PetscErrorCode VitCompositionAdd(MPI_Comm comm, const char path[], PetscInt dim, PetscInt nt, const char names[][VIT_NAME_LEN], const PetscInt counts[], PetscReal volume, VitComposition *c);
/* /dataset/structure/{dim, density, density_range, type_fraction, natoms, type_names} and per sample
   {sample_type_counts, sample_density}; nothing when unknown. A note when the species' fractions
   differ between the samples (fit's exact kernels take the ensemble mean). */
PetscErrorCode VitCompositionWrite(VitH5 *h5, const VitComposition *c);
PetscErrorCode VitCompositionDestroy(VitComposition *c);


/* The -o of features or predict: not an input (VitOutputCheck, the samples paths[] as -samples or
   -sample_list expanded) and not in the cache folder (-features_cache, or the default), where it
   would replace a per-sample output the run reads or writes. Collective. */
PetscErrorCode VitFeaturesOutputCheck(MPI_Comm comm, const char out[], const char cache[], PetscInt n, char *const paths[]);
/* The unit style of a sample: the one its file declares, else -units, else the default of
   -potential (lj for pair potentials, metal else), else "" (unknown); from: which of these. */
PetscErrorCode VitSampleUnitsStyle(MPI_Comm comm, const VitSample *s, char style[16], char from[], size_t len);
/* /dataset/sample_paths: the canonical absolute path (links and .. resolved) of each of the n
   samples, in the order of /dataset/sample_names (/dataset/samples of a per-atom dataset); fit
   copies them into the model (/model/training_samples), so that predict never writes over one. */
PetscErrorCode VitFeaturesWriteSamplePaths(VitH5 *h5, PetscInt n, char *const paths[]);
/* -features_cache DIR: created when missing (rank 0, with its parents), one error line if it cannot be. */
PetscErrorCode VitFeaturesCacheFolder(MPI_Comm comm, const char dir[]);
/* The cache folder when -features_cache is not given: in the current folder, never next to the
   samples (an input's folder may be read-only or shared). */
#define VIT_FEATURES_CACHE_DEFAULT "vitrum_cache"
/* Cached output of a sample: DIR/NAME SUFFIX, DIR = -features_cache or VIT_FEATURES_CACHE_DEFAULT,
   NAME = the sample's file name or, where samples of the list share file names (run_1/final.data,
   run_2/final.data), its last name_depth path components joined by "__" (run_1__final.data).
   The file records the sample it belongs to (/meta sample, its canonical path): samples of the same
   name from other folders never share an entry. */
PetscErrorCode VitFeaturesCachePath(const FeatOptions *o, const char sample[], const char suffix[], char path[]);
/* Whether the cached file is missing, older than the sample, made from another sample of the same name, damaged (unreadable or without the
   completion marker: a warning), (rdf outputs) on another grid, or made with other options that
   can change that product; decided on rank 0 of comm. */
PetscErrorCode VitFeaturesCacheStale(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[], PetscBool *stale);
/* Compute a sample's rdf (path ending in .rdf.h5) or spectrum output into cached, then add the
   completion marker (attribute /meta vitrum_complete), last. */
PetscErrorCode VitFeaturesCacheCompute(MPI_Comm comm, const FeatOptions *o, const char sample[], const char cached[]);
/* Dimension of an rdf output, from the units of /structure/rdf/volume ("length^2" in 2D). */
PetscInt VitFeaturesVolumeDimension(VitH5 *h5);
/* Open a sample's spectrum output in the cache (computed first when stale). */
PetscErrorCode VitFeaturesSpectrumOpen(MPI_Comm comm, const FeatOptions *o, const char sample[], VitH5 *h5);
/* Ensemble Vec of `rows` rows of bs values (PETSc's default row split). */
PetscErrorCode VitFeaturesRowsVec(MPI_Comm comm, PetscInt rows, PetscInt bs, Vec *v);
/* Per-atom local spectral targets (local_vdos.c) from the local KPM moments of the sample's
   spectrum output (or, with o->atom_vdos_exact, its eigenvectors of all modes; computed when missing
   or stale): Y (natoms rows in global id order) of the local
   VDOS or its cumulative share on the grid of o->atom_vdos_bins/omega_max, or the atom's share of
   the modes below each -spectrum_count_omega. The first sample sets (*ntargets, *names); later
   samples must have the same. */
typedef enum { VIT_LOCAL_VDOS, VIT_LOCAL_CUMVDOS, VIT_LOCAL_COUNTS } VitLocalKind;
PetscErrorCode VitAtomLocalSpectrum(MPI_Comm comm, const FeatOptions *o, const char sample_path[], PetscInt natoms, PetscInt dim, VitLocalKind kind, PetscInt *ntargets, char ***names, Vec *Y);
/* Per-atom mode (-features_per_atom): rows = atoms of every sample, written to o->out. */
PetscErrorCode VitFeaturesPerAtom(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[]);

/* Smooth VDOS targets on one grid for the ensemble (vdos_targets.c): tokens vdos, cumvdos, boson;
   and the source of the cv targets (cv_exact). */
typedef struct {
  PetscBool kpm;              /* the spectra carry KPM moments or exact eigenvalues (else: their stored VDOS) */
  PetscBool exact;            /* every sample's spectrum has all its eigenvalues: no KPM noise */
  PetscBool cv_exact;         /* every sample's spectrum has /spectrum/cv/cv_modes: cv targets from it */
  PetscReal scale;            /* written frequency per sqrt(eigenvalue), the same for every sample */
  PetscReal sigma, omega_max; /* broadening of vdos/cumvdos and grid top, written frequency unit */
  PetscReal boson_sigma;      /* broadening for the boson peak (resolution, not window size) */
  PetscInt  bins;
  PetscInt  boson_at_bound, boson_kpm_limited; /* samples whose peak is on a bound / KPM-limited */
  char      unit[32];                          /* the written frequency unit (THz, 1/tau), from the first spectrum output */
} VitVdosTargets;
PetscBool      VitVdosTargetToken(const char token[]);
PetscErrorCode VitVdosTargetsCheckOptions(MPI_Comm comm, const FeatOptions *o); /* before any work */
PetscErrorCode VitVdosTargetsSetUp(MPI_Comm comm, const FeatOptions *o, PetscInt n, char *const paths[], VitVdosTargets *vt);
PetscErrorCode VitVdosTargetsAdd(MPI_Comm comm, VitVdosTargets *vt, VitH5 *h5, const char token[], PetscInt *n, char ***names, PetscReal **values);
PetscErrorCode VitVdosTargetsReport(MPI_Comm comm, const VitVdosTargets *vt, PetscInt nsamples);

#endif
