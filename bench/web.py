"""Benchmark: the authenticated retail API under load, from the figures cache and without it.

Seeds (or, with --reuse, keeps) N synthetic order lines in PostgreSQL with bench/metrics.py's
generator, builds the rollups, starts gunicorn with 2 sync workers on loopback, signs in (the
session cookie of the sign-in form, or with --auth token a bearer token) and runs
`wrk -c32 -d10s --latency` against

    /api/v1/metrics/retail?from=2024-01-01&to=2024-12-31&by=month

once with the figures cache on Redis (as in production) and once with
`CUNBO_FIGURES_CACHE=false`, printing req/s, p50/p99 and the load average of each run.
Target (issue 13): at least 600 req/s with p99 at most 100 ms at 2,000,000 lines.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cunbo_bench .venv/bin/python bench/web.py \\
        --lines 200000

The database is emptied first unless --reuse, so its name must end in `_bench`. Needs `wrk`
(`apt-get install -y wrk`) and a Redis at REDIS_URL (default redis://127.0.0.1:6379/15). Not a
test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.auth.tokens import issue_token  # noqa: E402
from app.extensions import db  # noqa: E402
from app.metrics.rollup_write import rebuild_all  # noqa: E402
from app.models import User, bump_data_version  # noqa: E402
from bench.metrics import generate  # noqa: E402

PATH = "/api/v1/metrics/retail?from=2024-01-01&to=2024-12-31&by=month"
STATIC = "/assets/favicon.svg"
TARGET_RPS = 600
TARGET_P99_MS = 100


PASSWORD = "bench-password"


def seed(lines: int, batch: int, reuse: bool) -> str:
    """The lines in place (generated unless reused) and a fresh bearer token of an admin."""
    app = create_app({"TESTING": True})
    with app.app_context():
        present = 0
        if reuse:
            present = db.session.scalar(text("SELECT count(*) FROM order_lines")) or 0
        if not present:
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            print(f"generating {lines:,} order lines …", flush=True)
            generate(lines, batch)
            rebuild_all()
            bump_data_version(db.session)
            db.session.commit()
            print(f"lines and rollups in {time.perf_counter() - started:.0f} s", flush=True)
            db.session.remove()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            present = db.session.scalar(text("SELECT count(*) FROM order_lines")) or 0
        print(f"order_lines: {present:,}", flush=True)
        user = db.session.scalar(db.select(User).where(User.login == "bench"))
        if user is None:
            user = User(login="bench", role="admin")
            db.session.add(user)
        user.set_password(PASSWORD)
        user.must_change_password = False
        db.session.commit()
        token = issue_token(user, f"bench-{time.time_ns()}")[1]
        db.session.remove()
        db.engine.dispose()
    return token


def serve(port: int, workers: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "app:create_app()",
    ]
    with log.open("ab") as out:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return server


def wait_ready(port: int, timeout: float = 120) -> None:
    """Until gunicorn answers its health check."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout):
                return
        except urllib.error.HTTPError:
            return  # it answers (a 503 names a broker down; the figures do not need it)
        except OSError:  # not listening yet, or still importing the app
            pass
        if time.monotonic() > deadline:
            sys.exit(f"gunicorn did not answer within {timeout:.0f} s")
        time.sleep(0.3)


class _Stay(urllib.request.HTTPRedirectHandler):
    """Keep the sign-in's redirect unfollowed: its cookie is all that is wanted."""

    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def sign_in(port: int, auth: str, token: str) -> str:
    """The header wrk sends: the session cookie of a signed-in admin, or the bearer token.

    The first answer also fills the cache."""
    base = f"http://127.0.0.1:{port}"
    if auth == "token":
        header = f"Authorization: Bearer {token}"
    else:
        jar = CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _Stay())
        with browser.open(f"{base}/login", timeout=30) as page:
            form = page.read().decode()
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        fields = {"login": "bench", "password": PASSWORD}
        if found:
            fields["csrf_token"] = found.group(1)
        body = urllib.parse.urlencode(fields).encode()
        try:
            browser.open(f"{base}/login", data=body, timeout=60).close()
        except urllib.error.HTTPError as answer:  # the 302 to the dashboard
            if answer.code != 302:
                sys.exit(f"signing in answered {answer.code}")
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
        if "session=" not in cookies:
            sys.exit("signing in gave no session cookie")
        header = f"Cookie: {cookies}"
    name, _, value = header.partition(": ")
    request = urllib.request.Request(base + PATH, headers={name: value})
    with urllib.request.urlopen(request, timeout=60) as answer:
        if answer.status != 200 or b'"rows"' not in answer.read():
            sys.exit(f"{PATH} did not answer with figures")
    return header


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    port: int, header: str, connections: int, seconds: int, threads: int, path: str = PATH
) -> dict[str, Any]:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        header,
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found: dict[str, Any] = {"output": output}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found["rps"] = float(rate.group(1)) if rate else float("nan")
    for name in ("50", "99"):
        match = re.search(rf"^\s+{name}%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.MULTILINE)
        found[f"p{name}"] = _ms(*match.groups()) if match else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx"] = int(errors.group(1)) if errors else 0
    socket = re.search(r"Socket errors: (.*)", output)
    found["socket_errors"] = socket.group(1).strip() if socket else ""
    return found


def measure(
    label: str,
    args: argparse.Namespace,
    token: str,
    env: dict[str, str],
    log: Path,
    floor: bool = False,
) -> dict[str, Any]:
    server = serve(args.port, args.workers, env, log)
    try:
        wait_ready(args.port)
        header = sign_in(args.port, args.auth, token)
        run_wrk(args.port, header, args.connections, 2, args.threads)  # warm-up
        if floor:  # the same server's static file, without signing in: the machine's floor
            before = os.getloadavg()
            static = run_wrk(args.port, "Accept: */*", args.connections, args.duration, 2, STATIC)
            static["load"] = (before, os.getloadavg())
            report("static floor", static, args.verbose)
        before = os.getloadavg()
        result = run_wrk(args.port, header, args.connections, args.duration, args.threads)
        result["load"] = (before, os.getloadavg())
    finally:
        stop(server)
    report(label, result, args.verbose)
    return result


def report(label: str, result: dict[str, Any], verbose: bool) -> None:
    met = result["rps"] >= TARGET_RPS and result["p99"] <= TARGET_P99_MS
    print(
        f"{label:<14} {result['rps']:>9.1f} req/s   p50 {result['p50']:7.2f} ms   "
        f"p99 {result['p99']:7.2f} ms   non-2xx {result['non_2xx']}   "
        f"load {' '.join(f'{x:.2f}' for x in result['load'][0])} → "
        f"{' '.join(f'{x:.2f}' for x in result['load'][1])}"
        + (f"   target {'met' if met else 'missed'}" if label == "cached" else ""),
        flush=True,
    )
    if verbose:
        print(result["output"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--batch", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the lines already generated")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--auth", choices=("cookie", "token"), default="cookie", help="session cookie or bearer"
    )
    parser.add_argument("--no-uncached", action="store_true", help="skip the run without cache")
    parser.add_argument(
        "--no-pre-ping",
        action="store_true",
        help="check out pooled connections without the SELECT 1 (pool_pre_ping, the default)",
    )
    parser.add_argument("--verbose", action="store_true", help="print wrk's own output")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or not (make_url(url).database or "").endswith("_bench"):
        sys.exit("set DATABASE_URL to a PostgreSQL database whose name ends in _bench")
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    token = seed(args.lines, args.batch, args.reuse)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CUNBO_SECRET_KEY": "bench-secret-" + "x" * 20,
    }
    if args.no_pre_ping:
        env["CUNBO_SQLALCHEMY_ENGINE_OPTIONS"] = '{"pool_pre_ping": false}'
    log = Path(tempfile.gettempdir()) / "cunbo-bench-web.log"
    print(
        f"gunicorn {args.workers} sync workers, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s, GET {PATH} ({args.auth}); cache on {redis_url}; log {log}",
        flush=True,
    )
    cached = measure("cached", args, token, env, log, floor=True)
    if not args.no_uncached:
        uncached = measure("uncached", args, token, {**env, "CUNBO_FIGURES_CACHE": "false"}, log)
        if uncached["rps"]:
            print(f"cache speed-up: {cached['rps'] / uncached['rps']:.1f}× req/s", flush=True)
    print(
        f"target ≥ {TARGET_RPS} req/s and p99 ≤ {TARGET_P99_MS} ms: "
        f"{'met' if cached['rps'] >= TARGET_RPS and cached['p99'] <= TARGET_P99_MS else 'missed'}"
    )


if __name__ == "__main__":
    main()
