"""What the linker reports besides the graph: counts and what it had to drop."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kg.models import Role


class DroppedRole(BaseModel):
    """A role that produced no edge, with the reason (wrong target type, unknown group)."""

    model_config = ConfigDict(extra="forbid")

    paper_id: str
    role: Role
    group: int
    reason: str

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.role.value} on group {self.group}: {self.reason}"


class LinkStats(BaseModel):
    """Counts of one linking run, for the CLI report and the store's report file.

    ``aliases`` is the number of alias strings over all entities (the surface
    forms merged into a node besides its name); ``cross_paper_entities`` the
    entities mentioned by two or more papers; ``ambiguous_acronyms`` the short
    keys (``Type:key``) that name different things in different papers and
    were therefore not used to merge.
    """

    model_config = ConfigDict(extra="forbid")

    papers: int = 0
    entities_by_type: dict[str, int] = Field(default_factory=dict)
    edges_by_type: dict[str, int] = Field(default_factory=dict)
    claims: int = 0
    aliases: int = 0
    cross_paper_entities: int = 0
    ambiguous_acronyms: list[str] = Field(default_factory=list)
    dropped_roles: list[DroppedRole] = Field(default_factory=list)
    unresolved_claim_refs: int = 0

    @property
    def dropped_role_count(self) -> int:
        return len(self.dropped_roles)
