"""Atelier's REST API (Django REST framework): public catalog, merchant studio and reviewer endpoints."""
