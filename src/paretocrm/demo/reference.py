"""Fixed reference data of the demo company: what it sells, where and to whom.

The demo company is 华夏丰源实业有限公司 (Huaxia Fengyuan Industrial Co.), a manufacturer and
exporter in Fujian that sells fresh and processed fruit and industrial goods (valves,
bearings, packaging) to distributors and companies in China and abroad. Everything here is
static; the random parts (customers, orders, ...) are drawn in ``generator.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

COMPANY_NAME = "华夏丰源实业有限公司"
COMPANY_NAME_EN = "Huaxia Fengyuan Industrial Co., Ltd."
# Every demo customer code starts with this prefix; it is how a loaded demo is recognised.
CUSTOMER_CODE_PREFIX = "DEMO-C"
BASE_CURRENCY = "CNY"


@dataclass(frozen=True, slots=True)
class CountryInfo:
    """A country the company sells to, with the notes an exporter's staff need."""

    code: str
    currency: str
    locale: str
    weight: float
    culture: str
    regulations: str
    trade_term: str
    # CNY per unit of the currency on the anchor date (roughly the 2024-2025 level).
    cny_rate: float


COUNTRIES: tuple[CountryInfo, ...] = (
    CountryInfo(
        "CN",
        "CNY",
        "zh_CN",
        0.62,
        "关系（guanxi）和面对面拜访很重要；节前问候与年度拜访是惯例。",
        "增值税专用发票；食品需符合 GB 2762/2763；工业品需 CCC 认证（如适用）。",
        "EXW",
        1.0,
    ),
    CountryInfo(
        "US",
        "USD",
        "en_US",
        0.09,
        "Direct, data-driven buyers; decisions by committee in larger firms; punctuality.",
        "FDA food-facility registration and FSMA; Section 301 tariffs on many industrial goods.",
        "FOB",
        7.15,
    ),
    CountryInfo(
        "DE",
        "EUR",
        "de_DE",
        0.07,
        "Formal, precise; written agreements and technical documentation matter.",
        "EU CE marking for machinery parts; EU MRLs for pesticide residues in fruit; REACH.",
        "CIF",
        7.75,
    ),
    CountryInfo(
        "JP",
        "JPY",
        "ja_JP",
        0.06,
        "Long relationships, consensus (nemawashi); quality defects are taken very seriously.",
        "Food Sanitation Act; JIS standards for industrial parts; phytosanitary certificates.",
        "CIF",
        0.048,
    ),
    CountryInfo(
        "SG",
        "SGD",
        "en_US",
        0.06,
        "Multicultural, efficient; English contracts; regional hub for South-East Asia.",
        "SFA import licence for food; GST on imports; halal certification often requested.",
        "CFR",
        5.30,
    ),
    CountryInfo(
        "AE",
        "AED",
        "en_US",
        0.05,
        "Relationship-first; Ramadan slows business; trade via Dubai free zones is common.",
        "Halal certification; ESMA conformity for industrial goods; certificate of origin.",
        "DDP",
        1.95,
    ),
    CountryInfo(
        "GB",
        "GBP",
        "en_GB",
        0.05,
        "Understated, contract-driven; supplier audits for retail chains.",
        "UKCA marking; post-Brexit SPS checks on fresh produce; UK REACH.",
        "DAP",
        9.05,
    ),
)

# Mainland regions with weights and a few representative cities.
REGIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("华东", 0.30, ("上海", "杭州", "南京", "苏州", "宁波", "合肥")),
    ("华南", 0.22, ("广州", "深圳", "厦门", "福州", "东莞", "南宁")),
    ("华北", 0.16, ("北京", "天津", "石家庄", "太原", "济南")),
    ("华中", 0.12, ("武汉", "长沙", "郑州", "南昌")),
    ("西南", 0.09, ("成都", "重庆", "昆明", "贵阳")),
    ("东北", 0.06, ("沈阳", "大连", "长春", "哈尔滨")),
    ("西北", 0.05, ("西安", "兰州", "乌鲁木齐")),
)

# Industry -> (weight, product line mostly bought: "fruit", "industrial" or "mixed").
INDUSTRIES: tuple[tuple[str, float, str], ...] = (
    ("食品分销", 0.20, "fruit"),
    ("连锁零售", 0.14, "fruit"),
    ("餐饮与酒店", 0.08, "fruit"),
    ("食品加工", 0.10, "fruit"),
    ("机械制造", 0.14, "industrial"),
    ("汽车零部件", 0.09, "industrial"),
    ("石油化工", 0.07, "industrial"),
    ("建筑工程", 0.07, "industrial"),
    ("进出口贸易", 0.11, "mixed"),
)

# Category code -> (name, product line, gross margin range as fractions of the price).
CATEGORIES: tuple[tuple[str, str, str, tuple[float, float]], ...] = (
    ("FRESH", "鲜果 Fresh fruit", "fruit", (0.12, 0.25)),
    ("DRIED", "果干与果脯 Dried fruit", "fruit", (0.30, 0.45)),
    ("JUICE", "浓缩果汁 Juice concentrate", "fruit", (0.22, 0.35)),
    ("VALVE", "工业阀门 Industrial valves", "industrial", (0.28, 0.42)),
    ("BEARING", "轴承 Bearings", "industrial", (0.18, 0.30)),
    ("PACK", "包装材料 Packaging", "industrial", (0.08, 0.18)),
)

# (sku suffix, category, zh name, en name, unit, list price in CNY)
PRODUCTS: tuple[tuple[str, str, str, str, str, float], ...] = (
    ("F01", "FRESH", "平和琯溪蜜柚", "Guanxi honey pomelo", "吨", 6800.0),
    ("F02", "FRESH", "赣南脐橙", "Gannan navel orange", "吨", 7600.0),
    ("F03", "FRESH", "烟台红富士苹果", "Yantai Fuji apple", "吨", 8900.0),
    ("F04", "FRESH", "海南芒果", "Hainan mango", "吨", 11800.0),
    ("F05", "FRESH", "漳州香蕉", "Zhangzhou banana", "吨", 4200.0),
    ("F06", "FRESH", "荔枝（妃子笑）", "Lychee (Feizixiao)", "吨", 16500.0),
    ("D01", "DRIED", "龙眼干", "Dried longan", "箱", 420.0),
    ("D02", "DRIED", "芒果干", "Dried mango", "箱", 360.0),
    ("D03", "DRIED", "蜜饯青梅", "Candied green plum", "箱", 280.0),
    ("J01", "JUICE", "浓缩橙汁 65°Brix", "Orange juice concentrate 65 Brix", "桶", 2600.0),
    ("J02", "JUICE", "浓缩苹果汁 70°Brix", "Apple juice concentrate 70 Brix", "桶", 2300.0),
    ("V01", "VALVE", "DN50 不锈钢球阀", "DN50 stainless ball valve", "件", 980.0),
    ("V02", "VALVE", "DN100 蝶阀", "DN100 butterfly valve", "件", 1650.0),
    ("V03", "VALVE", "高压截止阀", "High-pressure globe valve", "件", 3900.0),
    ("B01", "BEARING", "6205 深沟球轴承", "6205 deep-groove ball bearing", "套", 38.0),
    ("B02", "BEARING", "圆锥滚子轴承 32210", "Tapered roller bearing 32210", "套", 165.0),
    ("B03", "BEARING", "调心滚子轴承 22220", "Spherical roller bearing 22220", "套", 1180.0),
    ("P01", "PACK", "五层瓦楞纸箱", "Five-ply corrugated carton", "千个", 3200.0),
    ("P02", "PACK", "食品级 PET 托盘", "Food-grade PET tray", "千个", 1450.0),
    ("P03", "PACK", "缠绕膜", "Stretch film", "卷", 95.0),
)

# The eight roles of QUALITY.md with the demo user's username, title and team key.
ROLE_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("administrator", "admin", "系统管理员", "management"),
    ("general_manager", "gm", "总经理", "management"),
    ("key_account_manager", "kam", "大客户经理", "ka"),
    ("key_account_specialist", "ka_specialist", "大客户专员", "ka_domestic"),
    ("key_account_assistant", "ka_assistant", "大客户内勤", "ka_export"),
    ("sales_rep", "sales", "销售代表", "sales"),
    ("service_agent", "service", "客服专员", "service"),
    ("marketing", "marketing", "市场专员", "marketing"),
)

# Team key -> (name, parent key).
TEAMS: tuple[tuple[str, str, str | None], ...] = (
    ("management", "总经理办公室", None),
    ("ka", "大客户部", None),
    ("ka_domestic", "大客户一部（国内）", "ka"),
    ("ka_export", "大客户二部（海外）", "ka"),
    ("sales", "销售部", None),
    ("service", "客户服务部", None),
    ("marketing", "市场部", None),
)

CONTACT_ROLES: tuple[str, ...] = (
    "decision_maker",
    "influencer",
    "user",
    "gatekeeper",
    "champion",
    "buyer",
)
CONTACT_TITLES_ZH: tuple[str, ...] = (
    "总经理",
    "采购总监",
    "采购经理",
    "质量经理",
    "仓储主管",
    "财务经理",
)
CONTACT_TITLES_EN: tuple[str, ...] = (
    "CEO",
    "Head of Procurement",
    "Purchasing Manager",
    "Quality Manager",
    "Warehouse Lead",
    "Finance Manager",
)
CONSENT_CHANNELS: tuple[str, ...] = ("phone", "email", "sms", "wechat", "post")

# Knowledge articles: (category, language, kind, title, body). Plain text / markdown.
ARTICLES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "产品知识",
        "zh-hans",
        "article",
        "琯溪蜜柚的储运温度",
        "蜜柚适宜储运温度为 5–8 ℃，相对湿度 85–90%。冷藏集装箱出口到欧洲约 35 天，"
        "到港后应在 7 天内分销。",
    ),
    (
        "产品知识",
        "zh-hans",
        "article",
        "不锈钢球阀选型要点",
        "选型时确认介质、压力等级（PN16/PN40）、温度范围和连接方式（法兰/螺纹）。"
        "食品行业请选择 316L 材质并提供材质证明。",
    ),
    (
        "常见问题",
        "zh-hans",
        "faq",
        "如何申请退货？",
        "收货后 7 天内在客服系统登记退货申请，附照片与批次号；质量问题由我司承担运费。",
    ),
    (
        "常见问题",
        "zh-hans",
        "faq",
        "发票多久可以开出？",
        "订单发货后 3 个工作日内开具增值税专用发票，电子发票当天发送至登记邮箱。",
    ),
    (
        "出口业务",
        "zh-hans",
        "article",
        "出口日本的检验检疫要求",
        "鲜果出口日本需植物检疫证书；部分水果需蒸热处理。包装标签须使用日文。",
    ),
    (
        "Product knowledge",
        "en",
        "article",
        "Storing and shipping honey pomelo",
        "Keep pomelo at 5-8 °C and 85-90 % relative humidity. Reefer transit to Europe takes "
        "about 35 days; distribute within 7 days of arrival.",
    ),
    (
        "Product knowledge",
        "en",
        "article",
        "Choosing a ball valve",
        "Check the medium, pressure class (PN16/PN40), temperature range and end connection. "
        "For food applications choose 316L and ask for the material certificate.",
    ),
    (
        "FAQ",
        "en",
        "faq",
        "How do I return goods?",
        "Register the return within 7 days of delivery with photos and the batch number. "
        "We pay the freight when the cause is a quality defect.",
    ),
    (
        "FAQ",
        "en",
        "faq",
        "Which Incoterms do you offer?",
        "FOB Xiamen by default; CIF and DAP on request; DDP for the UAE through our partner.",
    ),
    (
        "Export",
        "en",
        "article",
        "EU maximum residue levels for citrus",
        "Every export lot is tested against EU MRLs before shipping; certificates travel with "
        "the bill of lading.",
    ),
)

CAMPAIGNS: tuple[tuple[str, str, str], ...] = (
    ("春节礼品果篮促销", "promotion", "ordinary"),
    ("新品：浓缩苹果汁上市调研", "product", "core"),
    ("大客户年度价格方案", "price", "key"),
    ("经销商渠道拓展计划", "channel", "potential"),
    ("海外展会 Fruit Logistica 跟进", "product", "potential"),
    ("工业品以旧换新", "promotion", "ordinary"),
    ("中秋节客户关怀", "promotion", "core"),
)
