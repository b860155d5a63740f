"""``embedlab sets list|rm`` and ``embedlab train ... --save NAME``: the dashboard's workspace from
the command line.  Sets saved here are listed in the dashboard for the server's owner."""

from __future__ import annotations

import argparse
import sys

from ..workspace import CLI_OWNER, Workspace
from .common import emit, json_option


def workspace_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--workspace", help="workspace folder (default: the user's data folder, as the dashboard)"
    )
    return p


def open_workspace(args) -> Workspace:
    return Workspace(args.workspace or Workspace.default_root())


def register(sub) -> None:
    """Add ``sets`` to ``sub`` and ``--save NAME`` to the already registered ``train``."""
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
    train = sub.choices["train"]
    train.add_argument(
        "--save", metavar="NAME", help="also store the item vectors in the dashboard's workspace"
    )
    train.add_argument(
        "--workspace", help="workspace folder for --save (default: the user's data folder)"
    )
    train.set_defaults(run=_saving(train.get_default("run")))


def _saving(run_train):
    """``train`` as before, then (with --save) the written item vectors stored in the workspace."""

    def run(args) -> int:
        code = run_train(args)
        if code == 0 and args.save:
            from .. import io

            rec = open_workspace(args).save_set(io.load(args.out), args.save, owner=CLI_OWNER)
            print(
                f"saved as '{rec.name}' (id {rec.id}) in {open_workspace(args).root}",
                file=sys.stderr,
            )
        return code

    return run


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
