"""The desk's services: business rules, permissions and workflow.

Build them once per session (Streamlit) or per command (CLI) with
:func:`build_services`; every method takes the acting user's id first.  See
``docs/SERVICES.md`` for the full API.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from desk.clock import Clock, SystemClock
from desk.config import Settings
from desk.intake import IntakeLimits
from desk.services.admin import AdminService
from desk.services.auth import AuthPolicy, AuthService
from desk.services.claims import ClaimService, Normalizer
from desk.services.dashboard import DashboardService
from desk.services.facts import FactService
from desk.services.installation import load_secret
from desk.services.intake import IntakeService
from desk.services.links import MatchLinkService
from desk.services.matching import EngineSet, MatchingService
from desk.services.notes import NoteService
from desk.services.publishing import PublishingService
from desk.services.pulls import PullService
from desk.services.rebuttals import RebuttalService
from desk.services.regions import RegionService
from desk.services.settings import SettingsService
from desk.services.sightings import SenderHasher, SightingService
from desk.services.users import UserService
from desk.store import Store
from desk.store import users as users_repo


@dataclass
class Services:
    """Every service, sharing one store and one clock."""

    store: Store
    clock: Clock
    auth: AuthService
    users: UserService
    regions: RegionService
    claims: ClaimService
    sightings: SightingService
    facts: FactService
    rebuttals: RebuttalService
    links: MatchLinkService
    notes: NoteService
    pulls: PullService
    settings: SettingsService
    admin: AdminService
    dashboard: DashboardService
    matching: MatchingService
    intake: IntakeService
    publishing: PublishingService

    def system_user_id(self) -> int:
        """The built-in ``system`` actor (role admin, cannot sign in).  Only the
        local CLI and loaders with file access to the database use it."""
        return users_repo.system_user_id(self.store)

    def close(self) -> None:
        self.store.close()


def build_services(store: Store, *, sender_secret: bytes, backup_dir: Path,
                   clock: Clock | None = None, normalizer: Normalizer | None = None,
                   hasher: PasswordHasher | None = None, auth_policy: AuthPolicy | None = None,
                   max_text_chars: int = 20_000, engines: EngineSet | None = None,
                   max_upload_bytes: int = 50_000_000, whatsapp_max_chars: int = 1000) -> Services:
    """Wire the services around one open store.

    ``engines`` (one ``EngineSet`` per process) enables matching; without it
    intake deduplicates by exact text only and ``svc.matching`` refuses.
    """
    clock = clock or SystemClock()
    auth = AuthService(store, clock, hasher=hasher, policy=auth_policy)
    claims = ClaimService(store, clock, normalizer=normalizer, max_text_chars=max_text_chars)
    sightings = SightingService(store, clock, hasher=SenderHasher(sender_secret))
    facts = FactService(store, clock)
    links = MatchLinkService(store, clock)
    settings = SettingsService(store, clock)
    pulls = PullService(store, clock)
    limits = IntakeLimits(max_upload_bytes=max_upload_bytes, max_message_chars=max_text_chars)
    return Services(
        store=store, clock=clock, auth=auth,
        users=UserService(store, clock, auth=auth),
        regions=RegionService(store, clock),
        claims=claims,
        sightings=sightings,
        facts=facts,
        rebuttals=RebuttalService(store, clock),
        links=links,
        notes=NoteService(store, clock),
        pulls=pulls,
        settings=settings,
        admin=AdminService(store, clock, backup_dir=backup_dir),
        dashboard=DashboardService(store, clock),
        matching=MatchingService(store, clock, engines=engines, links=links, settings=settings),
        intake=IntakeService(store, clock, claims=claims, sightings=sightings, facts=facts,
                             engines=engines, limits=limits),
        publishing=PublishingService(store, clock, pulls=pulls,
                                     whatsapp_max_chars=whatsapp_max_chars,
                                     detect_lang=claims.normalize),
    )


def open_services(settings: Settings, *, clock: Clock | None = None,
                  normalizer: Normalizer | None = None,
                  engines: EngineSet | None = None) -> Services:
    """Open the database under ``settings.home`` and build the services.

    Needs ``desk init`` to have run (the installation secret).  Cheap enough to
    call once per Streamlit session; never share the result between threads.
    """
    secret = load_secret(settings)
    store = Store.open(settings.db_path)
    return build_services(store, sender_secret=secret, backup_dir=settings.backup_dir,
                          clock=clock, normalizer=normalizer,
                          max_text_chars=settings.max_text_chars, engines=engines,
                          max_upload_bytes=settings.max_upload_bytes,
                          whatsapp_max_chars=settings.whatsapp_max_chars)


__all__ = ["EngineSet", "Services", "build_services", "open_services"]
