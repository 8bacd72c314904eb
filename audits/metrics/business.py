"""Business efficiency metrics of Table 1 (商业效率): CTR, CVR, GMV, ROI.

An exposure is one impression event: one item shown to one viewer in one served
list. Every rate is a ratio of totals over the period (not a mean of per-viewer
rates), so heavy and light viewers weigh by their traffic.
"""

from __future__ import annotations

import math

# Traffic priced at 10 yuan per thousand exposures unless the audit says otherwise.
DEFAULT_COST_PER_EXPOSURE = 0.01


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when there is nothing to divide by."""
    if denominator == 0:
        return math.nan
    return float(numerator) / float(denominator)


def ctr(clicks: int, exposures: int) -> float:
    """Click-through rate: clicks / exposures in the period."""
    return ratio(clicks, exposures)


def cvr(orders: int, clicks: int) -> float:
    """Conversion rate: orders / clicks in the period (post-click conversion)."""
    return ratio(orders, clicks)


def gmv(order_amounts_total: float) -> float:
    """Gross merchandise value: the sum of order amounts in the period, in yuan."""
    return float(order_amounts_total)


def roi(
    gmv_total: float,
    exposures: int,
    cost_per_exposure: float = DEFAULT_COST_PER_EXPOSURE,
) -> float:
    """Return on traffic: GMV / (exposures x cost_per_exposure).

    The log holds no spend, so traffic is priced by a parameter of the audit (yuan
    per exposure, default 0.01, i.e. 10 yuan per thousand); an ROI of 5 means every
    yuan of traffic brought five yuan of orders.
    """
    if cost_per_exposure <= 0:
        raise ValueError("cost_per_exposure must be positive")
    return ratio(gmv_total, exposures * cost_per_exposure)
