"""Files from people we do not trust: checked before any parser runs, parsed in a sandbox.

This package sits just above ``i18n`` (its only import from shanzhi, for the messages in
``i18n/locale/<lang>/untrusted.json``; otherwise stdlib only), so every other layer (the loaders
in ``survey`` and ``ahp.io``, the CLI, the app) can use it.

* :class:`FileLimits` (``limits``): configurable limits with documented defaults
  (``FileLimits.from_env()`` reads ``SHANZHI_MAX_UPLOAD_MB``, ``SHANZHI_MAX_ROWS`` …);
  :class:`UntrustedFileError` names the limit, the value found and the value allowed, in
  Chinese and English (``.text("zh")``; texts ``untrusted.<limit>`` in the locale files).
* :func:`check_zip` (``zip_check``): the zip directory only (sizes, ratio, members), nothing
  decompressed; :func:`read_member_capped` unpacks one member by streaming, with a cap.
* :func:`check_xlsx`, :func:`check_csv` (``xlsx_check``): rows, columns and the used range of
  every sheet, entity declarations; a CSV's header fields and lines.
* :func:`run_bounded` (``sandbox``): a parser in a child process with memory and time limits.
* :func:`check_label_length`, :func:`display_label` (``text``): label caps.
"""

from untrusted.limits import MESSAGES, FileLimits, UntrustedFileError
from untrusted.sandbox import run_bounded, start_sandbox
from untrusted.text import check_label_length, display_label
from untrusted.xlsx_check import SheetExtent, check_csv, check_xlsx
from untrusted.zip_check import check_zip, iter_member, read_member_capped

__all__ = [
    "MESSAGES",
    "FileLimits",
    "SheetExtent",
    "UntrustedFileError",
    "check_csv",
    "check_label_length",
    "check_xlsx",
    "check_zip",
    "display_label",
    "iter_member",
    "read_member_capped",
    "run_bounded",
    "start_sandbox",
]
