"""The query-plan guard (issue 14): no statement the bot issues scans a growing table.

The workload (`plan_workload.run_workload`) drives the real code paths on a database
seeded with a network's history; every statement it issues is recorded with its
parameters and explained, on SQLite after ANALYZE (`EXPLAIN QUERY PLAN`: `SCAN t` reads
the whole table or index, `SEARCH t USING INDEX` seeks) and on PostgreSQL with
`enable_seqscan = off` (`EXPLAIN (FORMAT JSON)`: a Seq Scan is then left only where no
index can serve, and an index scan without an Index Cond reads the whole index).

A scan under a LIMIT that stops it early (rows read in the order wanted: no sort in
between) is bounded, and allowed. Anything else fails here, naming the statement and the
code that issued it — unless `BOUNDED` lists it, with the reason it cannot grow.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, insert, text

from bot.storage.database import Database
from bot.storage.tables import (
    AnnotationRow,
    CaseRow,
    CaseTagRow,
    FicheVersionRow,
    MeetingLineRow,
    MeetingRow,
    MessageRow,
    NetworkCaseRow,
    NetworkPublicationRow,
    OutboxRow,
    PublicationRow,
    ReviewRow,
    RoomRow,
    TimerRow,
)
from tests.unit.storage.plan_workload import run_workload

GROWING = frozenset(
    {
        "cases",
        "messages",
        "outbox",
        "timers",
        "fiche_versions",
        "reviews",
        "publications",
        "annotations",
        "case_tags",
        "meetings",
        "meeting_lines",
        "network_cases",
        "network_publications",
    }
)

#: Statements allowed to read a whole growing table (a regular expression matching the
#: whole statement, whitespace folded), each with why. Keep it short: every entry is a
#: cost that grows with the network.
BOUNDED: dict[str, str] = {
    r"SELECT count\(\*\) AS count_1 FROM cases": "`!fiches` without a filter in the "
    "moderation or research room: the network's total, counted on an index (no row read)",
    r"SELECT .* FROM cases WHERE (lower\(cases.title\) LIKE|cases.title ILIKE) .*": "`!fiches "
    "texte` in the moderation or research room: free text in every title has no B-tree "
    "(in any other room the room's index bounds it)",
    r"SELECT .* FROM cases ORDER BY cases.id": "the research export reads every case "
    "(it is the export's job; out of the running bot, and its own issue-14 work)",
    r"SELECT .* FROM outbox ORDER BY outbox.id": "`!oublier` scrubs every outbox row of "
    "the person's words; rare, and the table is bounded by privacy.outbox_retention",
    r"SELECT publications.case_id, publications.page_title, publications.status FROM "
    r"publications": "the set of live pages is what is asked: the search index of every "
    "published fiche (rebuilt only when the fiches change, in a worker thread) and the "
    "titles `!lire titre` matches (one row per fiche)",
    r"SELECT reviews.id, reviews.case_id, reviews.fiche_version FROM reviews WHERE "
    r"reviews.case_id IN \(.*\) AND reviews.decision = \S+": "the search index's approvals of "
    "the published fiches, by case (its index), 900 at a time: when those cover most of "
    "the table, SQLite after ANALYZE reads it whole instead, as cheap",
    r"SELECT fiche_versions.case_id, fiche_versions.version, fiche_versions.fields FROM "
    r"fiche_versions WHERE fiche_versions.case_id IN \(.*\)": "the search index's fiches, by "
    "case (its index), 900 at a time: same as the approvals above",
    r"SELECT DISTINCT case_tags.key FROM case_tags WHERE case_tags.kind = \S+": "`!experts "
    "sujet`: the network's distinct themes, matched to the subject in Python (« emploi » "
    "finds « emploi des jeunes »); one short row per theme of each fiche, read on the "
    "(kind, key) index by SQLite, and only when someone asks for experts",
}

#: SQLite after ANALYZE only: statements on a skewed status column (a few pending rows
#: among thousands done), which SQLite's statistics cannot tell apart (no sqlite_stat4)
#: and then scans. The bot never runs ANALYZE; the outbox lanes' own issue-14 change may
#: key these on `done_at IS NULL` (selective in the statistics) instead.
KNOWN_WITH_STATISTICS: dict[str, str] = {
    r"SELECT .* FROM outbox WHERE outbox.status = \? (AND .*)?ORDER BY outbox.id( LIMIT .*)?": (
        "pending_outbox, due_outbox, failed_outbox: status = ? looks unselective"
    ),
}

T0 = datetime(2024, 1, 1, tzinfo=UTC)
RECENT = datetime(2027, 2, 20, tzinfo=UTC)
CASES, MESSAGES_PER_CASE = 3_000, 8


@dataclass
class Seen:
    """A statement as the driver received it, with its first parameters and caller."""

    sql: str
    params: Any
    caller: str
    plan: list[str] = field(default_factory=list)
    analyzed: list[str] = field(default_factory=list)  # SQLite, after ANALYZE


class Recorder:
    """Every distinct statement issued by any engine while installed."""

    def __init__(self) -> None:
        self.seen: dict[str, Seen] = {}

    def __call__(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if statement in self.seen or not _explainable(statement):
            return
        if executemany:
            parameters = parameters[0] if parameters else ()
        self.seen[statement] = Seen(statement, parameters, _caller())

    @contextmanager
    def install(self) -> Iterator[None]:
        event.listen(Engine, "before_cursor_execute", self)
        try:
            yield
        finally:
            event.remove(Engine, "before_cursor_execute", self)


def _explainable(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    return head in {"SELECT", "UPDATE", "DELETE", "WITH"} or (
        head == "INSERT" and " SELECT " in sql.upper()
    )


def _caller() -> str:
    """The innermost frame of bot/ that issued the statement (what to fix)."""
    for frame in reversed(traceback.extract_stack()):
        if "/bot/" in frame.filename and "/bot/storage/db" not in frame.filename:
            return f"{frame.filename.split('/bot/', 1)[1]}:{frame.lineno} {frame.name}"
    return "?"


# --- a network's history ---------------------------------------------------------------


def _seed(db: Database) -> None:
    """Years of a network: thousands of cases with messages, fiches, reviews, pages,
    annotations, tags, done outbox rows and timers, in rooms the workload never uses."""
    rooms = [f"!old{n}:localhost" for n in range(40)]
    with db.engine.begin() as conn:
        conn.execute(insert(RoomRow), [{"room_id": r, "label": r[1:6]} for r in rooms])
        at = [T0 + timedelta(hours=n) for n in range(CASES)]
        # done within the retention period still when the workload purges (its last step)
        recent = [RECENT + timedelta(seconds=n) for n in range(CASES)]
        conn.execute(
            insert(CaseRow),
            [
                {
                    "id": n + 1,
                    "room_id": rooms[n % 40],
                    "root_event_id": f"$old{n}",
                    "origin": "thread",
                    "title": f"Cas ancien {n}",
                    "state": ("published", "rejected", "withdrawn", "capturing")[n % 4],
                    "created_by": f"@p{n % 500}:localhost",
                    "created_at": at[n],
                    "last_activity_at": at[n],
                }
                for n in range(CASES)
            ],
        )
        conn.execute(
            insert(MessageRow),
            [
                {
                    "event_id": f"$m{n}-{k}",
                    "room_id": rooms[n % 40],
                    "case_id": n + 1 if k < 5 else None,
                    "sender": f"@p{(n + k) % 500}:localhost",
                    "sent_at": at[n] + timedelta(minutes=k),
                    "body": "texte",
                    "thread_root": f"$old{n}",
                }
                for n in range(CASES)
                for k in range(MESSAGES_PER_CASE)
            ],
        )
        for table, row in _per_case(at, recent):
            conn.execute(insert(table), [row(n) for n in range(CASES)])
        if conn.dialect.name == "postgresql":
            for table in (
                "cases",
                "fiche_versions",
                "reviews",
                "annotations",
                "outbox",
                "timers",
                "meetings",
            ):
                conn.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), :n)"),
                    {"n": CASES + 1},
                )


def _per_case(at: list[datetime], recent: list[datetime]) -> list[tuple[Any, Any]]:
    """One row per old case in each table that grows with cases: (table, row of n)."""
    return [
        (
            FicheVersionRow,
            lambda n: {
                "case_id": n + 1,
                "version": 1,
                "fields": {},
                "submitted_by": f"@p{n % 500}:localhost",
                "submitted_at": at[n],
            },
        ),
        (
            ReviewRow,
            lambda n: {
                "case_id": n + 1,
                "fiche_version": 1,
                "moderator": f"@m{n % 20}:localhost",
                "decision": "approve",
                "comment": "",
                "decided_at": at[n],
            },
        ),
        (
            PublicationRow,
            lambda n: {
                "case_id": n + 1,
                "page_title": f"Page {n}",
                "last_revid": n,
                "status": "published",
                "updated_at": at[n],
            },
        ),
        (
            AnnotationRow,
            lambda n: {
                "case_id": n + 1,
                "researcher": f"@r{n % 10}:localhost",
                "text": "note",
                "created_at": at[n],
            },
        ),
        (CaseTagRow, lambda n: {"case_id": n + 1, "kind": "themes", "key": f"theme {n % 60}"}),
        (
            NetworkCaseRow,
            lambda n: {"case_id": n + 1, "shared": n % 2 == 0, "changed_at": at[n]},
        ),
        (
            NetworkPublicationRow,
            lambda n: {
                "case_id": n + 1,
                "page_title": f"Page {n} (fiche crpv-w {n + 1})",
                "last_revid": n,
                "status": "published",
                "updated_at": at[n],
            },
        ),
        (
            OutboxRow,
            lambda n: {
                "kind": "notice",
                "dedupe_key": f"old:{n}",
                "payload": {},
                "status": "done",
                "created_at": recent[n],
                "done_at": recent[n],
            },
        ),
        (
            MeetingRow,
            lambda n: {
                "id": n + 1,
                "room_id": f"!old{n % 40}:localhost",
                "title": "GT",
                "opener": f"@p{n % 500}:localhost",
                "opened_at": at[n],
                "closed_at": at[n],
                # reviewed by the network's moderators, or published directly
                "review": "approved" if n % 3 else "direct",
                "reviewed_by": f"@m{n % 20}:localhost" if n % 3 else None,
            },
        ),
        (
            MeetingLineRow,
            lambda n: {
                "meeting_id": n + 1,
                "event_id": f"$line{n}",
                "sender": f"@p{n % 500}:localhost",
                "sent_at": at[n],
                "body": "#action @x y",
                "tag": "action",
                "text": "y",
                "owner": f"@p{(n + 7) % 500}:localhost",
            },
        ),
        (
            TimerRow,
            lambda n: {
                "kind": "prompt",
                "case_id": n + 1,
                "due_at": recent[n],
                "done_at": recent[n],
            },
        ),
    ]


# --- plans -----------------------------------------------------------------------------


def _sqlite_plan(conn: Connection, seen: Seen) -> list[str]:
    rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {seen.sql}", _params(seen.params))
    return [str(row[-1]) for row in rows]


def _sqlite_plans(conn: Connection, seen: list[Seen]) -> None:
    """Each statement's plans without statistics (the bot never runs ANALYZE) and with
    them (an operator's ANALYZE or `PRAGMA optimize`: skewed columns such as a status
    then look unselective)."""
    for statement in seen:
        statement.plan = _sqlite_plan(conn, statement)
    conn.exec_driver_sql("ANALYZE")
    for statement in seen:
        statement.analyzed = _sqlite_plan(conn, statement)


def _sqlite_scans(sql: str, plan: list[str]) -> set[str]:
    """Growing tables read whole (a SCAN), unless a LIMIT stops an unfiltered scan in
    order (a filtered one may read everything before finding its rows)."""
    scans = {m.group(1) for line in plan if (m := re.match(r"SCAN (\w+)", line))}
    bounded = (
        re.search(r"\bLIMIT\b", sql)
        and not re.search(r"\bWHERE\b", sql)
        and not any("TEMP B-TREE" in line for line in plan)
    )
    return set() if bounded else scans & GROWING


def _pg_plan(conn: Connection, seen: Seen) -> list[str]:
    (raw,) = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {seen.sql}", _params(seen.params)).one()
    plan = raw if isinstance(raw, list) else json.loads(raw)
    return [json.dumps(plan[0]["Plan"])]


def _leading_columns(conn: Connection) -> dict[str, str]:
    """Index name → its first column, for every index of the growing tables."""
    rows = conn.exec_driver_sql(
        "SELECT i.relname, a.attname FROM pg_index x"
        " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
        " JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0]"
    )
    return {str(name): str(column) for name, column in rows}


def _bitmap_scans(node: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for child in node.get("Plans", ()):
        if child.get("Node Type") == "Bitmap Index Scan":
            yield child
        yield from _bitmap_scans(child)


def _pg_scans(seen: Seen, leading: Mapping[str, str]) -> set[str]:
    """Growing tables read whole: a Seq Scan (with enable_seqscan off: no index could
    serve), or an index scan whose condition misses the index's first column (PostgreSQL
    then reads the whole index) unless a LIMIT stops an unfiltered scan in order."""
    found: set[str] = set()

    def seeks(node: Mapping[str, Any]) -> bool:
        cond = str(node.get("Index Cond", ""))
        first = leading.get(str(node.get("Index Name", "")), "")
        return bool(cond) and re.search(rf"\b{re.escape(first)}\b", cond) is not None

    def walk(node: Mapping[str, Any], limited: bool) -> None:
        kind = node.get("Node Type", "")
        limited = limited or kind == "Limit"
        if kind in {"Sort", "Aggregate", "Hash", "HashAggregate"}:
            limited = False  # everything below is read before the first row comes out
        table = node.get("Relation Name")
        unfiltered_in_order = limited and "Filter" not in node
        if kind == "Bitmap Heap Scan":  # its bitmap index scans say whether it seeks
            whole = not all(seeks(child) for child in _bitmap_scans(node))
        else:
            whole = kind == "Seq Scan" or (
                "Index" in kind and not seeks(node) and not unfiltered_in_order
            )
        if table in GROWING and whole:
            found.add(str(table))
        for child in node.get("Plans", ()):
            walk(child, limited)

    for line in seen.plan:
        walk(json.loads(line), False)
    return found


def _params(params: Any) -> Any:
    if isinstance(params, Mapping):
        return dict(params)
    if isinstance(params, Sequence) and not isinstance(params, str):
        return tuple(params)
    return params


# --- the guard -------------------------------------------------------------------------


@pytest.fixture
def history(any_db: Database, tmp_path: Path) -> tuple[Database, list[Seen]]:
    """The seeded database and every statement the workload issued on it."""
    _seed(any_db)
    recorder = Recorder()
    url = any_db.engine.url.render_as_string(hide_password=False)
    with recorder.install():
        run_workload(any_db, url, tmp_path)
    return any_db, list(recorder.seen.values())


def offenders(db: Database, seen: list[Seen]) -> list[tuple[list[str], Seen]]:
    """The statements that read a growing table whole, with the tables they read."""
    postgres = db.engine.dialect.name == "postgresql"
    leading: dict[str, str] = {}
    with db.engine.connect() as conn:
        if postgres:
            leading = _leading_columns(conn)
            conn.execute(text("ANALYZE"))
            conn.execute(text("SET enable_seqscan = off"))
            for statement in seen:
                statement.plan = _pg_plan(conn, statement)
            conn.execute(text("RESET enable_seqscan"))  # the connection goes back to the pool
        else:
            _sqlite_plans(conn, seen)
    found = []
    for statement in seen:
        flat = " ".join(statement.sql.split())
        if any(re.fullmatch(allowed, flat) for allowed in BOUNDED):
            continue
        if postgres:
            scans = _pg_scans(statement, leading)
        else:
            scans = _sqlite_scans(flat, statement.plan)
            if not any(re.fullmatch(known, flat) for known in KNOWN_WITH_STATISTICS):
                scans |= _sqlite_scans(flat, statement.analyzed)
        if scans:
            found.append((sorted(scans), statement))
    return found


def _report(found: list[tuple[list[str], Seen]]) -> str:
    return "\n\n".join(
        f"{', '.join(tables)} scanned by {s.caller}:\n  {' '.join(s.sql.split())[:400]}\n  "
        + "\n  ".join(s.plan + [f"{line} (after ANALYZE)" for line in s.analyzed])[:600]
        for tables, s in found
    )


def test_no_statement_scans_a_growing_table(history: tuple[Database, list[Seen]]) -> None:
    db, seen = history
    assert len(seen) > 80  # the workload reached the bot's paths
    found = offenders(db, seen)
    assert not found, f"{len(found)} statement(s) scan a growing table:\n\n{_report(found)}"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT event_id FROM messages WHERE body = 'x'",
        "SELECT count(*) FROM reviews WHERE comment <> ''",
        "SELECT case_id FROM case_tags WHERE key = 'logement'",  # not led by its kind
        "SELECT id FROM outbox WHERE last_error <> '' ORDER BY id LIMIT 5",
    ],
)
def test_a_new_scanning_query_is_caught(any_db: Database, sql: str) -> None:
    _seed(any_db)
    recorder = Recorder()
    with recorder.install(), any_db.engine.connect() as conn:
        conn.execute(text(sql))
    (seen,) = recorder.seen.values()
    assert [tables for tables, _ in offenders(any_db, [seen])] != []
