"""gunicorn settings: `gunicorn -c python:config.gunicorn config.wsgi`.

One single-threaded worker per core, plus one to run while another waits on PostgreSQL. The
app is CPU-bound Python: threads of one process take turns on the GIL, and a writer holding a
hot level's row lock would wait for its turn too (bench/README.md has the figures). `gthread`
workers keep client connections alive between requests.

Request lines may be 8190 bytes, gunicorn's largest bounded limit (its default, 4094, cuts a
list of ~90 ids): about 180 ids as Medusa's client writes them (`id[0]=...`), 240 comma-
separated. `0` would lift the limit, but gunicorn then buffers a request line of any length
and copies it on every read: a 4 MB line costs a worker 10 s of CPU. gunicorn's own refusals
(a line too long, a malformed request) answer the API's JSON error body, not an HTML page.
"""

import json
import multiprocessing

from gunicorn import util

bind = "127.0.0.1:8000"
worker_class = "gthread"
workers = multiprocessing.cpu_count() + 1
threads = 1
limit_request_line = 8190


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn's error page as `{type, message}` (its `util.write_error` writes HTML)."""
    error = {
        "type": "forbidden" if status_int == 403 else "invalid_data",
        "message": mesg or reason,
    }
    if status_int >= 500:
        error = {"type": "unknown_error", "message": reason, "code": "unknown_error"}
    body = json.dumps(error).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin1") + body)


util.write_error = write_json_error
