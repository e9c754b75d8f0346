"""``advisor``, the command line: the composition root that wires the core, ingest, records and web."""
