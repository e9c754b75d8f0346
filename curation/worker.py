"""The background indexer: one thread that indexes received files in turn.

The server is the single writer of the embedded indexes, and this thread is where it writes: never
on the event loop, never two documents at once. A server stopped half-way picks up its unfinished
uploads when the worker starts again.
"""

from __future__ import annotations

import logging
import queue
import threading

from curation.documents import Documents

log = logging.getLogger(__name__)


class IngestWorker:
    def __init__(self, documents: Documents) -> None:
        self.documents = documents
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is not None:
                return
            # Each run has its own queue and stop flag: a thread still finishing a file after stop()
            # never takes work from the next one.
            self._queue = queue.Queue()
            self._stopping = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(self._queue, self._stopping), name="advisor-ingest", daemon=True
            )
            self._thread.start()
            for upload in self.documents.uploads.unfinished():
                self._queue.put(upload.id)

    def submit(self, upload_id: str) -> None:
        self.start()
        self._queue.put(upload_id)

    def stop(self, timeout: float = 60.0) -> None:
        """Finish the file in hand, then stop; files still queued are picked up on the next start."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping.set()
        self._queue.put(None)
        thread.join(timeout)

    def _run(self, jobs: queue.Queue[str | None], stopping: threading.Event) -> None:
        while True:
            upload_id = jobs.get()
            if upload_id is None or stopping.is_set():
                return
            try:
                self.documents.process(upload_id)
            except Exception:  # process() records failures itself; this only keeps the thread alive
                log.exception("the ingest worker could not process upload %s", upload_id)
