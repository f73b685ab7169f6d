"""What a policy's ``pay`` section may declare, shared by the checks of a policy's meaning
(:mod:`engine.checks.pay`) and the pay computations; nothing here computes.
"""

from __future__ import annotations

#: Incentive share roundings that can never pay out more than the pool (shares are >= 0).
SHARE_MODES: tuple[str, ...] = ("down", "floor")
