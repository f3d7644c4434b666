# The bad-input corpus (docs/reliability.md): ~300 generated bad inputs over every reader, potential
# file, dataset/model file and ranged option, each run on 1 and 2 ranks; each must end with exit
# status 1, one `vitrum: error:` line with the expected text, no traceback and nothing left behind.
# Known failures (fixes pending) are listed in tests/bad_inputs/corpus.py KNOWN_FAILING.
# Under ASan + UBSan (VITRUM_SANITIZE) the corpus runs on 2 ranks only: every rank-0 path of the
# 1-rank runs runs there too, beside rank 1's and the parallel paths, at half the time (653 s of
# the sanitizer CI before); the plain build keeps both rank counts.
if(VITRUM_SANITIZE)
  set(VIT_CORPUS_FLAGS --ranks 2 --jobs 4 --sanitized)
else()
  set(VIT_CORPUS_FLAGS --ranks 1,2 --jobs 4)
endif()
vit_add_test(bad_inputs 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/bad_inputs/run_corpus.py ${VIT_CORPUS_FLAGS})
set_tests_properties(bad_inputs PROPERTIES LABELS "sanitize;bad_inputs" TIMEOUT 1500)

# A representative subset of the suite (every module, 1 and 2 ranks, short tests) also carries the
# label `sanitize`: .ci/run runs `ctest -L sanitize` on the -DVITRUM_SANITIZE=ON build. Labelled
# at the end of configuration, when every tests/*.cmake has registered its tests.
# The hand-written bad-input tests of the readers and potential files (io_bad_input_*,
# potential_bad_input, manybody_bad_input) are not in it: the corpus breaks the same readers and
# files (51 data, 24 dump, 25 extXYZ, 33 H5MD, 51 potential-file cases) under the sanitizers.
set(VIT_SANITIZE_SUBSET io_lammps_data_1 io_dump io_extxyz io_h5md_2 io_geometry rdf_sq_and_errors potential_energy_ka3d
    manybody_lammps_eam_alloy manybody_lammps_tersoff_sic hessian_ranks spectrum_errors spectrum_analytic_np3 spectrum_exactsum_np3 spectrum_kpm_reference spectrum_factor_guard fit_tsqr fit_errors
    fit_predict fit_kernel io_lammps_files pipeline_features_kill potential_small_box_below manybody_hessian_tersoff_sic_small_box
    io_species_order)
function(vit_label_sanitize_subset)
  foreach(t ${VIT_SANITIZE_SUBSET})
    if(TEST ${t})
      set_property(TEST ${t} APPEND PROPERTY LABELS sanitize)
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL vit_label_sanitize_subset)
