"""Expert judgments: the page an expert opens with their personal link ``?study=…&token=…``.

Nothing of any expert is shown without a valid token. Every pair of a node is a control on
Saaty's scale in both directions (9 … 1 … 9); each change is saved to the judgment store at
once. The node's CR is shown live, the judgment whose revision lowers CR most is highlighted
with its suggested value, and a node with CR ≥ the threshold can be marked done only when the
expert confirms keeping it.
"""

from __future__ import annotations

import streamlit as st

from ahp.consistency import consistency
from ahp.diagnosis import suggest_revision
from ahp.errors import JudgmentError, WorkbookError
from ahp.scale import SAATY_VALUES, nearest_saaty, verbal_label
from app_support import (
    XLSX_MIME,
    Upload,
    check_upload,
    digest,
    expert_workbook,
    lang,
    store,
    tr,
)
from app_support.guarded import problem_text, read_workbooks
from app_support.text import literal
from panel.store import StoreError
from untrusted import UntrustedFileError

language = lang()
st.title(tr("app.page.experts"))

study_id = st.query_params.get("study")
token = st.query_params.get("token")
if not study_id or not token:
    st.info(tr("app.expert.need_link"))
    st.stop()
try:
    session = store().open_expert(study_id, token)
except StoreError:
    st.error(tr("app.expert.bad_link"))
    st.stop()

hierarchy = session.study.hierarchy
if hierarchy is None:
    st.error(tr("app.expert.no_framework"))
    st.stop()
threshold = session.study.threshold
ri_table = session.study.ri_table

# Options of a pair control: position 0 = the left element 9 times as important … position 8 =
# equal … position 16 = the right element 9 times as important (value = left over right).
POSITIONS = list(range(len(SAATY_VALUES)))
NODE_KEY = "expert_node"
VALUE_AT = SAATY_VALUES[::-1]


def _position(value: float) -> int:
    return VALUE_AT.index(nearest_saaty(value))


def _label(position: int) -> str:
    """``9 8 … 2 1 2 … 8 9``: the ratio from the side of the more important element. The
    widget tells options apart by their text, so the right half carries an invisible
    zero-width space."""
    value = VALUE_AT[position]
    if value >= 1:
        return f"{round(value)}"
    return f"{round(1 / value)}\u200b"


def _meaning(left: str, right: str, value: float) -> str:
    """The judgment in words, from the side of the element that is more important (item texts
    lose their final full stop inside the sentence)."""
    left, right = left.rstrip("。."), right.rstrip("。.")
    if value == 1:
        return tr("app.expert.equal", left=left, right=right)
    first, second, ratio = (left, right, value) if value > 1 else (right, left, 1 / value)
    return tr("app.expert.more", first=first, second=second,
              words=verbal_label(ratio, language), value=round(ratio))


def _widget_key(node: str, row: str, col: str) -> str:
    return f"pair_{session.study.study_id}_{session.expert_id}_{node}_{row}_{col}"


def _save(node: str, row: str, col: str) -> None:
    """on_change: store the pair's new value at once (or delete it when deselected)."""
    position = st.session_state[_widget_key(node, row, col)]
    try:
        expert = store().open_expert(study_id, token)
        if position is None:
            expert.clear_judgment(node, row, col)
        else:
            expert.set_judgment(node, row, col, VALUE_AT[position])
    except (StoreError, JudgmentError) as exc:
        st.session_state["expert_error"] = literal(exc)


def _apply(node: str, row: str, col: str, value: float) -> None:
    """Apply the suggested value of the most inconsistent judgment."""
    try:
        store().open_expert(study_id, token).set_judgment(node, row, col, value)
    except (StoreError, JudgmentError) as exc:
        st.session_state["expert_error"] = literal(exc)
        return
    st.session_state[_widget_key(node, row, col)] = _position(value)


def _done(node: str, cr: float | None, confirmed: bool, following: str | None) -> None:
    try:
        store().open_expert(study_id, token).mark_done(node, cr, confirmed=confirmed)
    except StoreError as exc:
        st.session_state["expert_error"] = literal(exc)
        return
    if following is not None:
        st.session_state[NODE_KEY] = following


def _pick(picker: str) -> None:
    st.session_state[NODE_KEY] = st.session_state[picker]


def _forget_widgets() -> None:
    """Drop the pair controls' state so that they show what the store now holds."""
    for key in [k for k in st.session_state if str(k).startswith("pair_")]:
        del st.session_state[key]


def _name(code: str) -> str:
    return f"{code} {hierarchy.name(code, language)}"


# ---------------------------------------------------------------------------- header
st.markdown(tr("app.expert.welcome", name=literal(session.name),
               study=literal(session.study.name)))
progress = session.progress()
table = progress.table
nodes = table["node"].tolist()
done = dict(zip(table["node"], table["done"], strict=True))
filled = dict(zip(table["node"], table["filled"], strict=True))
pairs = dict(zip(table["node"], table["pairs"], strict=True))
st.progress(progress.fraction_done,
            text=tr("app.expert.progress", done=progress.nodes_done, total=progress.nodes_total))
error = st.session_state.pop("expert_error", None)
if error:
    st.error(error)
notice = st.session_state.pop("expert_notice", None)
if notice:
    st.success(notice)

if st.session_state.get(NODE_KEY) not in nodes:
    st.session_state[NODE_KEY] = progress.next_node or nodes[0]
labels = {n: f"{'✓' if done[n] else '○'} {_name(n)} ({filled[n]}/{pairs[n]})" for n in nodes}
# The widget remembers its choice by label; the labels change with progress and language, so
# the widget is keyed by its labels and the chosen node itself is kept under NODE_KEY.
picker = f"{NODE_KEY}_{digest(*labels.values())}"
node = st.selectbox(
    tr("app.expert.node"), nodes, index=nodes.index(st.session_state[NODE_KEY]),
    format_func=labels.__getitem__, key=picker, on_change=_pick, args=(picker,),
)
children = hierarchy.children(node)
st.subheader(tr("app.expert.question", parent=literal(_name(node))))
st.caption(tr("app.expert.how"))

# ---------------------------------------------------------------------------- consistency
matrix = session.matrix(node)
complete = filled[node] == pairs[node]
cr: float | None = None
provisional = False
revision = None
if len(children) > 2 and filled[node] >= len(children):
    # n judgments or more close a cycle: an incomplete but connected node has a provisional CR
    # (Harker's method); a disconnected one has none yet
    try:
        cr = float(consistency(matrix, ri_table=ri_table, threshold=threshold).cr)
    except JudgmentError:
        cr = None
    provisional = not complete
    if cr is not None and complete and cr >= threshold:
        try:
            revision = suggest_revision(matrix, ri_table=ri_table, names=tuple(children))
        except JudgmentError:
            revision = None

# ---------------------------------------------------------------------------- pairs
judged = session.judgments(node)
for i, row in enumerate(children):
    for j in range(i + 1, len(children)):
        col = children[j]
        key = _widget_key(node, row, col)
        value = judged.get((row, col))
        flagged = revision is not None and (revision.row, revision.col) == (i, j)
        box = st.container(border=True)
        left, right = box.columns(2)
        left.markdown(f"**◀ {_name(row)}**")
        right.markdown(f"**{_name(col)} ▶**", text_alignment="right")
        chosen = box.segmented_control(
            tr("app.expert.pair", left=row, right=col), POSITIONS,
            default=None if value is None else _position(value),
            format_func=_label, key=key, width="stretch",
            on_change=_save, args=(node, row, col), label_visibility="collapsed",
        )
        current_value = None if chosen is None else VALUE_AT[chosen]
        box.caption(
            tr("app.expert.not_given") if current_value is None
            else _meaning(_name(row), _name(col), current_value),
            text_alignment="center",
        )
        if flagged:
            box.warning(tr(
                "app.expert.most_inconsistent",
                suggested=_meaning(_name(row), _name(col), revision.suggested),
                cr_before=revision.cr_before, cr_after=revision.cr_after,
            ), icon=":material/warning:")
            box.button(tr("app.expert.apply"), key=f"apply_{node}", on_click=_apply,
                       args=(node, row, col, revision.suggested))

# ---------------------------------------------------------------------------- done
st.divider()
c1, c2 = st.columns([1, 3])
if len(children) == 2:
    c1.metric("CR", "0", help=tr("app.expert.two_always"))
elif cr is None:
    c1.metric("CR", "–", help=tr("app.expert.cr_when_complete"))
else:
    c1.metric(tr("app.expert.cr_provisional") if provisional else "CR", f"{cr:.3f}",
              delta=tr("app.expert.cr_ok" if cr < threshold else "app.expert.cr_high",
                       threshold=threshold),
              delta_color="normal" if cr < threshold else "inverse", delta_arrow="off",
              help=tr("app.expert.cr_provisional_help", filled=filled[node], pairs=pairs[node])
              if provisional else None)
position = nodes.index(node)
following = next((n for n in nodes[position + 1:] + nodes[:position] if not done[n]), None)
with c2:
    if done[node]:
        st.success(tr("app.expert.node_done"))
    elif not complete:
        st.info(tr("app.expert.fill_all", missing=pairs[node] - filled[node]))
    else:
        inconsistent = cr is not None and cr >= threshold
        confirmed = inconsistent and st.checkbox(
            tr("app.expert.confirm", cr=cr, threshold=threshold), key=f"confirm_{node}")
        st.button(tr("app.expert.mark_done"), type="primary", key=f"done_{node}",
                  disabled=inconsistent and not confirmed, on_click=_done,
                  args=(node, None if len(children) == 2 else cr, confirmed, following))

# ---------------------------------------------------------------------------- workbook
with st.expander(tr("app.expert.workbook")):
    st.caption(tr("app.expert.workbook_help"))
    st.download_button(
        tr("app.expert.export"),
        lambda: expert_workbook(hierarchy, session.export(), session.name),
        file_name=f"{session.expert_id}_judgments.xlsx", mime=XLSX_MIME, on_click="ignore",
    )
    file = st.file_uploader(tr("app.expert.import"), type=["xlsx"], key="expert_import")
    if file is not None and st.button(tr("app.expert.import_button"), key="expert_import_go"):
        upload = Upload(file.name, file.getvalue())
        problem = check_upload(upload, ("xlsx",))
        if problem:
            st.error(problem)
        else:
            try:
                frame = read_workbooks([upload], hierarchy).table  # sandboxed
                result = session.import_judgments(frame.assign(expert=session.name))
            except UntrustedFileError as exc:
                st.error(tr("app.expert.import_failed", reason=problem_text(exc)))
            except (WorkbookError, StoreError, JudgmentError) as exc:
                st.error(tr("app.expert.import_failed", reason=literal(exc)))
            else:
                _forget_widgets()
                st.session_state["expert_notice"] = tr("app.expert.imported", cells=result.cells)
                st.rerun()
