# Structure profiles: RDF of crystals, brute force, ranks, S(q), bad input.
vit_add_test(rdf_crystals 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/crystals.py)
vit_add_test(rdf_bruteforce_np1 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/bruteforce.py 1)
vit_add_test(rdf_bruteforce_np2 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/bruteforce.py 2)
vit_add_test(rdf_ranks_bitwise 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/ranks.py)
vit_add_test(rdf_sq_and_errors 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/sq_and_errors.py)
vit_add_test(rdf_default_grid 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/default_grid.py)
vit_add_test(rdf_vacuum_geometry 0 ${VIT_PYTHON} ${CMAKE_SOURCE_DIR}/tests/rdf/vacuum_geometry.py)
