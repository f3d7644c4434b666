/* A sample: periodic box, species and atom positions (module src/io/). */
#ifndef VITRUM_SAMPLE_H
#define VITRUM_SAMPLE_H

#include <vitrum/common.h>
#include <vitrum/h5io.h>

/* The box follows LAMMPS: origin lo and cell rows a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz).
   A Cartesian position is x = lo + s0 a + s1 b + s2 c with fractional s in [0,1).
   In 2D (dim = 2) only a, b and s0, s1 matter; z components are 0. */

/* Pair coefficients a LAMMPS data file carries (write_data: "Pair Coeffs # STYLE", one line
   "i c1 c2 ..." per type; with `write_data FILE pair ij`: "PairIJ Coeffs # STYLE", one line
   "i j c1 c2 ..." per pair i <= j), in the file's units, for the potential of that style to take
   (src/potential/lj.c). LAMMPS writes them with %g: 6 significant digits. vitrum's writers carry
   them on: a data file as the same section, H5MD as /parameters/vitrum/pair_coeffs (h5md.c). */
#define VIT_PAIR_COEFF_MAX 4
typedef struct {
  char      style[32]; /* the section comment's pair style, accelerator suffix removed ("lj/cut"); "" when none */
  PetscInt  per;       /* 0: no section, 1: per type (Pair Coeffs, [i][i] set), 2: per pair (PairIJ Coeffs) */
  PetscInt  nvalues;   /* coefficients per line (the same on every line) */
  PetscInt  line;      /* line of the section header; 0: read from H5MD (VIT_PAIR_COEFFS_H5MD) */
  PetscBool given[VIT_MAX_TYPES][VIT_MAX_TYPES];
  PetscReal value[VIT_MAX_TYPES][VIT_MAX_TYPES][VIT_PAIR_COEFF_MAX]; /* [i][j] with i <= j */
} VitPairCoeffs;
#define VIT_PAIR_COEFFS_H5MD "/parameters/vitrum/pair_coeffs"

typedef struct {
  PetscInt  dim;                              /* 2 or 3 */
  PetscInt  natoms;                           /* global number of atoms */
  PetscReal lo[3];                            /* box origin */
  PetscReal cell[3][3];                       /* rows a, b, c (upper-triangular form, LAMMPS) */
  PetscInt  ntypes;                           /* number of species */
  char      type_name[VIT_MAX_TYPES][VIT_NAME_LEN]; /* species names ("1", "2" when the file has none) */
  PetscReal type_mass[VIT_MAX_TYPES];         /* masses (0: none from the file, resolved by the command, docs/units.md; also a type a dump's mass column never gives: no atom of it) */
  PetscBool has_masses;                       /* masses are known (read from the file, or resolved by a command): writers write them only then */
  PetscBool types_by_name;                    /* types numbered from the file's species names (extended XYZ, a dump's element column or type labels), not by the file */
  PetscBool types_open;                       /* the file numbers its types without declaring how many (a dump's type column: the largest type present), so -potential_elements may name types after them (without atoms) */
  char      source[PETSC_MAX_PATH_LEN];       /* file it came from */
  char      units[16];                        /* unit style the file declares (a LAMMPS data file's first line "..., units = metal", LAMMPS >= 2022); "" when it does not */
  VitPairCoeffs pair_coeffs;                  /* a LAMMPS data file's Pair Coeffs / PairIJ Coeffs */
  PetscInt64 nbonds;                          /* a LAMMPS data file's "N bonds" (their Bonds section is skipped: no exclusions); 0 otherwise */

  /* Atoms held by this rank. After a read they may sit on any rank (text files: all on rank 0,
     H5MD: contiguous blocks); VitDomainSetUp redistributes them by position. */
  PetscInt   nlocal;
  PetscInt  *gid;   /* global id 0..natoms-1: index in increasing order of the file's ids */
  PetscInt  *fid;   /* id as written in the file */
  PetscInt  *type;  /* 0..ntypes-1 */
  PetscReal *x;     /* Cartesian positions lo + s0 a + s1 b + s2 c, 3 per atom, inside the box: the
                       file's own numbers, bit for bit, for an atom it gives inside the box, else
                       wrapped once (VitSampleWrapPosition); the writers write these (z = 0 in 2D) */
  PetscReal *s;     /* fractional coordinates of x, 3 per atom, in [0,1) (s2 = 0 in 2D) */
} VitSample;

/* Reading and writing (src/io/). format: NULL or "" = by extension; else lammps-data,
   lammps-dump, extxyz, h5md. frame: dump/extxyz/h5md frame index (0-based, -1 = last). */
PetscErrorCode VitSampleRead(MPI_Comm comm, const char path[], const char format[], PetscInt64 frame, VitSample *s);
PetscErrorCode VitSampleReadFromOptions(MPI_Comm comm, VitSample *s); /* -sample, -format, -frame, -sample_dimension */
/* The file path (one sample of an ensemble, a sample given another way than -sample) read as the
   sample options -format, -frame and -sample_dimension say, like -sample's file. */
PetscErrorCode VitSampleReadPath(MPI_Comm comm, const char path[], VitSample *s);
/* The formats a sample is written in, chosen by the output file's extension (convert, minimize). */
typedef enum {VIT_SAMPLE_OUT_H5MD, VIT_SAMPLE_OUT_DATA} VitSampleOutFormat;
/* The format of the output path given by option opt: H5MD (.h5, .h5md) or LAMMPS data (.data,
   .lmp); any other name (.xyz, .dump, a .gz, no extension) is one error line that lists these.
   Collective; called before any work. */
PetscErrorCode VitSampleOutputFormat(MPI_Comm comm, const char opt[], const char path[], VitSampleOutFormat *fmt);
PetscErrorCode VitSampleWriteH5MD(MPI_Comm comm, const VitSample *s, const char path[]);
/* The same, left open so the caller can add datasets (e.g. minimize's /minimize); VitH5Close completes it. */
PetscErrorCode VitSampleWriteH5MDOpen(MPI_Comm comm, const VitSample *s, const char path[], VitH5 *h5);
PetscErrorCode VitSampleWriteLammpsData(MPI_Comm comm, const VitSample *s, const char path[]);
PetscErrorCode VitSampleDestroy(VitSample *s);

/* Where the sample's file gives its pair coefficients, for messages: with_file, "FILE:LINE" (a data
   file) or "FILE:/parameters/vitrum/pair_coeffs" (H5MD); else "line LINE" or the dataset. */
void VitPairCoeffsWhere(const VitSample *s, PetscBool with_file, char buf[], size_t len);
/* The sample's coefficient section as the dataset name (ntypes, ntypes, nvalues; NaN for a pair
   without a line; attributes section and style), nothing when it has none: an H5MD file's
   VIT_PAIR_COEFFS_H5MD, an rdf output's record (VIT_RDF_DECLARED_PAIR_COEFFS, structure.h).
   Collective. Read: into s->pair_coeffs of the s->ntypes types, untouched when name is absent. */
PetscErrorCode VitPairCoeffsWriteH5(VitH5 *h5, const char name[], const VitSample *s);
PetscErrorCode VitPairCoeffsReadH5(VitH5 *h5, const char name[], VitSample *s);

/* Geometry helpers (src/io/sample.c). */
PetscErrorCode VitSampleAllocate(VitSample *s, PetscInt nlocal);          /* (re)allocate atom arrays */
void           VitSampleFracToCart(const VitSample *s, const PetscReal frac[3], PetscReal x[3]); /* no lo added */
void           VitSampleCartToFrac(const VitSample *s, const PetscReal x[3], PetscReal frac[3]); /* x relative to lo */
PetscReal      VitSampleVolume(const VitSample *s);                       /* area in 2D */
void           VitSampleWidths(const VitSample *s, PetscReal width[3]);    /* perpendicular widths */
PetscBool      VitSampleMassesComplete(const VitSample *s);                /* has_masses, and every type's mass given */
PetscBool      VitMassesAgree(PetscReal a, PetscReal b);                   /* equal to a relative 1e-12 (round-off of a written mass) */
PetscReal      VitWrapUnit(PetscReal u);                                  /* u - floor(u), into [0,1) */
/* The fractional coordinates frac of a Cartesian position x (lo included), and x into the box:
   a position inside (every 0 <= frac < 1) is kept bit for bit; one outside is moved by whole cell
   vectors (x = lo + wrapped frac times the cell), then by a few units in its last place where
   rounding left it on a face's outer side, so that reading it again keeps it as it is. */
void           VitSampleWrapPosition(const VitSample *s, PetscReal x[3], PetscReal frac[3]);
PetscErrorCode VitSampleTypeCounts(MPI_Comm comm, const VitSample *s, PetscInt counts[]); /* global */
/* Along each direction k < dim: the two longest periodic runs of fractional coordinate k (bins of
   1/1000) that hold no atom, as widths (the run's fraction of the box times the width across it,
   VitSampleWidths), gap[k] >= next[k] (0 where there is none; 0 for k >= dim): gap[k] is the vacuum
   across k of a sheet, a slab, a wire or a cluster, next[k] tells it from the recurring gaps of a
   periodic stack of layers. The one measurement of vacuum (domain grid, sheets). Collective. */
PetscErrorCode VitSampleGaps(MPI_Comm comm, const VitSample *s, PetscReal gap[3], PetscReal next[3]);

#endif
