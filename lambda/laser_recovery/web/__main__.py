"""`python -m laser_recovery.web`: the skill as a local web service.

werkzeug's threaded server (serving.py) is enough for a laptop and for trying the skill with
curl or the developer console through a tunnel; production runs on Lambda
(skill.lambda_handler_for).
"""

from __future__ import annotations

import logging
import sys

from ..config import ConfigError, Settings
from ..store import StoreError
from .app import create_app
from .serving import listen, server
from .verify import VerificationError


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as bad:
        print(f"laser_recovery.web: {bad}", file=sys.stderr)
        return 2
    try:
        listener = listen(settings.host, settings.port)
    except OSError as bad:  # the port is taken, or the host is not this machine's
        print(
            f"laser_recovery.web: cannot listen on HOST {settings.host} PORT {settings.port} ({bad})", file=sys.stderr
        )
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from ..skill import build_skill

    try:
        app = create_app(settings, build_skill(settings))
    except (VerificationError, StoreError) as bad:  # no CA bundle; a store file it cannot use
        listener.close()
        print(f"laser_recovery.web: {bad}", file=sys.stderr)
        return 2
    listening = server(app, listener, settings.read_timeout)
    logging.getLogger("laser_recovery.web").info("serving on http://%s:%d", settings.host, settings.port)
    listening.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
