"""Recording audit events: one function, inside the caller's transaction, each event chained to the one before."""

from dataclasses import dataclass, replace

from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone

from .actions import ACTIONS, ERR_UNKNOWN_ACTION
from .chain import event_hash
from .models import ActorKind, AuditChain, AuditEvent, VerificationRun, organization_model
from .verification import verify_chain

ERR_AUDIT_OUTSIDE_TRANSACTION = "Audit events are written inside the change's own transaction."
USER_AGENT_MAX = 512


@dataclass(frozen=True)
class RequestMeta:
    """Where a change came from: the client's address and user agent (empty for jobs)."""

    ip_address: str | None = None
    user_agent: str = ""
    # A named actor acting with a person's rights (an Admin API key and the decider who made it): events
    # name it as the actor, and keep the person whose rights it used.
    acting_as: "Actor | None" = None

    @classmethod
    def from_request(cls, request):
        """Read the client's address and user agent from a Django request."""
        return cls(
            ip_address=request.META.get("REMOTE_ADDR") or None,
            # A NUL cannot be stored (PostgreSQL text refuses it), and says nothing about the client.
            user_agent=request.META.get("HTTP_USER_AGENT", "").replace("\x00", "")[:USER_AGENT_MAX],
        )


SYSTEM = RequestMeta()


@dataclass(frozen=True)
class Actor:
    """Who acted. A person is their account; other actors are named: Actor.api_key("CI deploy key")."""

    kind: str
    user: object = None
    name: str = ""

    @classmethod
    def of(cls, actor):
        """An Actor from what services are given: an Actor, a person's account, or None (the system)."""
        if isinstance(actor, Actor):
            return actor
        return cls(ActorKind.SYSTEM) if actor is None else cls(ActorKind.PERSON, user=actor)

    @classmethod
    def api_key(cls, name):
        return cls(ActorKind.API_KEY, name=name)

    @classmethod
    def scim_token(cls, name):
        return cls(ActorKind.SCIM, name=name)

    @classmethod
    def sso(cls, name=""):
        return cls(ActorKind.SSO, name=name)

    @property
    def email(self):
        return self.user.email if self.user is not None else ""


def _lock_chain(organization):
    """The chain's head row, locked until the transaction ends (created on the chain's first event)."""
    lookup = {"organization": organization} if organization is not None else {"organization__isnull": True}
    heads = AuditChain.objects.select_for_update().only("id", "head_seq", "head_hash", "head_at")
    chain = heads.filter(**lookup).first()
    if chain is None:
        # Two first events at once: one insert wins, the other waits for it and then finds its row.
        AuditChain.objects.bulk_create([AuditChain(organization=organization)], ignore_conflicts=True)
        chain = heads.get(**lookup)
    return chain


def _clean_ip(ip_address):
    # As the database will give it back (IPv6 compressed, lower case), so the hash reads the same later.
    return AuditEvent._meta.get_field("ip_address").get_prep_value(ip_address) or None


def record_audit_event(*, organization, actor, action, target="", old=None, new=None, request_meta=SYSTEM):
    """Append one audit event to its organization's chain; must run inside the transaction of the change it records.

    ``action`` is an audit.actions.Action; ``actor`` a person's account, an Actor, or None for the system.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(ERR_AUDIT_OUTSIDE_TRANSACTION)
    if ACTIONS.get(getattr(action, "code", None)) is not action:
        raise ValueError(ERR_UNKNOWN_ACTION.format(code=getattr(action, "code", action)))
    action.check_values(old, new)
    actor = Actor.of(actor)
    if request_meta.acting_as is not None:
        actor = replace(request_meta.acting_as, user=actor.user)
    # Holding the head's lock, the event takes the next number and the head's hash: writers of one
    # chain queue here, so the chain never forks or skips. Its time never goes back along the chain.
    chain = _lock_chain(organization)
    now = timezone.now()
    event = AuditEvent(
        organization=organization,
        seq=chain.head_seq + 1,
        prev_hash=chain.head_hash,
        created_at=max(now, chain.head_at) if chain.head_at else now,
        actor=actor.user,
        actor_kind=actor.kind,
        actor_email=actor.email,
        actor_name=actor.name,
        action=action.code,
        target=target,
        old_value=old,
        new_value=new,
        ip_address=_clean_ip(request_meta.ip_address),
        user_agent=request_meta.user_agent,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    AuditChain.objects.filter(pk=chain.pk).update(head_seq=event.seq, head_hash=event.hash, head_at=event.created_at)
    return event


ERR_UNKNOWN_SLUGS = "No organization with the slug {slugs}."
NO_ORGANIZATION = "(events without organization)"


@dataclass(frozen=True)
class ChainReport:
    """One chain's outcome in a verification run, named by its organization's slug."""

    label: str
    result: object  # audit.verification.ChainResult

    def __str__(self):
        result, problem = self.result, self.result.problem
        if problem is None:
            return f"{self.label}: intact through event {result.intact_seq} ({result.events} events, head {result.intact_hash})"
        return f"{self.label}: BROKEN at seq {problem.seq}: {problem.kind} ({problem.detail})"


def _chains_to_verify(slugs):
    """(organization id or None, label) of each chain: every chain that has events or a head, or those of these slugs."""
    if slugs:
        found = dict(organization_model().objects.filter(slug__in=slugs).values_list("slug", "id"))
        if unknown := [s for s in slugs if s not in found]:
            raise ValueError(ERR_UNKNOWN_SLUGS.format(slugs=", ".join(unknown)))
        return [(found[s], s) for s in dict.fromkeys(slugs)]
    ids = set(AuditEvent.objects.order_by().values_list("organization_id", flat=True).distinct())
    ids |= set(AuditChain.objects.values_list("organization_id", flat=True))
    slugs_by_id = dict(organization_model().objects.filter(pk__in=[i for i in ids if i is not None]).values_list("id", "slug"))
    return sorted(((i, slugs_by_id.get(i, f"organization {i}") if i is not None else NO_ORGANIZATION) for i in ids),
                  key=lambda chain: chain[1])


def _record_result(chain, result, now):
    AuditChain.objects.bulk_create([AuditChain(organization_id=chain.organization_id)], ignore_conflicts=True)
    lookup = {"organization_id": chain.organization_id} if chain.organization_id is not None else {"organization__isnull": True}
    if result.problem is None:
        AuditChain.objects.filter(**lookup).update(
            checked_at=now, verified_seq=result.intact_seq, verified_hash=result.intact_hash, verified_at=now,
            broken_seq=None, problem="",
        )
    else:
        problem = result.problem
        AuditChain.objects.filter(**lookup).update(
            checked_at=now, broken_seq=problem.seq, problem=f"{problem.kind}: {problem.detail}"[:300]
        )


def verify_audit_chains(*, slugs=None):
    """Verify every chain (or those of these organizations), record each result and the run; returns (run, reports).

    Raises ValueError naming slugs that match no organization.
    """
    chains = _chains_to_verify(slugs)
    run = VerificationRun.objects.create(started_at=timezone.now())
    reports = []
    for organization_id, label in chains:
        chain, result = verify_chain(organization_id)
        _record_result(chain, result, timezone.now())
        reports.append(ChainReport(label, result))
    run.finished_at = timezone.now()
    run.chains, run.events = len(reports), sum(r.result.events for r in reports)
    run.broken = sum(1 for r in reports if r.result.problem is not None)
    run.report = "\n".join(str(r) for r in reports)
    run.save()
    return run, reports


ALERT_SUBJECT = "Audit trail: {count} broken chain(s)"
ALERT_BODY = (
    "The daily verification of the audit trail found chains whose events no longer match their hashes.\n"
    "Somebody changed, removed, added or reordered audit events in the database. Each line names the\n"
    "organization, the first bad event (seq) and what is wrong; the chain's state is under Audit → Audit chains.\n\n"
    "{report}\n\nRun `manage.py verify_audit <slug>` to check again."
)


def verify_and_alert():
    """Verify every chain and mail staff (ADMINS) when one is broken; returns the number of broken chains."""
    run, reports = verify_audit_chains()
    if run.broken:
        broken = "\n".join(str(r) for r in reports if r.result.problem)
        mail_admins(ALERT_SUBJECT.format(count=run.broken), ALERT_BODY.format(report=broken))
    return run.broken
