"""`python -m laser_recovery.web`: the skill as a local web service.

Flask's built-in threaded server is enough for a laptop and for trying the skill with curl or
the developer console through a tunnel; production runs on Lambda (skill.lambda_handler_for).
"""

from __future__ import annotations

import logging
import sys

from ..config import ConfigError, Settings
from .app import create_app
from .verify import VerificationError


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as bad:
        print(f"laser_recovery.web: {bad}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    from ..skill import build_skill

    try:
        app = create_app(settings, build_skill(settings))
    except VerificationError as bad:  # e.g. no CA bundle to check Amazon's certificate against
        print(f"laser_recovery.web: {bad}", file=sys.stderr)
        return 2
    app.run(host=settings.host, port=settings.port, threaded=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
