"""The sample data, shipped inside the package as ``embedlab.sample_data`` (package data: the
folder stays at the top of the repository; see ``embedlab.core.sample_files``)."""
