"""Importers: tracker data from elsewhere, read into an `Archive` with a report of every row.

- `regtimeline.importers.stop`: Access Now's #KeepItOn STOP dataset (the workbook, or the
  CSV export of one of its sheets).

Importers are at the edge of the library: they use only its public API.
"""
