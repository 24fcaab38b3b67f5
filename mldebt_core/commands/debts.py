"""`mldebt debts` and `mldebt triage`: a system's debts in one ranking, and a team's decision about one of them."""

from mldebt_core.commands.common import default_author, open_store, options, tell, write_frame
from mldebt_core.errors import MldebtError

COLUMNS = ["rank", "where", "severity", "kind", "message", "next_step", "score", "status", "owner", "note", "source",
           "confidence", "reach", "age_days", "first_seen", "seen_in_scans", "finding_id"]


def add_commands(commands) -> None:
    debts = commands.add_parser(
        "debts", help="the system's debts from its latest scan and every analysis, worst first",
        description="One ranked list of the system's debts: the findings of its latest scan (at least "
                    "--min-confidence percent confident) and of every analysis recorded for it, ranked by "
                    "severity x confidence x reach (how many artifacts of the lineage depend on it) x age (since "
                    "first seen), each with its specific next step and its triage. Without --all, only the open "
                    "ones (open, or marked fixed and still detected). See docs/audit.md.",
        parents=options("system", "format"))
    debts.add_argument("--all", action="store_true", help="also the debts triaged as accepted or won't fix")
    debts.add_argument("--top", type=int, metavar="N", help="only the N worst")
    debts.add_argument("--min-confidence", type=int, metavar="PERCENT",
                       help="leave out scan findings less confident than this (default: the dashboard's floor, "
                            "FindingsViewSettings.min_confidence)")
    debts.set_defaults(run=_debts)

    triage = commands.add_parser(
        "triage", help="record a team's decision about a finding: status, owner, note",
        description="Store the triage of one finding by its stable id (see `mldebt debts`): it survives re-scans "
                    "and is shown in the dashboard. Accepting a debt or deciding not to fix it needs a reason, "
                    "given as --note. Each triage is kept; the latest one counts.",
        epilog="example:  mldebt triage unstable_data_dependency:d7ac9f593658 --status accepted --owner ana "
               "--note 'the export is replaced next quarter'")
    triage.add_argument("finding_id", metavar="FINDING_ID")
    triage.add_argument("--system", metavar="NAME",
                        help="the system the finding belongs to (needed only when several systems have it)")
    triage.add_argument("--status", required=True, choices=["open", "accepted", "wont_fix", "fixed"])
    triage.add_argument("--owner", default="", metavar="NAME", help="who pays it down")
    triage.add_argument("--note", default="", metavar="TEXT", help="why (required for accepted and wont_fix)")
    triage.add_argument("--author", default=None, metavar="NAME", help="who decides (default: your user name)")
    triage.set_defaults(run=_triage)


def _debts(args) -> int:
    from mldebt_core.audit.debts import open_debts, system_debts
    from mldebt_core.settings import DEFAULT_FINDINGS_VIEW_SETTINGS
    from mldebt_core.store import queries

    if args.top is not None and args.top < 1:
        raise MldebtError(f"--top: expected a positive number of debts, got {args.top}")
    floor = DEFAULT_FINDINGS_VIEW_SETTINGS.min_confidence if args.min_confidence is None else args.min_confidence
    if not 0 <= floor <= 100:
        raise MldebtError(f"--min-confidence: expected a percentage from 0 to 100, got {floor}")
    with open_store(args) as store:
        if args.system not in queries.list_systems(store):
            raise MldebtError(f"--system: no system named {args.system!r} in {store.path}")
        debts = system_debts(store, args.system, queries.latest_scan(store, args.system), floor)
    shown = debts if args.all else open_debts(debts)
    write_frame(shown.head(args.top)[COLUMNS] if args.top else shown[COLUMNS], args.format)
    return 0


def _triage(args) -> int:
    from mldebt_core.audit.triage import set_triage, systems_with

    with open_store(args) as store:
        systems = systems_with(store, args.finding_id)
        if args.system is None:
            if len(systems) != 1:
                raise MldebtError(f"{args.finding_id}: " + (
                    f"found in several systems ({', '.join(systems)}): say which with --system" if systems else
                    "no scan or analysis of any system has this finding (ids: `mldebt debts --system NAME`)"))
            args.system = systems[0]
        triage = set_triage(store, args.system, args.finding_id, args.status, args.owner, args.note,
                            args.author if args.author is not None else default_author())
    tell(f"{triage.finding_id} of {args.system}: {triage.status}"
         + (f", owner {triage.owner}" if triage.owner else ""))
    return 0
