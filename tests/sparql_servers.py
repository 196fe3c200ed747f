"""Real SPARQL 1.1 servers on loopback for the remote-store tests: Oxigraph server and OpenLink Virtuoso.

Each is started in a temporary folder on a free port of 127.0.0.1 and stopped at the end. A server
whose program is not installed is skipped with the reason (in CI, where ``.ci/run`` installs both,
it fails instead: :func:`tests.conftest.need_tool`).

* Oxigraph: ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (the ``oxigraph`` package of the
  ``test`` extra); kg's address ``sparql+http://127.0.0.1:PORT/``.
* Virtuoso: ``virtuoso-t -f -c virtuoso.ini`` with an ini written here (database files in the folder,
  SQL and HTTP ports on loopback, no result-row cap), then ``isql-vt`` grants SPARQL_UPDATE to the
  SPARQL user of the HTTP endpoint; kg's address ``sparql+http://127.0.0.1:PORT/sparql``.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import need_tool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status < 500)
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except OSError:
        return False


class Server:
    """A server process in ``folder`` on ``port``; :meth:`start` waits until it answers, :meth:`stop` ends it."""

    name = "server"
    start_timeout = 180.0  #: seconds (Virtuoso takes a minute to start on a loaded machine)

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.log = folder / f"{self.name}.log"

    @property
    def location(self) -> str:
        raise NotImplementedError

    @property
    def probe(self) -> str:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Anything to do before the first start (write a config file)."""

    def after_start(self) -> None:
        """Anything to do once it answers (grant permissions)."""

    def start(self) -> Server:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prepare()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), cwd=self.folder, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        deadline = time.monotonic() + self.start_timeout
        while not _answers(self.probe):
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} stopped while starting: {self.log.read_text(errors='replace')[-2000:]}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not answer within {self.start_timeout:g} s")
            time.sleep(0.2)
        self.after_start()
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class OxigraphServer(Server):
    name = "oxigraph"

    @property
    def location(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}/"

    @property
    def probe(self) -> str:
        return f"http://127.0.0.1:{self.port}/query?query=ASK%7B%7D"

    def command(self) -> list[str]:
        beside = Path(sys.executable).with_name("oxigraph")
        program = str(beside) if beside.exists() else need_tool("oxigraph")
        return [program, "serve", "--location", str(self.folder / "db"), "--bind", f"127.0.0.1:{self.port}"]


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso-errors.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
CheckpointInterval = 60
[HTTPServer]
ServerPort = 127.0.0.1:{port}
ServerRoot = {folder}
ServerThreads = 8
MaxKeepAlives = 8
KeepAliveTimeout = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 600
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer(Server):
    name = "virtuoso"

    def __init__(self, folder: Path, port: int | None = None):
        super().__init__(folder, port)
        self.sql_port = free_port()

    @property
    def location(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}/sparql"

    @property
    def probe(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql?query=ASK%7B%7D"

    def prepare(self) -> None:
        ini = VIRTUOSO_INI.format(folder=self.folder, port=self.port, sql_port=self.sql_port)
        (self.folder / "virtuoso.ini").write_text(ini, encoding="utf-8")

    def command(self) -> list[str]:
        return [need_tool("virtuoso-t"), "-f", "-c", str(self.folder / "virtuoso.ini")]

    def after_start(self) -> None:
        isql = need_tool("isql-vt")
        statements = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            check=True,
            capture_output=True,
            timeout=60,
        )


SERVERS = {"oxigraph": OxigraphServer, "virtuoso": VirtuosoServer}
