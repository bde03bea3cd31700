"""The ``shanzhi`` command line: evaluate a study, write blank templates, run the bundled demo.

    shanzhi evaluate --framework F --responses R --judgments J --out report.xlsx
                     [--figures DIR] [--lang zh|en] [--min-respondents N] [--uncertainty N]
    shanzhi validity --framework F --responses R [--factors N] [--rotation promax|varimax|none]
                     [--method minres|pa] [--lang zh|en]
    shanzhi delphi --ratings LONG.csv|FOLDER --framework F [--round N] [--min-mean 3.5]
                   [--max-cv 0.25] [--min-full-mark X] [--out report.xlsx]
                   [--kept-framework kept.csv] [--lang zh|en]
    shanzhi template judgments|questionnaire|delphi --framework F --out FILE
    shanzhi demo [--out DIR] [--lang zh|en]
    shanzhi study create|add-judgments|add-wave|publish|show|export|import|… (cli/study.py)

Bad input ends the command with exit status 2 and a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from sample_data import SAMPLE_FRAMEWORK, SAMPLE_JUDGMENTS, SAMPLE_RESPONSES
from tqdm import tqdm

from ahp.hierarchy import Hierarchy
from cli import study as study_cli
from cli.methods import add_method_options, method_lines, method_settings
from evaluation.study import (
    StudyResult,
    StudySettings,
    StudyUncertainty,
    analyse_uncertainty,
    run_study,
)
from evaluation.validity import ValidityReport
from i18n import localized, t

if TYPE_CHECKING:
    from panel.delphi_files import DelphiAnalysis

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
    sub = parser.add_subparsers(dest="command", required=True, help="what to do")
    options = {"formatter_class": _Help}

    ev = sub.add_parser("evaluate", help="evaluate a study and write the report and charts",
                        **options)
    ev.add_argument("--framework", required=True, help="framework CSV (level,code,parent,...)")
    ev.add_argument("--responses", required=True, help="questionnaire .xlsx/.csv (问卷星 export)")
    ev.add_argument("--judgments", required=True,
                    help="expert judgments: long CSV, an expert workbook .xlsx or a folder of them")
    ev.add_argument("--out", required=True, help="Excel report to write (.xlsx)")
    _common(ev)

    va = sub.add_parser("validity", help="construct validity of a questionnaire: KMO, Bartlett, "
                        "factor analysis against the framework, item analysis", **options)
    va.add_argument("--framework", required=True, help="framework CSV (level,code,parent,...)")
    va.add_argument("--responses", required=True, help="questionnaire .xlsx/.csv (问卷星 export)")
    va.add_argument("--factors", type=_whole_number(1), default=None, metavar="N",
                    help="number of factors (default: Horn's parallel analysis)")
    va.add_argument("--rotation", choices=["promax", "varimax", "none"], default="promax",
                    help="factor rotation")
    va.add_argument("--method", choices=["minres", "pa"], default="minres",
                    help="factor extraction: minimum residuals or principal axes")
    va.add_argument("--community-column", default="社区",
                    help="header of the questionnaire column naming the respondent's community")
    va.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the printed report")

    de = sub.add_parser("delphi", help="statistics of Delphi rounds: indicator means, CV, "
                        "Kendall's W, authority; keep/drop list and the kept framework",
                        **options)
    de.add_argument("--ratings", required=True,
                    help="long CSV (expert,indicator,rating[,comment,round,familiarity,basis_*]) "
                    "or a folder of Delphi workbooks (one per expert)")
    de.add_argument("--framework", required=True, help="framework CSV the indicators come from")
    de.add_argument("--round", type=_whole_number(1), default=None, metavar="N",
                    help="the round these ratings are (workbooks, or a CSV without a round "
                    "column; default 1); with a round column: analyse rounds 1..N (default all)")
    de.add_argument("--min-mean", type=float, default=3.5, help="keep when mean ≥ this")
    de.add_argument("--max-cv", type=float, default=0.25, help="keep when CV ≤ this")
    de.add_argument("--min-full-mark", type=float, default=None,
                    help="keep only when the share of 5s ≥ this (off by default)")
    de.add_argument("--experts-invited", type=_whole_number(1), default=None, metavar="N",
                    help="experts invited (response rate); default: experts in the ratings")
    de.add_argument("--out", help="Excel report with the 德尔菲 Delphi sheet (.xlsx)")
    de.add_argument("--kept-framework", help="framework CSV of the kept indicators to write")
    de.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the report")

    tp = sub.add_parser("template", help="write a blank expert workbook (AHP judgments or "
                        "Delphi ratings) or questionnaire", **options)
    tp.add_argument("kind", choices=["judgments", "questionnaire", "delphi"],
                    help="judgments: the experts' pairwise-comparison workbook; questionnaire: "
                         "the residents' Likert questionnaire (问卷星-style headers); delphi: "
                         "the experts' Delphi rating workbook")
    tp.add_argument("--framework", required=True, help="framework CSV (level,code,parent,...)")
    tp.add_argument("--out", required=True, help="workbook to write (.xlsx)")
    tp.add_argument("--lang", choices=["zh", "en"], default="zh",
                    help="language of the workbook's texts")

    demo = sub.add_parser("demo", help="evaluate the bundled synthetic Hangzhou-style study",
                          **options)
    demo.add_argument("--out", default=str(DEMO_OUT), help="folder for the report and charts")
    demo.add_argument("--lang", choices=["zh", "en"], default="zh",
                      help="language of the report and charts")
    demo.add_argument("--uncertainty", type=_whole_number(0), default=0, metavar="N",
                      help="Monte Carlo draws (expert panel, residents); 0 = off")
    study_cli.add_parser(sub, _whole_number)
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
    add_method_options(ev)


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
    ]
    if result.validity is not None:
        lines.append(f"construct validity 效度: {result.validity.summary().text(lang)}")
    lines += [
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
        grade = result.grades.of(row.community, h.root, lang)[0] if result.grades else ""
        lines.append(f"  {int(row.rank):>2}. {row.community:<10} {row.score:.4f} "
                     f"[{row.ci_low:.3f}, {row.ci_high:.3f}] n={int(row.n)} {grade}".rstrip())
    lines += [f"note 注: {localized(note, lang)}" for note in result.scores.notes]
    return lines


def _evaluate(args: argparse.Namespace, synthetic: bool = False) -> int:
    from reports.outputs import (
        study_figures,
        synthetic_note,
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
        **method_settings(args),
    )
    result = _run(args.framework, args.responses, args.judgments, settings, synthetic)
    print("\n".join(summary_lines(result, args.lang)))
    from evaluation.schemes import study_schemes

    schemes = study_schemes(result, getattr(args, "scheme_draws", 200))
    print("\n".join(method_lines(result, schemes, args.lang)))
    uncertainty = _uncertainty(result, args.uncertainty) if args.uncertainty > 0 else None
    if uncertainty is not None:
        print("\n".join(uncertainty_lines(uncertainty)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_study_report(result, out, args.lang, uncertainty=uncertainty, schemes=schemes)
    print(f"report 报告: {out}")
    if args.figures:
        figures = study_figures(result, args.lang)
        if uncertainty is not None:
            figures |= uncertainty_figures(result, uncertainty, args.lang)
        from reports.methods_report import method_figures

        figures |= method_figures(result, schemes, args.lang,
                                  note=synthetic_note(result, args.lang))
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
    elif args.kind == "delphi":
        from panel.delphi_files import write_delphi_template

        write_delphi_template(hierarchy, args.out)
    else:
        from survey.questionnaire import write_questionnaire_template

        write_questionnaire_template(hierarchy, args.out, lang=args.lang)
    print(f"template 模板: {args.out}")
    return 0


def validity_lines(report: ValidityReport, hierarchy: Hierarchy, lang: str = "zh") -> list[str]:
    """What ``shanzhi validity`` prints: the verdict, the findings against the framework, the
    variance explained, the loadings of the items off their dimension and the weak items."""
    lines = [report.verdict().text(lang)]
    if report.ok:
        assert report.efa is not None
        lines += [m.text(lang) for m in report.findings()]
        variance = report.efa.variance
        lines.append("variance 方差解释: " + ", ".join(
            f"{f} {variance.at['ss_loadings', f]:.2f} ({variance.at['proportion', f]:.1%})"
            for f in variance.columns))
        low = report.kmo.per_item[report.kmo.per_item < 0.6] if report.kmo else []
        if len(low):
            lines.append(t("validity.msa_low", lang, items=", ".join(
                f"{i} {v:.2f}" for i, v in low.items())))
    lines += [f"note 注: {localized(n, lang)}" for n in report.notes]
    lines.append(f"item analysis 项目分析: {t('validity.items.title', lang)}")
    if report.items is not None:
        ia = report.items
        warnings = report.item_warnings()
        lines.append("  " + t("validity.items.summary", lang, n=ia.n, n_high=ia.n_high,
                              high=ia.high_cutoff, n_low=ia.n_low, low=ia.low_cutoff,
                              flagged=len(warnings)))
        lines += [f"  ! {m.text(lang)}" for m in warnings]
    else:
        lines += [f"  ! {m.text(lang)}" for m in report.item_warnings()]
    return lines


def _validity(args: argparse.Namespace) -> int:
    from evaluation.validity import assess_validity
    from survey.loading import load_responses
    from survey.screening import screen

    hierarchy = Hierarchy.from_csv(args.framework)
    loaded = load_responses(args.responses, hierarchy, community_column=args.community_column)
    valid, report = screen(loaded)
    print(f"validity 有效性: {report.received} received / {report.valid} valid / "
          f"{report.rate:.1%}")
    result = assess_validity(valid, hierarchy, n_factors=args.factors,
                             rotation=None if args.rotation == "none" else args.rotation,
                             method=args.method)
    print("\n".join(validity_lines(result, hierarchy, args.lang)))
    return 0 if result.ok else 2


def _delphi(args: argparse.Namespace) -> int:
    from delphi import KeepRule
    from panel.delphi_files import analyse_rounds, read_delphi_ratings

    hierarchy = Hierarchy.from_csv(args.framework)
    data = read_delphi_ratings(args.ratings, hierarchy, round_number=args.round)
    rule = KeepRule(min_mean=args.min_mean, max_cv=args.max_cv,
                    min_full_mark=args.min_full_mark)
    if args.out:
        _check_outputs(Path(args.out), None)
    analysis = analyse_rounds(data, hierarchy, rule=rule, upto=args.round,
                              experts_invited=args.experts_invited)
    print("\n".join(delphi_lines(analysis, hierarchy, args.lang)))
    if args.out:
        from reports.excel_report import write_report

        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_report(out, hierarchy, lang=args.lang, delphi=analysis.rounds)
        print(f"report 报告: {out}")
    if args.kept_framework:
        out = Path(args.kept_framework)
        out.parent.mkdir(parents=True, exist_ok=True)
        analysis.kept.to_csv(out, index=False, encoding="utf-8")
        print(f"kept framework 保留指标框架: {out} ({len(analysis.kept)} rows)")
        if analysis.problem:
            print(f"note 注: the kept framework is not yet a valid framework for the AHP panel "
                  f"保留的指标尚不构成完整的指标框架: {analysis.problem}")
    return 0


def delphi_lines(analysis: DelphiAnalysis, hierarchy: Hierarchy, lang: str = "zh"
                 ) -> list[str]:
    """Per round: response rate, authority, Kendall's W (χ², df, p), warnings; then the
    last round's keep/drop list with the reasons."""
    lines = []
    for number, r in zip(analysis.numbers, analysis.rounds, strict=True):
        k = r.kendall
        w = (f"Kendall W {k.w:.4f}, χ² {k.statistic:.2f}, df {k.df}, p {k.pvalue:.4g}"
             if k is not None else "Kendall W -")
        cr = f"{r.mean_cr:.3f}" if r.mean_cr is not None else "-"
        lines.append(f"round 第 {number} 轮: {len(r.indicators)} indicators 指标; "
                     f"response rate 积极系数 {r.responded}/{r.invited} = "
                     f"{r.response_rate:.1%}; authority 权威系数 Cr {cr}; {w}")
        lines += [f"  ! {w}" for w in r.warnings]
    last = analysis.rounds[-1]
    table = last.indicators
    lines.append(f"keep/drop 保留/删除 (round {analysis.numbers[-1]}; "
                 f"{len(last.kept)} kept 保留, {len(table) - len(last.kept)} dropped 删除):")
    for code, row in table.iterrows():
        mark = "keep 保留" if row["keep"] else "DROP 删除"
        lines.append(f"  {code:<5} {hierarchy.name(code, lang)[:18]:<18} mean {row['mean']:.2f} "
                     f"SD {row['sd']:.2f} CV {row['cv']:.3f} 5s {row['full_mark_share']:.0%} "
                     f"rank {row['rank']}  {mark}{'  ' + row['reason'] if row['reason'] else ''}")
    return lines


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
        scheme_draws=200,
    )
    return _evaluate(ns, synthetic=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``shanzhi`` console script; returns the exit status."""
    args = _parser().parse_args(argv)
    commands = {"evaluate": _evaluate, "template": _template, "demo": _demo,
                "validity": _validity, "delphi": _delphi, "study": study_cli.run}
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
