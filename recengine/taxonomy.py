"""The category taxonomy and the interest-tag vocabulary of the platform.

Categories are the live-commerce verticals every catalogue row points at. Tags are
what a viewer may see about themselves (clause 6.3.2); the sensitive ones exist only
so that the engine can refuse to assign them (PIPL Art. 28).
"""

from __future__ import annotations

CATEGORIES = [
    ("beauty", "美妆", "Beauty"),
    ("apparel", "服饰", "Apparel"),
    ("food", "食品", "Food"),
    ("electronics", "数码", "Electronics"),
    ("baby", "母婴", "Baby"),
    ("home", "家居", "Home"),
    ("sports", "运动", "Sports"),
    ("jewellery", "珠宝", "Jewellery"),
    ("books", "图书", "Books"),
    ("pets", "宠物", "Pets"),
    ("health", "保健品", "Health supplements"),
    ("auto", "汽车用品", "Car accessories"),
]

# (code, Chinese, English, category code)
TAGS = [
    ("skincare", "护肤", "Skincare", "beauty"),
    ("makeup", "彩妆", "Make-up", "beauty"),
    ("womenswear", "女装", "Womenswear", "apparel"),
    ("menswear", "男装", "Menswear", "apparel"),
    ("snacks", "零食", "Snacks", "food"),
    ("fresh-produce", "生鲜", "Fresh produce", "food"),
    ("mobile-phones", "手机", "Mobile phones", "electronics"),
    ("smart-gadgets", "智能设备", "Smart gadgets", "electronics"),
    ("infant-formula", "奶粉辅食", "Infant formula and food", "baby"),
    ("toys", "玩具", "Toys", "baby"),
    ("kitchenware", "厨具", "Kitchenware", "home"),
    ("bedding", "家纺", "Bedding", "home"),
    ("outdoor", "户外", "Outdoor", "sports"),
    ("fitness", "健身", "Fitness", "sports"),
    ("gold", "黄金", "Gold", "jewellery"),
    ("jade", "玉石", "Jade", "jewellery"),
    ("childrens-books", "童书", "Children's books", "books"),
    ("literature", "文学", "Literature", "books"),
    ("pet-food", "宠物食品", "Pet food", "pets"),
    ("pet-supplies", "宠物用品", "Pet supplies", "pets"),
    ("vitamins", "维生素", "Vitamins", "health"),
    ("car-care", "汽车养护", "Car care", "auto"),
    ("car-electronics", "车载电子", "Car electronics", "auto"),
]

# Special categories of personal information: never a tag a viewer may hold.
SENSITIVE_TAGS = [
    ("religious-belief", "宗教信仰", "Religious belief"),
    ("ethnicity", "民族", "Ethnicity"),
    ("medical-condition", "疾病史", "Medical condition"),
    ("political-view", "政治倾向", "Political view"),
    ("sexual-orientation", "性取向", "Sexual orientation"),
    ("financial-distress", "负债状况", "Financial distress"),
]


def seed_taxonomy(category_model, tag_model) -> None:
    """Create whatever is missing; rows staff have edited are left as they are.

    Takes the model classes so that a data migration can pass its historical ones.
    """
    by_code = {}
    for code, name_zh, name_en in CATEGORIES:
        by_code[code], _ = category_model.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en}
        )
    for code, name_zh, name_en, category in TAGS:
        tag_model.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "category": by_code[category],
                "is_sensitive": False,
            },
        )
    for code, name_zh, name_en in SENSITIVE_TAGS:
        tag_model.objects.get_or_create(
            code=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "is_sensitive": True},
        )


SEEDED_REASON = "Tag vocabulary seeded with the platform (clause 6.3.2)"


def record_seeded_tags(tag_model, history_model, *, when) -> int:
    """Write a creation record for every tag that has no history yet.

    Seeding creates the vocabulary outside any service function, so this gives
    each seeded tag the record an audit of history completeness looks for (clause
    8.2.2). Takes the model classes so that a data migration can pass its
    historical ones; returns the number of records written.
    """
    recorded = set(history_model.objects.values_list("id", flat=True))
    copied = [
        field.attname
        for field in history_model._meta.concrete_fields
        if not field.attname.startswith("history_")
    ]
    rows = [
        history_model(
            **{name: getattr(tag, name) for name in copied},
            history_date=when,
            history_type="+",
            history_change_reason=SEEDED_REASON,
        )
        for tag in tag_model.objects.exclude(id__in=recorded)
    ]
    history_model.objects.bulk_create(rows)
    return len(rows)


# Words in an item's title that point at one tag of its category. A category's
# first tag in ``TAGS`` takes the items that name none (clause 6.3.2: every tag a
# viewer sees must be traceable to items they engaged with).
TAG_KEYWORDS = {
    "skincare": ("护肤", "精华", "面霜", "防晒", "面膜", "乳液", "爽肤水"),
    "makeup": ("彩妆", "口红", "粉底", "眼影", "腮红", "唇"),
    "womenswear": ("女装", "连衣裙", "半身裙", "女款"),
    "menswear": ("男装", "男款", "衬衫", "西装"),
    "snacks": ("零食", "坚果", "牛肉干", "螺蛳粉", "咖啡", "饼干"),
    "fresh-produce": ("生鲜", "大米", "蜂蜜", "水果", "海鲜", "蔬菜"),
    "mobile-phones": ("手机", "充电宝"),
    "smart-gadgets": ("耳机", "手表", "平板", "键盘", "智能"),
    "infant-formula": ("奶粉", "辅食", "米粉", "纸尿裤"),
    "toys": ("玩具", "积木", "推车", "座椅"),
    "kitchenware": ("锅", "电饭煲", "保温杯", "厨"),
    "bedding": ("四件套", "枕", "被", "收纳"),
    "outdoor": ("冲锋衣", "登山", "户外", "跑步鞋"),
    "fitness": ("瑜伽", "哑铃", "健身", "手环"),
    "gold": ("金", "手镯"),
    "jade": ("玉", "珍珠", "钻石", "银"),
    "childrens-books": ("绘本", "童书", "词典", "科普"),
    "literature": ("小说", "诗集", "历史", "文学"),
    "pet-food": ("猫粮", "狗粮", "冻干", "零食"),
    "pet-supplies": ("猫砂", "牵引绳", "宠物窝"),
    "vitamins": ("维生素", "钙片", "鱼油", "蛋白粉", "益生菌", "叶黄素"),
    "car-care": ("脚垫", "玻璃水", "吸尘器", "座椅套"),
    "car-electronics": ("记录仪", "车载充电器", "车载"),
}


def tag_code_for(category_code: str | None, title: str) -> str | None:
    """The vocabulary tag an item stands for, from its category and title.

    Only tags of the item's own category can match, so a keyword shared across
    verticals ("零食" for people and for pets) stays in the right one. Sensitive
    tags have no category and are therefore never returned.
    """
    candidates = [code for code, _, _, category in TAGS if category == category_code]
    if not candidates:
        return None
    for code in candidates:
        if any(word in title for word in TAG_KEYWORDS.get(code, ())):
            return code
    return candidates[0]
