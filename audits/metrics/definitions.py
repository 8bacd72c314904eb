"""How each Table 1 metric is computed, in Chinese and English, for reports.

The texts restate the docstrings of the functions that compute the metrics; a
report prints them beside each value so that a reader can recompute it.
"""

from __future__ import annotations

from typing import TypedDict


class Definition(TypedDict):
    category: str
    zh: str
    en: str


DEFINITIONS: dict[str, Definition] = {
    "ux.dwell_seconds_mean": {
        "category": "user_experience",
        "zh": "停留时长：统计期内停留事件的平均秒数。",
        "en": "Dwell time: mean seconds of the dwell events in the period.",
    },
    "ux.interaction_rate": {
        "category": "user_experience",
        "zh": "互动率：点赞、评论与弹幕、关注、加购、打赏事件数 / 曝光数。",
        "en": "Interaction rate: likes, comments and danmaku, follows, add-to-cart "
        "events and gifts / exposures.",
    },
    "ux.negative_feedback_rate": {
        "category": "user_experience",
        "zh": "负面反馈率：“不感兴趣”事件数 / 曝光数。",
        "en": "Negative-feedback rate: not-interested events / exposures.",
    },
    "ux.intra_list_diversity": {
        "category": "user_experience",
        "zh": "列表内多样性：按请求编号归并的每个推荐列表中，品类不同的物品对占全部"
        "物品对的比例，即 (n² − Σn_c²) / (n(n − 1))，对至少含两个物品的列表取平均。",
        "en": "Intra-list diversity: for each served list (by request id), the share "
        "of item pairs from different categories, (n² − Σn_c²) / (n(n − 1)), "
        "averaged over lists of at least two items.",
    },
    "ux.satisfaction_proxy": {
        "category": "user_experience",
        "zh": "满意度代理：max(0, 正向信号 − 负向信号) / 曝光数；正向信号为点赞、关注、"
        "加购、下单、打赏及不少于 30 秒的停留，负向信号为“不感兴趣”。",
        "en": "Satisfaction proxy: max(0, positive − negative signals) / exposures; "
        "positive are likes, follows, add-to-cart, orders, gifts and dwells of at "
        "least 30 s, negative are not-interested events.",
    },
    "business.ctr": {
        "category": "business",
        "zh": "点击率：点击数 / 曝光数。",
        "en": "Click-through rate: clicks / exposures.",
    },
    "business.cvr": {
        "category": "business",
        "zh": "转化率：订单数 / 点击数。",
        "en": "Conversion rate: orders / clicks.",
    },
    "business.gmv": {
        "category": "business",
        "zh": "总交易价值：统计期内订单金额之和（元）。",
        "en": "Gross merchandise value: sum of order amounts in the period (yuan).",
    },
    "business.roi": {
        "category": "business",
        "zh": "投入产出比：GMV / (曝光数 × 单次曝光成本)；单次曝光成本为审计参数，"
        "默认 0.01 元（千次曝光 10 元）。",
        "en": "Return on traffic: GMV / (exposures × cost per exposure); the cost "
        "is an audit parameter, 0.01 yuan by default (10 yuan per thousand).",
    },
    "ecosystem.quality_content_exposure_lift": {
        "category": "ecosystem",
        "zh": "优质内容曝光占比：优质直播间与商品的曝光数 / 全部曝光数；提升度为该占比"
        "除以优质内容在可推荐内容中的占比。",
        "en": "Quality content exposure share: exposures of quality rooms and "
        "products / all exposures; the lift divides it by quality items' share of "
        "the eligible catalogue.",
    },
    "ecosystem.quality_merchant_exposure_lift": {
        "category": "ecosystem",
        "zh": "优质商家曝光占比：优质商家的曝光数 / 全部曝光数（含零曝光商家）；提升度"
        "为该占比除以优质商家在全部商家中的占比。",
        "en": "Quality merchant exposure share: exposures of quality merchants / all "
        "exposures, merchants without exposure included; the lift divides it by "
        "quality merchants' share of all merchants.",
    },
    "ecosystem.cold_start_success_anchors": {
        "category": "ecosystem",
        "zh": "新主播冷启动成功率：注册后 N 天内获得至少 k 次曝光或首单的新主播 / "
        "N 天窗口完整落在统计期内的新主播。",
        "en": "Cold-start success of new anchors: anchors reaching k exposures or a "
        "first order within N days of registration / new anchors whose N-day "
        "window lies inside the period.",
    },
    "ecosystem.cold_start_success_merchants": {
        "category": "ecosystem",
        "zh": "新商家冷启动成功率：注册后 N 天内获得至少 k 次曝光或首单的新商家 / "
        "N 天窗口完整落在统计期内的新商家。",
        "en": "Cold-start success of new merchants: merchants reaching k exposures or "
        "a first order within N days of registration / new merchants whose N-day "
        "window lies inside the period.",
    },
    "ecosystem.category_coverage": {
        "category": "ecosystem",
        "zh": "品类覆盖度：获得曝光的品类数 / 有在售商品或直播间的品类数。",
        "en": "Category coverage: categories with exposure / categories that hold "
        "any product or live room.",
    },
    "ecosystem.violation_interception_rate": {
        "category": "ecosystem",
        "zh": "违规内容拦截率：首次曝光前被拦截的确认违规数 / 全部确认违规数。",
        "en": "Violation interception rate: confirmed violations stopped before "
        "their first exposure / all confirmed violations.",
    },
    "fairness.group_ratio.diversity": {
        "category": "fairness",
        "zh": "群体多样性差异：各用户群体列表内多样性的差值与最小/最大比，"
        "附自助法区间；比值超出 [0.8, 1.25] 即标记。",
        "en": "Diversity across viewer groups: gap and min/max ratio of each group's "
        "intra-list diversity with bootstrap intervals; flagged outside [0.8, 1.25].",
    },
    "fairness.group_ratio.satisfaction": {
        "category": "fairness",
        "zh": "群体满意度差异：各用户群体满意度代理的差值与最小/最大比，附自助法区间；"
        "比值超出 [0.8, 1.25] 即标记。",
        "en": "Satisfaction across viewer groups: gap and min/max ratio of each "
        "group's satisfaction proxy with bootstrap intervals; flagged outside "
        "[0.8, 1.25].",
    },
    "fairness.group_ratio.ctr": {
        "category": "fairness",
        "zh": "群体点击率差异：各用户群体点击率的差值与最小/最大比，附自助法区间；"
        "比值超出 [0.8, 1.25] 即标记。",
        "en": "CTR across viewer groups: gap and min/max ratio with bootstrap "
        "intervals; flagged outside [0.8, 1.25].",
    },
    "fairness.group_ratio.cvr": {
        "category": "fairness",
        "zh": "群体转化率差异：各用户群体转化率的差值与最小/最大比，附自助法区间；"
        "比值超出 [0.8, 1.25] 即标记。",
        "en": "CVR across viewer groups: gap and min/max ratio with bootstrap "
        "intervals; flagged outside [0.8, 1.25].",
    },
    "fairness.traffic_gini": {
        "category": "fairness",
        "zh": "流量分配基尼系数：G = Σ_i Σ_j |x_i − x_j| / (2n² · 均值(x))，x 为全部"
        "可推荐商家（含零曝光商家）的曝光数；另报告前 1% 与前 10% 商家的曝光占比"
        "及洛伦兹曲线。",
        "en": "Traffic Gini: G = Σ_i Σ_j |x_i − x_j| / (2n² · mean(x)) over the "
        "exposures x of all eligible merchants, zero-exposure merchants included; "
        "with the top-1% and top-10% shares and the Lorenz curve.",
    },
}
