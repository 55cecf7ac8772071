"""Load on the workbench: N concurrent clients POST /api/validate for a while against a local server.

    python bench/serve_load.py [--clients 20] [--seconds 60]

Starts `drg serve`'s app with uvicorn in a child process on 127.0.0.1 (a free port; loopback only),
waits until it answers, then runs the clients (threads, one keep-alive HTTP connection each,
standard library only) for the given time. Prints requests/s, p50/p99 latency, errors (must be
0) and the server's resident memory (RSS) at start and end (must not grow). Bounded: at most 64
clients and 600 seconds.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

CLAIM = {"id": "load-1", "version": 431, "age": 67, "sex": "M", "discharge_status": 1,
         "hospital_status": "NON_EXEMPT", "pdx": {"code": "I50.21", "poa": "Y"},
         "sdx": [{"code": "J96.01", "poa": "Y"}, {"code": "E11.65", "poa": "Y"}, {"code": "N17.9", "poa": "Y"}],
         "procedures": ["02703DZ"], "billed_drg": 321, "length_of_stay": 4}
SERVER = ("import uvicorn, sys; from drg.web.app import app; "
          "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', access_log=False)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/versions")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def client(port: int, stop: float, body: bytes, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    while time.monotonic() < stop:
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/validate", body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.status != 200 or b'"finding"' not in data:
                errors.append(f"status {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        latencies.append(time.perf_counter() - start)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    clients = max(1, min(args.clients, 64))
    seconds = max(1.0, min(args.seconds, 600.0))
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=os.environ.copy())
    try:
        wait_ready(port)
        body = json.dumps(CLAIM).encode()
        # warm the tables (first request loads the version), then measure memory at start
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        warm.request("POST", "/api/validate", body=body, headers={"Content-Type": "application/json"})
        warm.getresponse().read()
        rss_start = rss_mb(server.pid)
        latencies: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + seconds
        threads = [threading.Thread(target=client, args=(port, stop, body, latencies, errors)) for _ in range(clients)]
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        rss_end = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    print(f"clients {clients}, {elapsed:.0f} s: {len(latencies)} requests, {len(latencies) / elapsed:.0f} requests/s")
    print(f"latency p50 {statistics.median(ordered) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    print(f"server RSS start {rss_start:.0f} MB, end {rss_end:.0f} MB")
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
