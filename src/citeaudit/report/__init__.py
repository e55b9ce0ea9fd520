"""Writers of the report, one module per output format, all reading the same Report."""
