"""The role table for documents: who may take which action, and the owner-of-a-draft rule."""

import uuid

import pytest

from erp_engine.documents.model import DocumentStatus, StockDocument
from erp_engine.errors import ForbiddenError, InvalidTransitionError
from erp_engine.kernel.principal import Principal
from erp_engine.kernel.roles import Role

OWNER = uuid.uuid4()


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(id=user_id or uuid.uuid4(), name=str(role), role=role)


def document(status: DocumentStatus, created_by=OWNER, reversed_by=None) -> StockDocument:
    return StockDocument(
        kind="outbound",
        number="OUT-000001",
        status=status,
        created_by=created_by,
        reversed_by_id=reversed_by,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VIEWER, []),
        (Role.STAFF, []),
        (Role.MANAGER, ["update", "approve", "cancel"]),
        (Role.ADMIN, ["update", "approve", "cancel"]),
    ],
)
def test_draft_actions_by_role_for_a_non_owner(role, expected):
    assert document(DocumentStatus.DRAFT).allowed_actions(principal(role)) == expected


def test_staff_owner_may_edit_and_cancel_only_their_own_draft():
    owner = principal(Role.STAFF, OWNER)
    assert document(DocumentStatus.DRAFT).allowed_actions(owner) == ["update", "cancel"]
    assert document(DocumentStatus.APPROVED).allowed_actions(owner) == []


def test_viewer_owner_gets_nothing():
    assert document(DocumentStatus.DRAFT).allowed_actions(principal(Role.VIEWER, OWNER)) == []


def test_manager_actions_follow_the_state():
    manager = principal(Role.MANAGER)
    assert document(DocumentStatus.APPROVED).allowed_actions(manager) == [
        "reopen",
        "commit",
        "cancel",
    ]
    assert document(DocumentStatus.COMMITTED).allowed_actions(manager) == ["reverse"]
    assert document(DocumentStatus.CANCELLED).allowed_actions(manager) == []


def test_a_document_with_a_reversal_cannot_be_reversed_again():
    doc = document(DocumentStatus.COMMITTED, reversed_by=uuid.uuid4())
    assert doc.allowed_actions(principal(Role.MANAGER)) == []
    with pytest.raises(InvalidTransitionError):
        doc.check(principal(Role.MANAGER), "reverse")


def test_forbidden_comes_before_invalid_transition():
    with pytest.raises(ForbiddenError):
        document(DocumentStatus.COMMITTED).check(principal(Role.STAFF, OWNER), "approve")


def test_check_returns_the_target_state():
    assert document(DocumentStatus.DRAFT).check(principal(Role.MANAGER), "approve") is (
        DocumentStatus.APPROVED
    )
