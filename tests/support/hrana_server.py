#!/usr/bin/env python3
"""A small, spec-following Hrana-over-HTTP server for tests (stdlib only).

It follows libSQL's HRANA_2_SPEC / HRANA_3_SPEC / HTTP_V2_SPEC (see shared/spec/hrana.md)
where the local `tursodb` does not: real streams (one SQLite connection per baton), `close`,
`sequence`, `store_sql` / `close_sql`, v3 `get_autocommit` and the `is_autocommit` condition,
v3's streaming `POST /v3/cursor` (when it serves v3),
true `affected_row_count` and `last_insert_rowid`, sqld-like error codes, auth, and stream
expiry. Each stream's connection is opened with stock SQLite defaults (foreign keys OFF): a
client that wants them must turn them on itself.

    python3 hrana_server.py --db test.db --port 0 [--versions 2,3] [--token T]

prints `listening on 127.0.0.1:<port>` once it accepts connections; SIGTERM stops it.
`POST /_test/expire-streams` (for the tests' fault proxy) expires every stream at once.
"""

import argparse
import base64
import binascii
import json
import math
import re
import secrets
import signal
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


class ProtocolError(Exception):
    """The request itself is malformed: the whole pipeline is answered with HTTP 400."""


class StmtError(Exception):
    """An in-band error: {"message": ..., "code": ...} in the request's result."""

    def __init__(self, message, code):
        super().__init__(message)
        self.message = message
        self.code = code


# ---------------------------------------------------------------- values

def decode_value(v):
    if not isinstance(v, dict) or not isinstance(v.get("type"), str):
        raise ProtocolError("a Value must be an object with a string `type`")
    t = v["type"]
    if t == "null":
        return None
    if t == "integer":
        s = v.get("value")
        if isinstance(s, bool):
            raise ProtocolError("integer value must be a decimal string")
        if isinstance(s, int):  # tolerate a JSON number, as sqld does
            n = s
        elif isinstance(s, str) and re.fullmatch(r"[+-]?[0-9]+", s):
            n = int(s)
        else:
            raise ProtocolError("integer value must be a decimal string")
        if not INT64_MIN <= n <= INT64_MAX:
            raise ProtocolError("integer value out of int64 range")
        return n
    if t == "float":
        f = v.get("value")
        if f is None:
            return math.nan
        if isinstance(f, bool) or not isinstance(f, (int, float)):
            raise ProtocolError("float value must be a JSON number")
        return float(f)
    if t == "text":
        s = v.get("value")
        if not isinstance(s, str):
            raise ProtocolError("text value must be a string")
        return s
    if t == "blob":
        s = v.get("base64")
        if not isinstance(s, str):
            raise ProtocolError("blob value must carry `base64`")
        try:
            return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)
        except (binascii.Error, ValueError) as e:
            raise ProtocolError("bad base64 in blob: %s" % e) from None
    raise ProtocolError("unknown value type %r" % t)


def encode_value(x):
    if x is None:
        return {"type": "null"}
    if isinstance(x, int):
        return {"type": "integer", "value": str(x)}
    if isinstance(x, float):
        # JSON has no NaN/inf: they are sent as null, which a client reads back as NaN.
        return {"type": "float", "value": x if math.isfinite(x) else None}
    if isinstance(x, str):
        return {"type": "text", "value": x}
    if isinstance(x, (bytes, bytearray, memoryview)):
        return {"type": "blob", "base64": base64.b64encode(bytes(x)).decode("ascii")}
    raise StmtError("cannot encode a value of type %s" % type(x).__name__, "SQLITE_ERROR")


# ---------------------------------------------------------------- parsing (shape only)

def parse_stmt(s):
    if not isinstance(s, dict):
        raise ProtocolError("a Stmt must be an object")
    sql = s.get("sql")
    sql_id = s.get("sql_id")
    if sql is not None and not isinstance(sql, str):
        raise ProtocolError("`sql` must be a string")
    if sql_id is not None and (isinstance(sql_id, bool) or not isinstance(sql_id, int)):
        raise ProtocolError("`sql_id` must be an integer")
    if (sql is None) == (sql_id is None):
        raise ProtocolError("a Stmt needs exactly one of `sql` and `sql_id`")
    args = s.get("args") or []
    if not isinstance(args, list):
        raise ProtocolError("`args` must be an array")
    named = s.get("named_args") or []
    if not isinstance(named, list):
        raise ProtocolError("`named_args` must be an array")
    named_args = []
    for a in named:
        if not isinstance(a, dict) or not isinstance(a.get("name"), str):
            raise ProtocolError("a named arg needs a string `name`")
        named_args.append((a["name"], decode_value(a.get("value"))))
    want_rows = s.get("want_rows", True)
    if want_rows is None:
        want_rows = True
    if not isinstance(want_rows, bool):
        raise ProtocolError("`want_rows` must be a boolean")
    return {"sql": sql, "sql_id": sql_id, "args": [decode_value(a) for a in args],
            "named_args": named_args, "want_rows": want_rows}


def parse_cond(c, version, step):
    if not isinstance(c, dict) or not isinstance(c.get("type"), str):
        raise ProtocolError("a condition must be an object with a string `type`")
    t = c["type"]
    if t in ("ok", "error"):
        i = c.get("step")
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < step:
            raise ProtocolError("a condition may only name an earlier step")
        return (t, i)
    if t == "not":
        return ("not", parse_cond(c.get("cond"), version, step))
    if t in ("and", "or"):
        conds = c.get("conds")
        if not isinstance(conds, list):
            raise ProtocolError("`conds` must be an array")
        return (t, [parse_cond(x, version, step) for x in conds])
    if t == "is_autocommit" and version >= 3:
        return ("is_autocommit",)
    raise ProtocolError("unknown condition type %r" % t)


def parse_batch(b, version):
    if not isinstance(b, dict) or not isinstance(b.get("steps"), list):
        raise ProtocolError("a Batch must be an object with `steps`")
    steps = []
    for i, st in enumerate(b["steps"]):
        if not isinstance(st, dict):
            raise ProtocolError("a batch step must be an object")
        cond = st.get("condition")
        steps.append((parse_stmt(st.get("stmt")), None if cond is None else parse_cond(cond, version, i)))
    return steps


def parse_request(r, version):
    if not isinstance(r, dict) or not isinstance(r.get("type"), str):
        raise ProtocolError("a request must be an object with a string `type`")
    t = r["type"]
    if t == "execute":
        return {"type": t, "stmt": parse_stmt(r.get("stmt"))}
    if t == "batch":
        return {"type": t, "steps": parse_batch(r.get("batch"), version)}
    if t == "sequence":
        sql, sql_id = r.get("sql"), r.get("sql_id")
        if (sql is None) == (sql_id is None) or (sql is not None and not isinstance(sql, str)) or (
                sql_id is not None and (isinstance(sql_id, bool) or not isinstance(sql_id, int))):
            raise ProtocolError("`sequence` needs exactly one of `sql` (string) and `sql_id` (integer)")
        return {"type": t, "sql": sql, "sql_id": sql_id}
    if t == "describe":
        return {"type": t}
    if t == "store_sql":
        if isinstance(r.get("sql_id"), bool) or not isinstance(r.get("sql_id"), int) or not isinstance(r.get("sql"), str):
            raise ProtocolError("`store_sql` needs an integer `sql_id` and a string `sql`")
        return {"type": t, "sql_id": r["sql_id"], "sql": r["sql"]}
    if t == "close_sql":
        if isinstance(r.get("sql_id"), bool) or not isinstance(r.get("sql_id"), int):
            raise ProtocolError("`close_sql` needs an integer `sql_id`")
        return {"type": t, "sql_id": r["sql_id"]}
    if t == "close":
        return {"type": t}
    if t == "get_autocommit" and version >= 3:
        return {"type": t}
    raise ProtocolError("unknown request type %r for Hrana %d" % (t, version))


# ---------------------------------------------------------------- execution

_LEADING = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)


def first_keyword(sql):
    m = re.match(r"[A-Za-z]+", sql[_LEADING.match(sql).end():])
    return m.group(0).upper() if m else ""


def error_of(e):
    """Maps a sqlite3 exception to sqld's in-band error."""
    msg = str(e)
    if isinstance(e, sqlite3.ProgrammingError) or (isinstance(e, sqlite3.Warning)):
        if "one statement at a time" in msg:
            return StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS")
        if "bindings" in msg or "binding" in msg:
            return StmtError(msg, "ARGS_INVALID")
    name = getattr(e, "sqlite_errorname", None)
    if name:
        return StmtError(msg, name)
    if isinstance(e, sqlite3.ProgrammingError):
        return StmtError(msg, "ARGS_INVALID")
    return StmtError(msg, "SQLITE_ERROR")


class Stream:
    def __init__(self, db):
        self.conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False, timeout=5)
        self.lock = threading.Lock()
        self.sqls = {}
        self.baton = None
        self.closed = False
        self.last_used = time.monotonic()

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        self.conn.close()

    def resolve(self, sql, sql_id):
        if sql is not None:
            return sql
        if sql_id not in self.sqls:
            raise StmtError("no SQL text stored under sql_id %d" % sql_id, "SQL_NOT_FOUND")
        return self.sqls[sql_id]

    def execute(self, stmt):
        sql = self.resolve(stmt["sql"], stmt["sql_id"])
        args, named = stmt["args"], stmt["named_args"]
        if named and args:
            raise StmtError("mixing positional and named arguments is not supported here", "ARGS_INVALID")
        # Python's sqlite3 looks named parameters up without their prefix (: @ $).
        params = {n[1:] if n[:1] in (":", "@", "$") else n: v for n, v in named} if named else args
        conn = self.conn
        before_changes = conn.total_changes
        before_rowid = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        cur = conn.cursor()
        try:
            cur.execute(sql, params)
            rows = cur.fetchall()
        except (sqlite3.Error, sqlite3.Warning) as e:
            raise error_of(e) from None
        cols = [{"name": d[0], "decltype": None} for d in (cur.description or [])]
        affected, rowid, delta = self._counts(sql, cur, before_changes, before_rowid)
        cur.close()
        return {
            "cols": cols,
            "rows": [[encode_value(x) for x in row] for row in rows] if stmt["want_rows"] else [],
            "affected_row_count": affected,
            "last_insert_rowid": rowid,
            "rows_read": len(rows),
            "rows_written": max(delta, 0),
        }

    def _counts(self, sql, cur, before_changes, before_rowid):
        """(affected_row_count, last_insert_rowid or None, total changes) of a statement run."""
        conn = self.conn
        delta = conn.total_changes - before_changes
        kw = first_keyword(sql)
        dml = kw in ("INSERT", "REPLACE", "UPDATE", "DELETE")
        if dml and cur.rowcount >= 0:
            affected = cur.rowcount  # sqlite3_changes(): this statement's rows, triggers excluded
        elif kw == "WITH" and delta > 0:
            affected = cur.rowcount if cur.rowcount >= 0 else delta
        else:
            affected = 0
        rowid = conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        wrote_insert = affected > 0 and (kw in ("INSERT", "REPLACE") or (kw == "WITH" and rowid != before_rowid))
        return affected, str(rowid) if wrote_insert else None, delta

    def cursor(self, steps):
        """Runs a batch as Hrana 3's cursor does: yields its entries (step_begin, row...,
        step_end | step_error) as the rows are stepped to, never holding a step's rows."""
        results, errors = [], []
        for i, (stmt, cond) in enumerate(steps):
            if cond is not None and not self._eval(cond, results, errors):
                results.append(None)
                errors.append(None)
                continue
            try:
                yield from self._cursor_step(i, stmt)
                results.append(True)
                errors.append(None)
            except StmtError as e:
                results.append(None)
                errors.append({"message": e.message, "code": e.code})
                yield {"type": "step_error", "step": i, "error": errors[-1]}

    def _cursor_step(self, i, stmt):
        sql = self.resolve(stmt["sql"], stmt["sql_id"])
        args, named = stmt["args"], stmt["named_args"]
        if named and args:
            raise StmtError("mixing positional and named arguments is not supported here", "ARGS_INVALID")
        params = {n[1:] if n[:1] in (":", "@", "$") else n: v for n, v in named} if named else args
        before_changes = self.conn.total_changes
        before_rowid = self.conn.execute("SELECT last_insert_rowid()").fetchone()[0]
        cur = self.conn.cursor()
        try:
            try:
                cur.execute(sql, params)
            except (sqlite3.Error, sqlite3.Warning) as e:
                raise error_of(e) from None
            yield {"type": "step_begin", "step": i,
                   "cols": [{"name": d[0], "decltype": None} for d in (cur.description or [])]}
            while True:
                try:
                    rows = cur.fetchmany(256)
                except (sqlite3.Error, sqlite3.Warning) as e:
                    raise error_of(e) from None
                if not rows:
                    break
                if stmt["want_rows"]:
                    for row in rows:
                        yield {"type": "row", "row": [encode_value(x) for x in row]}
            affected, rowid, _ = self._counts(sql, cur, before_changes, before_rowid)
            yield {"type": "step_end", "affected_row_count": affected, "last_insert_rowid": rowid}
        finally:
            cur.close()

    def sequence(self, sql):
        start = 0
        for i, ch in enumerate(sql):
            if ch == ";" and sqlite3.complete_statement(sql[start:i + 1]):
                self._run_script_part(sql[start:i + 1])
                start = i + 1
        tail = sql[start:]
        if tail[_LEADING.match(tail).end():]:
            self._run_script_part(tail)

    def _run_script_part(self, part):
        try:
            self.conn.execute(part).fetchall()
        except (sqlite3.Error, sqlite3.Warning) as e:
            raise error_of(e) from None

    def batch(self, steps):
        results, errors = [], []
        for stmt, cond in steps:
            if cond is not None and not self._eval(cond, results, errors):
                results.append(None)
                errors.append(None)
                continue
            try:
                results.append(self.execute(stmt))
                errors.append(None)
            except StmtError as e:
                results.append(None)
                errors.append({"message": e.message, "code": e.code})
        return {"step_results": results, "step_errors": errors}

    def _eval(self, cond, results, errors):
        t = cond[0]
        if t == "ok":
            return results[cond[1]] is not None
        if t == "error":
            return errors[cond[1]] is not None
        if t == "not":
            return not self._eval(cond[1], results, errors)
        if t == "and":
            return all(self._eval(c, results, errors) for c in cond[1])
        if t == "or":
            return any(self._eval(c, results, errors) for c in cond[1])
        if t == "is_autocommit":
            return not self.conn.in_transaction
        raise AssertionError(t)

    def run(self, req):
        """Runs one parsed request; returns its response object or raises StmtError."""
        t = req["type"]
        if self.closed:
            raise StmtError("the stream is closed", "STREAM_CLOSED")
        if t == "execute":
            return {"type": "execute", "result": self.execute(req["stmt"])}
        if t == "batch":
            return {"type": "batch", "result": self.batch(req["steps"])}
        if t == "sequence":
            self.sequence(self.resolve(req["sql"], req["sql_id"]))
            return {"type": "sequence"}
        if t == "describe":
            raise StmtError("describe is not supported by this test server", "DESCRIBE_NOT_SUPPORTED")
        if t == "store_sql":
            if req["sql_id"] in self.sqls:
                raise StmtError("sql_id %d is already in use" % req["sql_id"], "SQL_ID_IN_USE")
            self.sqls[req["sql_id"]] = req["sql"]
            return {"type": "store_sql"}
        if t == "close_sql":
            self.sqls.pop(req["sql_id"], None)
            return {"type": "close_sql"}
        if t == "close":
            self.close()
            return {"type": "close"}
        if t == "get_autocommit":
            return {"type": "get_autocommit", "is_autocommit": not self.conn.in_transaction}
        raise AssertionError(t)


class Streams:
    def __init__(self, db, idle_seconds):
        self.db = db
        self.idle = idle_seconds
        self.lock = threading.Lock()
        self.by_baton = {}

    def open(self):
        return Stream(self.db)

    def find(self, baton):
        with self.lock:
            s = self.by_baton.get(baton)
            if s is not None and time.monotonic() - s.last_used > self.idle:
                del self.by_baton[baton]
                s = None if self._reap(s) else s
            return s

    def rebaton(self, stream, old):
        with self.lock:
            if old is not None:
                self.by_baton.pop(old, None)
            if stream.closed:
                stream.baton = None
                return None
            stream.baton = secrets.token_urlsafe(24)
            stream.last_used = time.monotonic()
            self.by_baton[stream.baton] = stream
            return stream.baton

    @staticmethod
    def _reap(stream):
        # A stream in use (its lock held) is not idle: it will get a fresh baton shortly.
        if not stream.lock.acquire(blocking=False):
            return False
        try:
            stream.close()
        finally:
            stream.lock.release()
        return True

    def expire_idle(self):
        now = time.monotonic()
        with self.lock:
            for baton, s in list(self.by_baton.items()):
                if now - s.last_used > self.idle and self._reap(s):
                    del self.by_baton[baton]

    def close_all(self):
        """Forgets every stream, rolling back its transaction; returns how many there were."""
        with self.lock:
            streams = list(self.by_baton.values())
            self.by_baton.clear()
        for s in streams:
            with s.lock:
                s.close()
        return len(streams)


# ---------------------------------------------------------------- HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hrana-test-server/1"

    def log_message(self, fmt, *args):  # quiet: the test's own output stays readable
        pass

    def send_json(self, status, obj):
        body = json.dumps(obj, allow_nan=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # Head and body in one write: the tests' Beast-based HTTP client failed ("body limit
        # exceeded") when the body came in a later segment than the head.
        self._headers_buffer.append(b"\r\n" + body)
        self.flush_headers()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path in ("/", "/health"):
            self.send_json(200, {"status": "ok", "versions": sorted(self.server.versions)})
        elif path in ("/v2", "/v3") and int(path[2:]) in self.server.versions:
            self.send_json(200, {})  # version probing, as sqld answers it
        else:
            self.send_json(404, {"error": "not found"})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            return self.send_json(411, {"error": "a Content-Length is required (no chunked bodies)"})
        try:
            length = int(self.headers.get("Content-Length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            self.close_connection = True
            return self.send_json(411, {"error": "a valid Content-Length is required"})
        raw = self.rfile.read(length)
        if path == "/_test/expire-streams":
            # Test control (the fault proxy): every stream expires now, as an idle one does on
            # sqld; a later request with one of their batons gets STREAM_EXPIRED.
            return self.send_json(200, {"expired": self.server.streams.close_all()})
        m = re.fullmatch(r"/v([23])/pipeline", path)
        cursor = path == "/v3/cursor" and 3 in self.server.versions
        if not cursor and (not m or int(m.group(1)) not in self.server.versions):
            return self.send_json(404, {"error": "not found: POST %s" % path})
        token = self.server.token
        if token is not None and self.headers.get("Authorization", "") != "Bearer " + token:
            return self.send_json(401, {"error": "Unauthorized: the auth token is missing or wrong"})
        if cursor:
            return self.cursor(raw)
        self.pipeline(int(m.group(1)), raw)

    def pipeline(self, version, raw):
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
                raise ProtocolError("a pipeline request must be an object with `requests`")
            baton = body.get("baton")
            if baton is not None and not isinstance(baton, str):
                raise ProtocolError("`baton` must be a string or null")
            requests = [parse_request(r, version) for r in body["requests"]]
        except (ValueError, UnicodeDecodeError) as e:
            return self.send_json(400, {"error": "malformed JSON: %s" % e})
        except ProtocolError as e:
            return self.send_json(400, {"error": str(e)})

        streams = self.server.streams
        if baton is None:
            stream = streams.open()
        else:
            stream = streams.find(baton)
            if stream is None:
                return self.expired()
        with stream.lock:
            if baton is not None and (stream.closed or stream.baton != baton):
                return self.expired()
            results = []
            for req in requests:
                try:
                    results.append({"type": "ok", "response": stream.run(req)})
                except StmtError as e:
                    results.append({"type": "error", "error": {"message": e.message, "code": e.code}})
                except sqlite3.Error as e:
                    err = error_of(e)
                    results.append({"type": "error", "error": {"message": err.message, "code": err.code}})
            new_baton = streams.rebaton(stream, baton)
        self.send_json(200, {"baton": new_baton, "base_url": None, "results": results})

    def cursor(self, raw):
        """`POST /v3/cursor`: the header line, then one line per entry, sent as the rows are
        read (chunked), so neither side holds the whole result."""
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise ProtocolError("a cursor request must be an object with `batch`")
            baton = body.get("baton")
            if baton is not None and not isinstance(baton, str):
                raise ProtocolError("`baton` must be a string or null")
            steps = parse_batch(body.get("batch"), 3)
        except (ValueError, UnicodeDecodeError) as e:
            return self.send_json(400, {"error": "malformed JSON: %s" % e})
        except ProtocolError as e:
            return self.send_json(400, {"error": str(e)})

        streams = self.server.streams
        stream = streams.open() if baton is None else streams.find(baton)
        if stream is None:
            return self.expired()
        with stream.lock:
            if baton is not None and (stream.closed or stream.baton != baton):
                return self.expired()
            new_baton = streams.rebaton(stream, baton)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            out = ChunkedLines(self.wfile)
            entries = stream.cursor(steps)
            try:
                out.line({"baton": new_baton, "base_url": None})
                for entry in entries:
                    out.line(entry)
                out.finish()
            except (BrokenPipeError, ConnectionResetError):
                # The client stopped reading (it had the rows it wanted): so does the cursor.
                self.close_connection = True
            finally:
                entries.close()
                stream.last_used = time.monotonic()

    def expired(self):
        status = self.server.unknown_baton_status
        self.send_json(status, {"message": "the stream has expired or never existed", "code": "STREAM_EXPIRED"})


class ChunkedLines:
    """Newline-delimited JSON as an HTTP/1.1 chunked body, a chunk per 64 KiB or so."""

    def __init__(self, wfile):
        self.wfile = wfile
        self.buf = []
        self.size = 0

    def line(self, obj):
        data = json.dumps(obj, allow_nan=False, separators=(",", ":")).encode("utf-8") + b"\n"
        self.buf.append(data)
        self.size += len(data)
        if self.size >= 65536:
            self._flush()

    def _flush(self):
        if self.size:
            self.wfile.write(b"%x\r\n" % self.size + b"".join(self.buf) + b"\r\n")
            self.wfile.flush()
        self.buf, self.size = [], 0

    def finish(self):
        self._flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", required=True, help="the SQLite file (created when missing)")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--versions", default="2,3", help="which pipelines to serve: 2,3 | 2 | 3")
    p.add_argument("--token", default=None, help="require `Authorization: Bearer <token>`")
    p.add_argument("--stream-idle-seconds", type=float, default=10.0)
    p.add_argument("--unknown-baton-status", type=int, choices=(400, 404), default=400)
    a = p.parse_args()
    try:
        versions = {int(v) for v in a.versions.split(",") if v.strip()}
    except ValueError:
        p.error("--versions takes 2, 3 or 2,3")
    if not versions or not versions <= {2, 3}:
        p.error("--versions takes 2, 3 or 2,3")

    # WAL, as sqld uses: concurrent streams read while one writes. A property of the file, not
    # of a connection's defaults (those stay stock: foreign keys off).
    init = sqlite3.connect(a.db, isolation_level=None)
    init.execute("PRAGMA journal_mode=WAL")
    init.close()

    server = Server((a.host, a.port), Handler)
    server.versions = versions
    server.token = a.token
    server.unknown_baton_status = a.unknown_baton_status
    server.streams = Streams(a.db, a.stream_idle_seconds)

    stopping = threading.Event()

    def reaper():
        while not stopping.wait(min(1.0, a.stream_idle_seconds / 2)):
            server.streams.expire_idle()

    threading.Thread(target=reaper, daemon=True).start()

    def on_term(signum, frame):
        stopping.set()
        # shutdown() waits for serve_forever(), which runs on this (the main) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    print("listening on %s:%d" % (a.host, server.server_address[1]), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        server.streams.close_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
