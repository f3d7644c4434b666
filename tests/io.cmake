# Sample input/output (src/io/): readers, writers, info and convert. The Python scripts in
# tests/io/ write their own input files, run vitrum under mpirun and compare with numpy, ASE,
# h5py and LAMMPS (lmp).
set(VIT_IO_TESTS ${CMAKE_SOURCE_DIR}/tests/io)
vit_add_test(io_lammps_data_1 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_lammps_data.py 1)
vit_add_test(io_lammps_data_3 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_lammps_data.py 3)
vit_add_test(io_lammps_files 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_lammps_files.py 2)
vit_add_test(io_triclinic_equiv 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_triclinic_equiv.py 2)
vit_add_test(io_dump 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_dump.py 2)
vit_add_test(io_extxyz 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_extxyz.py 2)
vit_add_test(io_extxyz_tilt_limit 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_extxyz_tilt_limit.py 2)
vit_add_test(io_h5md_1 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_h5md.py 1)
vit_add_test(io_h5md_2 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_h5md.py 2)
vit_add_test(io_h5md_4 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_h5md.py 4)
# per-atom masses (/particles/all/mass) against a data file's Masses, and their errors, on 1 to 3 ranks
foreach(np 1 2 3)
  vit_add_test(io_h5md_mass_${np} 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_h5md_mass.py ${np})
endforeach()
vit_add_test(io_roundtrip 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_roundtrip.py)
foreach(fmt data dump xyz h5)
  vit_add_test(io_bad_input_${fmt} 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_bad_input.py 2 .${fmt})
endforeach()
vit_add_ctest_exe(io_test_geometry ${VIT_IO_TESTS}/test_geometry.c)
vit_add_test(io_geometry 0 $<TARGET_FILE:io_test_geometry>)
# hostile inputs (one error line on 1 and 2 ranks) and their good edge cases; the script runs
# both rank counts itself. Under build-asan/ it runs the sanitized vitrum.
foreach(fmt data dump xyz h5)
  vit_add_test(io_hardening_${fmt} 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_hardening.py .${fmt})
endforeach()
# one type order for an ensemble of data, XYZ and dump files and samples lacking a species (-potential_elements)
vit_add_test(io_species_order 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_species_order.py)
# a dump's type column: a frame without its last type named by -potential_elements; two types of one element get distinct names; type labels
vit_add_test(io_dump_species 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_dump_species.py 2)
# the default process grid does not cut a direction with vacuum across it (a slab, a sheet)
vit_add_test(io_vacuum_grid 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_vacuum_grid.py)
# data files from samples numbered from 0 (H5MD): ids + 1 with a note, read back by vitrum and lmp
vit_add_test(io_data_ids 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_data_ids.py 2)
# general triclinic boxes (LAMMPS >= 7 Feb 2024: write_data triclinic/general, dump_modify triclinic/general):
# the restricted sample's box, g(r), energy and forces; positions turned back; bad boxes one error line
vit_add_test(io_general_triclinic 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_general_triclinic.py 2)
# dump items before TIMESTEP (dump_modify units yes, time yes): the same sample, ITEM: UNITS declares the style
vit_add_test(io_dump_items 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_dump_items.py 2)
# type labels in Masses, PairIJ Coeffs and Pair Coeffs (LAMMPS >= 2022): the numbered file's sample and energies
vit_add_test(io_data_labels 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_data_labels.py 2)
# a data file with bonds: one note that no pair is excluded (LAMMPS's special_bonds), the all-pairs energy
vit_add_test(io_data_bonds 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_data_bonds.py 2)
# an Atoms header without a style comment (ASE): full from 7 or 10 columns with a note, 6 or 9 an error asking for the style
vit_add_test(io_data_atom_style 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_data_atom_style.py 2)
# species named by numbers (XYZ species, a dump's element column) are numbered types: numeric order, -potential_elements in that order
vit_add_test(io_numeric_species 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_numeric_species.py 2)
# extended XYZ pbc as ASE reads it ("1 1 1", [T, T, T], True), a left-handed Lattice and -frame of a one-frame file: what to give
vit_add_test(io_extxyz_pbc 0 ${VIT_PYTHON} ${VIT_IO_TESTS}/test_extxyz_pbc.py 2)
