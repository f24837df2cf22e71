"""Scale-out: Celery workers on a Redis broker, and one elected scheduler that only enqueues.

    settings      ScaleSettings (``WAAKHOND_SCALE__*``); light, imported by waakhond.settings
    planning      pure decisions: which sources to enqueue, how to cut pending items into
                  classify batches, retry delays
    leader        leader election on the ``leases`` row ``scheduler:leader``
    scheduler     the beat-less loop: while leader, enqueue fetch / classify / step tasks
    celery_app    the Celery app (queues fetch, classify, match; late acks; Redis options)
    tasks         the task bodies: the same functions the embedded service's steps call
    runtime       what one worker process keeps between tasks (settings, engine, a collector)
    delivery      retries with backoff, then a ``dead_letters`` row

Importing this package imports no Celery; ``celery_app`` does.
"""

__all__: list[str] = []
