"""One worker process of ``WORKERS > 1``: ``python -m bot.worker INDEX``.

The supervisor (``bot.app.serve``) starts it; ``handlers.telegram.workers`` speaks the pipes, and
``bot.app.worker_application`` builds the application that handles the updates.
"""

from __future__ import annotations

import sys

from bot.app import worker_application
from handlers.telegram.workers import main

if __name__ == "__main__":
    sys.exit(main(worker_application))
