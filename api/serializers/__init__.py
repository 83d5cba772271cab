"""Serializers: public catalog, merchant writes, studio and review."""
