"""The package list, derived from the source tree (everything else is in pyproject.toml).

tables/, grouper/, mce/ and validation/ install as subpackages of drg (drg.tables, ...) through
setuptools' package-dir mapping, which `[tool.setuptools.packages.find]` cannot express.
Listing the packages by hand let a new subpackage import fine in an editable install and
be missing from the wheel; here every folder with an __init__.py under a mapped folder is
a package. tests/test_packaging.py builds the wheel and checks it holds every module.
"""
from pathlib import Path

from setuptools import find_packages, setup

PACKAGE_DIR = {"drg": "drg", "drg.tables": "tables", "drg.grouper": "grouper", "drg.mce": "mce",
               "drg.validation": "validation"}


def mapped_packages() -> list[str]:
    here = Path(__file__).parent
    packages = []
    for package, folder in PACKAGE_DIR.items():
        packages.append(package)
        packages += [f"{package}.{sub}" for sub in find_packages(str(here / folder))]
    return sorted(set(packages))


setup(packages=mapped_packages(), package_dir=PACKAGE_DIR)
