"""drg.io: claim files in (JSON Lines, CSV, Parquet; wide or long; .gz), result files out.

    for chunk in drg.io.read_claims("claims.csv.gz"):     # lists of ClaimRow, input order
        ...

Readers check every value and never drop a row (see drg.io.normalize for the statuses);
a file that is not its format raises MalformedFileError with file, line and column.
"""
from drg.io.records import OK, ClaimRow, MalformedFileError
from drg.io.readers import ClaimReader, detect_format, open_claims, read_claims
from drg.io.writers import open_writer, read_results, records_to_arrow
from drg.io.claim_writers import wide_record, write_claims

__all__ = ["OK", "ClaimRow", "ClaimReader", "MalformedFileError", "detect_format", "open_claims",
           "open_writer", "read_claims", "read_results", "records_to_arrow", "wide_record", "write_claims"]
