"""Where the compiled tables live inside the installed package."""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MANIFEST_NAME = "manifest.json"
