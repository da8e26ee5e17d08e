"""Rasa's starter assistant, made at bench time: ``rasa init --no-prompt`` trains it in a folder
of its own (nothing is downloaded), then ``rasa run --enable-api`` serves it with its REST channel
on a free loopback port. No action server: its actions are all responses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from ops.stack import free_port

RASA = Path(sys.executable).parent / "rasa"


def _environment() -> dict[str, str]:
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


class Starter:
    def __init__(self, work: Path):
        self.folder = work / "starter"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def create(self) -> float:
        """Create and train the starter; the seconds it took."""
        self.folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(self.folder.parent / "starter-init.log", "ab") as log:
            subprocess.run(
                [str(RASA), "init", "--no-prompt", "--init-dir", str(self.folder)],
                cwd=self.folder,
                env=_environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=True,
            )
        return time.perf_counter() - started

    def start(self, timeout: float = 240.0) -> float:
        """Serve it as ours is served (REST channel, HTTP API); the seconds to ready."""
        started = time.perf_counter()
        run_log = self.folder.parent / "starter-run.log"
        with open(run_log, "ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [
                    str(RASA),
                    "run",
                    "--enable-api",
                    "--model",
                    "models",
                    "--credentials",
                    "credentials.yml",
                    "--endpoints",
                    "endpoints.yml",
                    "--interface",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                cwd=self.folder,
                env=_environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for the RSS sampler and the stop
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the starter's rasa run exited; see {run_log}")
            try:
                # /status answers once the model is loaded.
                if requests.get(f"{self.url}/status", timeout=2).ok:
                    return time.perf_counter() - started
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"the starter was not ready in {timeout:.0f} s; see {run_log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
