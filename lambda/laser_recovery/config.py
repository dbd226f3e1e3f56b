"""Settings read once from the environment, checked before anything starts.

Every variable is documented in the README's configuration table; keep the two in step.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_LOCAL_STORE = "laser-recovery.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
# Where Alexa's service APIs live (North America, Europe, Far East): the only hosts called.
ALEXA_API_HOSTS = ("api.amazonalexa.com", "api.eu.amazonalexa.com", "api.fe.amazonalexa.com")
# Seconds a web client has to send its whole request: Alexa sends a few KiB at once, and a
# half-sent request holds one of the service's threads until then.
DEFAULT_READ_TIMEOUT = 10.0
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ValueError):
    """A bad setting; the message is one line and names the variable."""


@dataclass(frozen=True)
class Settings:
    table_name: str | None = None
    local_store: Path = Path(DEFAULT_LOCAL_STORE)
    skill_id: str | None = None
    verify_requests: bool = True
    host: str = "127.0.0.1"
    port: int = 3000
    log_level: str = "INFO"
    alexa_api_hosts: tuple[str, ...] = ALEXA_API_HOSTS
    read_timeout: float = DEFAULT_READ_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read and validate the settings; raise ConfigError on the first bad one."""
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        return cls(
            table_name=_table_name(get("TABLE_NAME")),
            local_store=_local_store(get("LOCAL_STORE")),
            skill_id=_skill_id(get("SKILL_ID")),
            verify_requests=_flag("ASK_VERIFY_REQUESTS", get("ASK_VERIFY_REQUESTS"), True),
            host=_host(get("HOST")),
            port=_port(get("PORT")),
            log_level=_log_level(get("LOG_LEVEL")),
            alexa_api_hosts=_hosts(get("ALEXA_API_HOSTS")),
            read_timeout=_read_timeout(get("READ_TIMEOUT")),
        )


def _local_store(value: str | None) -> Path:
    # Checked here so a bad path is one line naming the variable, not a traceback from SQLite.
    path = Path(value or DEFAULT_LOCAL_STORE).expanduser()
    if path.is_dir():
        raise ConfigError(f"LOCAL_STORE must be a file, and {str(path)!r} is a directory")
    if not path.parent.is_dir():
        raise ConfigError(f"LOCAL_STORE's folder {str(path.parent)!r} does not exist")
    if path.exists() or path.is_symlink():
        # Never take over (and chmod) a file that is not an SQLite store: /etc/passwd, a typo.
        if path.is_symlink() or not path.is_file():
            raise ConfigError(f"LOCAL_STORE must be a regular file, and {str(path)!r} is not")
        try:
            with path.open("rb") as file:
                head = file.read(len(SQLITE_HEADER))
        except OSError as error:
            raise ConfigError(f"LOCAL_STORE {str(path)!r} cannot be read ({error.strerror})") from None
        if head and head != SQLITE_HEADER:
            raise ConfigError(f"LOCAL_STORE {str(path)!r} is not an SQLite file; name a new file or a store")
    return path


# DynamoDB's own rule for table names.
_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


def _table_name(value: str | None) -> str | None:
    if value is not None and not _TABLE_NAME.match(value):
        raise ConfigError("TABLE_NAME must be 3 to 255 letters, digits, '_', '-' or '.'")
    return value


_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


def _host(value: str | None) -> str:
    if value is None:
        return "127.0.0.1"
    if not (_is_address(value) or _HOST_NAME.match(value)):
        raise ConfigError(f"HOST must be an IP address or a host name, not {value!r}")
    return value


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_SKILL_ID = re.compile(r"^amzn1\.ask\.skill\.[A-Za-z0-9-]+$")


def _skill_id(value: str | None) -> str | None:
    if value is not None and not _SKILL_ID.match(value):
        raise ConfigError("SKILL_ID must look like amzn1.ask.skill.<id>")
    return value


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _port(value: str | None) -> int:
    if value is None:
        return 3000
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a number from 1 to 65535, not {value!r}")
    return int(value)


def _hosts(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ALEXA_API_HOSTS
    hosts = tuple(host.strip().lower() for host in value.split(","))
    if not all(_is_address(host) or _HOST_NAME.match(host) for host in hosts):
        raise ConfigError(f"ALEXA_API_HOSTS must be host names separated by commas, not {value!r}")
    return hosts


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {value!r}")
    return level


_DECIMAL = re.compile(r"^[0-9]+(?:\.[0-9]+)?$", re.ASCII)


def _read_timeout(value: str | None) -> float:
    if value is None:
        return DEFAULT_READ_TIMEOUT
    # As written in ASCII: float() would also take "1_0" and full-width digits.
    written = _DECIMAL.match(value) is not None
    seconds = float(value) if written else 0.0
    if not 0.1 <= seconds <= 300:  # NaN fails this too
        raise ConfigError(f"READ_TIMEOUT must be a number of seconds from 0.1 to 300, not {value!r}")
    return seconds
