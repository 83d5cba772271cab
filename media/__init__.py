"""Bytes <-> pixels for the whole project: safe ingest, renditions and storage."""
