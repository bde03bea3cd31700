"""Expert judgments: the page an expert opens with their personal link ``?study=…&token=…``.

Nothing of any expert is shown without a valid token. Every pair of a node is a control on
Saaty's scale in both directions (9 … 1 … 9); each change is saved to the judgment store at
once. The node's CR is shown live, the judgment whose revision lowers CR most is highlighted
with its suggested value, and a node with CR ≥ the threshold can be marked done only when the
expert confirms keeping it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from ahp.consistency import evaluate
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
PAIR_KEY = "expert_pair"  # + node: the index of the pair shown in the node's pair list
SAVED_KEY = "expert_saved"
RERUN_KEY = "expert_rerun_page"
VALUE_AT = SAATY_VALUES[::-1]

# The scale: one row of 17 on a wide screen; on a phone three rows (the left element's 9 … 2,
# then 1, then the right element's 2 … 9), every number coloured by the side it favours, and
# the node's status kept in view while the page scrolls.
SCALE_CSS = """<style>
.st-key-pair_card [data-testid="stButtonGroup"] > div {
  display: grid !important; grid-template-columns: repeat(17, minmax(0, 1fr)); gap: 3px;
}
.st-key-pair_card [data-testid="stButtonGroup"] button {
  min-width: 0 !important; width: 100%; padding-left: 0; padding-right: 0; min-height: 2.6rem;
}
.st-key-pair_card [data-testid="stButtonGroup"] button:nth-child(-n+8):not([aria-checked="true"]) {
  background: #e3efff; color: #0b4a9c;
}
.st-key-pair_card [data-testid="stButtonGroup"] button:nth-child(n+10):not([aria-checked="true"]) {
  background: #fff0df; color: #8a4300;
}
@media (max-width: 640px) {
  .st-key-pair_card [data-testid="stButtonGroup"] > div {
    grid-template-columns: repeat(8, minmax(0, 1fr));
  }
  .st-key-pair_card [data-testid="stButtonGroup"] button:nth-child(9) { grid-column: 1 / -1; }
}
.st-key-expert_status {
  position: sticky; top: 3.75rem; z-index: 990; background: var(--background-color, #fff);
}
</style>"""


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


def _next_open(pairs: list[tuple[str, str]], judged: dict[tuple[str, str], float],
               after: int) -> int:
    """The first pair after ``after`` (wrapping round) without a judgment; ``after`` itself
    (or 0) when every pair is judged."""
    count = len(pairs)
    for step in range(1, count + 1):
        k = (after + step) % count
        if pairs[k] not in judged:
            return k
    return max(after, 0)


def _save(node: str, row: str, col: str) -> None:
    """on_change: store the pair's new value at once (or delete it when deselected), then
    show the next pair without a judgment."""
    position = st.session_state[_widget_key(node, row, col)]
    try:
        if position is None:
            session.clear_judgment(node, row, col)
            return
        session.set_judgment(node, row, col, VALUE_AT[position])
        judged = session.judgments(node)
    except (StoreError, JudgmentError) as exc:
        st.session_state["expert_error"] = problem_text(exc)
        return
    st.session_state[SAVED_KEY] = _meaning(_name(row), _name(col), VALUE_AT[position])
    pair_key = f"{PAIR_KEY}_{node}"
    st.session_state[pair_key] = _next_open(node_pairs, judged, st.session_state[pair_key])


def _apply(node: str, row: str, col: str, value: float) -> None:
    """Apply the suggested value of the most inconsistent judgment (and show that pair)."""
    try:
        session.set_judgment(node, row, col, value)
    except (StoreError, JudgmentError) as exc:
        st.session_state["expert_error"] = problem_text(exc)
        return
    st.session_state[_widget_key(node, row, col)] = _position(value)
    st.session_state[f"{PAIR_KEY}_{node}"] = node_pairs.index((row, col))
    st.session_state[SAVED_KEY] = _meaning(_name(row), _name(col), value)


def _done(node: str, cr: float | None, confirmed: bool, following: str | None) -> None:
    try:
        session.mark_done(node, cr, confirmed=confirmed)
    except StoreError as exc:
        st.session_state["expert_error"] = problem_text(exc)
        return
    if following is not None:
        st.session_state[NODE_KEY] = following
    st.session_state[RERUN_KEY] = True  # the progress and the node list change


def _show_pair(pair_key: str, k: int) -> None:
    st.session_state[pair_key] = k


def _jump(pair_key: str, widget: str) -> None:
    st.session_state[pair_key] = st.session_state[widget]


def _node_state(node: str, children: list[str], answered: int, complete: bool
                ) -> tuple[float | None, bool, object, np.ndarray | None]:
    """CR (``None`` until the judgments close a cycle), whether it is provisional, the
    revision that lowers CR most (complete nodes with CR ≥ threshold) and the expert's own
    weights (``None`` until the judgments link every element)."""
    if answered < len(children) - 1:
        return None, False, None, None
    matrix = session.matrix(node)
    try:
        found = evaluate(matrix, ri_table=ri_table, threshold=threshold)
    except JudgmentError:  # not yet linked
        return None, False, None, None
    own = np.asarray(found.weights, dtype=float)
    if len(children) <= 2 or answered < len(children):
        return None, False, None, own
    cr = float(found.consistency.cr)
    revision = None
    if complete and cr >= threshold:
        try:
            revision = suggest_revision(matrix, ri_table=ri_table, names=tuple(children))
        except JudgmentError:
            revision = None
    return cr, not complete, revision, own


def _pick(picker: str) -> None:
    st.session_state[NODE_KEY] = st.session_state[picker]


def _forget_widgets() -> None:
    """Drop the pair controls' state so that they show what the store now holds."""
    for key in [k for k in st.session_state if str(k).startswith("pair_")]:
        del st.session_state[key]


def _name(code: str) -> str:
    return f"{code} {hierarchy.name(code, language)}"


# ---------------------------------------------------------------------------- header
st.html(SCALE_CSS)
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
st.markdown(f"**{tr('app.expert.question', parent=literal(_name(node)))}**")
position = nodes.index(node)
following = next((n for n in nodes[position + 1:] + nodes[:position] if not done[n]), None)
node_pairs = [(row, children[j]) for i, row in enumerate(children)
              for j in range(i + 1, len(children))]


@st.fragment
def node_work() -> None:
    """The node's status (sticky: judged pairs, CR, the suggested revision), one pair on the
    two-sided scale with "next pair" flow, the done button and the expert's own weights. A
    judgment reruns only this fragment; marking the node done reruns the page."""
    if st.session_state.pop(RERUN_KEY, False):
        st.rerun()
    judged = session.judgments(node)
    answered = len(judged)
    complete = answered == len(node_pairs)
    cr, provisional, revision, own = _node_state(node, children, answered, complete)
    pair_key = f"{PAIR_KEY}_{node}"
    if st.session_state.get(pair_key) not in range(len(node_pairs)):
        st.session_state[pair_key] = _next_open(node_pairs, judged, -1)

    # -------------------------------------------------------------- status (sticky)
    status = st.container(key="expert_status", border=True)
    line = status.container(horizontal=True, vertical_alignment="center", gap="medium")
    line.markdown(tr("app.expert.node_status", filled=answered, pairs=len(node_pairs)))
    if len(children) == 2:
        line.markdown("CR 0", help=tr("app.expert.two_always"))
    elif cr is None:
        line.markdown("CR –", help=tr("app.expert.cr_when_complete"))
    else:
        ok = cr < threshold
        label = tr("app.expert.cr_provisional") if provisional else "CR"
        verdict = tr("app.expert.cr_ok" if ok else "app.expert.cr_high", threshold=threshold)
        colour = "green" if ok else "red"
        line.markdown(f"**{label} :{colour}[{cr:.3f}]** :{colour}[{verdict}]",
                      help=tr("app.expert.cr_provisional_help", filled=answered,
                              pairs=len(node_pairs)) if provisional else None)
    if revision is not None:
        r, c = children[revision.row], children[revision.col]
        status.warning(tr("app.expert.suggestion_short",
                          suggested=_meaning(_name(r), _name(c), revision.suggested),
                          cr_before=revision.cr_before, cr_after=revision.cr_after),
                       icon=":material/warning:")
        actions = status.container(horizontal=True)
        actions.button(tr("app.expert.apply"), key=f"apply_{node}", type="primary",
                       on_click=_apply, args=(node, r, c, revision.suggested))
        actions.button(tr("app.expert.go_to_suggestion"), key=f"show_{node}",
                       on_click=_show_pair, args=(pair_key, node_pairs.index((r, c))))
    saved = st.session_state.pop(SAVED_KEY, None)
    if saved:
        status.caption(":material/check_circle: " + tr("app.expert.saved", meaning=saved))

    # -------------------------------------------------------------- one pair
    k = st.session_state[pair_key]
    row, col = node_pairs[k]
    card = st.container(key="pair_card", border=True)
    nav = card.container(horizontal=True, vertical_alignment="center")
    nav.button(tr("app.expert.previous"), icon=":material/chevron_left:", key=f"prev_{node}",
               disabled=k == 0,
               on_click=_show_pair, args=(pair_key, k - 1))
    nav.markdown(f"**{tr('app.expert.pair_of', k=k + 1, total=len(node_pairs))}**")
    nav.button(tr("app.expert.next"), icon=":material/chevron_right:", key=f"next_{node}",
               disabled=k == len(node_pairs) - 1,
               on_click=_show_pair, args=(pair_key, k + 1))
    card.markdown(f":blue-background[**◀ {literal(_name(row))}**]")
    key = _widget_key(node, row, col)
    value = judged.get((row, col))
    if key not in st.session_state or st.session_state[key] != (
            None if value is None else _position(value)):
        st.session_state[key] = None if value is None else _position(value)
    chosen = card.segmented_control(
        tr("app.expert.pair", left=row, right=col), POSITIONS,
        format_func=_label, key=key, width="stretch",
        on_change=_save, args=(node, row, col), label_visibility="collapsed",
    )
    card.markdown(f":orange-background[**{literal(_name(col))} ▶**]", text_alignment="right")
    current_value = None if chosen is None else VALUE_AT[chosen]
    card.caption(tr("app.expert.not_given") if current_value is None
                 else _meaning(_name(row), _name(col), current_value), text_alignment="center")
    if k == 0 and answered == 0:
        card.caption(tr("app.expert.scale_rows"))

    # -------------------------------------------------------------- done
    if done[node] and complete:
        st.success(tr("app.expert.node_done"))
    elif not complete:
        st.caption(tr("app.expert.fill_all", missing=len(node_pairs) - answered))
    else:
        st.info(tr("app.expert.all_answered"))
        inconsistent = cr is not None and cr >= threshold
        confirmed = inconsistent and st.checkbox(
            tr("app.expert.confirm", cr=cr, threshold=threshold), key=f"confirm_{node}")
        st.button(tr("app.expert.mark_done"), type="primary", key=f"done_{node}",
                  disabled=inconsistent and not confirmed, on_click=_done,
                  args=(node, None if len(children) == 2 else cr, confirmed, following))

    # -------------------------------------------------------------- own weights, all pairs
    st.markdown(f"**{tr('app.expert.my_weights')}**", help=tr("app.expert.my_weights_help"))
    if own is None:
        st.caption(tr("app.expert.weights_later"))
    else:
        order = sorted(range(len(children)), key=lambda i: -own[i])
        st.table(pd.DataFrame({
            tr("app.expert.rank_col"): [str(r + 1) for r in range(len(children))],
            tr("app.expert.element_col"): [_name(children[i]) for i in order],
            tr("app.expert.weight_col"): [f"{own[i]:.3f}" for i in order],
        }), hide_index=True)
    jump_labels = [
        f"{'✓' if (r, c) in judged else '○'} {k + 1}. {r}–{c}"
        + (f": {_meaning(_name(r), _name(c), judged[(r, c)])}" if (r, c) in judged else "")
        for k, (r, c) in enumerate(node_pairs)]
    jump = f"jump_{node}_{digest(*jump_labels)}"
    st.selectbox(tr("app.expert.jump"), range(len(node_pairs)),
                 index=st.session_state[pair_key], format_func=jump_labels.__getitem__,
                 key=jump, on_change=_jump, args=(pair_key, jump))


node_work()

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
                st.error(tr("app.expert.import_failed", reason=problem_text(exc)))
            else:
                _forget_widgets()
                st.session_state["expert_notice"] = tr("app.expert.imported", cells=result.cells)
                st.rerun()
