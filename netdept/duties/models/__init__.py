from .duties import (
    AssigneeKind,
    AssigneeMode,
    Duty,
    Evidence,
    EvidenceKind,
    Occurrence,
    OccurrenceStatus,
    ReviewerKind,
    Shift,
    ViolationOn,
)
from .packs import Pack, PackItem
from .regulations import (
    Article,
    ArticleLink,
    ReadConfirmation,
    Regulation,
    RegulationVersion,
    VersionStatus,
)
from .sanctions import (
    Appeal,
    AppealStatus,
    Penalty,
    PenaltyRule,
    PenaltyStatus,
    PenaltyStep,
    Period,
    ProhibitedAct,
    Reward,
    RewardKind,
    RewardRule,
    RewardSource,
    RewardStatus,
    Sanction,
    Violation,
    ViolationSource,
    ViolationStatus,
)

__all__ = [
    "Appeal", "AppealStatus", "Article", "ArticleLink", "AssigneeKind", "AssigneeMode", "Duty",
    "Evidence", "EvidenceKind", "Occurrence", "OccurrenceStatus", "Pack", "PackItem", "Penalty",
    "PenaltyRule", "PenaltyStatus", "PenaltyStep", "Period", "ProhibitedAct", "ReadConfirmation",
    "Regulation", "RegulationVersion", "ReviewerKind", "Reward", "RewardKind", "RewardRule",
    "RewardSource", "RewardStatus", "Sanction", "Shift", "VersionStatus", "Violation",
    "ViolationOn", "ViolationSource", "ViolationStatus",
]  # fmt: skip
