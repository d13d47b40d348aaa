"""Every input has a limit, and each limit is one clear line with exit status 2.

Reproductions of a hostile user's attempts (issue 10): endless or oversized
downloads, devices, FIFOs, huge settings, non-finite numbers, odd URLs and an
ASCII-only terminal. Servers here run on 127.0.0.1 in a thread and stop on
their own after a bounded time; every wait in this file is bounded.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from backprop_tui import DataOptions, Limits, Session, TrainConfig, build_session
from backprop_tui.cli import main
from backprop_tui.core.data.datasets import DataError, load_dataset
from backprop_tui.core.limits import MAX_HIDDEN

CSV = "a,b,t\n" + "".join(f"{i % 7 / 7},{i % 5 / 5},{i % 3 / 3}\n" for i in range(40))


def error_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run the command line in-process; it must fail with exactly one error line, status 2."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a raw numpy warning would be a test failure
        status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("backprop-tui: error: "), err
    return err.strip()


def write(tmp_path: Path, text: str, name: str = "data.csv") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


# -- settings ---------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", ["0", "-3", str(MAX_HIDDEN + 1), "1000000000"])
def test_hidden_is_bounded(hidden: str, capsys: pytest.CaptureFixture[str]) -> None:
    message = error_line(["train", "--hidden", hidden], capsys)
    assert f"between 1 and {MAX_HIDDEN}" in message


def test_memory_is_checked_before_allocating(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, CSV)
    message = error_line(["train", "--dataset", path, "--hidden", "1000", "--max-memory", "50"],
                         capsys)
    assert "may need about" in message and "50 MiB limit" in message and "hidden 1000" in message
    assert main(["train", "--dataset", path, "--hidden", "1000", "--epochs", "0"]) == 0


@pytest.mark.parametrize("timeout", ["inf", "1e300", "nan", "0", "-1", "3601"])
def test_timeout_is_finite_and_bounded(timeout: str, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    student = Path(__file__).parent / "students" / "correct.py"
    message = error_line(["check", str(student), "--timeout", timeout], capsys)
    assert "--timeout must be a number of seconds > 0 and at most 3600" in message


@pytest.mark.parametrize(("option", "value"), [("--max-size", "0"), ("--max-size", "nan"),
                                               ("--download-timeout", "-1"),
                                               ("--max-rows", "1"), ("--max-columns", "0"),
                                               ("--max-memory", "inf")])
def test_limits_themselves_are_checked(option: str, value: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert option in error_line(["train", option, value], capsys)


def saturation_warnings(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # never a raw RuntimeWarning: words instead
        main(["train", "--epochs", "1", *argv])
    return [ln for ln in capsys.readouterr().err.splitlines() if "warning" in ln]


def test_huge_init_scale_and_lr_are_explained(capsys: pytest.CaptureFixture[str]) -> None:
    [overflow] = saturation_warnings(["--init-scale", "1e308"], capsys)
    assert "--init-scale 1e+308 overflows" in overflow
    [start] = saturation_warnings(["--init-scale", "1e5"], capsys)
    assert "saturates every hidden unit from the start" in start
    [first] = saturation_warnings(["--lr", "1e308"], capsys)
    assert "--lr 1e+308 saturates" in first and "first update" in first
    assert saturation_warnings([], capsys) == []  # the lab's own settings: nothing to say
    assert saturation_warnings(["--lr", "5", "--init-scale", "1"], capsys) == []


# -- local files ------------------------------------------------------------------------

def test_empty_dataset_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert "--dataset is empty" in error_line(["train", "--dataset", ""], capsys)


@pytest.mark.parametrize("url", ["file:///etc/hosts", "ftp://example.org/data.csv",
                                 "FILE://x.csv"])
def test_other_url_schemes(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    message = error_line(["train", "--dataset", url], capsys)
    assert "URLs are not supported; give an http(s) URL, or a local file by its path" in message


def test_devices_and_directories_are_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert "not a regular file" in error_line(["train", "--dataset", "/dev/zero"], capsys)
    assert "is a directory" in error_line(["train", "--dataset", str(tmp_path)], capsys)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_without_writer_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "train", "--dataset", str(fifo)],
                          capture_output=True, text=True, timeout=60)  # a hang fails, bounded
    assert proc.returncode == 2 and "not a regular file" in proc.stderr


def test_file_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, CSV * 10)
    message = error_line(["train", "--dataset", path, "--max-size", "0.001"], capsys)
    assert message.endswith("the file is 14 KiB, larger than the 1 KiB limit "
                            "(raise it with --max-size MB)")


@pytest.mark.parametrize("quoted", [False, True], ids=["fast reader", "streaming reader"])
def test_row_and_column_limits(tmp_path: Path, quoted: bool,
                               capsys: pytest.CaptureFixture[str]) -> None:
    text = CSV.replace("a,b,t", '"a",b,t') if quoted else CSV
    path = write(tmp_path, text)
    message = error_line(["train", "--dataset", path, "--max-rows", "39"], capsys)
    assert "more than 39 data rows" in message and "--max-rows" in message
    assert main(["train", "--dataset", path, "--max-rows", "40", "--epochs", "0"]) == 0
    capsys.readouterr()
    message = error_line(["train", "--dataset", path, "--max-columns", "2"], capsys)
    assert "has 3 columns, more than the limit of 2" in message


def test_limits_apply_to_the_python_api(tmp_path: Path) -> None:
    path = write(tmp_path, CSV)
    with pytest.raises(DataError, match="more than 10 data rows"):
        build_session(DataOptions(path, limits=Limits(max_rows=10)), TrainConfig())
    with pytest.raises(ValueError, match="hidden units must be between"):
        build_session(DataOptions(path), TrainConfig(hidden=MAX_HIDDEN + 1))
    dataset, rng = load_dataset(path)
    with pytest.raises(ValueError, match="hidden units must be between"):
        Session(dataset, None, TrainConfig(hidden=0))  # type: ignore[arg-type]


def test_ascii_terminal_gets_words_not_escapes() -> None:
    student = Path(__file__).parent / "students" / "no_hidden_derivative.py"
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "backprop_tui", "check", str(student)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "\\u" not in proc.stdout
    assert "sigma'(z1)" in proc.stdout
    assert proc.stdout.isascii()


# -- downloads --------------------------------------------------------------------------

SERVE_AT_MOST = 15.0  # seconds any handler keeps sending, whatever the client does


class Hostile(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        stop = time.monotonic() + SERVE_AT_MOST
        if self.path == "/slow-headers":  # slowloris: one byte of a header every 0.2 s
            try:
                self.wfile.write(b"HTTP/1.0 200 OK\r\n")
                while time.monotonic() < stop:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        self.send_response(200)
        if self.path == "/huge-length":
            self.send_header("Content-Length", str(10 * 2**30))
        self.end_headers()
        try:
            if self.path == "/fine":
                self.wfile.write(CSV.encode())
                return
            row = b"0.25,0.5,0.75\n" * 4096
            while time.monotonic() < stop:
                if self.path == "/trickle":
                    self.wfile.write(b"1")
                    self.wfile.flush()
                    time.sleep(0.2)
                else:  # /endless, /huge-length
                    self.wfile.write(row)
        except OSError:  # the client hung up: what the limits are for
            pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_endless_download_stops_at_the_size_cap(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(DataError, match=r"the download is larger than the 2 MiB limit"):
        load_dataset(f"{server}/endless", limits=Limits(max_size_mb=2))
    assert time.monotonic() - start < SERVE_AT_MOST


def test_announced_size_over_the_cap_is_refused_at_once(server: str) -> None:
    with pytest.raises(DataError, match=r"the download is 10.0 GiB, larger than"):
        load_dataset(f"{server}/huge-length")


def test_trickling_download_stops_at_the_deadline(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(DataError, match=r"download did not finish within 1 s"):
        load_dataset(f"{server}/trickle", limits=Limits(download_timeout=1.0))
    assert time.monotonic() - start < 5.0


def test_trickling_headers_stop_at_the_deadline(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(DataError, match=r"download did not finish within 1 s"):
        load_dataset(f"{server}/slow-headers", limits=Limits(download_timeout=1.0))
    assert time.monotonic() - start < 5.0


def test_download_within_limits_loads(server: str) -> None:
    dataset, _ = load_dataset(f"{server}/fine", test_fraction=0.0,
                              limits=Limits(max_size_mb=1, download_timeout=10))
    assert dataset.n_train == 40 and dataset.input_names == ("a", "b")
