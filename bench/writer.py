"""A concurrent writer for the retention tests and benchmarks: new reports one by one, as the app stores them."""

import threading
import time
import uuid

import psycopg

INSERT_SQL = ("INSERT INTO feedback_feedback (id, surface, rating, comment, conversation, created_at) "
              "VALUES (%s, 'chat', 'up', '', %s::jsonb, now())")


class Writer(threading.Thread):
    """Inserts reports through its own connection (its own commit each) until stopped.

    Each insert may wait for a lock at most `lock_timeout` (PostgreSQL's own lock_timeout): an insert
    held up longer fails and is kept in `errors`, so "no errors" means no insert waited past it.
    Keeps every stored id and each insert's latency.
    """

    def __init__(self, url, *, lock_timeout="500ms", pause=0.0, body='{"messages": []}'):
        super().__init__(daemon=True)
        self.url, self.lock_timeout, self.pause, self.body = url, lock_timeout, pause, body
        self.ids, self.latencies, self.errors = [], [], []
        self.stop, self.started = threading.Event(), threading.Event()

    def run(self):
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"SET lock_timeout = '{self.lock_timeout}'")
            while not self.stop.is_set():
                report_id, began = uuid.uuid4(), time.monotonic()
                try:
                    conn.execute(INSERT_SQL, [report_id, self.body])
                    self.ids.append(report_id)
                except psycopg.Error as exc:
                    self.errors.append(exc)
                self.latencies.append(time.monotonic() - began)
                self.started.set()
                if self.pause:
                    time.sleep(self.pause)

    def finish(self):
        """Stop and wait for the writer; returns self."""
        self.stop.set()
        self.join(timeout=60)
        return self


def libpq_url(settings_dict):
    """A libpq URL for a Django DATABASES entry (a test database included)."""
    db = settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
