"""Judgment file formats: expert workbooks (.xlsx) and the long CSV, plus the spreadsheet text
guard against formula injection. Imported lazily by :mod:`ahp` (openpyxl is loaded on use)."""
