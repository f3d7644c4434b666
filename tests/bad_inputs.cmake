# The bad-input corpus (docs/reliability.md): ~300 generated bad inputs over every reader, potential
# file, dataset/model file and ranged option, each run on 1 and 2 ranks; each must end with exit
# status 1, one `vitrum: error:` line with the expected text, no traceback and nothing left behind.
# Known failures (fixes pending) are listed in tests/bad_inputs/corpus.py KNOWN_FAILING.
set(VIT_CORPUS_FLAGS --ranks 1,2 --jobs 4)
if(VITRUM_SANITIZE)
  list(APPEND VIT_CORPUS_FLAGS --sanitized)
endif()
vit_add_test(bad_inputs 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/bad_inputs/run_corpus.py ${VIT_CORPUS_FLAGS})
set_tests_properties(bad_inputs PROPERTIES LABELS "sanitize;bad_inputs" TIMEOUT 1500)
