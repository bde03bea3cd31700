"""``shanzhi study …``: the study store from the command line (everything the app can do).

    shanzhi study create --name N --framework F [--db URL]          → prints the new id last
    shanzhi study add-judgments --study ID --judgments FILE|FOLDER
    shanzhi study add-wave --study ID --wave LABEL --responses FILE [--mapping CSV]
    shanzhi study publish --study ID [--wave LABEL] [--min-respondents N --bootstrap N --seed N
                          --aggregation AIJ|AIP --exclude-inconsistent]
    shanzhi study show --study ID [--wave LABEL] [--format table|csv]
    shanzhi study changes --study ID [--wave LABEL] [--format table|csv]
    shanzhi study export --study ID --out FILE.zip
    shanzhi study import --archive FILE.zip                         → prints the new id last
    shanzhi study viewer-link --study ID [--label L] [--base-url URL]
    shanzhi study revoke-viewer --study ID --viewer N
    shanzhi study delete-wave --study ID --wave LABEL               (answers only; results stay)
    shanzhi study delete-study --study ID --yes
    shanzhi study state --study ID [--set collecting|closed]
    shanzhi study audit --study ID [--format table|csv]
    shanzhi study list

``--db`` is a file path (SQLite) or a ``postgresql://`` URL (default: ``SHANZHI_DB``, else
``~/.shanzhi/shanzhi.sqlite3``). Access to the database is the credential here: the CLI acts as
the organizer (audit actor ``cli``).
"""

from __future__ import annotations

import argparse
import secrets
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from ahp.hierarchy import Hierarchy
from evaluation.study import read_judgments
from panel.store import JudgmentStore, OrganizerSession, default_db_path, organizer_secret_from_env
from panel.tokens import viewer_link

RANKING_COLUMNS = ["community", "score", "ci_low", "ci_high", "rank", "n"]


def add_parser(sub: argparse._SubParsersAction, whole_number) -> None:
    """Register ``study`` and its subcommands on the main parser."""
    study = sub.add_parser("study", help="a stored study: panel, waves, published results")
    cmds = study.add_subparsers(dest="action", required=True, help="what to do with the study")

    def command(name: str, help_text: str, needs_study: bool = True) -> argparse.ArgumentParser:
        p = cmds.add_parser(name, help=help_text)
        p.add_argument("--db", default=None, help="database path (SQLite) or postgresql:// URL")
        if needs_study:
            p.add_argument("--study", required=True, help="study id (printed by create)")
        return p

    p = command("create", "create a study; prints its id on the last line", needs_study=False)
    p.add_argument("--name", required=True, help="the study's name, as the pages show it")
    p.add_argument("--framework", required=True, help="framework CSV")
    p.add_argument("--id", default=None, help="study id (default: random)")
    p = command("add-judgments", "add expert judgments (CSV, workbook or folder of workbooks)")
    p.add_argument("--judgments", required=True,
                   help="expert judgments: long CSV, an expert workbook .xlsx or a folder of them")
    p.add_argument("--replace", action="store_true", help="replace the experts' nodes given")
    p = command("add-wave", "add a questionnaire wave (what `evaluate --responses` takes)")
    p.add_argument("--wave", required=True, help="wave label, e.g. 2024")
    p.add_argument("--responses", required=True, help="questionnaire .xlsx/.csv (问卷星 export)")
    p.add_argument("--mapping", default=None, help="CSV header → item code")
    p = command("publish", "evaluate a wave and store the result as a snapshot")
    p.add_argument("--wave", default=None, help="default: the latest wave")
    p.add_argument("--min-respondents", type=whole_number(1), default=None,
                   help="communities with fewer valid respondents are not reported (default 10)")
    p.add_argument("--bootstrap", type=whole_number(0), default=None,
                   help="bootstrap resamples for the 95%% intervals (default 1000)")
    p.add_argument("--seed", type=whole_number(0), default=None,
                   help="random seed (same seed, same numbers; default 0)")
    p.add_argument("--aggregation", choices=["AIJ", "AIP"], default=None,
                   help="AIJ: combine the judgments; AIP: combine the weights (default AIJ)")
    p.add_argument("--exclude-inconsistent", action="store_true", default=None,
                   help="leave judgments with CR at or above the threshold out")
    for name, text in (("show", "the published ranking"),
                       ("changes", "change per community and dimension between waves")):
        p = command(name, text)
        p.add_argument("--wave", default=None, help="wave label (default: the latest)")
        p.add_argument("--format", choices=["table", "csv"], default="table",
                       help="a printed table or CSV")
    p = command("report", "the Excel report of a published result (changes and audit sheets)")
    p.add_argument("--out", required=True, help="report .xlsx")
    p.add_argument("--wave", default=None, help="default: the latest published result")
    p.add_argument("--lang", choices=["zh", "en"], default="zh",
                   help="language of the report")
    p.add_argument("--no-audit", action="store_true", help="leave the audit sheet out")
    p = command("export", "write the whole study as one zip archive")
    p.add_argument("--out", required=True, help="zip archive to write")
    p = command("import", "import a study archive; prints the new id on the last line",
                needs_study=False)
    p.add_argument("--archive", required=True, help="zip archive written by export")
    p = command("viewer-link", "issue a viewer link (shown once)")
    p.add_argument("--label", default="viewer", help="who the link is for (shown in the list)")
    p.add_argument("--base-url", default="http://localhost:8501/",
                   help="the app's address as the viewer opens it")
    p = command("revoke-viewer", "revoke a viewer link")
    p.add_argument("--viewer", type=whole_number(1), required=True,
                   help="the viewer link's number")
    p = command("delete-wave", "delete a wave's answers (its published results stay)")
    p.add_argument("--wave", required=True, help="wave label")
    p = command("delete-study", "delete the whole study")
    p.add_argument("--yes", action="store_true", required=True,
                   help="confirm: the study cannot be restored (but from an archive)")
    p = command("state", "show or set the lifecycle state")
    p.add_argument("--set", choices=["collecting", "closed"], default=None,
                   help="the new state (default: only show it)")
    p = command("audit", "the audit log")
    p.add_argument("--format", choices=["table", "csv"], default="table",
                   help="a printed table or CSV")
    command("list", "all studies with their state", needs_study=False)


def _store(args: argparse.Namespace) -> tuple[JudgmentStore, str]:
    secret = organizer_secret_from_env() or secrets.token_urlsafe(16)
    return JudgmentStore(args.db or default_db_path(), organizer_secret=secret), secret


def _organizer(args: argparse.Namespace) -> OrganizerSession:
    store, secret = _store(args)
    session = store.open_organizer(args.study, secret)
    session.actor = "cli"
    return session


def _print(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        sys.stdout.write(frame.to_csv(index=False, lineterminator="\n"))
    else:
        print(frame.to_string(index=False))


def run(args: argparse.Namespace) -> int:
    """Run one ``study`` subcommand; returns the exit status."""
    action = args.action
    if action == "create":
        store, secret = _store(args)
        org = store.create_study(args.name, secret, framework=args.framework, study_id=args.id)
        print(f"created study '{org.study.name}' ({store.db.name})")
        print(org.study_id)
        return 0
    if action == "import":
        store, secret = _store(args)
        org = store.import_archive(Path(args.archive).read_bytes(), secret)
        print(f"imported study '{org.study.name}' with {len(org.waves())} wave(s)")
        print(org.study_id)
        return 0
    if action == "list":
        store, _ = _store(args)
        print(store.study_states().to_string(index=False))
        return 0
    org = _organizer(args)
    if action == "add-judgments":
        hierarchy = org.study.hierarchy or Hierarchy.from_frame(pd.DataFrame())
        table = read_judgments(args.judgments, hierarchy).table
        result = org.import_judgments(table, replace=args.replace, add_experts=True)
        print(f"{result.cells} judgments saved; {len(result.tokens)} new expert(s)")
    elif action == "add-wave":
        wave = org.add_wave(args.wave, args.responses, mapping=args.mapping)
        print(f"wave '{wave.label}': {wave.n_received} received, {wave.n_valid} valid; "
              f"state {org.state()}")
    elif action == "publish":
        settings = org.settings()
        changes = {k: v for k, v in {
            "min_respondents": args.min_respondents, "bootstrap": args.bootstrap,
            "seed": args.seed, "aggregation": args.aggregation,
            "exclude_inconsistent": args.exclude_inconsistent}.items() if v is not None}
        if changes:
            org.set_settings(replace(settings, **changes))
        result = org.publish(args.wave)
        print(f"published result {result.result_id} of wave '{result.wave}': "
              f"{len(result.ranking)} communities ranked, sha256 {result.payload_sha256[:12]}")
    elif action == "show":
        _print(org.result(args.wave).ranking[RANKING_COLUMNS], args.format)
    elif action == "changes":
        result = org.result(args.wave)
        if result.changes is None:
            print(f"wave '{result.wave}' was published without an earlier wave to compare",
                  file=sys.stderr)
            return 2
        _print(result.changes, args.format)
        for key, text in (("only_before", "only in the earlier wave"),
                          ("only_after", "only in this wave")):
            if result.lists.get(key):
                print(f"# {text}: {', '.join(result.lists[key])}", file=sys.stderr)
    elif action == "report":
        from reports.excel_report import published_report

        result = org.result(args.wave)
        published_report(args.out, result, org.study.hierarchy, lang=args.lang,
                         audit=None if args.no_audit else org.audit())
        print(f"wrote {args.out} (result {result.result_id} of wave '{result.wave}')")
    elif action == "export":
        Path(args.out).write_bytes(org.export_archive())
        print(f"wrote {args.out}")
    elif action == "viewer-link":
        token = org.issue_viewer(args.label)
        print("viewer link (shown once; only its hash is stored):")
        print(viewer_link(args.base_url, token))
    elif action == "revoke-viewer":
        org.revoke_viewer(args.viewer)
        print(f"viewer link {args.viewer} revoked")
    elif action == "delete-wave":
        org.delete_wave_answers(args.wave)
        print(f"answers of wave '{args.wave}' deleted; its published results remain")
    elif action == "delete-study":
        org.delete_study()
        print(f"study '{args.study}' deleted")
    elif action == "state":
        print(org.set_state(args.set) if args.set else org.state())
    elif action == "audit":
        _print(org.audit(), args.format)
    return 0
