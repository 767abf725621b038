"""What `lamina inspect` knows about a model file without building it (no JAX, no layers).

`report.inspect_file` reads a file (`saving.file_io`), parses its config (`graph`), attaches
the stored arrays (`weights`), computes output shapes (`shapes`) and explains parameter counts
(`params`); `render` prints the result and `schema` documents its JSON form.
"""
