"""Shared test setup.

- MNIST: tests read the offline copy through HWSOLVE_DATA; when it is unset
  and ../shared/data/mnist exists beside the checkout, point it there.
- matplotlib always uses Agg (no screen on CI).
- hypothesis: no per-example deadline, since CI machines are shared and slow;
  the example counts are set per test.
- serve: a local HTTP server for the fetch tests (no internet needed).
"""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_MNIST = REPO_ROOT.parent / "shared" / "data" / "mnist"

if "HWSOLVE_DATA" not in os.environ and SHARED_MNIST.is_dir():
    os.environ["HWSOLVE_DATA"] = str(SHARED_MNIST)

try:
    from hypothesis import settings

    settings.register_profile("hwsolve", deadline=None, print_blob=True)
    settings.load_profile("hwsolve")
except ImportError:  # hypothesis is a test extra; conftest must still import
    pass


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """Start a server on 127.0.0.1 for a folder; every server stops when the test ends."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.timeout = 5
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
