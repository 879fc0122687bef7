"""`python -m tinygrad_edu demo` runs the same command line as `tinygrad-edu demo`."""
from tinygrad_edu.cli import main

raise SystemExit(main())
