"""Test helpers shared by the core and web tests."""
