"""Where the compiled tables live: inside the installed package, unless DRG_TABLES_DIR names another.

DRG_TABLES_DIR (read once, when drg.tables is first imported) points every command and the
library at another compiled-tables directory with its own manifest.json, e.g. a copy that a
fault test damages, or tables built into a scratch folder by `drg tables build --data-dir`.
"""
import os
from pathlib import Path

TABLES_DIR_VARIABLE = "DRG_TABLES_DIR"
PACKAGE_DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_DIR = Path(os.environ[TABLES_DIR_VARIABLE]).resolve() if os.environ.get(TABLES_DIR_VARIABLE) else PACKAGE_DATA_DIR
MANIFEST_NAME = "manifest.json"
