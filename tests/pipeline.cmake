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
