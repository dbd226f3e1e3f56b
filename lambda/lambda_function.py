"""AWS Lambda entry point. The skill is built once per container, on the first cold start."""

import logging

from laser_recovery.config import Settings
from laser_recovery.skill import lambda_handler_for

_settings = Settings.from_env()
logging.getLogger().setLevel(_settings.log_level)

lambda_handler = lambda_handler_for(_settings)
