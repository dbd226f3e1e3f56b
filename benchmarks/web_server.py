"""The web service as `python -m laser_recovery.web` builds it, verification on, with a plain
Flask hello endpoint added to the same app: one server, so the two are compared fairly.

    python web_server.py ROOT.pem CHAIN.pem

Trusts ROOT.pem (a CA made by the benchmark) instead of the public roots, and answers every
certificate download with CHAIN.pem instead of fetching from S3; everything else is the
service's own code. Prints the port once listening; runs until terminated.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from flask import Response
from werkzeug.serving import make_server

from laser_recovery.config import Settings
from laser_recovery.skill import build_skill
from laser_recovery.web import RequestVerifier, create_app
from laser_recovery.web.verify import load_roots


def main() -> None:
    root_pem, chain_pem = Path(sys.argv[1]).read_bytes(), Path(sys.argv[2]).read_bytes()
    settings = Settings.from_env()
    # As the service logs (a line per request, a warning per refusal): part of what is timed.
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    verifier = RequestVerifier(roots=load_roots(root_pem), downloader=lambda url: chain_pem)
    app = create_app(settings, build_skill(settings), verifier)

    def hello() -> Response:
        return Response('{"hello": "world"}', mimetype="application/json")

    app.add_url_rule("/hello", "hello", hello, methods=["POST"])
    try:  # the service's own server, where it has one (request deadline, JSON refusals)
        from laser_recovery.web.serving import listen
        from laser_recovery.web.serving import server as service_server
    except ImportError:  # werkzeug's threaded server, as Flask's app.run(threaded=True) makes it
        server = make_server("127.0.0.1", 0, app, threaded=True)
    else:
        server = service_server(app, listen("127.0.0.1", 0), getattr(settings, "read_timeout", 10.0))
    print(server.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
