# Interrupted and damaged runs (docs/reliability.md): `features` on 2 ranks killed with SIGKILL
# mid-run then rerun (same dataset), and truncated per-sample cache files (detected, recomputed
# with a warning; a known failure until that detection is merged, see KNOWN_FAILING in the script).
foreach(mode kill truncate)
  vit_add_test(pipeline_features_${mode} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/kill_features.py ${mode})
endforeach()
