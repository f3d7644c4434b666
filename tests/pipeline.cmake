# The end-to-end pipeline (docs/pipeline.md): LAMMPS melt-quench inputs on tiny systems, and the
# whole pipeline on a tiny ensemble (8 samples of 100 atoms) with resume and report checks.
vit_add_test(pipeline_lammps_inputs 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/lammps_inputs.py)
vit_add_test(pipeline_tiny 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/tiny_pipeline.py)
vit_add_test(pipeline_defaults 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/defaults.py)
vit_add_test(pipeline_material_inputs 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/material_inputs.py)
# Every glass family's options file runs the pipeline to the report on a tiny ensemble.
foreach(family ka3d cuzral cuzr sic si carbon)
  vit_add_test(pipeline_family_${family} 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/families.py ${family})
endforeach()
# LAMMPS melt-quench runs dominate these: 2-8 minutes on a quiet 2-core machine, over 10 when it is
# shared (session 21: material_inputs passed the 600 s default under load). The timeout guards
# against a hang; it is not a speed check.
set_tests_properties(pipeline_material_inputs pipeline_family_cuzr pipeline_family_cuzral PROPERTIES TIMEOUT 1500)
# jobscripts/ensemble.slurm run locally: array-task slices (make_ensemble.py --range) equal one serial run.
vit_add_test(pipeline_ensemble_slices 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/ensemble_slices.py)
# scripts/plot_report.py on a run folder written with h5py: the stored exact kernel, none, the prose by the worst bin.
vit_add_test(pipeline_report_script 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/report_script.py)
# a held-out split too small for the evaluation: one error naming the samples and the fraction that work
vit_add_test(pipeline_split_size 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/split_size.py)
# -pipeline_models D,omega2_mean without -features_targets gets its targets; an unknown model, or one the given -features_targets lack, refused before any stage.
vit_add_test(pipeline_models_targets 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/models_targets.py)
# options no stage reads (-totally_bogus, another command's) reported at the end, also when every stage is up to date, and left out of options.used and the cache key.
vit_add_test(pipeline_unused_options 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/unused_options.py)
# -fit_test_samples: the evaluation scores the samples fit held out (/model/row_fold), checked against numpy; a NaN in a model's W is one error.
vit_add_test(pipeline_test_samples 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/test_samples.py)
# DIR/options.used that cannot be written whole (a file-size limit on the rank, as a full disk): one error naming it, before any stage.
vit_add_test(pipeline_write_errors 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/pipeline/write_errors.py)
