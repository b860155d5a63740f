"""``embedlab sets list|rm``: the dashboard's workspace from the command line (``embedlab train
--save NAME`` stores into it; sets saved from the CLI are listed in the dashboard for the server's
owner)."""

from __future__ import annotations

from ..workspace import CLI_OWNER
from .common import emit, json_option, open_workspace, workspace_option


def register(sub) -> None:
    """Add ``sets`` to ``sub``."""
    p = sub.add_parser("sets", help="list or remove sets stored in the dashboard's workspace")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser(
        "list", parents=[json_option(), workspace_option()], help="stored sets and logs"
    )
    ls.set_defaults(run=run_list)
    rm = actions.add_parser(
        "rm", parents=[json_option(), workspace_option()], help="remove stored sets"
    )
    rm.add_argument("names", nargs="+", help="ids or names (from `embedlab sets list`)")
    rm.set_defaults(run=run_rm)


def run_list(args) -> int:
    ws = open_workspace(args)
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "kind": r.kind,
            "owner": "cli" if r.owner == CLI_OWNER else "browser",
            "mb": round(r.bytes / 1e6, 2),
            "created": r.created[:19],
        }
        for r in ws.records()
    ]
    emit(
        args,
        {
            "workspace": str(ws.root),
            "used_mb": round(ws.used_bytes() / 1e6, 2),
            "cap_mb": round(ws.max_bytes / 1e6),
            "sets": rows,
        },
        lambda d: (
            [
                f"{r['id']}  {r['kind']:<7}  {r['mb']:>8.2f} MB  {r['created']}  {r['name']}"
                for r in d["sets"]
            ]
            + [f"{d['used_mb']:.2f} of {d['cap_mb']} MB used in {d['workspace']}"]
        ),
    )
    return 0


def run_rm(args) -> int:
    ws = open_workspace(args)
    records = [ws.find(name) for name in args.names]  # all found before any is removed
    for rec in records:
        ws.delete(rec.id)
    emit(
        args, {"removed": [r.id for r in records]}, lambda d: [f"removed {i}" for i in d["removed"]]
    )
    return 0
