"""`lamina inspect` on tf.keras 2 files: Keras 3's table, with the writer's content.

lamina prints Keras 3's summary layout for every file (a documented choice), so for files written
by tf.keras 2 the table is compared by content with the writer's own summary.txt: the same layers
(name and type), output shapes and parameter counts, and the same totals.
"""

import re

import pytest
from cli_helpers import FIXTURES, file_id, fixture_files

TF_KERAS2_MODELS = [p for p in fixture_files("tf_keras2", models_only=True)
                    if (p.parent / f"{p.stem}.summary.txt").exists()]


def _shape(text):
    """`[(None, 8)]` (tf.keras's input layers) -> `(None,8)`; spaces dropped."""
    text = text.replace(" ", "")
    if text.startswith("[(") and text.endswith(")]") and text.count("(") == 1:
        text = text[1:-1]
    return text


def _writer_rows(text):
    """Rows of a tf.keras 2 summary: [(name (type), output shape, params)]."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if "Layer (type)" in line)
    shape_at, params_at = lines[header].index("Output Shape"), lines[header].index("Param #")
    end_at = lines[header].find("Connected to")
    rows, current = [], None
    for line in lines[header + 2:]:
        if line.startswith("="):
            break
        if not line.strip():
            current = None
            continue
        name, shape = line[:shape_at].strip(), line[shape_at:params_at].strip()
        params = (line[params_at:end_at] if end_at > 0 else line[params_at:]).strip()
        if current is None:
            current = [name, shape, int(params)]
            rows.append(current)
        else:  # a wrapped cell continues on the next line
            current[0] += name
            current[1] += shape
    return [(name.replace(" ", ""), _shape(shape), params) for name, shape, params in rows]


def _lamina_rows(text):
    """Rows of lamina's (Keras 3's) box-drawn table: [(name (type), output shape, params)]."""
    rows, current = [], None
    for line in text.splitlines():
        if line.startswith(("├", "└")):
            current = None
            continue
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip("│").split("│")]
        if current is None:
            current = [cells[0], cells[1], cells[2]]
            rows.append(current)
        else:
            current[0] += cells[0]
            current[1] += cells[1]
            current[2] += cells[2]
    return [(name.replace(" ", ""), _shape(shape), int(params.replace(",", "")))
            for name, shape, params in rows]


def _totals(text, pattern):
    return {kind: int(count.replace(",", "")) for kind, count in re.findall(pattern, text)}


def test_every_tf_keras2_model_with_a_summary_is_covered():
    assert {p.stem for p in TF_KERAS2_MODELS} == {
        s.name[: -len(".summary.txt")] for s in (FIXTURES / "tf_keras2").glob("*.summary.txt")
    } - {"fashion_mlp_full"}  # a summary of a model that has no file


@pytest.mark.parametrize("path", TF_KERAS2_MODELS, ids=file_id)
def test_inspect_table_has_the_tf_keras2_summarys_content(path, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    expected = (path.parent / f"{path.stem}.summary.txt").read_text()
    code, out, err = cli("inspect", path, "--summary-only", "--no-activations")
    assert code == 0, err
    writer_rows = _writer_rows(expected)
    assert writer_rows, "the writer's table parsed to no rows"
    assert _lamina_rows(out) == writer_rows
    ours = _totals(out, r"(?m)^ ?(Total|Trainable|Non-trainable|Optimizer) params: ([\d,]+)")
    theirs = _totals(expected, r"(?m)^(Total|Trainable|Non-trainable) params: ([\d,]+)")
    assert ours["Trainable"] == theirs["Trainable"]
    assert ours["Non-trainable"] == theirs["Non-trainable"]
    assert ours["Total"] - ours.get("Optimizer", 0) == theirs["Total"]
