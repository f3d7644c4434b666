# Interrupted and damaged runs (docs/reliability.md): `features` on 2 ranks killed with SIGKILL
# mid-run then rerun (same dataset), and truncated per-sample cache files (detected, recomputed
# with a warning; a known failure until that detection is merged, see KNOWN_FAILING in the script).
foreach(mode kill truncate)
  vit_add_test(pipeline_features_${mode} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/kill_features.py ${mode})
endforeach()
# The pipeline's generation killed through its ranks (SIGTERM, SIGKILL) leaves no make_ensemble.py
# or lmp behind; a second generator on one folder stops with one line; a failed lmp's status is named.
vit_add_test(pipeline_generate_kill 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/kill_generate.py)
