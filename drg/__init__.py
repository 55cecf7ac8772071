"""drg: MS-DRG grouping and DRG validation, exactly as the CMS grouper groups."""
__version__ = "0.1.0"
