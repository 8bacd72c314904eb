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
