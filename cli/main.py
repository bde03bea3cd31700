"""The ``shanzhi`` command line: evaluate a study, write blank templates, run the bundled demo.

    shanzhi evaluate --framework F --responses R --judgments J --out report.xlsx
                     [--figures DIR] [--lang zh|en] [--min-respondents N] [--uncertainty N]
    shanzhi template judgments|questionnaire --framework F --out FILE
    shanzhi demo [--out DIR] [--lang zh|en]

Bad input ends the command with exit status 2 and a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from tqdm import tqdm

from ahp.hierarchy import Hierarchy
from evaluation.study import (
    StudyResult,
    StudySettings,
    StudyUncertainty,
    analyse_uncertainty,
    run_study,
)
from i18n import localized

DEMO_OUT = Path("demo-output")


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (the reason and where to find help, no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Help(argparse.HelpFormatter):
    """Help that shows each option's default, when it has a meaningful one."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default not in (None, False, argparse.SUPPRESS) and "%(default)" not in text:
            text += " (default: %(default)s)"
        return text


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="shanzhi", formatter_class=_Help,
        description="Good-governance evaluation: AHP expert weights + resident questionnaires "
        "→ composite scores per community (善治评价).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    options = {"formatter_class": _Help}

    ev = sub.add_parser("evaluate", help="evaluate a study and write the report and charts",
                        **options)
    ev.add_argument("--framework", required=True, help="framework CSV (level,code,parent,...)")
    ev.add_argument("--responses", required=True, help="questionnaire .xlsx/.csv (问卷星 export)")
    ev.add_argument("--judgments", required=True,
                    help="expert judgments: long CSV, an expert workbook .xlsx or a folder of them")
    ev.add_argument("--out", required=True, help="Excel report to write (.xlsx)")
    _common(ev)

    tp = sub.add_parser("template", help="write a blank expert workbook or questionnaire",
                        **options)
    tp.add_argument("kind", choices=["judgments", "questionnaire"],
                    help="judgments: the experts' pairwise-comparison workbook; questionnaire: "
                         "the residents' Likert questionnaire (one sheet, 问卷星-style headers)")
    tp.add_argument("--framework", required=True, help="framework CSV (level,code,parent,...)")
    tp.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    tp.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the questionnaire's texts")

    demo = sub.add_parser("demo", help="evaluate the bundled synthetic Hangzhou-style study",
                          **options)
    demo.add_argument("--out", default=str(DEMO_OUT), help="folder for the report and charts")
    demo.add_argument("--lang", choices=["zh", "en"], default="zh",
                      help="language of the report and charts")
    demo.add_argument("--uncertainty", type=_whole_number(0), default=0, metavar="N",
                      help="Monte Carlo draws (expert panel, residents); 0 = off")
    return parser


def _whole_number(minimum: int) -> Callable[[str], int]:
    """argparse type: an integer of at least ``minimum`` (the error names the bound)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _common(ev: argparse.ArgumentParser) -> None:
    ev.add_argument("--figures", help="folder for PNG charts (none written when not given)")
    ev.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the report, the charts and the notes")
    ev.add_argument("--min-respondents", type=_whole_number(1), default=10,
                    help="communities with fewer valid respondents are shown as not reported "
                         "(n<N), never scored")
    ev.add_argument("--bootstrap", type=_whole_number(0), default=1000,
                    help="bootstrap resamples of residents per community for the 95%% "
                         "intervals; 0 = no intervals")
    ev.add_argument("--aggregation", choices=["AIJ", "AIP"], default="AIJ",
                    help="AIJ: geometric mean of the experts' judgments, then weights; AIP: "
                         "each expert's weights, then their geometric mean")
    ev.add_argument("--exclude-inconsistent", action="store_true",
                    help="leave experts with CR ≥ 0.10 out of a node's aggregate")
    ev.add_argument("--community-column", default="社区",
                    help="header of the questionnaire column naming the respondent's community")
    ev.add_argument("--seed", type=_whole_number(0), default=0,
                    help="random seed of the bootstrap and Monte Carlo (same seed, same numbers)")
    ev.add_argument("--uncertainty", type=_whole_number(0), default=0, metavar="N",
                    help="Monte Carlo draws (expert panel, judgment noise, residents); 0 = off")


def _run(
    framework: Path | str,
    responses: Path | str,
    judgments: Path | str,
    settings: StudySettings,
    synthetic: bool,
) -> StudyResult:
    with tqdm(total=100, desc="evaluate", unit="%", leave=False, file=sys.stderr,
              disable=None) as bar:  # no bar when stderr is not a terminal

        def progress(step: str, done: float) -> None:
            bar.set_description(step)
            bar.update(round(done * 100) - bar.n)

        return run_study(
            framework, responses, judgments, settings, synthetic=synthetic, progress=progress
        )


def summary_lines(result: StudyResult, lang: str = "zh") -> list[str]:
    """The short summary the CLI prints: validity, dimension weights, overall score, ranking,
    then each of the scoring notes (``Scores.notes``: suppressed communities, items without
    answers, ...) on its own line after ``note 注:``."""
    h = result.hierarchy
    rep = result.screening
    lines = [
        f"validity 有效性: {rep.received} received / {rep.valid} valid / {rep.rate:.1%}",
        *(f"note 注: {localized(note, lang)}" for note in rep.notes),
        "dimension weights 维度权重 (global):",
    ]
    weights = sorted(result.dimension_weights.items(), key=lambda kv: -kv[1])
    lines += [f"  {code} {h.name(code, lang):<12} {w:.4f}" for code, w in weights]
    lines.append(" > ".join(f"{code} {h.name(code, 'zh')}" for code, _ in weights))
    lines.append(f"overall score 综合得分 (all valid respondents): {result.overall_score:.4f}")
    ranking = result.scores.ranking.sort_values("rank")
    lines.append(f"ranking 排名 ({len(ranking)} communities; suppressed: "
                 f"{', '.join(result.scores.suppressed) or '-'}):")
    for row in ranking.head(5).itertuples():
        lines.append(f"  {int(row.rank):>2}. {row.community:<10} {row.score:.4f} "
                     f"[{row.ci_low:.3f}, {row.ci_high:.3f}] n={int(row.n)}")
    lines += [f"note 注: {localized(note, lang)}" for note in result.scores.notes]
    return lines


def _evaluate(args: argparse.Namespace, synthetic: bool = False) -> int:
    from reports.outputs import (
        study_figures,
        uncertainty_figures,
        write_figures,
        write_study_report,
    )

    _check_outputs(Path(args.out), Path(args.figures) if args.figures else None)
    settings = StudySettings(
        min_respondents=args.min_respondents,
        bootstrap=args.bootstrap,
        seed=args.seed,
        aggregation=args.aggregation,
        exclude_inconsistent=args.exclude_inconsistent,
        community_column=args.community_column,
    )
    result = _run(args.framework, args.responses, args.judgments, settings, synthetic)
    print("\n".join(summary_lines(result, args.lang)))
    uncertainty = _uncertainty(result, args.uncertainty) if args.uncertainty > 0 else None
    if uncertainty is not None:
        print("\n".join(uncertainty_lines(uncertainty)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_study_report(result, out, args.lang, uncertainty=uncertainty)
    print(f"report 报告: {out}")
    if args.figures:
        figures = study_figures(result, args.lang)
        if uncertainty is not None:
            figures |= uncertainty_figures(result, uncertainty, args.lang)
        paths = write_figures(figures, args.figures)
        print(f"charts 图表: {', '.join(str(p) for p in paths)}")
    return 0


def _check_outputs(out: Path, figures: Path | None) -> None:
    """Refuse output paths that cannot be written before the (long) evaluation runs."""
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"--out {out}: the report is an Excel workbook; give a name ending .xlsx")
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; give the report's file name (….xlsx)")
    blocked = next((p for p in (out.parent, *out.parent.parents) if p.is_file()), None)
    if blocked is not None:
        raise ValueError(f"--out {out}: {blocked} is a file, not a folder")
    if figures is not None and figures.exists() and not figures.is_dir():
        raise ValueError(f"--figures {figures} is a file; give a folder for the charts")


def _uncertainty(result: StudyResult, draws: int) -> StudyUncertainty:
    with tqdm(total=100, desc="uncertainty", unit="%", leave=False, file=sys.stderr,
              disable=None) as bar:
        return analyse_uncertainty(
            result, draws, progress=lambda done: bar.update(round(done * 100) - bar.n)
        )


def uncertainty_lines(uncertainty: StudyUncertainty) -> list[str]:
    """Rank bands of the top five and the smallest weight change that alters the top rank."""
    mc = uncertainty.monte_carlo
    bands = mc.level("A").sort_values("nominal_rank")
    lines = [f"uncertainty 不确定性 ({mc.draws} draws; sources: "
             f"{', '.join(mc.sources.loc[mc.sources['varied'], 'source'])}):"]
    for name, row in bands.head(5).iterrows():
        lines.append(f"  {int(row.nominal_rank):>2}. {name:<10} rank band {int(row.rank_low)}–"
                     f"{int(row.rank_high)}, P(top {mc.top}) {row.p_top:.2f}")
    oat = uncertainty.one_at_a_time
    if oat.smallest_change_dimension is not None:
        lines.append(f"  smallest weight change that alters the top rank 改变第一名的最小权重变动: "
                     f"{oat.smallest_change:.3f} ({oat.smallest_change_dimension})")
    return lines


def _template(args: argparse.Namespace) -> int:
    hierarchy = Hierarchy.from_csv(args.framework)
    if args.kind == "judgments":
        from ahp.io.workbook import write_template

        write_template(hierarchy, args.out)
    else:
        from survey.questionnaire import write_questionnaire_template

        write_questionnaire_template(hierarchy, args.out, lang=args.lang)
    print(f"template 模板: {args.out}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    out = Path(args.out)
    print(f"shanzhi demo — SYNTHETIC sample study 合成示例数据 → {out}/")
    ns = argparse.Namespace(
        framework=SAMPLE_FRAMEWORK,
        responses=SAMPLE_RESPONSES,
        judgments=SAMPLE_JUDGMENTS,
        out=out / "report.xlsx",
        figures=out / "figures",
        lang=args.lang,
        min_respondents=10,
        bootstrap=1000,
        aggregation="AIJ",
        exclude_inconsistent=False,
        community_column="社区",
        seed=0,
        uncertainty=args.uncertainty,
    )
    return _evaluate(ns, synthetic=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shanzhi`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    commands = {"evaluate": _evaluate, "template": _template, "demo": _demo}
    try:
        return commands[args.command](args)
    except (ValueError, OSError) as exc:
        print(f"shanzhi: error: {_reason(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback for the user; keep it one line
        if os.environ.get("SHANZHI_DEBUG"):
            raise
        print(
            f"shanzhi: internal error: {type(exc).__name__}: {_reason(exc)} (please report it; "
            "set SHANZHI_DEBUG=1 to see the traceback)",
            file=sys.stderr,
        )
        return 1


def _reason(exc: BaseException) -> str:
    """The exception's message on one line; an OS error as 'path: reason'."""
    if isinstance(exc, OSError) and exc.strerror:
        target = f"{exc.filename}: " if exc.filename else ""
        return f"{target}{exc.strerror}"
    return " ".join(str(exc).split()) or type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())
