"""Every benchmark in one run: pages, PDFs, the cold analysis, load, several app servers.
`make bench` calls this.

Pages and PDFs run in this process against a fresh SQLite database (the
embedded default); the load test runs gunicorn on PostgreSQL in a process of
its own, and so does the live-check benchmark (bench/live.py, its own database).
Everything printed is also written to bench/results/latest.txt.
"""

import contextlib
import io
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.0f} GiB RAM"
    import os

    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}){memory}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    from bench.common import RESULTS, setup_django

    setup_django()
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = (RESULTS / "latest.txt").open("w")
    out = Tee(sys.stdout, log)
    with contextlib.redirect_stdout(out):
        print(f"hiringplan benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        print(machine())
        started = time.perf_counter()
        from bench import browser, pages, pdf

        pages.run()
        pdf.run(fresh=False)
        if Path(browser.CHROMIUM).exists():
            browser.run()
        else:
            print(f"\nNo {browser.CHROMIUM}: the browser benchmark is skipped.")
    # The load test configures Django for PostgreSQL, so it runs in its own process.
    result = subprocess.run(
        [sys.executable, "-m", "bench.load"], capture_output=True, text=True, cwd=ROOT
    )
    with contextlib.redirect_stdout(out):
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(f"Load benchmark failed:\n{result.stderr[-2000:]}")
    # The live check and three polling leaders (gunicorn on a database of its own).
    result = subprocess.run(
        [sys.executable, "-m", "bench.live"], capture_output=True, text=True, cwd=ROOT
    )
    with contextlib.redirect_stdout(out):
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(f"Live-check benchmark failed:\n{result.stderr[-2000:]}")
    # The cold analysis runs in processes of its own (each on a fresh start), callgrind
    # counts included when valgrind is installed.
    import shutil

    analysis = [sys.executable, "-m", "bench.analysis"]
    if shutil.which("valgrind") and shutil.which("cc"):
        analysis.append("--instructions")
    result = subprocess.run(analysis, capture_output=True, text=True, cwd=ROOT)
    with contextlib.redirect_stdout(out):
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(f"Analysis benchmark failed:\n{result.stderr[-2000:]}")
    # Several app servers (PostgreSQL + Redis), in a process of its own too.
    result = subprocess.run(
        [sys.executable, "-m", "bench.cluster"], capture_output=True, text=True, cwd=ROOT
    )
    with contextlib.redirect_stdout(out):
        print(result.stdout.rstrip())
        if result.returncode != 0:
            print(f"Cluster benchmark failed:\n{result.stderr[-2000:]}")
        print(f"\nTotal benchmark time: {time.perf_counter() - started:.0f} s")
    log.close()


if __name__ == "__main__":
    main()
