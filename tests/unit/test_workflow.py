"""The document transition table: every legal move, and refusal of everything else."""

import pytest

from erp_engine.documents.model import WORKFLOW, DocumentStatus
from erp_engine.errors import InvalidTransitionError

DRAFT, APPROVED, COMMITTED, CANCELLED = DocumentStatus
LEGAL = {
    (DRAFT, "update"): DRAFT,
    (DRAFT, "approve"): APPROVED,
    (DRAFT, "cancel"): CANCELLED,
    (APPROVED, "reopen"): DRAFT,
    (APPROVED, "commit"): COMMITTED,
    (APPROVED, "cancel"): CANCELLED,
    (COMMITTED, "reverse"): COMMITTED,
}
ACTIONS = ["update", "approve", "reopen", "commit", "cancel", "reverse"]


@pytest.mark.parametrize(("state", "action"), list(LEGAL))
def test_legal_transitions_reach_their_target(state, action):
    assert WORKFLOW.next_state(state, action) is LEGAL[(state, action)]


ILLEGAL = [(s, a) for s in DocumentStatus for a in [*ACTIONS, "delete", ""] if (s, a) not in LEGAL]


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_other_transition_raises(state, action):
    with pytest.raises(InvalidTransitionError):
        WORKFLOW.next_state(state, action)


def test_cancelled_documents_allow_nothing():
    assert WORKFLOW.allowed_actions(CANCELLED) == []


def test_allowed_actions_match_the_table():
    for state in DocumentStatus:
        expected = sorted(action for (s, action) in LEGAL if s is state)
        assert sorted(WORKFLOW.allowed_actions(state)) == expected
