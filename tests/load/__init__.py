"""Load and fuzz tooling run by hand or by .ci/run; not collected by pytest (no test_ files)."""
