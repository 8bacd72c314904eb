"""Word material from which the simulator writes Chinese catalogue text and speech.

Everything here is invented for the simulation. Category codes match the taxonomy
seeded by the recengine migrations.
"""

from __future__ import annotations

CATEGORY_CODES = [
    "beauty",
    "apparel",
    "food",
    "electronics",
    "baby",
    "home",
    "sports",
    "jewellery",
    "books",
    "pets",
    "health",
    "auto",
]

# How much of the audience each vertical draws; beauty, apparel and food lead.
CATEGORY_POPULARITY = [16, 15, 14, 9, 7, 8, 7, 4, 5, 5, 5, 5]

# Median price in yuan per category; prices spread log-normally around it.
MEDIAN_PRICE = [129, 159, 49, 899, 199, 89, 259, 1999, 39, 99, 169, 129]

PRODUCT_NOUNS = {
    "beauty": ["精华液", "面霜", "口红", "粉底液", "防晒霜", "面膜"],
    "apparel": ["羊毛大衣", "纯棉T恤", "牛仔裤", "连衣裙", "羽绒服", "卫衣"],
    "food": ["坚果礼盒", "牛肉干", "挂耳咖啡", "螺蛳粉", "蜂蜜", "五常大米"],
    "electronics": ["蓝牙耳机", "充电宝", "智能手表", "平板电脑", "机械键盘", "手机"],
    "baby": ["婴儿奶粉", "纸尿裤", "儿童座椅", "米粉辅食", "积木玩具", "婴儿推车"],
    "home": ["不粘锅", "四件套", "收纳箱", "保温杯", "乳胶枕", "电饭煲"],
    "sports": ["跑步鞋", "瑜伽垫", "冲锋衣", "哑铃", "运动手环", "登山包"],
    "jewellery": [
        "足金手镯",
        "和田玉吊坠",
        "珍珠项链",
        "银耳钉",
        "钻石戒指",
        "金转运珠",
    ],
    "books": ["绘本套装", "长篇小说", "历史读物", "英语词典", "科普百科", "诗集"],
    "pets": ["猫粮", "狗粮", "猫砂", "宠物牵引绳", "冻干零食", "宠物窝"],
    "health": ["维生素C片", "钙片", "鱼油软胶囊", "蛋白粉", "益生菌", "叶黄素"],
    "auto": ["行车记录仪", "车载充电器", "汽车脚垫", "玻璃水", "车载吸尘器", "座椅套"],
}

# Terms an expert uses to explain a product: specs, ingredients, sizes, comparisons.
SPEC_TERMS = {
    "beauty": ["成分", "烟酰胺", "玻尿酸", "浓度", "pH值", "肤质"],
    "apparel": ["面料", "尺码", "纯棉", "克重", "版型", "肩宽"],
    "food": ["配料表", "产地", "保质期", "净含量", "添加剂", "热量"],
    "electronics": ["处理器", "电池容量", "毫安时", "刷新率", "参数", "充电功率"],
    "baby": ["月龄", "配方", "乳清蛋白", "材质", "安全认证", "DHA"],
    "home": ["材质", "尺寸", "承重", "不锈钢", "容量", "工艺"],
    "sports": ["透气性", "缓震", "鞋码", "材质", "回弹", "重量"],
    "jewellery": ["克重", "纯度", "鉴定证书", "足金999", "工艺", "圈口"],
    "books": ["作者", "版本", "出版社", "适读年龄", "页数", "装帧"],
    "pets": ["蛋白质含量", "原料", "适用体型", "粗纤维", "配方", "喂食量"],
    "health": ["含量", "每日用量", "配料", "批准文号", "适宜人群", "不适宜人群"],
    "auto": ["型号", "适配车型", "功率", "材质", "安装方式", "规格"],
}
ALL_SPEC_TERMS = sorted({term for terms in SPEC_TERMS.values() for term in terms})

COMPARISON_PHRASES = ["和上一代相比", "对比同价位", "跟大牌对比", "横向比较一下"]

VIEWER_QUESTIONS = {
    "beauty": ["敏感肌能用吗", "油皮适合吗", "孕妇可以用吗"],
    "apparel": ["160斤穿什么码", "会起球吗", "掉色吗"],
    "food": ["保质期多久", "甜不甜", "发什么快递"],
    "electronics": ["续航多久", "支持快充吗", "保修几年"],
    "baby": ["几个月能用", "有没有认证", "会不会过敏"],
    "home": ["电磁炉能用吗", "尺寸多大", "好清洗吗"],
    "sports": ["偏码吗", "适合跑马拉松吗", "防水吗"],
    "jewellery": ["有证书吗", "克重多少", "能回收吗"],
    "books": ["几岁能看", "是正版吗", "有拼音吗"],
    "pets": ["幼猫能吃吗", "软便怎么办", "一袋吃多久"],
    "health": ["一天吃几粒", "饭前还是饭后", "老人能吃吗"],
    "auto": ["我的车能装吗", "要接电源吗", "冬天会冻吗"],
}

HYPE_PHRASES = [
    "家人们冲",
    "最后三单",
    "手慢无",
    "三二一上链接",
    "库存不多了",
    "错过等一年",
    "赶紧拍",
    "闭眼入",
    "秒杀价",
    "拼手速",
]

FILLERS = ["呃", "那个", "就是说", "然后然后", "嗯", "这个这个"]

# Absolute and false claims banned by the Advertising Law.
ABSOLUTE_CLAIMS = [
    "最佳",
    "第一",
    "国家级",
    "100%有效",
    "根治",
    "最好",
    "顶级",
    "无任何副作用",
    "全网第一",
    "永不反弹",
]

HONEST_SELLING_POINTS = ["品质好物", "官方正品", "实惠装", "新款", "经典款", "家用推荐"]

PRAISE_DANMAKU = ["已下单", "讲得好清楚", "求链接", "好看", "支持主播", "回购了"]
HYPE_DANMAKU = ["冲冲冲", "抢到了", "没抢到", "再上一次链接", "666"]
UNCLEAR_DANMAKU = ["听不清", "没听懂，再讲一遍", "说慢点", "到底多少钱"]
EXPERT_DANMAKU = ["讲得好专业", "学到了", "参数讲得很细"]
COMPLAINT_TEXTS = [
    "收到的和描述不一样",
    "质量太差了，要退货",
    "虚假宣传",
    "用了过敏，差评",
    "客服不理人",
    "说好的效果根本没有",
]

ANCHOR_PREFIXES = ["小", "阿", "大", "老", ""]
NAME_CHARS = "晓雨欣悦佳琪子涵梓萱一诺思远浩然俊杰雅婷嘉怡明轩宇航诗涵心怡晨曦若汐"
EXPERT_SUFFIXES = ["老师", "说成分", "测评", "研究所", "讲堂"]
HYPE_SUFFIXES = ["严选", "宠粉", "好物", "的直播间", "福利社"]

MERCHANT_PLACES = [
    "杭州",
    "广州",
    "义乌",
    "深圳",
    "上海",
    "成都",
    "苏州",
    "厦门",
    "青岛",
]
MERCHANT_WORDS = [
    "优品",
    "臻选",
    "好物",
    "源头",
    "悦享",
    "禾木",
    "星辰",
    "初见",
    "拾光",
]
MERCHANT_TYPES = ["旗舰店", "专营店", "官方店", "工厂店", "生活馆"]

# A fictional registry of public figures that AI personas may not impersonate.
PUBLIC_FIGURES = [
    ("PF-001", "林语晴"),
    ("PF-002", "周子默"),
    ("PF-003", "沈清禾"),
    ("PF-004", "顾北辰"),
    ("PF-005", "苏婉宁"),
    ("PF-006", "陆星野"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰飞鹏辉玲婷"
PHONE_PREFIXES = ["139", "138", "186", "159", "177", "135", "188", "150", "187", "133"]
# (six-digit administrative code, province and city, district)
AREAS = [
    ("110105", "北京市", "朝阳区"),
    ("310104", "上海市", "徐汇区"),
    ("440106", "广东省广州市", "天河区"),
    ("330106", "浙江省杭州市", "西湖区"),
    ("510107", "四川省成都市", "武侯区"),
    ("420106", "湖北省武汉市", "武昌区"),
    ("320102", "江苏省南京市", "玄武区"),
    ("610113", "陕西省西安市", "雁塔区"),
]
STREETS = [
    "文化路",
    "建设路",
    "人民路",
    "解放路",
    "和平街",
    "学府路",
    "长江路",
    "滨河路",
]
