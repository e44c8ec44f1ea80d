"""Serves Ballast worker metrics on 127.0.0.1 for the PromQL acceptance test.

Every request advances counters and histograms, so each Prometheus scrape sees new values.
Worker w3 restarts after its 8th scrape, which resets its counters (a counter reset for rate()).
Prints the port on stdout, then serves until stdin closes, so it never outlives the test.
"""
import http.server
import os
import sys
import threading

WORKERS = [
    ("w1", "smollm2", "v1"),
    ("w2", "smollm2", "v2"),
    ("w3", "qwen", "v1"),
    ("w4", "qwen", "v2"),
]
TIERS = {("smollm2", "v1"): "light", ("smollm2", "v2"): "light", ("qwen", "v1"): "medium", ("qwen", "v2"): "medium"}
BOUNDS = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
HISTOGRAMS = [
    ("ballast_queue_wait_seconds", 0.02),
    ("ballast_time_to_first_token_seconds", 0.08),
    ("ballast_request_duration_seconds", 0.4),
]
STATUSES = ["ok", "error", "rejected"]

lock = threading.Lock()
scrapes = 0
state = {}


def fresh_worker():
    return {
        "requests": {status: 0.0 for status in STATUSES},
        "tokens": 0.0,
        "histograms": {name: {"buckets": [0.0] * len(BOUNDS), "sum": 0.0, "count": 0.0} for name, _ in HISTOGRAMS},
    }


def advance(index, worker):
    n = scrapes
    step = index + 1
    worker["requests"]["ok"] += 3 * step + (n % 4)
    worker["requests"]["error"] += (n + index) % 3
    worker["requests"]["rejected"] += 1 if (n + index) % 5 == 0 else 0
    worker["tokens"] += 40.0 * step + 7 * (n % 6)
    for h_index, (name, scale) in enumerate(HISTOGRAMS):
        histogram = worker["histograms"][name]
        for k in range(step + n % 3):
            value = scale * (0.2 + ((n * 7 + k * 13 + index * 5 + h_index * 3) % 17) / 8.0)
            histogram["sum"] += value
            histogram["count"] += 1
            for b, bound in enumerate(BOUNDS):
                if bound == "+Inf" or value <= float(bound):
                    histogram["buckets"][b] += 1


def page():
    global scrapes
    with lock:
        scrapes += 1
        n = scrapes
        lines = []
        for index, (worker_id, model, version) in enumerate(WORKERS):
            if worker_id not in state or (worker_id == "w3" and n == 9):
                state[worker_id] = fresh_worker()
            worker = state[worker_id]
            advance(index, worker)
            labels = f'model="{model}",version="{version}",worker="{worker_id}"'
            for status in STATUSES:
                lines.append(f'ballast_requests_total{{{labels},status="{status}"}} {worker["requests"][status]}')
            lines.append(f'ballast_generated_tokens_total{{{labels}}} {worker["tokens"]}')
            for name, _ in HISTOGRAMS:
                histogram = worker["histograms"][name]
                for b, bound in enumerate(BOUNDS):
                    lines.append(f'{name}_bucket{{{labels},le="{bound}"}} {histogram["buckets"][b]}')
                lines.append(f'{name}_sum{{{labels}}} {histogram["sum"]}')
                lines.append(f'{name}_count{{{labels}}} {histogram["count"]}')
            lines.append(f'ballast_queue_depth{{{labels}}} {(n * (index + 2) + index) % 9 + index * 0.25}')
            lines.append(f'ballast_running_requests{{{labels}}} {(n + index) % 4}')
            lines.append(f'ballast_batch_size{{{labels}}} {(n * 3 + index * 5) % 33}')
            used = 1.0e9 * (2 + index) + 1.0e7 * ((n * (index + 1)) % 50)
            lines.append(f'ballast_accelerator_memory_used_bytes{{{labels}}} {used}')
            lines.append(f'ballast_accelerator_memory_total_bytes{{{labels}}} {8.0e9 + index * 1.0e9}')
            lines.append(f'ballast_kv_cache_usage_ratio{{{labels}}} {((n * (2 * index + 1)) % 97) / 100.0 + index / 1000.0}')
            lines.append(f'ballast_kv_cache_fragmentation_ratio{{{labels}}} {((n + 3 * index) % 11) / 200.0}')
        for (model, version), tier in TIERS.items():
            lines.append(f'ballast_model_info{{model="{model}",version="{version}",tier="{tier}"}} 1')
        return ("\n".join(lines) + "\n").encode()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = page()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
server.serve_forever()
