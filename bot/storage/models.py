"""The database schema as typed SQLAlchemy models; every change goes through Alembic."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so Alembic's batch mode on SQLite can find and alter them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    """A person using the bot, keyed by their Telegram user id, with their settings."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="level_range"),
        CheckConstraint("starting_pain BETWEEN 0 AND 10", name="starting_pain_range"),
        # Due reminders are claimed in this order, straight off the index (no sort).
        Index("ix_users_reminder_queue", "next_reminder_at", "reminder_order", "id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Where onboarding stands; "done" once the programme can start.
    onboarding_step: Mapped[str] = mapped_column(String(24), default="red_flags")
    disclaimer_shown: Mapped[bool] = mapped_column(default=False)
    # "urgent" or "see_doctor" while the programme waits for the person to be checked.
    red_flag_hold: Mapped[str | None] = mapped_column(String(16), default=None)
    starting_pain: Mapped[int | None] = mapped_column(Integer, default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    reminder_time: Mapped[time | None] = mapped_column(Time, default=None)
    level: Mapped[int] = mapped_column(Integer, default=1)
    # When the person agreed that we keep their health data (pain scores, answers); NULL: not yet.
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Reminders on (/resume) or off (/pause).
    active: Mapped[bool] = mapped_column(default=True)
    # Telegram said the person blocked the bot (403); their next /start clears it.
    blocked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When the next daily reminder is due; NULL while there is none (paused, blocked, unset).
    next_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Where the person comes among those due at the same instant: a hash of (person, local
    # day of next_reminder_at), set as each claim moves it on (bot.domain.reminders
    # .fanout_order), so nobody is the last of every broadcast.
    reminder_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A reminder the person snoozed comes back at this instant.
    snooze_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    # Something hurt last time: the next reminder first asks how the back is today.
    check_due: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Mornings in a row the back felt worse than the day before.
    worse_mornings: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The local day on which holds stay where they are (the back felt worse that morning).
    steady_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Where a report given outside a session stands: check, pain or which (NULL: none).
    report_step: Mapped[str | None] = mapped_column(String(16), default=None)
    report_pain: Mapped[int | None] = mapped_column(Integer, default=None)
    # The code of the link the person came by (t.me/<bot>?start=pt_ABC: a clinic's or a
    # physiotherapist's), 1-64 of A-Z a-z 0-9 _ -; the latest one, shown in /summary.
    start_code: Mapped[str | None] = mapped_column(String(64), default=None)
    # The language the person reads (gettext locale, e.g. "ru", "pt_BR"); NULL: not chosen yet,
    # their Telegram language_code decides.
    language: Mapped[str | None] = mapped_column(String(16), default=None)


class TrainingSession(Base):
    """One guided session: today's routine and how far the person got."""

    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # The person's local day the session counts for (set when it finishes).
    local_date: Mapped[date | None] = mapped_column(Date, default=None)
    # active, finished or stopped
    status: Mapped[str] = mapped_column(String(16), default="active")
    # Today's routine as "exercise_id:target_hold" pairs, comma-separated, in order.
    routine: Mapped[str] = mapped_column(String(512), default="")
    # Which exercise (0-based) and which side of it the person is on.
    position: Mapped[int] = mapped_column(Integer, default=0)
    side: Mapped[int] = mapped_column(Integer, default=0)
    # The Telegram message that shows the card of `card_position` with its buttons (an Undo
    # that moves the session back takes them away); NULL before the first card is shown.
    card_message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    card_position: Mapped[int | None] = mapped_column(Integer, default=None)
    # card, holding, answer or pain: what the bot is waiting for.
    phase: Mapped[str] = mapped_column(String(16), default="card")
    # guided (the bot led it) or reported (the person did it alone and told us).
    kind: Mapped[str] = mapped_column(String(16), default="guided", server_default="guided")


class ExerciseResult(Base):
    """What the person answered for one exercise in one session."""

    __tablename__ = "exercise_results"
    # One answer per exercise per session: a double tap can never count twice.
    __table_args__ = (
        UniqueConstraint("session_id", "exercise_id", name="uq_exercise_results_session_exercise"),
        CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True
    )
    exercise_id: Mapped[str] = mapped_column(String(32))
    # done, hurts or skipped
    answer: Mapped[str] = mapped_column(String(16))
    pain: Mapped[int | None] = mapped_column(Integer, default=None)
    hold_seconds: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # What an Undo restores while the session is open, as JSON: the exercise's progress row
    # before this answer (null: there was none) and the session's routine before it (the
    # harder variants the answer dropped from today's session).
    undo: Mapped[str | None] = mapped_column(String(1024), default=None)


class ExerciseProgress(Base):
    """Where one person stands with one exercise: target hold and recent pain."""

    __tablename__ = "exercise_progress"
    __table_args__ = (CheckConstraint("target_hold BETWEEN 5 AND 60", name="target_hold_range"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    exercise_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    target_hold: Mapped[int] = mapped_column(Integer)
    start_hold: Mapped[int] = mapped_column(Integer)
    pain_free_streak: Mapped[int] = mapped_column(Integer, default=0)
    high_pain_streak: Mapped[int] = mapped_column(Integer, default=0)
    ceiling_pain_free_streak: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[bool] = mapped_column(default=False)
    # Sessions (or pain-free sessions of the predecessor) before a removed exercise returns.
    sessions_until_return: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "Not for me": why the person set it aside (kneel, space, hurts, other); NULL while it
    # is in their routine. Out of every routine until they bring it back (/routine).
    set_aside: Mapped[str | None] = mapped_column(String(16), default=None)


class PainReport(Base):
    """A pain score the person gave, with where it came from."""

    __tablename__ = "pain_reports"
    __table_args__ = (CheckConstraint("pain BETWEEN 0 AND 10", name="pain_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pain: Mapped[int] = mapped_column(Integer)
    # onboarding, session or reminder
    source: Mapped[str] = mapped_column(String(16))
    exercise_id: Mapped[str | None] = mapped_column(String(32), default=None)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="SET NULL"), default=None
    )


class ReminderLog(Base):
    """One row per person per local day: the reminder of that day, claimed once.

    The primary key is the guarantee that a day's reminder is sent at most once, even with
    two processes or after a restart; the row is written in the same transaction that moves
    the person's next reminder on.
    """

    __tablename__ = "reminder_log"
    __table_args__ = (
        PrimaryKeyConstraint("user_id", "local_date"),
        # Only live claims are indexed, so reclaiming lost ones never scans the whole log.
        Index(
            "ix_reminder_log_claimed",
            "claimed_at",
            sqlite_where=text("status = 'claimed'"),
            postgresql_where=text("status = 'claimed'"),
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # claimed (being sent), sent, missed (bot was down too long), done (session already
    # finished that day), skipped (person chose to rest), blocked, failed
    status: Mapped[str] = mapped_column(String(16), index=True)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    snoozes: Mapped[int] = mapped_column(Integer, default=0)


class StreakDay(Base):
    """A local day that neither counts for the streak nor breaks it, and why.

    `kind`: pain (pain above 5: the coach said rest), worse (a worse morning), red_flag (an
    urgent hold until a doctor checked them) or paused. A pause or hold marks the day it began;
    the days up to its end are written when it ends (until then they are frozen as it goes on).
    """

    __tablename__ = "streak_days"
    __table_args__ = (PrimaryKeyConstraint("user_id", "local_date", "kind"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MediaCache(Base):
    """Telegram's file_id for a picture or document we rendered once, so it is sent again free.

    The key names what was drawn and how (exercise, drawing version), so a changed drawing is
    uploaded afresh rather than served stale.
    """

    __tablename__ = "media_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboxUpdate(Base):
    """An update from Telegram, kept from before it is acknowledged until it was handled.

    `payload` is the update's JSON as Telegram sent it: a person's own words (health data),
    never logged. Handled rows (`done_at` set) are pruned after a day, and /delete removes a
    person's at once. `claimed_by` is the process handling the row; it renews `claimed_at`
    while it lives, so a row whose claim is older than the inbox's lease was left by a process
    that died, and another one takes it.
    """

    __tablename__ = "update_inbox"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # Whose update it is (the sender, else the chat): per-person order and /delete.
    person_id: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None, index=True)
    # How many messages its handlers had sent (stored before each): a second run skips them.
    sends: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What Telegram answered those sends, as JSON by send number: each message's id, date and
    # chat (never its words), handed to a second run in place of sending again. Written with
    # the next count, so the last send's answer may be missing (bot/journal.py).
    sent_messages: Mapped[str | None] = mapped_column(Text, default=None)
