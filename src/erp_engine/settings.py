"""Runtime configuration from the environment and `.env`; built explicitly, never at import."""

from __future__ import annotations

import os
import stat
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-in-production-0000000000"  # noqa: S105
MIN_PRODUCTION_SECRET_LENGTH = 32


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Every setting the server, the CLI and the tests read."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./var/erp.db"
    # Connections per worker: the pool keeps this many open and opens as many again under a
    # burst; each worker also keeps one listening connection (identity/callers.py). 5 workers
    # (cores x 2 + 1 on two cores) x 11 = 55 stays well inside PostgreSQL's default
    # max_connections (100) with room for migrations, backups and psql.
    database_pool_size: int = Field(default=5, ge=1)
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "erp-engine"
    jwt_audience: str = "erp-engine-api"
    access_token_minutes: int = Field(default=15, ge=1)
    refresh_token_days: int = Field(default=14, ge=1)
    redis_url: str | None = None
    nats_url: str | None = None
    # JetStream keeps events this long and this much at most (0 = no limit), oldest dropped.
    nats_stream_max_age_days: float = Field(default=7, ge=0)
    nats_stream_max_bytes: int = Field(default=1024**3, ge=0)
    engine_name: str = "erp-engine"
    engine_commit_sha: str | None = None
    engine_env: Environment = Environment.DEVELOPMENT
    engine_headers: bool = True
    currency: str = "KRW"
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    metrics_public: bool = False
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 10 * 1024 * 1024
    log_level: str = "INFO"
    # "console" or "json"; unset: JSON in production, readable lines in development.
    log_format: str | None = None
    web_dist: Path = Path("web/dist")
    sqlite_busy_timeout_ms: int = 30_000
    relay_in_server: bool = False
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    webhook_max_attempts: int = Field(default=8, ge=1)
    webhook_retry_base_s: float = Field(default=10.0, gt=0)
    webhook_disable_after: int = Field(default=20, ge=1)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    # Endpoints sent to at once; each endpoint gets its deliveries one after another.
    webhook_concurrency: int = Field(default=8, ge=1)
    # Published events and finished webhook deliveries are deleted after this many days
    # (0 = kept forever); unpublished events and pending deliveries never are.
    outbox_retention_days: float = Field(default=30, ge=0)
    webhook_delivery_retention_days: float = Field(default=30, ge=0)
    # Where `erp outbox-relay` serves its own /metrics (host:port; empty = not at all).
    relay_metrics_address: str = "127.0.0.1:9465"
    rate_limit_enabled: bool = True
    rate_limit_default: str = "600/minute"
    rate_limit_login_ip: str = "30/minute"
    rate_limit_login_account: str = "100/hour"
    # Per client address, for requests that end in 401 (bad tokens or keys, failed refreshes).
    rate_limit_anonymous_ip: str = "120/minute"
    # Peers whose X-Forwarded-For is believed (the local nginx); everyone else's is ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.1", "::1"]
    )

    @field_validator("cors_origins", "trusted_proxies", "webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_production(self) -> bool:
        return self.engine_env is Environment.PRODUCTION

    def production_problems(self) -> list[str]:
        """Reasons this configuration must not serve production traffic."""
        problems = []
        if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < MIN_PRODUCTION_SECRET_LENGTH:
            problems.append(
                f"JWT_SECRET must be set to a random value of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters"
            )
        return problems


def env_file_is_world_readable(path: Path = Path(".env")) -> bool:
    """True when `.env` exists and others than its owner may read it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    return bool(mode & (stat.S_IRGRP | stat.S_IROTH))
