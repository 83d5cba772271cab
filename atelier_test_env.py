"""Test-wide environment, loaded as a pytest plugin (-p) so it runs before Django reads its settings."""
import os
import tempfile

# Tests never touch the developer's var/ (SQLite, media, broker queue): each run gets its own.
os.environ.setdefault("ATELIER_VAR_DIR", tempfile.mkdtemp(prefix="atelier-test-"))
os.makedirs(os.path.join(os.environ["ATELIER_VAR_DIR"], "static"), exist_ok=True)
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DEBUG", "0")
