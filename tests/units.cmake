# Tests of units, masses, species names (src/common/units.c, docs/units.md) and sheets
# (src/structure/rdf.c, docs/structure.md): values derived by hand from CODATA in SI, numpy.
vit_add_test(units_masses_frequencies 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_units.py)
vit_add_test(units_sheet 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_sheet.py)
vit_add_test(units_from_file 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_file_units.py)
