# The bad-input corpus (docs/reliability.md): ~340 generated bad inputs over every reader, potential
# file, dataset/model file and ranged option; each must end with exit status 1, one `vitrum: error:`
# line with the expected text, no traceback and nothing left behind.
# Known failures (fixes pending) are listed in tests/bad_inputs/corpus.py KNOWN_FAILING.
# Where each case runs (every case runs at least once in the plain build, and on 2 ranks in CI):
# - plain build: every case that reads, stats or lists a file (readers, potential files, datasets,
#   models, -o checks, globs) on 1 rank (a singleton) and on 2 ranks; the cases refused on their
#   options alone (OPTION_CASES in run_corpus.py: their run touches no file of their folder,
#   `run_corpus.py --classify` checks it with strace) on 1 rank only (--option-ranks 1): every rank
#   makes the same check before anything is read or sent, so their 2-rank run adds nothing the other
#   cases' 2-rank runs do not run (87 of 363 cases; 639 runs instead of 726).
# - ASan + UBSan (VITRUM_SANITIZE): every case on 2 ranks only, OPTION_CASES included: every rank-0
#   path of the 1-rank runs runs there too, beside rank 1's and the parallel paths, at half the time
#   (653 s of the sanitizer CI before).
if(VITRUM_SANITIZE)
  set(VIT_CORPUS_FLAGS --ranks 2 --jobs 4 --sanitized)
else()
  set(VIT_CORPUS_FLAGS --ranks 1,2 --option-ranks 1 --jobs 4)
endif()
vit_add_test(bad_inputs 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/bad_inputs/run_corpus.py ${VIT_CORPUS_FLAGS})
set_tests_properties(bad_inputs PROPERTIES LABELS "sanitize;bad_inputs" TIMEOUT 1500)

# A representative subset of the suite (every module, 1 and 2 ranks, short tests) also carries the
# label `sanitize`: .ci/run runs `ctest -L sanitize` on the -DVITRUM_SANITIZE=ON build. Labelled
# at the end of configuration, when every tests/*.cmake has registered its tests.
# Error paths are the corpus's: the hand-written bad-input and error tests (io_bad_input_*,
# potential_bad_input, manybody_bad_input, spectrum_errors, fit_errors) are not in the subset, nor
# are the long success-path tests whose paths a shorter one here runs (io_dump, io_extxyz: the
# LAMMPS-written dumps of io_lammps_files, the rotated H5MD cell of io_triclinic_equiv and the
# extXYZ tilts of io_extxyz_tilt_limit; fit_predict: fit_predict_species; spectrum_factor_guard:
# the shift-and-invert and LOBPCG modes of spectrum_modes_np1). Under ASan those six took 830 s
# of the 1850 s of test time of `ctest -L sanitize` (session 43, a busy machine).
# Under ASan a vitrum start costs about a second, so tests of many starts weigh most. Session 44 took
# out five more whose paths others here run (ASan test time on a loaded machine, of 2199 s):
# potential_small_box_below (256 s; the small-box image code runs in potential_small_box_tilted,
# 33 s), io_h5md_2 (224 s; H5MD reading in io_triclinic_equiv), pipeline_features_kill (207 s;
# features' caches in pipeline_features_truncate, 79 s, which also reads truncated HDF5 files),
# manybody_hessian_tersoff_sic_small_box (120 s; Tersoff in manybody_lammps_tersoff_sic) and
# io_species_order (113 s; the readers of io_lammps_files and io_lammps_data_1).
set(VIT_SANITIZE_SUBSET io_lammps_data_1 io_lammps_files io_triclinic_equiv io_extxyz_tilt_limit io_geometry
    rdf_sq_and_errors potential_energy_ka3d potential_small_box_tilted manybody_lammps_eam_alloy manybody_lammps_tersoff_sic
    hessian_ranks spectrum_analytic_np3 spectrum_exactsum_np3 spectrum_kpm_reference spectrum_modes_np1 fit_tsqr
    fit_predict_species fit_kernel pipeline_features_truncate)
function(vit_label_sanitize_subset)
  foreach(t ${VIT_SANITIZE_SUBSET})
    if(NOT TEST ${t})
      message(FATAL_ERROR "VIT_SANITIZE_SUBSET names ${t}, which is no test")
    endif()
    set_property(TEST ${t} APPEND PROPERTY LABELS sanitize)
  endforeach()
endfunction()
cmake_language(DEFER CALL vit_label_sanitize_subset)
