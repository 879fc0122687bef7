"""Every operation, one family per file; each op's forward and backward side by side."""
