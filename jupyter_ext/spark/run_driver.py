"""The driver process of one interactive Livy session: a classic pyspark SparkSession
and a Python REPL with Livy's semantics (Livy's `fake_shell.py`).

Run by the gateway as `python -m jupyter_ext.spark.run_driver '<settings json>'`. Requests
arrive as JSON lines on stdin; replies leave as JSON lines on the file descriptor that
was stdout at start. Everything else the process writes (the JVM's log included) goes to
stderr, which the gateway keeps as the session log.
"""

from __future__ import annotations

import ast
import base64
import codeop
import datetime
import decimal
import io
import json
import os
import queue
import re
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any, TextIO

__all__ = ["Interpreter", "main"]

# pyspark >= 4.2 warns on every DataFrame.toJSON; Livy appends stderr to text/plain, which
# breaks sparkmagic's %%sql and -o (they JSON-decode every output line).
TOJSON_WARNING = "The return type of DataFrame.toJSON"
SQL_TYPES = {bool: "BOOLEAN_TYPE", int: "INT_TYPE", float: "DOUBLE_TYPE", str: "STRING_TYPE",
             type(None): "NULL_TYPE", decimal.Decimal: "DECIMAL_TYPE", datetime.date: "DATE_TYPE",
             datetime.datetime: "TIMESTAMP_TYPE", list: "ARRAY_TYPE", dict: "MAP_TYPE"}


def _error(ename: str, evalue: str, trace: list[str] | None = None) -> dict[str, Any]:
    return {"status": "error", "ename": ename, "evalue": evalue, "traceback": trace or []}


def _json_value(value: Any) -> Any:
    """A Spark value as JSON: decimals as numbers, dates as strings, rows as lists."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    return value


class Interpreter:
    """Runs statements in one namespace as Livy's PySpark REPL does.

    `run(code)` returns Livy's `output` without `execution_count`: `data` by mime type on
    success, `ename`/`evalue`/`traceback` on error.
    """

    def __init__(self, namespace: dict[str, Any], sql_rows: int = 1000) -> None:
        self.namespace = namespace
        self.sql_rows = sql_rows
        self.magics: dict[str, Callable[[str], dict[str, Any]]] = {
            "table": self._table, "json": self._json, "matplot": self._matplot}

    def run(self, code: str, kind: str = "pyspark") -> dict[str, Any]:
        """Execute `code` (`kind` pyspark or sql) and return Livy's output record."""
        if kind == "sql":
            return self._sql(code)
        code = code.replace("\r\n", "\n")
        try:
            ast.parse(code, "<stdin>")
        except SyntaxError as error:
            if any(line.startswith("%") for line in code.splitlines()):
                return self._with_magics(code)
            if self._incomplete(code):
                return _error("Error", "incomplete statement")
            return self._failure(error)
        return self._python(code)

    @staticmethod
    def _incomplete(code: str) -> bool:
        try:
            return codeop.compile_command(code, "<stdin>", "exec") is None
        except (SyntaxError, ValueError, OverflowError):
            return False

    def _python(self, code: str) -> dict[str, Any]:
        captured = io.StringIO()
        saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = captured
        try:
            tree = ast.parse(code, "<stdin>")
            body, last = tree.body[:-1], tree.body[-1:]
            if body:
                exec(compile(ast.Module(body, []), "<stdin>", "exec"), self.namespace)
            if last:
                exec(compile(ast.Interactive(last), "<stdin>", "single"), self.namespace)
        except BaseException as error:  # the user's code may raise anything, SystemExit too
            sys.stdout, sys.stderr = saved
            return self._failure(error)
        finally:
            sys.stdout, sys.stderr = saved
        return {"status": "ok", "data": {"text/plain": captured.getvalue().rstrip()}}

    @staticmethod
    def _failure(error: BaseException) -> dict[str, Any]:
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != "<stdin>":
            tb = tb.tb_next
        lines = traceback.format_exception(type(error), error, tb, chain=False)
        return _error(type(error).__name__, str(error), lines)

    def _with_magics(self, code: str) -> dict[str, Any]:
        data: dict[str, Any] = {}
        chunk: list[str] = []
        for line in code.splitlines() + ["%"]:
            if not line.startswith("%"):
                chunk.append(line)
                continue
            if any(part.strip() for part in chunk):
                output = self._python("\n".join(chunk))
                if output["status"] != "ok":
                    return output
                data.update(output["data"])
            chunk = []
            if line == "%":
                break
            name, _, argument = line[1:].partition(" ")
            if name not in self.magics:
                return _error("UnknownMagic", f"unknown magic command '{name}'")
            try:
                data.update(self.magics[name](argument.strip()))
            except Exception as error:
                return self._failure(error)
        return {"status": "ok", "data": data}

    def _value(self, name: str) -> Any:
        try:
            return eval(name, self.namespace)
        except NameError:
            raise NameError(f"name '{name}' is not defined") from None

    def _table(self, name: str) -> dict[str, Any]:
        rows = self._value(name)
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list) or not rows:
            raise ValueError(f"%table needs a non-empty list of rows; {name} is {type(rows).__name__}")
        if isinstance(rows[0], dict):
            names = sorted({key for row in rows for key in row})
            rows = [[row.get(key) for key in names] for row in rows]
        else:
            names = [str(i) for i in range(len(rows[0]))]
        headers = [{"name": n, "type": SQL_TYPES.get(type(rows[0][i]), "STRING_TYPE")} for i, n in enumerate(names)]
        return {"application/vnd.livy.table.v1+json": {"headers": headers, "data": _json_value(rows)}}

    def _json(self, name: str) -> dict[str, Any]:
        return {"application/json": _json_value(self._value(name))}

    def _matplot(self, name: str) -> dict[str, Any]:
        figure = self._value(name)
        figure = figure.gcf() if hasattr(figure, "gcf") else figure
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return {"image/png": base64.b64encode(buffer.getvalue()).decode(), "text/plain": ""}

    def _sql(self, code: str) -> dict[str, Any]:
        try:
            frame = self.namespace["spark"].sql(code)
            rows = frame.take(self.sql_rows)
            schema = json.loads(frame.schema.json())
        except Exception as error:
            text = str(error)
            return _error("Error", text.splitlines()[0] if text else type(error).__name__, text.splitlines()[1:])
        return {"status": "ok", "data": {"application/json": {"schema": schema, "data": _json_value([list(r) for r in rows])}}}


class Driver:
    """Reads requests, runs statements in order on one thread, cancels by job group."""

    def __init__(self, settings: dict[str, Any], replies: TextIO) -> None:
        self.settings = settings
        self.replies = replies
        self.lock = threading.Lock()
        self.pending: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.running: int | None = None
        self.skipped: set[int] = set()
        self.interpreter: Interpreter | None = None

    def reply(self, **message: Any) -> None:
        """Send one JSON line to the gateway."""
        with self.lock:
            self.replies.write(json.dumps(message, default=str) + "\n")
            self.replies.flush()

    def start_spark(self) -> None:
        """Create the SparkSession and the REPL namespace (`sc`, `spark`, `sqlContext`)."""
        from pyspark import SparkFiles
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(self.settings.get("master") or "local[*]")
        builder = builder.appName(self.settings.get("name") or "livy-session")
        conf = {"spark.sql.pyspark.toJSON.returnDataFrame": "false", **self.settings.get("conf", {})}
        for key, value in conf.items():
            builder = builder.config(key, value)
        spark = builder.getOrCreate()
        sc = spark.sparkContext
        for path in self.settings.get("pyFiles", []):
            sc.addPyFile(path)
        for path in self.settings.get("files", []):
            sc.addFile(path)
        namespace: dict[str, Any] = {"__name__": "__main__", "sc": sc, "spark": spark}
        try:
            from pyspark.sql import SQLContext
            namespace["sqlContext"] = SQLContext(sc, spark)
        except Exception:  # SQLContext is deprecated; Livy offers it, so do we when we can
            namespace["sqlContext"] = spark
        os.chdir(SparkFiles.getRootDirectory())
        self.interpreter = Interpreter(namespace, int(self.settings.get("sqlRows", 1000)))
        self.reply(event="ready", appId=sc.applicationId, sparkUiUrl=sc.uiWebUrl)

    def execute(self) -> None:
        """Run queued statements one after the other (the statement thread)."""
        sc = self.interpreter.namespace["sc"]
        while (request := self.pending.get()) is not None:
            if request["id"] in self.skipped:
                continue  # cancelled while waiting: never run
            self.running = request["id"]
            sc.setJobGroup(str(request["id"]), f"Livy statement {request['id']}", True)
            self.reply(event="started", id=request["id"])
            output = self.interpreter.run(request["code"], request.get("kind", "pyspark"))
            self.running = None
            self.reply(event="result", id=request["id"], output=output)

    def cancel(self, statement: int) -> None:
        """Cancel the Spark jobs of `statement` every 100 ms until it returns (30 s at most)."""
        if self.running != statement:
            self.skipped.add(statement)
            return
        sc = self.interpreter.namespace["sc"]
        deadline = time.monotonic() + 30
        while self.running == statement and time.monotonic() < deadline:
            sc.cancelJobGroup(str(statement))
            time.sleep(0.1)

    def complete(self, code: str, cursor: int) -> list[str]:
        """Completion candidates for the word before `cursor`."""
        import rlcompleter

        word = re.split(r"[^\w.]", code[:cursor])[-1]
        completer = rlcompleter.Completer(self.interpreter.namespace)
        candidates = []
        for state in range(200):
            found = completer.complete(word, state)
            if found is None:
                break
            candidates.append(found.rstrip("("))
        return sorted(set(candidates))

    def serve(self, requests: TextIO) -> None:
        """Handle requests until stdin closes."""
        threading.Thread(target=self.execute, name="statements", daemon=True).start()
        for line in requests:
            request = json.loads(line)
            if request["op"] == "run":
                self.pending.put(request)
            elif request["op"] == "cancel":
                threading.Thread(target=self.cancel, args=(request["id"],), daemon=True).start()
            elif request["op"] == "complete":
                self.reply(event="completion", token=request["token"],
                           candidates=self.complete(request["code"], request["cursor"]))
        self.pending.put(None)


def main(argv: list[str] | None = None) -> None:
    """Start Spark, then serve the gateway's requests."""
    settings = json.loads((argv or sys.argv[1:])[0])
    replies = os.fdopen(os.dup(1), "w")
    requests = os.fdopen(os.dup(0), "r")
    os.dup2(2, 1)  # the JVM and stray prints go to the session log, not the reply channel
    sys.stdout = os.fdopen(1, "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # user code reading stdin must not eat requests
    sys.stdin = open(os.devnull)
    warnings.filterwarnings("ignore", message=re.escape(TOJSON_WARNING))
    driver = Driver(settings, replies)
    try:
        driver.start_spark()
    except Exception as error:
        traceback.print_exc()
        driver.reply(event="start_failed", error=f"{type(error).__name__}: {error}")
        return
    driver.serve(requests)
    driver.interpreter.namespace["spark"].stop()


if __name__ == "__main__":
    main()
