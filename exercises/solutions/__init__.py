"""Reference solutions to the exercises, one module per exercise, with the same names."""
