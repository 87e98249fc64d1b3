"""Declared state machines: a transition table is the only source of legal moves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from erp_engine.errors import InvalidTransitionError

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True, slots=True)
class Transition(Generic[S]):
    action: str
    sources: frozenset[S]
    target: S


class Workflow(Generic[S]):
    """A table of transitions; asking for any other move raises instead of skipping."""

    def __init__(self, *transitions: Transition[S]):
        self._by_action = {t.action: t for t in transitions}

    @property
    def actions(self) -> list[str]:
        return list(self._by_action)

    def next_state(self, current: S, action: str) -> S:
        """Return the target state.

        Raises:
            InvalidTransitionError: the action is unknown or not allowed from `current`.
        """
        transition = self._by_action.get(action)
        if transition is None or current not in transition.sources:
            raise InvalidTransitionError(f"Cannot {action} a document that is {current}.")
        return transition.target

    def can(self, current: S, action: str) -> bool:
        transition = self._by_action.get(action)
        return transition is not None and current in transition.sources

    def allowed_actions(self, current: S) -> list[str]:
        return [a for a, t in self._by_action.items() if current in t.sources]
