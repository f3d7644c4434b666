# Tests of units, masses, species names (src/common/units.c, docs/units.md) and sheets
# (src/structure/rdf.c, docs/structure.md): values derived by hand from CODATA in SI, numpy.
vit_add_test(units_masses_frequencies 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_units.py)
vit_add_test(units_sheet 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_sheet.py)
vit_add_test(units_from_file 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/check_file_units.py)
# docs/units.md's dimer example runs as written, the cutoff error names -lj_cutoff and -lj_cutoff_sigma;
# every dataset of rdf, convert, spectrum, features, fit and predict outputs has a units attribute
# (docs/schema.md; string datasets "1"); -spectrum_nev names the range [0, dN - d] (tests/units/docs_claims.py).
vit_add_test(units_docs_claims 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/units/docs_claims.py)
