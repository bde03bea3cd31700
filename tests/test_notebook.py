"""The case notebook runs clean from top to bottom and shows the study's figures."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "hangzhou_case.ipynb"


def _text_outputs(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.append(out.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


@pytest.mark.slow
def test_notebook_executes_and_reports_the_case() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = _text_outputs(nb)
    assert "received 405, valid 370, rate 91.4%" in text
    assert "B2 参与 > B6 回应性 > B7 有效性 > B5 责任 > B4 正义 > B3 透明 > B1 科学" in text
    outputs = [out for cell in nb.cells for out in cell.get("outputs", [])]
    images = sum("image/png" in out.get("data", {}) for out in outputs)
    assert images >= 3


def test_notebook_is_the_built_one() -> None:
    """The committed notebook equals what notebooks/build_notebook.py writes (no hand edits)."""
    import importlib.util

    builder = NOTEBOOK.with_name("build_notebook.py")
    spec = importlib.util.spec_from_file_location("build_notebook", builder)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in committed.cells] == [c.source for c in module.build().cells]
