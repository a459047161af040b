"""gunicorn settings: `gunicorn -c python:config.gunicorn config.wsgi`.

One single-threaded worker per core, plus one to run while another waits on PostgreSQL. The
app is CPU-bound Python: threads of one process take turns on the GIL, and a writer holding a
hot level's row lock would wait for its turn too (bench/README.md has the figures). `gthread`
workers keep client connections alive between requests.
"""

import multiprocessing

bind = "127.0.0.1:8000"
worker_class = "gthread"
workers = multiprocessing.cpu_count() + 1
threads = 1
