"""The skill as a local web service: Flask app, Alexa request verifier, `python -m` entry point.

Production runs on Lambda (see skill.lambda_handler_for); this package is for laptops and for
hosting the skill as a web service behind HTTPS.
"""

from .app import create_app
from .verify import RequestVerifier, VerificationError

__all__ = ["RequestVerifier", "VerificationError", "create_app"]
